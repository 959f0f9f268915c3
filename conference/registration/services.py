"""Every change to a conference's entitlement, registrations, credentials and payments.

One transaction per function, keyword-only arguments, an ``actor``, an
audit entry, and ``ConferenceError`` with a message fit to show. Mail goes
through the outbox (``conference.mail``) inside the same transaction.

Entitlement is decided by the one good-standing rule (``members.standing``)
on the conference's cut-off date, the CAC's exceptions, suspensions since
and, with the delegates basis, the branches' delegates: the rule is read in
``selectors`` ("Who may vote"), and the services here refresh the stored
``Registration.entitled`` at each event that changes it. Registering locks the conference's row, so
the capacity counter and its check constraint hold however many people
register at once; the unique (conference, member) constraint keeps one
registration per member even if a second request slips past every check.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from awl.audit import log_action, log_view
from awl.errors import DomainError, require
from conference.models import (
    Attendee,
    Band,
    CacDuty,
    Conference,
    Credential,
    Delegate,
    Duty,
    EligibilityException,
    FeeBand,
    Registration,
    RegistrationPayment,
    RegistrationStatus,
    Rounding,
    Snapshot,
    SnapshotBranch,
    SnapshotMember,
    VotingBasis,
)
from conference.registration import selectors
from conference.rules import (
    ASSIGN_DUTIES,
    CHECK_IN,
    CHOOSE_DELEGATES,
    RECORD_PAYMENT,
    RUN,
    VIEW_ACCESS_NEEDS,
    VIEW_ACCOMMODATION,
    VIEW_CRECHE,
    VIEW_DIETARY_NEEDS,
)
from members import roles
from members.models import Branch, Member, MemberStatus, Role
from members.standing import paid_up_to

if TYPE_CHECKING:
    from django.contrib.auth.models import User


logger = logging.getLogger(__name__)


class ConferenceError(DomainError):
    """A conference rule refused the change; the message is shown to the person."""


_require = partial(require, error=ConferenceError)


def _lock_conference(conference: Conference) -> Conference:
    return Conference.objects.select_for_update().get(pk=conference.pk)


# Entitlement ------------------------------------------------------------------------------------
# The rule (who votes, and why) is read in ``selectors`` ("Who may vote"); these are its writes.
Eligibility = selectors.Eligibility
eligibility = selectors.eligibility
entitlement = selectors.entitlement


def _day(value: dt.date) -> str:
    return f"{value:%-d %B %Y}"


def refresh_entitlement(conference: Conference, member_ids: list[int] | None = None) -> int:
    """Bring the stored ``Registration.entitled`` (and its reason) up to the rule; returns rows changed.

    Called inside the services whose event can change a vote (the snapshot, an exception, a delegate
    chosen or removed, check-in), so lists and e-mails show what the desk and the ballot decide.
    """
    rows = Registration.objects.filter(
        conference=conference, status=RegistrationStatus.REGISTERED, attendee__in=selectors.VOTING_ATTENDEES
    ).select_related("conference", "member")
    if member_ids is not None:
        rows = rows.filter(member_id__in=member_ids)
    entitled = set(selectors.entitled_registrations(conference).values_list("pk", flat=True))
    changed = 0
    for registration in rows:
        verdict = selectors.registration_entitlement(registration)
        if verdict.entitled != (registration.pk in entitled):  # the two forms of the rule must agree
            logger.error("Entitlement rule disagrees for registration %s", registration.pk)
        reason = verdict.reason[:300]
        if registration.entitled != verdict.entitled or registration.entitlement_reason != reason:
            registration.entitled, registration.entitlement_reason = verdict.entitled, reason
            registration.save(update_fields=["entitled", "entitlement_reason"])
            changed += 1
    return changed


def delegates_for(conference: Conference, in_good_standing: int) -> int:
    """The conference's formula: base + members ÷ per, rounded as it says; no members, no delegates."""
    if in_good_standing <= 0:
        return 0
    share = in_good_standing / conference.delegate_per_members
    rounded = math.ceil(share) if conference.delegate_rounding == Rounding.UP else math.floor(share)
    return conference.delegate_base + rounded


# The member columns and ``with_standing`` annotations the snapshot reads.
_SNAPSHOT_COLUMNS = ("pk", "branch_id", "good_standing", "paid_to_on", "dues_from", "status_on")


