"""Reads for the conference pages, and one access helper per object type; and who may vote.

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

from django.conf import settings
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
    Delegate,
    EligibilityException,
    FeeBand,
    Registration,
    RegistrationPayment,
    RegistrationStatus,
    Snapshot,
    SnapshotBranch,
    SnapshotMember,
    VotingBasis,
)
from conference.rules import CHOOSE_DELEGATES, RECORD_PAYMENT, RUN
from members import roles
from members import selectors as member_selectors
from members.models import Branch, Member, MemberStatus, Role
from members.standing import standing_for

MONEY = DecimalField(max_digits=10, decimal_places=2)


# Who may vote ----------------------------------------------------------------------------------
# The rule, as the organisation's standing orders put it, in four steps:
#
# 1. The register is fixed on the cut-off date. A member in good standing on that date (status
#    *member*, dues paid within the grace period: ``members.standing``) is entitled. Before the CAC
#    takes the snapshot this is worked out from the records as they are now (so a member who pays
#    before the cut-off is entitled however they stood when they registered); once it is taken, the
#    snapshot is the register and later corrections to the records do not move it.
# 2. After that, only the CAC's recorded exceptions (``EligibilityException``, each with its reason)
#    add anyone.
# 3. Rights lost since are lost: a member suspended, resigned or erased after the cut-off does not
#    vote (a suspended member takes no part in the organisation's democracy). Lapsing after the
#    cut-off does not take the vote away: dues are judged on the cut-off date, which is what it is for.
# 4. When the conference's voting basis is *delegates*, only the members their branch chose as its
#    delegates (``Delegate``, up to the branch's number in the snapshot) vote; the others attend.
#
# ``entitled_members`` is the rule as SQL, for sets (the electorate, the desk's counts);
# ``entitlement`` and ``registration_entitlement`` are the same rule for one person, with the reason in
# words. ``Registration.entitled`` keeps the last decision for lists and e-mails, refreshed by the
# services at each event that changes it; nothing that gives a vote reads it.
VOTING_STATUSES = (MemberStatus.MEMBER, MemberStatus.LAPSED)
VOTING_ATTENDEES = (Attendee.MEMBER, Attendee.DELEGATE)


@dataclass(frozen=True)
class Eligibility:
    entitled: bool
    reason: str
    how_to_fix: str = ""
    provisional: bool = False  # the cut-off is still to come: decided on the day


def _day(value: dt.date) -> str:
    return f"{value:%-d %B %Y}"


def voting_basis(conference: Conference) -> str:
    return conference.voting_basis


def entitled_members(conference: Conference) -> QuerySet[Member]:
    """The members entitled to vote at the conference now (steps 1 to 4 above), as one SQL query."""
    snapshot = Snapshot.objects.filter(conference=conference).first()
    good: QuerySet[Any]
    if snapshot is not None:
        good = SnapshotMember.objects.filter(
            snapshot=snapshot, good_standing=True, member__isnull=False
        ).values("member_id")
    else:
        good = Member.objects.with_standing(conference.eligibility_cutoff).standing_is(good=True).values("pk")
    excepted = EligibilityException.objects.filter(conference=conference).values("member_id")
    members = Member.objects.filter(
        Q(pk__in=good) | Q(pk__in=excepted), erased_at__isnull=True, status__in=VOTING_STATUSES
    )
    if conference.voting_basis == VotingBasis.DELEGATES:
        members = members.filter(pk__in=Delegate.objects.filter(conference=conference).values("member_id"))
    return members


def entitled_registrations(conference: Conference) -> QuerySet[Registration]:
    """The conference's live registrations whose member is entitled to vote now."""
    return Registration.objects.filter(
        conference=conference,
        status=RegistrationStatus.REGISTERED,
        attendee__in=VOTING_ATTENDEES,
        member__in=entitled_members(conference),
    )


def _status_words(status: str | None) -> str:
    return (status or "not yet admitted").replace("_", " ")


