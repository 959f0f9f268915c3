"""The retention review: who is past the retention period, and national office's decisions about them.

The candidates come from every app's review provider in the personal-data
registry (former members, declined applicants, contacts, day-school guests).
National office erases them, or keeps them with a reason until a date: a
kept person does not come back to the review before that date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from awl.audit import log_action
from awl.errors import DomainError, require
from awl.models import AuditEntry, RetentionHold
from awl.personal_data import ReviewCandidate, retention_rules, review_candidates

# The longest a person may be kept before the office must look again.
LONGEST_HOLD = dt.timedelta(days=3 * 366)


class RetentionError(DomainError):
    pass


def candidates(today: dt.date | None = None) -> list[ReviewCandidate]:
    """Everyone due for review today, less those kept until a later date."""
    today = today or timezone.localdate()
    held = set(
        RetentionHold.objects.values("subject")
        .annotate(latest=Max("until"))
        .filter(latest__gt=today)
        .values_list("subject", flat=True)
    )
    return [c for c in review_candidates(today) if c.key not in held]


def summary() -> dict[str, Any]:
    """The automatic rules, with their periods, and the job's last run."""
    return {
        "rules": [{"key": r.key, "label": r.label, "days": r.days()} for r in retention_rules()],
        "last_run": AuditEntry.objects.filter(action="retention.run").order_by("-at", "-pk").first(),
    }


@transaction.atomic
def keep(*, actor: Any, subject: str, reason: str, until: dt.date) -> RetentionHold:
    """Keep someone past the retention period, for a reason, until a date."""
    require(
        actor,
        "members.review_retention",
        None,
        "Only the national office reviews retention.",
        error=RetentionError,
        system_may_act=False,
    )
    today = timezone.localdate()
    if not reason.strip():
        raise RetentionError("Say why they are kept (for example: 'their appeal is still open').")
    if until <= today:
        raise RetentionError("Keep them until a date after today.")
    if until > today + LONGEST_HOLD:
        raise RetentionError("Keep them for at most three years; the review will ask again then.")
    if subject not in {c.key for c in candidates(today)}:
        raise RetentionError("This person is not due for review.")
    hold = RetentionHold.objects.create(subject=subject, reason=reason.strip(), until=until, decided_by=actor)
    log_action(
        actor=actor,
        action="retention.kept",
        target=hold,
        detail={"subject": subject, "until": until.isoformat(), "reason": hold.reason},
    )
    return hold