def snapshot_refusal(conference: Conference) -> str:
    """Why the snapshot cannot be taken now (taken already, or the cut-off not yet passed), or ""."""
    if Snapshot.objects.filter(conference=conference).exists():
        return "The snapshot has already been taken; it is kept as it was."
    cutoff = conference.eligibility_cutoff
    if cutoff >= timezone.localdate():
        return f"The snapshot can be taken once the cut-off date ({_day(cutoff)}) has passed."
    return ""


@transaction.atomic
def take_snapshot(*, actor: User | None, conference: Conference) -> Snapshot:
    """Record who was entitled on the cut-off date, and why; taken once, on or after the cut-off."""
    conference = _lock_conference(conference)
    _require(actor, RUN, conference, "Only the conference arrangements committee takes the snapshot.")
    refusal = snapshot_refusal(conference)
    if refusal:
        raise ConferenceError(refusal)
    cutoff = conference.eligibility_cutoff
    snapshot = Snapshot.objects.create(
        conference=conference,
        taken_by=actor if getattr(actor, "is_authenticated", False) else None,
        voting_basis=conference.voting_basis,
        cutoff=cutoff,
        formula=conference.formula_text(),
        grace_days=settings.AWL_DUES_GRACE_DAYS,
    )
    rows = (
        Member.objects.filter(erased_at__isnull=True, joined_on__lte=cutoff)
        .with_standing(cutoff)
        .order_by("pk")
        .values(*_SNAPSHOT_COLUMNS)
    )
    exceptions = dict(
        EligibilityException.objects.filter(conference=conference).values_list("member_id", "reason")
    )
    entries = []
    per_branch: dict[int, int] = {}
    for row in rows:
        good = bool(row["good_standing"])
        if good:
            per_branch[row["branch_id"]] = per_branch.get(row["branch_id"], 0) + 1
        paid = paid_up_to(row["paid_to_on"], row["dues_from"])
        status = row["status_on"] or ""
        if good:
            reason = f"In good standing on {_day(cutoff)}" + (f", dues paid to {_day(paid)}" if paid else "")
        elif row["pk"] in exceptions:
            reason = f"Not in good standing; exception granted: {exceptions[row['pk']]}"
        elif status != MemberStatus.MEMBER:
            reason = f"Status on {_day(cutoff)}: {(status or 'not admitted').replace('_', ' ')}"
        else:
            reason = (
                f"Dues paid to {_day(paid) if paid else 'never'}: beyond the grace period on {_day(cutoff)}"
            )
        entries.append(
            SnapshotMember(
                snapshot=snapshot,
                member_id=row["pk"],
                branch_id=row["branch_id"],
                status_on_cutoff=status,
                paid_up_to=paid,
                good_standing=good or row["pk"] in exceptions,
                reason=reason[:300],
            )
        )
    SnapshotMember.objects.bulk_create(entries, batch_size=1000)
    SnapshotBranch.objects.bulk_create(
        SnapshotBranch(
            snapshot=snapshot,
            branch=branch,
            branch_name=branch.name,
            in_good_standing=per_branch.get(branch.pk, 0),
            delegates=delegates_for(conference, per_branch.get(branch.pk, 0)),
        )
        for branch in Branch.objects.order_by("name")
    )
    refresh_entitlement(conference)
    log_action(
        actor=actor,
        action="conference.snapshot_taken",
        target=conference,
        detail={"members": len(entries), "entitled": sum(e.good_standing for e in entries)},
    )
    return snapshot