def eligibility(conference: Conference, member: Member) -> Eligibility:
    """Steps 1 to 3: whether the member counts as entitled (for delegates: may be chosen), and why."""
    verdict = _on_the_register(conference, member)
    if verdict.entitled and (member.erased_at is not None or member.status not in VOTING_STATUSES):
        return Eligibility(
            False,
            f"{verdict.reason} Since then the membership is {_status_words(member.status)}, "
            "and a member suspended or resigned does not vote.",
            "Ask your branch organiser or the national office about your membership.",
        )
    return verdict


def _on_the_register(conference: Conference, member: Member) -> Eligibility:
    """Steps 1 and 2: the register on the cut-off date, and the CAC's exceptions."""
    cutoff = conference.eligibility_cutoff
    exception = EligibilityException.objects.filter(conference=conference, member=member).first()
    if exception is not None:
        return Eligibility(True, f"Exception granted: {exception.reason}")
    snapshot = Snapshot.objects.filter(conference=conference).first()
    if snapshot is not None:
        # The snapshot's record, in the same words as before it was taken.
        row = SnapshotMember.objects.filter(snapshot=snapshot, member=member).first()
        if row is None:
            return _off_the_register(cutoff, None, None, provisional=False)
        if row.good_standing:
            return _on_register(cutoff, row.paid_up_to)
        return _off_the_register(cutoff, row.status_on_cutoff or None, row.paid_up_to, provisional=False)
    standing = standing_for(member, cutoff)
    if standing.good_standing:
        return _on_register(cutoff, standing.paid_up_to)
    provisional = cutoff >= timezone.localdate()
    return _off_the_register(cutoff, standing.status, standing.paid_up_to, provisional=provisional)


def _on_register(cutoff: dt.date, paid_up_to: dt.date | None) -> Eligibility:
    paid = f", dues paid up to {_day(paid_up_to)}" if paid_up_to else ""
    return Eligibility(True, f"In good standing on the cut-off date, {_day(cutoff)}{paid}.")


def _off_the_register(
    cutoff: dt.date, status: str | None, paid_up_to: dt.date | None, *, provisional: bool
) -> Eligibility:
    if status != MemberStatus.MEMBER:
        return Eligibility(
            False,
            f"Not a member in good standing on the cut-off date, {_day(cutoff)}: "
            f"status {_status_words(status)}.",
            "Ask your branch organiser or the national office about your membership.",
            provisional,
        )
    paid_to = _day(paid_up_to) if paid_up_to else "never"
    grace = settings.AWL_DUES_GRACE_DAYS
    return Eligibility(
        False,
        f"Dues not paid up on the cut-off date, {_day(cutoff)}: paid up to {paid_to}, "
        f"and only {grace} days' grace is allowed.",
        "Pay your dues to your branch treasurer"
        + (" before the cut-off date." if provisional else "; the committee can then consider an exception."),
        provisional,
    )


def entitlement(conference: Conference, member: Member) -> Eligibility:
    """Steps 1 to 4: whether the member votes at the conference, and why, in words fit to show them."""
    verdict = eligibility(conference, member)
    if not verdict.entitled or conference.voting_basis != VotingBasis.DELEGATES:
        return verdict
    chosen = Delegate.objects.filter(conference=conference, member=member).select_related("branch").first()
    if chosen is None:
        return Eligibility(
            False,
            "This conference votes by branch delegates, and you have not been chosen as one of your "
            "branch's delegates.",
            "Your branch chooses its delegates, up to the number the snapshot gives it.",
            provisional=True,
        )
    return Eligibility(True, f"Chosen as a delegate of {chosen.branch.name}. {verdict.reason}")


def registration_entitlement(registration: Registration) -> Eligibility:
    """Whether this registration carries a vote now, and why (what the desk issues credentials by)."""
    if registration.status != RegistrationStatus.REGISTERED:
        return Eligibility(False, "The registration was cancelled.")
    if registration.attendee not in VOTING_ATTENDEES or registration.member is None:
        return Eligibility(False, registration.entitlement_reason or "Invited as a non-voting attendee.")
    return entitlement(registration.conference, registration.member)


