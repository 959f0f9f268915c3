"""Reads for the conference pages, and one access helper per object type.

Each part of the app adds its reads in its own section below. An access
helper returns the object the user may see or raises 404 (a registration is
a person's record: its existence is not shown to those who may not see it)
or PermissionDenied (a page of a kind the user has no business with).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from awl.permissions import has_rule
from conference.models import (
    Attendee,
    Conference,
    EligibilityException,
    FeeBand,
    Registration,
    RegistrationPayment,
    RegistrationStatus,
    Snapshot,
    SnapshotBranch,
    SnapshotMember,
)
from conference.rules import RECORD_PAYMENT, RUN
from members import selectors as member_selectors
from members.models import Member

MONEY = DecimalField(max_digits=10, decimal_places=2)


# Members' pages, setup, entitlement and payments (views) ----------------------------------------
def get_conference(slug: str) -> Conference:
    """Any signed-in person may read a conference's dates, venue and fees."""
    conference = Conference.objects.filter(slug=slug).first()
    if conference is None:
        raise Http404("No such conference.")
    return conference


def get_conference_with_perm(
    user: Any, slug: str, perm: str, refusal: str = "You do not have this duty for the conference."
) -> Conference:
    """The conference, if ``user`` holds ``perm`` for it: 404 when there is none, 403 when they may not."""
    conference = get_conference(slug)
    if not has_rule(user, perm, conference):
        raise PermissionDenied(refusal)
    return conference


def get_conference_to_run(user: Any, slug: str) -> Conference:
    """A conference for the conference arrangements committee (and national office); 403 for others."""
    refusal = "Only the conference arrangements committee can do this."
    return get_conference_with_perm(user, slug, RUN, refusal)


def get_conference_for_payments(user: Any, slug: str) -> Conference:
    return get_conference_with_perm(
        user, slug, RECORD_PAYMENT, "Only treasurers and the national office record conference payments."
    )


# The signed-in person's member record, and a member by e-mail address, are members' reads.
own_member = member_selectors.own_member
member_by_email = member_selectors.member_with_email


def own_registration(member: Member, conference: Conference) -> Registration | None:
    """The member's registration for the conference (registered or cancelled), or None."""
    return Registration.objects.filter(conference=conference, member=member).first()


def get_own_registration(user: Any, pk: int) -> Registration:
    """The user's own registration; anyone else's, or one that does not exist, is a 404."""
    registration = (
        Registration.objects.select_related("conference", "member")
        .filter(pk=pk, member__user=user, member__erased_at__isnull=True)
        .first()
    )
    if registration is None:
        raise Http404("No such registration.")
    return registration


def get_registration_for_payment(user: Any, pk: int) -> Registration:
    """A registration for those who record payments; a 404 for everyone else (it is a person's record)."""
    registration = Registration.objects.select_related("conference", "member__branch").filter(pk=pk).first()
    if registration is None or not has_rule(user, RECORD_PAYMENT, registration.conference):
        raise Http404("No such registration.")
    return registration


def fee_bands(conference: Conference) -> list[FeeBand]:
    return list(FeeBand.objects.filter(conference=conference).order_by("amount", "band"))


def coming_conference(today: dt.date | None = None) -> Conference | None:
    """The next conference not yet over (the soonest first)."""
    today = today or timezone.localdate()
    return Conference.objects.filter(ends_on__gte=today).order_by("starts_on").first()


def conference_list() -> tuple[list[Conference], list[Conference]]:
    """(coming, past) conferences: coming soonest first, past newest first; one query."""
    today = timezone.localdate()
    everything = list(Conference.objects.order_by("-starts_on"))
    coming = sorted((c for c in everything if c.ends_on >= today), key=lambda c: c.starts_on)
    past = [c for c in everything if c.ends_on < today]
    return coming, past