@transaction.atomic
def grant_exception(
    *, actor: User | None, conference: Conference, member: Member, reason: str
) -> EligibilityException:
    _require(actor, RUN, conference, "Only the conference arrangements committee grants exceptions.")
    if not reason.strip():
        raise ConferenceError("Record the reason for the exception.")
    if member.erased_at is not None or member.status not in (MemberStatus.MEMBER, MemberStatus.LAPSED):
        raise ConferenceError("Exceptions are for members and lapsed members.")
    try:
        with transaction.atomic():
            exception = EligibilityException.objects.create(
                conference=conference,
                member=member,
                reason=reason.strip()[:500],
                granted_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        raise ConferenceError(f"{member} already has an exception for this conference.") from None
    # A registration already made carries the vote from now on (unless the member has since lost it).
    refresh_entitlement(conference, [member.pk])
    log_action(
        actor=actor, action="conference.exception_granted", target=conference, detail={"member": member.pk}
    )
    return exception


# Branch delegates -------------------------------------------------------------------------------
def _delegate_refusal(conference: Conference) -> str:
    if conference.voting_basis != VotingBasis.DELEGATES:
        return "This conference's voting basis is every member in good standing: it has no delegates."
    if conference.ends_on < timezone.localdate():
        return "The conference is over; its delegates stay as they were."
    return ""


def _lock_branch_entitlement(conference: Conference, branch: Branch) -> SnapshotBranch:
    """The branch's row in the snapshot, locked: every choice or removal for the branch waits on it, so
    the delegates counted under it are the delegates there are."""
    row = (
        SnapshotBranch.objects.select_for_update()
        .filter(snapshot__conference=conference, branch=branch)
        .first()
    )
    if row is None:
        if not Snapshot.objects.filter(conference=conference).exists():
            raise ConferenceError(
                "Delegates are chosen once the entitlement snapshot is taken: it fixes each branch's number."
            )
        raise ConferenceError(f"{branch.name} has no delegates in the snapshot.")
    return row


@transaction.atomic
def choose_delegate(
    *, actor: User | None, conference: Conference, branch: Branch, member: Member
) -> Delegate:
    """The branch records one of its delegates, up to the number the snapshot gives it."""
    _require(
        actor, CHOOSE_DELEGATES, branch, "Only the branch's organiser, or the CAC, records its delegates."
    )
    refusal = _delegate_refusal(conference)
    if refusal:
        raise ConferenceError(refusal)
    entitlement_row = _lock_branch_entitlement(conference, branch)
    if not selectors.delegate_candidates(conference, branch).filter(pk=member.pk).exists():
        if Delegate.objects.filter(conference=conference, member=member).exists():
            raise ConferenceError(f"{member} is already a delegate to this conference.")
        raise ConferenceError(
            f"{member} was not a member of {branch.name} in good standing on the cut-off date "
            "(or is no longer a member), so cannot be its delegate."
        )
    chosen = Delegate.objects.filter(conference=conference, branch=branch).count()
    if chosen >= entitlement_row.delegates:
        raise ConferenceError(
            f"{branch.name} is entitled to {entitlement_row.delegates} "
            f"delegate{'s' if entitlement_row.delegates != 1 else ''} and has chosen {chosen}: "
            "remove one before choosing another."
        )
    try:
        with transaction.atomic():
            delegate = Delegate.objects.create(
                conference=conference,
                branch=branch,
                member=member,
                chosen_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError:
        raise ConferenceError(f"{member} is already a delegate to this conference.") from None
    refresh_entitlement(conference, [member.pk])
    log_action(
        actor=actor,
        action="conference.delegate_chosen",
        target=conference,
        detail={
            "branch": branch.pk,
            "member": member.pk,
            "chosen": chosen + 1,
            "of": entitlement_row.delegates,
        },
    )
    return delegate


@transaction.atomic
def remove_delegate(*, actor: User | None, delegate: Delegate) -> None:
    """The branch takes back a delegate not yet given a voting credential."""
    conference, branch = delegate.conference, delegate.branch
    _require(
        actor, CHOOSE_DELEGATES, branch, "Only the branch's organiser, or the CAC, records its delegates."
    )
    refusal = _delegate_refusal(conference)
    if refusal:
        raise ConferenceError(refusal)
    _lock_branch_entitlement(conference, branch)
    if Credential.objects.filter(
        registration__conference=conference, registration__member_id=delegate.member_id
    ).exists():
        raise ConferenceError(
            f"{delegate.member} already holds a voting credential as a delegate; they stay a delegate."
        )
    deleted, _ = Delegate.objects.filter(pk=delegate.pk).delete()
    if deleted:
        refresh_entitlement(conference, [delegate.member_id])
        log_action(
            actor=actor,
            action="conference.delegate_removed",
            target=conference,
            detail={"branch": branch.pk, "member": delegate.member_id},
        )


# Registration -----------------------------------------------------------------------------------
def fee_for(conference: Conference, band: str) -> Decimal:
    if band == Band.UNWAGED and conference.unwaged_free:
        return Decimal("0.00")
    fee = FeeBand.objects.filter(conference=conference, band=band).values_list("amount", flat=True).first()
    if fee is None:
        raise ConferenceError("Choose one of the conference's fee bands.")
    return fee


NEEDS_FIELDS = (
    "access_needs",
    "dietary_needs",
    "children",
    "children_ages",
    "needs_bed",
    "offers_beds",
    "first_conference",
    "consent_share_needs",
)


def window_refusal(conference: Conference) -> str:
    """Why registration is not open now, in words fit to show, or "" when it is."""
    now = timezone.now()
    if now < conference.registration_opens_at:
        opens = timezone.localtime(conference.registration_opens_at)
        return f"Registration opens on {opens:%A %-d %B %Y at %H:%M}."
    if now >= conference.registration_closes_at:
        return "Registration for this conference has closed."
    return ""


def _check_open(conference: Conference) -> None:
    refusal = window_refusal(conference)
    if refusal:
        raise ConferenceError(refusal)


def _clean_needs(needs: dict[str, Any]) -> dict[str, Any]:
    unknown = set(needs) - set(NEEDS_FIELDS)
    if unknown:
        raise ConferenceError(f"Unknown details: {', '.join(sorted(unknown))}.")
    cleaned = dict(needs)
    for field in ("access_needs", "dietary_needs", "children_ages"):
        if field in cleaned:
            cleaned[field] = str(cleaned[field]).strip()
    if cleaned.get("children", 0) and not cleaned.get("children_ages"):
        raise ConferenceError("Give the ages of the children coming to the crèche.")
    if not cleaned.get("children"):
        cleaned["children_ages"] = ""
    return cleaned


@transaction.atomic
def register(*, member: Member, conference: Conference, fee_band: str, **needs: Any) -> Registration:
    """A member registers; a second request for the same member finds the first and changes nothing.

    No lock is taken on the conference until the very end: the unique
    (conference, member) row decides between two requests from one member,
    and the capacity is the counter's check constraint, met by one UPDATE as
    the last statement. Registrations for one conference therefore wait on
    each other only for that UPDATE and the commit, not while the e-mail and
    its ``.ics`` are rendered.
    """
    from conference.registration import mail

    conference = Conference.objects.get(pk=conference.pk)
    _check_open(conference)
    if member.erased_at is not None or member.status != MemberStatus.MEMBER:
        raise ConferenceError("Only members register for conference.")
    cleaned = _clean_needs(needs)
    existing = Registration.objects.select_for_update().filter(conference=conference, member=member).first()
    if existing is not None and existing.status == RegistrationStatus.REGISTERED:
        raise ConferenceError("You are already registered for this conference.")
    if conference.capacity is not None and conference.registered >= conference.capacity:
        raise ConferenceError("The conference is full.")
    verdict = selectors.entitlement(conference, member)
    fields = {
        "name": member.full_name,
        "email": member.user.email,
        "attendee": Attendee.MEMBER,
        "status": RegistrationStatus.REGISTERED,
        "fee_band": fee_band,
        "fee_due": fee_for(conference, fee_band),
        "entitled": verdict.entitled,
        "entitlement_reason": verdict.reason[:300],
        "cancelled_at": None,
        "updated_at": timezone.now(),
        **cleaned,
    }
    if existing is None:
        try:
            with transaction.atomic():
                registration = Registration.objects.create(conference=conference, member=member, **fields)
        except IntegrityError:
            raise ConferenceError("You are already registered for this conference.") from None
    else:
        for field, value in fields.items():
            setattr(existing, field, value)
        existing.revision += 1
        existing.save()
        registration = existing
    log_action(
        actor=member.user,
        action="conference.registered",
        target=conference,
        detail={"registration": registration.pk, "entitled": registration.entitled},
    )
    mail.queue_registration_mail(registration, "confirmation")
    try:
        with transaction.atomic():
            Conference.objects.filter(pk=conference.pk).update(registered=F("registered") + 1)
    except IntegrityError:  # conference_not_over_capacity: the last places went to others meanwhile
        raise ConferenceError("The conference is full.") from None
    return registration


@transaction.atomic
def change_registration(
    *, actor: User | None, registration: Registration, fee_band: str | None = None, **needs: Any
) -> Registration:
    from conference.registration import mail

    registration = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("conference", "member")
        .get(pk=registration.pk)
    )
    if registration.member is None or registration.member.user_id != getattr(actor, "pk", None):
        raise ConferenceError("Only the member can change their registration.")
    if registration.status != RegistrationStatus.REGISTERED:
        raise ConferenceError("This registration was cancelled; register again instead.")
    _check_open(registration.conference)
    cleaned = _clean_needs({**{f: getattr(registration, f) for f in NEEDS_FIELDS}, **needs})
    for field, value in cleaned.items():
        setattr(registration, field, value)
    if fee_band is not None and fee_band != registration.fee_band:
        registration.fee_band = fee_band
        registration.fee_due = fee_for(registration.conference, fee_band)
    registration.updated_at = timezone.now()
    registration.revision += 1
    registration.save()
    log_action(
        actor=actor,
        action="conference.registration_changed",
        target=registration.conference,
        detail={"registration": registration.pk},
    )
    mail.queue_registration_mail(registration, "changed")
    return registration


@transaction.atomic
def cancel_registration(*, actor: User | None, registration: Registration) -> Registration:
    from conference.registration import mail

    conference = _lock_conference(registration.conference)
    registration = (
        Registration.objects.select_for_update(of=("self",)).select_related("member").get(pk=registration.pk)
    )
    own = registration.member is not None and registration.member.user_id == getattr(actor, "pk", None)
    if not own:
        _require(actor, RUN, conference, "Only the member or the CAC can cancel a registration.")
    if registration.status == RegistrationStatus.CANCELLED:
        return registration
    if own:
        _check_open(conference)
    if registration.checked_in_at is not None:
        raise ConferenceError("This person has checked in; their registration stands.")
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = timezone.now()
    registration.revision += 1
    registration.save(update_fields=["status", "cancelled_at", "revision"])
    Conference.objects.filter(pk=conference.pk).update(registered=F("registered") - 1)
    log_action(
        actor=actor,
        action="conference.registration_cancelled",
        target=conference,
        detail={"registration": registration.pk},
    )
    mail.queue_registration_mail(registration, "cancelled")
    return registration


@transaction.atomic
def invite(
    *, actor: User | None, conference: Conference, name: str, email: str, attendee: str
) -> Registration:
    """The CAC invites an observer or guest (non-voting); they count against any capacity."""
    from conference.registration import mail

    conference = _lock_conference(conference)
    _require(actor, RUN, conference, "Only the conference arrangements committee invites guests.")
    if attendee not in (Attendee.OBSERVER, Attendee.GUEST):
        raise ConferenceError("Invite observers or guests; members register themselves.")
    if not name.strip() or not email.strip():
        raise ConferenceError("Give the guest's name and e-mail address.")
    if conference.capacity is not None and conference.registered >= conference.capacity:
        raise ConferenceError("The conference is full.")
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                conference=conference,
                name=name.strip(),
                email=email.strip(),
                attendee=attendee,
                fee_band=Band.SOLIDARITY,
                fee_due=Decimal("0.00"),
                entitled=False,
                entitlement_reason="Invited as a non-voting " + attendee + ".",
            )
    except IntegrityError:
        raise ConferenceError("Someone with this e-mail address is already registered.") from None
    Conference.objects.filter(pk=conference.pk).update(registered=F("registered") + 1)
    log_action(
        actor=actor, action="conference.invited", target=conference, detail={"registration": registration.pk}
    )
    mail.queue_registration_mail(registration, "confirmation")
    return registration