def as_decided_now(registration: Registration | None) -> Registration | None:
    """The registration showing whether it carries a vote now, by the rule the desk and the ballot
    decide by: the stored flag is the last decision, which a suspension since may have changed."""
    if registration is not None and registration.status == RegistrationStatus.REGISTERED:
        verdict = registration_entitlement(registration)
        registration.entitled, registration.entitlement_reason = verdict.entitled, verdict.reason
    return registration


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


# Branch delegates ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BranchDelegates:
    """A branch's number of delegates (from the snapshot) and those it has chosen."""

    branch_id: int
    name: str
    entitled_to: int
    chosen: int


def delegate_branch_ids(user: Any, conference: Conference) -> set[int] | None:
    """The branches whose delegates ``user`` may record: ``None`` for all (the CAC), else their own."""
    if has_rule(user, CHOOSE_DELEGATES, None):
        return None
    return roles.branch_ids_for(user, Role.BRANCH_ORGANISER)


def get_conference_for_delegates(user: Any, slug: str) -> Conference:
    """The conference, for the CAC and branch organisers; 403 for everyone else."""
    conference = get_conference(slug)
    allowed = delegate_branch_ids(user, conference)
    if allowed is not None and not allowed:
        raise PermissionDenied("Only a branch's organiser, or the CAC, records the branch's delegates.")
    return conference


def get_branch_for_delegates(user: Any, conference: Conference, branch_pk: int) -> Branch:
    """A branch whose delegates ``user`` may record: 404 if there is none, 403 if not theirs."""
    branch = Branch.objects.filter(pk=branch_pk).first()
    if branch is None:
        raise Http404("No such branch.")
    if not has_rule(user, CHOOSE_DELEGATES, branch):
        raise PermissionDenied("Only the branch's organiser, or the CAC, records its delegates.")
    return branch


def branch_delegate_counts(conference: Conference, branch_ids: set[int] | None) -> list[BranchDelegates]:
    """Each branch in the snapshot (those given, or all): its number of delegates and how many chosen."""
    snapshot = Snapshot.objects.filter(conference=conference).first()
    if snapshot is None:
        return []
    rows = SnapshotBranch.objects.filter(snapshot=snapshot, branch__isnull=False)
    if branch_ids is not None:
        rows = rows.filter(branch_id__in=branch_ids)
    chosen = dict(
        Delegate.objects.filter(conference=conference)
        .values("branch_id")
        .annotate(n=Count("pk"))
        .values_list("branch_id", "n")
    )
    return [
        BranchDelegates(row.branch_id, row.branch_name, row.delegates, chosen.get(row.branch_id, 0))
        for row in rows.order_by("branch_name")
        if row.branch_id is not None
    ]


def branch_delegates(conference: Conference, branch: Branch) -> list[Delegate]:
    return list(
        Delegate.objects.filter(conference=conference, branch=branch)
        .select_related("member", "chosen_by")
        .order_by("member__full_name", "pk")
    )


def delegate_in(conference: Conference, branch: Branch, pk: int) -> Delegate:
    delegate = (
        Delegate.objects.select_related("member", "branch")
        .filter(conference=conference, branch=branch, pk=pk)
        .first()
    )
    if delegate is None:
        raise Http404("No such delegate.")
    return delegate


def delegate_candidates(conference: Conference, branch: Branch) -> QuerySet[Member]:
    """The branch's members who may be chosen: in the snapshot for the branch, in good standing (or
    with an exception), still members, not chosen already; by name."""
    snapshot = Snapshot.objects.filter(conference=conference).first()
    if snapshot is None:
        return Member.objects.none()
    rows = SnapshotMember.objects.filter(snapshot=snapshot, branch=branch)
    excepted = EligibilityException.objects.filter(conference=conference).values("member_id")
    on_register = rows.filter(Q(good_standing=True) | Q(member_id__in=excepted)).values("member_id")
    return (
        Member.objects.filter(pk__in=on_register, erased_at__isnull=True, status__in=VOTING_STATUSES)
        .exclude(pk__in=Delegate.objects.filter(conference=conference).values("member_id"))
        .order_by("full_name", "pk")
    )
