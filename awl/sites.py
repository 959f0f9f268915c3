"""The ``django.contrib.sites`` record, kept true to SITE_URL and AWL_ORGANISATION_NAME.

allauth greets in every mail with the record's name and signs off with its
domain; left as django.contrib.sites makes it ("example.com"), a new
member's first e-mail looks like phishing. The record is set from the
settings after every ``migrate`` (a post_migrate handler, connected in
``AwlConfig.ready``) and when the web application starts (``awl.wsgi``);
no other command touches it, and nothing here runs at import or in
``ready()``.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router

logger = logging.getLogger(__name__)


def site_domain(site_url: str) -> str:
    """SITE_URL's host and port (``127.0.0.1:8123``), as the sites record and allauth's mails show it."""
    parts = urlsplit(site_url)
    return parts.netloc.rpartition("@")[2]


def sync_site(*, using: str = DEFAULT_DB_ALIAS, apps: Apps | None = None) -> None:
    """Make the record SITE_ID name the site as the settings do (creating it if it is missing).

    ``apps`` is the migration state a post_migrate handler is given; by default the real models.
    """
    from django.contrib.sites.models import Site  # the app registry is ready by now

    model = apps.get_model("sites", "Site") if apps is not None else Site
    domain, name = site_domain(settings.SITE_URL), settings.AWL_ORGANISATION_NAME
    updated = model.objects.using(using).filter(pk=settings.SITE_ID).update(domain=domain, name=name)
    if not updated:
        model.objects.using(using).create(pk=settings.SITE_ID, domain=domain, name=name)
    Site.objects.clear_cache()  # get_current() keeps the record per process


def sync_site_after_migrate(
    sender: AppConfig, *, using: str = DEFAULT_DB_ALIAS, apps: Apps = global_apps, **kwargs: Any
) -> None:
    """post_migrate: name the site once the migrations (and django.contrib.sites' own handler) have run.

    ``flush`` sends the signal too (as the tests' transactional cases end), without ``apps``.
    """
    try:
        model = apps.get_model("sites", "Site")
    except LookupError:  # migrated back to before the sites table
        return
    if router.allow_migrate_model(using, model):
        sync_site(using=using, apps=apps)


def sync_site_at_start_up() -> None:
    """Name the site as the web application starts; if the database is not there yet, say so and go on.

    The connection is closed afterwards, so that no process forked from this one (gunicorn --preload)
    shares it.
    """
    try:
        sync_site()
    except DatabaseError as exc:
        first_line = next(iter(str(exc).strip().splitlines()), type(exc).__name__)
        logger.warning("site record not updated at start-up: %s", first_line)
    finally:
        connections.close_all()