@transaction.atomic
def set_capacity(*, actor: User | None, conference: Conference, capacity: int | None) -> Conference:
    conference = _lock_conference(conference)
    _require(actor, RUN, conference, "Only the conference arrangements committee sets the capacity.")
    if capacity is not None and capacity < conference.registered:
        raise ConferenceError(
            f"{conference.registered} people are already registered; the capacity cannot go below that."
        )
    conference.capacity = capacity
    conference.save(update_fields=["capacity"])
    log_action(
        actor=actor, action="conference.capacity_set", target=conference, detail={"capacity": capacity}
    )
    return conference


# Payments ---------------------------------------------------------------------------------------
@transaction.atomic
def record_registration_payment(
    *, actor: User | None, registration: Registration, amount: Decimal, paid_on: dt.date, method: str = ""
) -> RegistrationPayment:
    registration = (
        Registration.objects.select_for_update().select_related("conference").get(pk=registration.pk)
    )
    _require(actor, RECORD_PAYMENT, registration.conference, "Only treasurers record payments.")
    if amount == 0:
        raise ConferenceError("A payment needs an amount.")
    if paid_on > timezone.localdate():
        raise ConferenceError("A payment cannot be dated in the future.")
    paid = selectors.paid_so_far(registration)
    if amount > 0 and paid + amount > registration.fee_due:
        raise ConferenceError(f"That is more than the £{registration.fee_due - paid} still owed.")
    payment = RegistrationPayment.objects.create(
        registration=registration,
        amount=amount,
        paid_on=paid_on,
        method=method.strip()[:40],
        recorded_by=actor,
    )
    log_action(
        actor=actor,
        action="conference.payment_recorded",
        target=registration.conference,
        detail={"registration": registration.pk, "amount": str(amount)},
    )
    return payment


