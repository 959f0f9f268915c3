"""Writing the audit trail. Services call ``log_action`` inside their transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from awl.models import AuditEntry


def log_action(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record that ``actor`` did ``action`` to ``target``."""
    entry = AuditEntry(action=action, detail=detail or {})
    if actor is not None and actor.is_authenticated:
        entry.actor_id = actor.pk
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
        entry.target_id = str(target.pk)
        entry.target_repr = str(target)[:200]
    entry.save()
    return entry


def entries_for(target: models.Model) -> models.QuerySet[AuditEntry]:
    """The audit entries about one object, newest first."""
    return AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id=str(target.pk),
    ).select_related("actor")


# A view is logged at most once per officer, record and hour: the trail shows who looked, and an
# officer paging through a list cannot flood it.
VIEW_LOG_WINDOW = dt.timedelta(hours=1)


def log_view(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model,
    role: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry | None:
    """Record that an officer looked at ``target`` (a person's record, a needs list, a door list).

    ``role`` says in which capacity ("Branch organiser (Leeds)"), so a person's
    export can say who looked and as what. Nothing is written for an anonymous
    visitor, or when the same officer's look at the same record is already
    logged within the hour.
    """
    if actor is None or not actor.is_authenticated:
        return None
    target_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
    seen = AuditEntry.objects.filter(
        actor_id=actor.pk,
        action=action,
        target_type=target_type,
        target_id=str(target.pk),
        at__gte=timezone.now() - VIEW_LOG_WINDOW,
    )
    if seen.exists():
        return None
    return log_action(actor=actor, action=action, target=target, detail={"role": role, **(detail or {})})
