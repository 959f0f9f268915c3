"""The sites record (allauth's mails greet with its name) follows SITE_URL and AWL_ORGANISATION_NAME,
and allauth's mails link to SITE_URL like every other mail."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from awl import sites
from tests.factories import UserFactory

BASE_DIR = Path(__file__).resolve().parents[2]
HERE = {"SITE_URL": "http://127.0.0.1:8123", "AWL_ORGANISATION_NAME": "Workers' Liberty"}


@pytest.fixture(autouse=True)
def _forget_the_cached_site() -> Iterator[None]:
    """Site.objects.get_current() caches per process: no test may leave its record behind."""
    Site.objects.clear_cache()
    yield
    Site.objects.clear_cache()


def _make_it_look_fresh() -> None:
    """The record as django.contrib.sites creates it."""
    Site.objects.filter(pk=settings.SITE_ID).update(domain="example.com", name="example.com")
    Site.objects.clear_cache()


def test_the_domain_is_site_urls_host_and_port() -> None:
    assert sites.site_domain("http://127.0.0.1:8123") == "127.0.0.1:8123"
    assert sites.site_domain("https://members.awl.example") == "members.awl.example"
    assert sites.site_domain("https://members.awl.example/base") == "members.awl.example"


@pytest.mark.django_db
@override_settings(**HERE)
def test_migrate_names_the_site_from_the_settings() -> None:
    _make_it_look_fresh()

    call_command("migrate", verbosity=0, interactive=False)

    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("127.0.0.1:8123", "Workers' Liberty")


@pytest.mark.django_db
@override_settings(**HERE)
def test_migrate_makes_the_record_when_there_is_none() -> None:
    Site.objects.all().delete()

    call_command("migrate", verbosity=0, interactive=False)

    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.domain, site.name) == ("127.0.0.1:8123", "Workers' Liberty")


@pytest.mark.django_db(transaction=True)
@override_settings(**HERE)
def test_start_up_names_the_site_from_the_settings() -> None:
    _make_it_look_fresh()

    sites.sync_site_at_start_up()

    site = Site.objects.get_current()
    assert (site.domain, site.name) == ("127.0.0.1:8123", "Workers' Liberty")


@pytest.mark.slow
def test_the_web_application_starts_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    """Start-up names the site if it can; if the database is down it says so and serves anyway."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "AWL_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "awl.settings",
        "SECRET_KEY": "start-up-test-key-" + "x" * 40,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing",
    }
    done = subprocess.run(
        [sys.executable, "-c", "import awl.wsgi; print(callable(awl.wsgi.application))"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("True")
    assert "site record not updated" in done.stdout + done.stderr


def _sign_up(client: Client, email: str) -> str:
    response = client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": "a-long-and-unusual-passphrase-42",
            "password2": "a-long-and-unusual-passphrase-42",
        },
    )
    assert response.status_code == 302
    (message,) = [m for m in mail.outbox if email in m.to]
    return str(message.body)


@pytest.mark.django_db
@override_settings(**HERE)
def test_the_signup_mail_greets_with_the_organisation_and_links_to_site_url(client: Client) -> None:
    _make_it_look_fresh()
    sites.sync_site()

    body = _sign_up(client, "kim.newcomer@example.org")

    assert "Hello from Workers' Liberty!" in body
    assert "example.com" not in body
    links = re.findall(r"https?://\S+", body)
    assert links and all(link.startswith("http://127.0.0.1:8123/") for link in links), links
    (confirm,) = [link for link in links if "/accounts/confirm-email/" in link]
    assert client.get(urlsplit(confirm).path).context["confirmation"] is not None, "the key was not accepted"


@pytest.mark.django_db
@override_settings(**HERE)
def test_the_password_reset_mail_links_to_site_url(client: Client) -> None:
    user = UserFactory(email="ada@example.org")
    sites.sync_site()

    client.post(reverse("account_reset_password"), {"email": user.email})

    (message,) = mail.outbox
    (link,) = re.findall(r"https?://\S+/accounts/password/reset/key/\S+", str(message.body))
    assert link.startswith("http://127.0.0.1:8123/")
    opened = client.get(urlsplit(link).path, follow=True)
    assert opened.status_code == 200
    form = opened.context.get("form")
    assert form is not None and "password1" in form.fields, "the key in the link was not accepted"


@pytest.mark.django_db
@override_settings(**HERE)
def test_the_mails_to_unknown_and_existing_addresses_link_to_site_url(client: Client) -> None:
    UserFactory(email="ada@example.org")
    sites.sync_site()

    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    existing = _sign_up(client, "ada@example.org")

    unknown = str(mail.outbox[0].body)
    for body in (unknown, existing):
        links = re.findall(r"https?://\S+", body)
        assert links and all(link.startswith("http://127.0.0.1:8123/") for link in links), body