# Check-in and credentials ----------------------------------------------------------------------
@transaction.atomic
def check_in(*, actor: User | None, registration: Registration) -> Registration:
    """Mark someone arrived; a second tap changes nothing."""
    registration = (
        Registration.objects.select_for_update().select_related("conference").get(pk=registration.pk)
    )
    _require(actor, CHECK_IN, registration.conference, "Only the check-in desk checks people in.")
    if registration.status != RegistrationStatus.REGISTERED:
        raise ConferenceError("This registration was cancelled.")
    if registration.checked_in_at is None:
        registration.checked_in_at = timezone.now()
        registration.checked_in_by = actor
        verdict = selectors.registration_entitlement(registration)
        registration.entitled, registration.entitlement_reason = verdict.entitled, verdict.reason[:300]
        registration.save(update_fields=["checked_in_at", "checked_in_by", "entitled", "entitlement_reason"])
        log_action(
            actor=actor,
            action="conference.checked_in",
            target=registration.conference,
            detail={"registration": registration.pk},
        )
    return registration


@transaction.atomic
def issue_credential(*, actor: User | None, registration: Registration) -> Credential:
    """The voting credential of an entitled member who has checked in; issuing again returns the same one."""
    registration = (
        Registration.objects.select_for_update().select_related("conference").get(pk=registration.pk)
    )
    _require(actor, CHECK_IN, registration.conference, "Only the check-in desk issues credentials.")
    existing = Credential.objects.filter(registration=registration).first()
    if existing is not None:
        return existing
    if registration.status != RegistrationStatus.REGISTERED:
        raise ConferenceError("This registration was cancelled.")
    verdict = selectors.registration_entitlement(registration)
    if not verdict.entitled:
        raise ConferenceError(f"{registration.name} is not entitled to vote: {verdict.reason}")
    if registration.checked_in_at is None:
        raise ConferenceError("Check them in first.")
    credential = Credential.objects.create(registration=registration, issued_by=actor)
    log_action(
        actor=actor,
        action="conference.credential_issued",
        target=registration.conference,
        detail={"registration": registration.pk},
    )
    return credential