def registration_is_open(conference: Conference, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return conference.registration_opens_at <= now < conference.registration_closes_at


def paid_so_far(registration: Registration) -> Decimal:
    total = registration.payments.aggregate(total=Sum("amount"))["total"]
    return total if total is not None else Decimal("0.00")


def invited_guests(conference: Conference) -> QuerySet[Registration]:
    return Registration.objects.filter(
        conference=conference, attendee__in=[Attendee.OBSERVER, Attendee.GUEST]
    ).order_by("name")


# The entitlement page --------------------------------------------------------------------------
def snapshot_of(conference: Conference) -> Snapshot | None:
    return Snapshot.objects.select_related("taken_by").filter(conference=conference).first()


def snapshot_branches(snapshot: Snapshot) -> list[SnapshotBranch]:
    return list(SnapshotBranch.objects.filter(snapshot=snapshot).order_by("branch_name"))


@dataclass(frozen=True)
class SnapshotTotals:
    members: int
    entitled: int
    delegates: int


def snapshot_totals(snapshot: Snapshot) -> SnapshotTotals:
    counted = SnapshotMember.objects.filter(snapshot=snapshot).aggregate(
        members=Count("pk"), entitled=Count("pk", filter=Q(good_standing=True))
    )
    delegates = SnapshotBranch.objects.filter(snapshot=snapshot).aggregate(total=Sum("delegates"))["total"]
    return SnapshotTotals(int(counted["members"]), int(counted["entitled"]), int(delegates or 0))


def snapshot_members(
    snapshot: Snapshot, *, query: str = "", entitled: bool | None = None, branch_id: int | None = None
) -> QuerySet[SnapshotMember]:
    """The snapshot's members, by name, filtered; one query per page whatever its length."""
    rows = SnapshotMember.objects.filter(snapshot=snapshot).select_related("member__user", "branch")
    if query:
        rows = rows.filter(Q(member__full_name__icontains=query) | Q(member__user__email__icontains=query))
    if entitled is not None:
        rows = rows.filter(good_standing=entitled)
    if branch_id is not None:
        rows = rows.filter(branch_id=branch_id)
    return rows.order_by(F("member__full_name").asc(nulls_last=True), "pk")


def exceptions_for(conference: Conference) -> QuerySet[EligibilityException]:
    return (
        EligibilityException.objects.filter(conference=conference)
        .select_related("member", "granted_by")
        .order_by("-granted_at")
    )


def member_email(pk: int) -> str:
    """The e-mail address of a member not erased, or "" (to start the exception form from their row)."""
    email = Member.objects.filter(pk=pk, erased_at__isnull=True).values_list("user__email", flat=True).first()
    return email or ""


# Payments ------------------------------------------------------------------------------------------
def paid_subquery() -> Subquery:
    """What each registration (``OuterRef("pk")``) has paid so far; NULL when nothing."""
    return Subquery(
        RegistrationPayment.objects.filter(registration=OuterRef("pk"))
        .order_by()
        .values("registration")
        .annotate(total=Sum("amount"))
        .values("total"),
        output_field=MONEY,
    )


def outstanding_registrations(conference: Conference, *, query: str = "") -> QuerySet[Registration]:
    """Registrations still owing (fee due minus paid above nothing), by name; one query per page."""
    rows = (
        Registration.objects.filter(conference=conference, status=RegistrationStatus.REGISTERED)
        .select_related("member__branch")
        .annotate(paid=Coalesce(paid_subquery(), Value(Decimal("0.00")), output_field=MONEY))
        .annotate(outstanding=F("fee_due") - F("paid"))
        .filter(outstanding__gt=0)
    )
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(email__icontains=query))
    return rows.order_by("name", "pk")


@dataclass(frozen=True)
class PaymentTotals:
    count: int
    due: Decimal
    paid: Decimal
    outstanding: Decimal


def payment_totals(rows: QuerySet[Registration]) -> PaymentTotals:
    """Totals over the outstanding rows (as filtered); one query."""
    zero = Decimal("0.00")
    # Summed from the columns, not the annotations: Django's aggregate over a filtered annotation
    # loses the annotation's column in the subquery it wraps the rows in.
    paid = Coalesce(paid_subquery(), Value(Decimal("0.00")), output_field=MONEY)
    totals = rows.order_by().aggregate(
        count=Count("pk"), due=Sum("fee_due"), paid=Sum(paid), outstanding=Sum(F("fee_due") - paid)
    )
    return PaymentTotals(
        int(totals["count"] or 0),
        totals["due"] or zero,
        totals["paid"] or zero,
        totals["outstanding"] or zero,
    )