def counts(conference: Conference) -> dict[str, int]:
    """Registered, present, and entitled-and-present: what votes and elections are measured against."""
    entitled = selectors.entitled_registrations(conference).values("pk")
    row = Registration.objects.filter(conference=conference, status=RegistrationStatus.REGISTERED).aggregate(
        registered=Count("pk"),
        present=Count("pk", filter=Q(checked_in_at__isnull=False)),
        entitled_present=Count("pk", filter=Q(checked_in_at__isnull=False, pk__in=entitled)),
        credentials=Count("credential"),
    )
    return {key: int(value or 0) for key, value in row.items()}


# Accommodation, CAC duties and the needs lists (the CAC's pages) --------------------------------
def _hosted_count(host: Registration) -> int:
    return Registration.objects.filter(hosted_by=host, status=RegistrationStatus.REGISTERED).count()


@transaction.atomic
def match_accommodation(*, actor: User | None, guest: Registration, host: Registration) -> Registration:
    """Give a guest who needs a bed one of the beds a host offered; a host's offer is never exceeded.

    Both rows are locked, in primary-key order (so two matches never wait on each other in a circle),
    and every match to a host waits on the host's row: the beds taken are counted under that lock.
    Matching a guest to the host they already have changes nothing.
    """
    _require(
        actor,
        VIEW_ACCOMMODATION,
        guest.conference,
        "Only the CAC member handling accommodation matches guests to hosts.",
    )
    if guest.pk == host.pk:
        raise ConferenceError("A guest cannot be their own host.")
    locked = {
        r.pk: r
        for r in Registration.objects.select_for_update(of=("self",))
        .filter(pk__in=[guest.pk, host.pk])
        .select_related("hosted_by")
        .order_by("pk")
    }
    guest, host = locked[guest.pk], locked[host.pk]
    if guest.conference_id != host.conference_id:
        raise ConferenceError("The guest and the host are registered for different conferences.")
    for person in (guest, host):
        if person.status != RegistrationStatus.REGISTERED:
            raise ConferenceError(f"{person.name} has cancelled their registration.")
        if not person.consent_share_needs:
            raise ConferenceError(
                f"{person.name} did not consent to share their needs with the organising team."
            )
    if not guest.needs_bed:
        raise ConferenceError(f"{guest.name} has not asked for a bed.")
    if guest.hosted_by_id == host.pk:
        return guest
    if guest.hosted_by is not None:
        raise ConferenceError(
            f"{guest.name} already has a bed with {guest.hosted_by.name}; unmatch them first."
        )
    if host.offers_beds == 0:
        raise ConferenceError(f"{host.name} has not offered a bed.")
    taken = _hosted_count(host)
    if taken >= host.offers_beds:
        raise ConferenceError(
            f"{host.name} offered {host.offers_beds} bed{'s' if host.offers_beds != 1 else ''}, "
            "and every one is taken."
        )
    guest.hosted_by = host
    guest.save(update_fields=["hosted_by"])
    log_action(
        actor=actor,
        action="conference.accommodation_matched",
        target=guest.conference,
        detail={"guest": guest.pk, "host": host.pk},
    )
    return guest


@transaction.atomic
def unmatch_accommodation(*, actor: User | None, guest: Registration) -> Registration:
    """Take a guest's bed back; a guest without one is left as they are."""
    _require(
        actor,
        VIEW_ACCOMMODATION,
        guest.conference,
        "Only the CAC member handling accommodation matches guests to hosts.",
    )
    guest = Registration.objects.select_for_update().get(pk=guest.pk)
    if guest.hosted_by_id is None:
        return guest
    host_id = guest.hosted_by_id
    guest.hosted_by = None
    guest.save(update_fields=["hosted_by"])
    log_action(
        actor=actor,
        action="conference.accommodation_unmatched",
        target=guest.conference,
        detail={"guest": guest.pk, "host": host_id},
    )
    return guest


@transaction.atomic
def assign_duty(*, actor: User | None, conference: Conference, user: User, duty: str) -> CacDuty:
    """A CAC member takes on a duty (access, diet, crèche, accommodation, desk); assigning it again
    changes nothing."""
    _require(actor, ASSIGN_DUTIES, conference, "Only the national office assigns the CAC's duties.")
    if duty not in Duty.values:
        raise ConferenceError("Choose one of the CAC's duties.")
    if not roles.has_role(user, Role.CAC):
        raise ConferenceError(f"{user.get_full_name() or user.email} is not on the CAC.")
    assigned, created = CacDuty.objects.get_or_create(conference=conference, user=user, duty=duty)
    if created:
        log_action(
            actor=actor,
            action="conference.duty_assigned",
            target=conference,
            detail={"user": user.pk, "duty": duty},
        )
    return assigned


@transaction.atomic
def remove_duty(*, actor: User | None, duty: CacDuty) -> None:
    conference = duty.conference
    _require(actor, ASSIGN_DUTIES, conference, "Only the national office assigns the CAC's duties.")
    deleted, _ = CacDuty.objects.filter(pk=duty.pk).delete()
    if deleted:
        log_action(
            actor=actor,
            action="conference.duty_removed",
            target=conference,
            detail={"user": duty.user_id, "duty": duty.duty},
        )


# The needs lists and the perm each needs; reading or exporting one is written to the audit trail.
NEEDS_PERMS = {
    "access": VIEW_ACCESS_NEEDS,
    "diet": VIEW_DIETARY_NEEDS,
    "creche": VIEW_CRECHE,
    "accommodation": VIEW_ACCOMMODATION,
}


@transaction.atomic
def record_needs_read(
    *, actor: User | None, conference: Conference, kind: str, rows: int, exported: bool
) -> None:
    """Someone read (or downloaded as CSV) a list of people's needs: who, in which role, which list, how
    many rows (``awl.audit.log_view``: once an hour per officer and list)."""
    _require(actor, NEEDS_PERMS[kind], conference, "You do not handle these needs.")
    log_view(
        actor=actor,
        action=f"conference.needs.{kind}.{'exported' if exported else 'viewed'}",
        target=conference,
        role=roles.describe(actor),
        detail={"list": kind, "rows": rows},
    )


def record_desk_person_viewed(*, actor: User | AnonymousUser | None, registration: Registration) -> None:
    """The desk opened one person's registration (their name, address, entitlement)."""
    log_view(
        actor=actor,
        action="conference.registration.viewed",
        target=registration,
        role=roles.describe(actor),
    )


@transaction.atomic
def record_report_exported(*, actor: User | None, conference: Conference, report: str, rows: int) -> None:
    """A CAC report (registrations by branch or band, fees outstanding) left the system as CSV."""
    log_action(
        actor=actor,
        action="conference.report_exported",
        target=conference,
        detail={"report": report, "rows": rows},
    )


# Setting up a conference (the CAC's setup pages) ------------------------------------------------
# What the snapshot decided from: once it is taken these stay as they were, so a challenge is answered
# from the rules the entitlement was worked out by.
SNAPSHOT_FIELDS = (
    "eligibility_cutoff",
    "voting_basis",
    "delegate_base",
    "delegate_per_members",
    "delegate_rounding",
)
CONFERENCE_FIELDS = (
    "title",
    "starts_on",
    "ends_on",
    "venue",
    "address",
    "city",
    "registration_opens_at",
    "registration_closes_at",
    "unwaged_free",
    *SNAPSHOT_FIELDS,
)


def _check_dates(fields: dict[str, Any]) -> None:
    if fields["ends_on"] < fields["starts_on"]:
        raise ConferenceError("The conference cannot end before it starts.")
    if fields["registration_closes_at"] <= fields["registration_opens_at"]:
        raise ConferenceError("Registration must close after it opens.")
    if timezone.localtime(fields["registration_closes_at"]).date() > fields["ends_on"]:
        raise ConferenceError("Registration must close by the end of the conference.")
    if fields["eligibility_cutoff"] > fields["starts_on"]:
        raise ConferenceError(
            "The eligibility cut-off must fall on or before the first day of the conference."
        )


def _set_fee_bands(conference: Conference, amounts: dict[str, Decimal | None]) -> None:
    """One row per band offered; a band left without an amount is not offered."""
    offered = {band: amount for band, amount in amounts.items() if amount is not None}
    if not offered:
        raise ConferenceError("Offer at least one fee band.")
    if set(offered) - set(Band.values):
        raise ConferenceError("Choose among the fee bands: waged, low-waged, unwaged, solidarity.")
    if any(amount < 0 for amount in offered.values()):
        raise ConferenceError("A fee cannot be negative.")
    FeeBand.objects.filter(conference=conference).exclude(band__in=list(offered)).delete()
    for band, amount in offered.items():
        FeeBand.objects.update_or_create(conference=conference, band=band, defaults={"amount": amount})


@transaction.atomic
def create_conference(
    *,
    actor: User | None,
    year: int,
    fields: dict[str, Any],
    fee_bands: dict[str, Decimal | None],
    capacity: int | None,
) -> Conference:
    """A new conference, its fee bands and its capacity, all or nothing; its address is its year."""
    _require(actor, RUN, None, "Only the conference arrangements committee sets up a conference.")
    fields = {name: fields[name] for name in CONFERENCE_FIELDS}
    _check_dates(fields)
    if Conference.objects.filter(Q(year=year) | Q(slug=str(year))).exists():
        raise ConferenceError(f"There is already a conference for {year}.")
    try:
        with transaction.atomic():
            conference = Conference.objects.create(year=year, slug=str(year), capacity=capacity, **fields)
    except IntegrityError:
        raise ConferenceError(f"There is already a conference for {year}.") from None
    _set_fee_bands(conference, fee_bands)
    log_action(actor=actor, action="conference.created", target=conference, detail={"year": year})
    return conference


@transaction.atomic
def update_conference(
    *,
    actor: User | None,
    conference: Conference,
    fields: dict[str, Any],
    fee_bands: dict[str, Decimal | None],
    capacity: int | None,
) -> Conference:
    """Change a conference's details, fees and capacity, all or nothing.

    The capacity goes through ``set_capacity`` and its rule (never below the people already
    registered); once the entitlement snapshot is taken, the cut-off, voting basis and delegate
    formula it was worked out by cannot change.
    """
    conference = _lock_conference(conference)
    _require(
        actor,
        RUN,
        conference,
        "Only the conference arrangements committee changes a conference.",
    )
    fields = {name: fields[name] for name in CONFERENCE_FIELDS}
    _check_dates(fields)
    changed = [name for name in CONFERENCE_FIELDS if getattr(conference, name) != fields[name]]
    if Snapshot.objects.filter(conference=conference).exists() and set(changed) & set(SNAPSHOT_FIELDS):
        raise ConferenceError(
            "The entitlement snapshot has been taken: the cut-off date, voting basis and delegate "
            "formula stay as they were when it was taken."
        )
    for name in changed:
        setattr(conference, name, fields[name])
    if changed:
        conference.save(update_fields=changed)
    _set_fee_bands(conference, fee_bands)
    if capacity != conference.capacity:
        set_capacity(actor=actor, conference=conference, capacity=capacity)
    log_action(actor=actor, action="conference.updated", target=conference, detail={"fields": changed})
    return conference
