"""Every change to people, their membership and their data.

Each function is one transaction, takes keyword-only arguments and an
``actor``, checks the domain rules (raising ``MembershipError`` with a
message fit to show the person), and writes an audit entry in the same
transaction. Mail goes through the outbox, after commit.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from awl import personal_data
from awl.audit import log_action, log_view
from awl.errors import DomainError, require
from awl.outbox import queue_email
from awl.personal_data import Erasure, Person
from members import roles, selectors
from members.models import (
    ALLOWED_TRANSITIONS,
    Application,
    ApplicationDecision,
    Branch,
    Channel,
    Consent,
    Contact,
    DuesRate,
    LapseWarning,
    Member,
    MemberStatus,
    Payment,
    Role,
    RoleAssignment,
    StatusChange,
)
from members.personal_data import person_for_contact, person_for_email, person_for_member
from members.standing import paid_up_to

if TYPE_CHECKING:
    from django.contrib.auth.models import User
else:
    User = get_user_model()

# Fields a member may change about themselves.
OWN_DETAIL_FIELDS = (
    "full_name",
    "preferred_name",
    "pronouns",
    "phone",
    "workplace",
    "industry",
    "trade_union",
    "union_role",
)


class MembershipError(DomainError):
    """A membership rule refused the change; the message is shown to the person."""


# Every change here has a person behind it, so the system (actor None) is refused too.
_require = partial(require, error=MembershipError, system_may_act=False)


def _lock_member(member: Member) -> Member:
    return Member.objects.select_for_update().select_related("user", "branch").get(pk=member.pk)


def _set_status(
    member: Member,
    status: MemberStatus,
    *,
    actor: User | None,
    effective_on: dt.date,
    reason: str = "",
) -> None:
    member.status = status
    member.updated_at = timezone.now()
    member.save(update_fields=["status", "updated_at"])
    StatusChange.objects.create(
        member=member, status=status, effective_on=effective_on, actor=actor, reason=reason
    )


def _branch_organisers(branch: Branch) -> list[Any]:
    user_ids = (
        RoleAssignment.objects.current()
        .filter(role=Role.BRANCH_ORGANISER, branch=branch)
        .values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=user_ids, is_active=True))


def _national_office() -> list[Any]:
    user_ids = (
        RoleAssignment.objects.current().filter(role=Role.NATIONAL_OFFICE).values_list("user_id", flat=True)
    )
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


# Consent ----------------------------------------------------------------------------
def record_consents(*, person: Member | Contact, consents: dict[str, bool], source: str) -> list[str]:
    """Record consent per channel where it changed; returns the channels that changed."""
    owner = {"member": person} if isinstance(person, Member) else {"contact": person}
    current = current_consents(person)
    changed = []
    for channel, granted in consents.items():
        if channel not in Channel.values:
            raise MembershipError(f"Unknown contact channel {channel!r}.")
        if current.get(channel) is not bool(granted):
            Consent.objects.create(channel=channel, granted=bool(granted), source=source, **owner)
            changed.append(channel)
    return changed


def current_consents(person: Member | Contact) -> dict[str, bool]:
    latest: dict[str, bool] = {}
    for consent in person.consents.order_by("recorded_at", "pk"):
        latest[consent.channel] = consent.granted
    return latest


# Applications --------------------------------------------------------------------------
@transaction.atomic
def apply_for_membership(
    *,
    actor: User,
    branch: Branch,
    full_name: str,
    agrees_with_aims: bool,
    statement: str = "",
    preferred_name: str = "",
    pronouns: str = "",
    phone: str = "",
    workplace: str = "",
    industry: str = "",
    trade_union: str = "",
    union_role: str = "",
    dues_band: str = "waged",
    consents: dict[str, bool] | None = None,
) -> Application:
    """A signed-up person with a verified e-mail applies to join a branch."""
    if not agrees_with_aims:
        raise MembershipError("To join you must agree with the aims of the organisation.")
    if not EmailAddress.objects.filter(user=actor, email__iexact=actor.email, verified=True).exists():
        raise MembershipError("Please verify your e-mail address before you apply.")
    today = timezone.localdate()
    details = {
        "full_name": full_name,
        "preferred_name": preferred_name,
        "pronouns": pronouns,
        "phone": phone,
        "workplace": workplace,
        "industry": industry,
        "trade_union": trade_union,
        "union_role": union_role,
        "dues_band": dues_band,
        "branch": branch,
    }
    member = Member.objects.select_for_update().filter(user=actor).first()
    if member is None:
        member = Member.objects.create(user=actor, **details)
        StatusChange.objects.create(
            member=member, status=MemberStatus.APPLICANT, effective_on=today, actor=actor
        )
    else:
        if member.erased_at is not None:
            raise MembershipError("This account's data has been erased; please contact the national office.")
        if member.status not in (MemberStatus.APPLICANT, MemberStatus.RESIGNED):
            raise MembershipError("You are already a member; there is nothing to apply for.")
        if member.applications.filter(decision=ApplicationDecision.PENDING).exists():
            raise MembershipError("Your application is already waiting for a decision.")
        for field, value in details.items():
            setattr(member, field, value)
        member.updated_at = timezone.now()
        member.save()
        if member.status == MemberStatus.RESIGNED:
            _set_status(member, MemberStatus.APPLICANT, actor=actor, effective_on=today, reason="Re-applied")
    # Suspension follows the person: whoever left while suspended (or is suspended under another
    # account) is decided by the national office, not by the organiser of the branch they now choose.
    departures = selectors.suspended_departures_of_person(actor)
    left_suspended_as = departures[-1].member if departures else None
    try:
        with transaction.atomic():
            application = Application.objects.create(
                member=member,
                branch=branch,
                statement=statement,
                agrees_with_aims=True,
                left_suspended_as=left_suspended_as,
            )
    except IntegrityError:
        raise MembershipError("Your application is already waiting for a decision.") from None
    if consents:
        record_consents(person=member, consents=consents, source="membership application")
    detail: dict[str, Any] = {"branch": branch.name}
    if left_suspended_as is not None:
        detail["referred_to_national_office"] = "left while suspended"
    log_action(actor=actor, action="application.submitted", target=member, detail=detail)
    if left_suspended_as is None:
        deciders, template = _branch_organisers(branch), "application-received"
    else:
        deciders, template = _national_office(), "application-referred"
    for decider in deciders:
        queue_email(
            key=f"application-{application.pk}-received-{decider.pk}",
            to=decider.email,
            template=template,
            context={"application": application, "branch": branch},
        )
    return application


def _lock_pending_application(actor: User, application: Application) -> Application:
    """The application, locked, once the actor may decide it and it is still undecided."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("branch", "member__user")
        .get(pk=application.pk)
    )
    if application.left_suspended_as_id is not None and not roles.is_national_office(actor):
        raise MembershipError(
            "This applicant left while suspended, so only the national office can decide their application."
        )
    _require(
        actor,
        "members.decide_application",
        application,
        f"Only the organiser of {application.branch} branch or the national office "
        "can decide this application.",
    )
    if application.decision != ApplicationDecision.PENDING:
        raise MembershipError(f"This application was already {application.get_decision_display().lower()}.")
    return application


@transaction.atomic
def approve_application(*, actor: User, application: Application) -> Member:
    """The branch organiser (or national office) admits an applicant."""
    application = _lock_pending_application(actor, application)
    member = _lock_member(application.member)
    if member.status != MemberStatus.APPLICANT:
        raise MembershipError("Only an applicant can be admitted.")
    today = timezone.localdate()
    application.decision = ApplicationDecision.APPROVED
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.save(update_fields=["decision", "decided_at", "decided_by"])
    member.branch = application.branch
    if member.joined_on is None:
        member.joined_on = today
    member.dues_from = today
    member.save(update_fields=["branch", "joined_on", "dues_from"])
    _set_status(member, MemberStatus.MEMBER, actor=actor, effective_on=today, reason="Application approved")
    Contact.objects.filter(email__iexact=member.user.email, became_member__isnull=True).update(
        became_member=member, updated_at=timezone.now()
    )
    log_action(
        actor=actor, action="application.approved", target=member, detail={"application": application.pk}
    )
    queue_email(
        key=f"application-{application.pk}-approved",
        to=member.user.email,
        template="application-approved",
        context={"member": member, "branch": application.branch},
    )
    return member


@transaction.atomic
def decline_application(*, actor: User, application: Application, reason: str) -> Application:
    """The branch organiser declines an application, saying why."""
    application = _lock_pending_application(actor, application)
    reason = reason.strip()
    if not reason:
        raise MembershipError("Give the applicant a reason for declining.")
    application.decision = ApplicationDecision.DECLINED
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.reason = reason
    application.save(update_fields=["decision", "decided_at", "decided_by", "reason"])
    log_action(
        actor=actor,
        action="application.declined",
        target=application.member,
        detail={"application": application.pk},
    )
    queue_email(
        key=f"application-{application.pk}-declined",
        to=application.member.user.email,
        template="application-declined",
        context={"member": application.member, "branch": application.branch, "reason": reason},
    )
    return application


# Status -------------------------------------------------------------------------------
@transaction.atomic
def change_status(
    *,
    actor: User | None,
    member: Member,
    status: MemberStatus | str,
    reason: str,
    effective_on: dt.date | None = None,
) -> Member:
    """Suspend, reinstate, record a resignation or a lapse, by the rules of the lifecycle."""
    member = _lock_member(member)
    status = MemberStatus(status)
    self_resignation = actor is not None and member.user_id == actor.pk and status == MemberStatus.RESIGNED
    if self_resignation and member.status == MemberStatus.SUSPENDED:
        # Suspension follows the person: resigning would end it without a decision.
        raise MembershipError(
            "You cannot resign while your membership is suspended: the suspension has to be resolved "
            "first. Please contact the national office."
        )
    if not self_resignation:
        _require(
            actor,
            "members.change_member_status",
            member,
            f"Only the organiser of {member.branch} branch or the national office "
            "can change this membership.",
        )
    if member.erased_at is not None:
        raise MembershipError("This person's data has been erased.")
    if status == MemberStatus.MEMBER and member.status == MemberStatus.APPLICANT:
        raise MembershipError("Applicants are admitted by approving their application.")
    if status == MemberStatus.APPLICANT:
        raise MembershipError("A former member rejoins by applying again.")
    if status not in ALLOWED_TRANSITIONS[MemberStatus(member.status)]:
        raise MembershipError(
            f"The status cannot change from {member.get_status_display().lower()} to {status.label.lower()}."
        )
    reason = reason.strip()
    if not reason:
        raise MembershipError("Give a reason for the change; it is kept in the member's history.")
    today = timezone.localdate()
    effective_on = effective_on or today
    if effective_on > today:
        raise MembershipError("A status change cannot take effect in the future.")
    latest = member.status_changes.aggregate(latest=Max("effective_on"))["latest"]
    if latest and effective_on < latest:
        raise MembershipError(f"The change cannot take effect before the last one ({latest:%d %b %Y}).")
    previous = member.status
    if status == MemberStatus.MEMBER and previous == MemberStatus.LAPSED:
        member.dues_from = effective_on
        member.save(update_fields=["dues_from"])
    _set_status(member, status, actor=actor, effective_on=effective_on, reason=reason)
    log_action(
        actor=actor,
        action="member.status_changed",
        target=member,
        detail={"from": previous, "to": status.value, "effective_on": effective_on.isoformat()},
    )
    return member


# Details -------------------------------------------------------------------------------
@transaction.atomic
def update_own_details(
    *, actor: User, member: Member, details: dict[str, Any], consents: dict[str, bool] | None = None
) -> list[str]:
    """A member edits their own details and consents; returns what changed."""
    member = _lock_member(member)
    _require(actor, "members.edit_own_membership", member, "You can only edit your own details.")
    changed = []
    for field, value in details.items():
        if field not in OWN_DETAIL_FIELDS:
            raise MembershipError(f"{field} cannot be changed here.")
        if getattr(member, field) != value:
            setattr(member, field, value)
            changed.append(field)
    if changed:
        member.updated_at = timezone.now()
        member.save(update_fields=[*changed, "updated_at"])
    changed_channels = record_consents(person=member, consents=consents or {}, source="my membership page")
    if changed or changed_channels:
        log_action(
            actor=actor,
            action="member.details_updated",
            target=member,
            detail={"fields": changed, "consent_channels": changed_channels},
        )
    return changed + [f"consent:{c}" for c in changed_channels]


# Dues -------------------------------------------------------------------------------------
def monthly_rate(band: str, on: dt.date) -> Decimal:
    rate = DuesRate.objects.filter(band=band, valid_from__lte=on).order_by("-valid_from").first()
    if rate is None:
        raise MembershipError(f"No dues rate is set for the {band.replace('_', '-')} band on {on:%d %b %Y}.")
    return rate.monthly_amount


PAYABLE_STATUSES = {MemberStatus.MEMBER, MemberStatus.LAPSED, MemberStatus.SUSPENDED}


@transaction.atomic
def record_payment(
    *,
    actor: User,
    member: Member,
    paid_on: dt.date,
    amount: Decimal,
    method: str,
    note: str = "",
) -> Payment:
    """A treasurer records dues; the member's paid-up-to date moves on by whole months."""
    member = _lock_member(member)
    _require(
        actor,
        "members.record_payment",
        member,
        f"Only the treasurer of {member.branch} branch or the national office "
        "can record dues for this member.",
    )
    if member.status not in PAYABLE_STATUSES:
        raise MembershipError(
            f"Dues cannot be recorded for someone whose status is {member.get_status_display().lower()}; "
            "only members, lapsed and suspended members pay dues."
        )
    if member.erased_at is not None:
        raise MembershipError("This person's data has been erased.")
    today = timezone.localdate()
    if paid_on > today:
        raise MembershipError("A payment cannot be dated in the future.")
    if member.joined_on and paid_on < member.joined_on - dt.timedelta(days=31):
        raise MembershipError("A payment cannot be dated long before the member joined.")
    if amount <= 0:
        raise MembershipError("The amount must be more than zero.")
    rate = monthly_rate(member.dues_band, paid_on)
    months = int((amount / rate).to_integral_value(rounding=ROUND_FLOOR))
    if months < 1:
        raise MembershipError(f"£{amount} is less than one month's dues (£{rate}) for this member's band.")
    if months > 36:
        raise MembershipError("A single payment can cover at most three years of dues.")
    latest = member.payments.aggregate(latest=Max("covers_to"))["latest"]
    start = paid_up_to(latest, member.dues_from or member.joined_on or paid_on) or paid_on
    payment = Payment.objects.create(
        member=member,
        paid_on=paid_on,
        amount=amount,
        method=method,
        months=months,
        covers_to=start + relativedelta(months=months),
        recorded_by=actor,
        note=note,
    )
    log_action(
        actor=actor,
        action="payment.recorded",
        target=member,
        detail={"amount": str(amount), "months": months, "covers_to": payment.covers_to.isoformat()},
    )
    return payment


# Lapsing ------------------------------------------------------------------------------------
def lapse_overdue_members(*, today: dt.date | None = None) -> dict[str, int]:
    """Warn members whose dues are about to fall outside the grace period; lapse those past it.

    Safe to run any number of times: a warning is recorded once per
    paid-up-to date (unique constraint) and a lapse is a status change
    made under a row lock only while the member is still a member.
    """
    today = today or timezone.localdate()
    warned = lapsed = 0
    overdue = Member.objects.not_erased().filter(status=MemberStatus.MEMBER).with_standing(today)
    for member_id in overdue.standing_is(good=False).values_list("pk", flat=True):
        lapsed += _lapse_one(member_id, today)
    warn_on = today + dt.timedelta(days=settings.AWL_LAPSE_WARNING_DAYS)
    soon = (
        Member.objects.not_erased()
        .filter(status=MemberStatus.MEMBER)
        .with_standing(warn_on)
        .standing_is(good=False)
    )
    for member_id in soon.values_list("pk", flat=True):
        warned += _warn_one(member_id, today)
    return {"warned": warned, "lapsed": lapsed}


@transaction.atomic
def _lapse_one(member_id: int, today: dt.date) -> int:
    member = Member.objects.select_for_update().filter(pk=member_id, status=MemberStatus.MEMBER).first()
    if member is None or Member.objects.filter(pk=member_id).in_good_standing(today).exists():
        return 0
    _set_status(
        member,
        MemberStatus.LAPSED,
        actor=None,
        effective_on=today,
        reason="Dues unpaid past the grace period",
    )
    log_action(actor=None, action="member.lapsed", target=member)
    queue_email(
        key=f"member-{member.pk}-lapsed-{today.isoformat()}",
        to=member.user.email,
        template="member-lapsed",
        context={"member": member},
    )
    return 1


@transaction.atomic
def _warn_one(member_id: int, today: dt.date) -> int:
    member = Member.objects.select_for_update().select_related("user").get(pk=member_id)
    latest = member.payments.aggregate(latest=Max("covers_to"))["latest"]
    up_to = paid_up_to(latest, member.dues_from) or today
    try:
        with transaction.atomic():
            LapseWarning.objects.create(member=member, paid_up_to=up_to)
    except IntegrityError:
        return 0
    lapse_on = up_to + dt.timedelta(days=settings.AWL_DUES_GRACE_DAYS + 1)
    queue_email(
        key=f"member-{member.pk}-lapse-warning-{up_to}",
        to=member.user.email,
        template="lapse-warning",
        context={"member": member, "paid_up_to": up_to, "lapse_on": lapse_on},
    )
    log_action(actor=None, action="member.lapse_warned", target=member)
    return 1


# Contacts ------------------------------------------------------------------------------------
CONTACT_FIELDS = ("full_name", "email", "phone", "city", "branch", "how_met", "notes")


@transaction.atomic
def create_contact(
    *,
    actor: User | None,
    details: dict[str, Any],
    consents: dict[str, bool] | None = None,
    source: str = "branch organiser",
) -> Contact:
    """A branch organiser (or a booking) records a sympathiser or friend."""
    branch = details.get("branch")
    if actor is not None:
        _require(
            actor,
            "members.manage_contact",
            branch,
            "You can only add contacts to a branch you organise.",
        )
    email = (details.get("email") or "").strip().lower()
    if email and Contact.objects.filter(email__iexact=email).exists():
        raise MembershipError("A contact with this e-mail address already exists.")
    contact = Contact.objects.create(
        created_by=actor if actor is not None and actor.is_authenticated else None,
        **{**{k: v for k, v in details.items() if k in CONTACT_FIELDS}, "email": email},
    )
    if consents:
        record_consents(person=contact, consents=consents, source=source)
    log_action(actor=actor, action="contact.created", target=contact)
    return contact


@transaction.atomic
def update_contact(*, actor: User, contact: Contact, details: dict[str, Any]) -> Contact:
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    _require(actor, "members.manage_contact", contact, "You can only edit contacts of a branch you organise.")
    if "branch" in details:
        _require(
            actor,
            "members.manage_contact",
            details["branch"],
            "You can only move contacts to a branch you organise.",
        )
    changed = []
    for field, value in details.items():
        if field in CONTACT_FIELDS and getattr(contact, field) != value:
            setattr(contact, field, value)
            changed.append(field)
    if changed:
        contact.updated_at = timezone.now()
        contact.save(update_fields=[*changed, "updated_at"])
        log_action(actor=actor, action="contact.updated", target=contact, detail={"fields": changed})
    return contact


# Viewing and exporting: audited reads ------------------------------------------------------
def record_member_viewed(*, actor: User, member: Member) -> None:
    """An officer's look at a member record is logged (special category data), with the role they held.

    At most once per officer, member and hour (``awl.audit.log_view``), so a sweep through a list
    cannot flood the trail; a member looking at their own record writes nothing.
    """
    if actor.pk == member.user_id:
        return
    log_view(actor=actor, action="member.viewed", target=member, role=roles.describe(actor))


def record_branch_exported(
    *, actor: User | None, branch: Branch, rows: int, filters: dict[str, str], excel: bool = False
) -> None:
    """Every export is logged, however often: a file of members leaves the system with it."""
    log_action(
        actor=actor,
        action="branch.exported",
        target=branch,
        detail={
            "rows": rows,
            "filters": filters,
            "excel": excel,
            "role": roles.describe(actor) if actor is not None else "",
        },
    )


def record_data_exported(*, actor: User | None, member: Member) -> None:
    log_action(actor=actor, action="member.data_exported", target=member)


# Erasure --------------------------------------------------------------------------------------
def _erase(
    *, actor: User, person: Person, reason: str, placeholder: str, erased_email: str, action: str, target: Any
) -> Erasure:
    """Every app's holding erases its part, in the caller's transaction; one audit entry says why."""
    if not reason.strip():
        raise MembershipError("Record why the data is being erased (e.g. 'erasure request of 3 May').")
    erasure = personal_data.erase_person(person, placeholder=placeholder, erased_email=erased_email)
    if target is not None:
        target.refresh_from_db()  # the entry is written under the placeholder, not the erased name
    log_action(
        actor=actor,
        action=action,
        target=target,
        detail={"reason": reason.strip()[:500], "counts": erasure.counts},
    )
    return erasure


@transaction.atomic
def erase_member(*, actor: User, member: Member, reason: str) -> Member:
    """Anonymise a person on request, in every app: nothing personal left, counts unchanged.

    Payments, status history, attendance, votes cast and bookings stay, so
    totals still add up; names, contact details and free text go.
    """
    member = _lock_member(member)
    _require(
        actor, "members.erase_personal_data", member, "Only the national office can erase personal data."
    )
    if member.erased_at is not None:
        raise MembershipError("This person's data has already been erased.")
    user = member.user
    if user.is_superuser or roles.current_roles(user):
        raise MembershipError("Remove this person's roles before erasing their data.")
    placeholder = f"Erased member {member.pk}"
    _erase(
        actor=actor,
        person=person_for_member(member),
        reason=reason,
        placeholder=placeholder,
        erased_email=f"erased-{user.pk}@erased.invalid",
        action="member.erased",
        target=member,
    )
    return member


@transaction.atomic
def erase_contact(*, actor: User, contact: Contact, reason: str) -> Contact:
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    _require(
        actor, "members.erase_personal_data", contact, "Only the national office can erase personal data."
    )
    if contact.erased_at is not None:
        raise MembershipError("This contact's data has already been erased.")
    if contact.became_member_id is not None:
        raise MembershipError("This contact became a member: erase the member's data instead.")
    _erase(
        actor=actor,
        person=person_for_contact(contact),
        reason=reason,
        placeholder=f"Erased contact {contact.pk}",
        erased_email=f"erased-contact-{contact.pk}@erased.invalid",
        action="contact.erased",
        target=contact,
    )
    return contact


@transaction.atomic
def erase_by_email(*, actor: User, email: str, reason: str) -> Person:
    """Erase whoever the office knows by this address: a member, a contact or a guest."""
    _require(actor, "members.erase_personal_data", None, "Only the national office can erase personal data.")
    person = person_for_email(email)
    if person.member_id is not None:
        erase_member(actor=actor, member=Member.objects.get(pk=person.member_id), reason=reason)
    elif person.kind == "contact":
        erase_contact(actor=actor, contact=Contact.objects.get(pk=min(person.contact_ids)), reason=reason)
    else:
        _erase(
            actor=actor,
            person=person,
            reason=reason,
            placeholder="Erased guest",
            erased_email="erased-guest@erased.invalid",
            action="guest.erased",
            target=None,
        )
    return person


def export_person(*, actor: User, person: Person) -> dict[str, Any]:
    """A subject-access export for someone else (national office): audited."""
    _require(
        actor, "members.erase_personal_data", None, "Only the national office can export a person's data."
    )
    data = personal_data.export_person(person)
    # The entry names a member or contact by its row; a guest's address is in it until they are erased.
    log_action(actor=actor, action=f"{person.kind}.data_exported", detail={"person": person.key})
    return data


# Roles --------------------------------------------------------------------------------------------
@transaction.atomic
def grant_role(
    *,
    actor: User | None,
    user: User,
    role: Role | str,
    branch: Branch | None = None,
    scope: Any = None,
    starts_on: dt.date | None = None,
) -> RoleAssignment:
    """National office gives someone a role (the seed and the admin use this too)."""
    if actor is not None:
        _require(actor, "members.import_people", None, "Only the national office can grant roles.")
    from django.contrib.contenttypes.models import ContentType

    assignment = RoleAssignment.objects.create(
        user=user,
        role=role,
        branch=branch,
        scope_type=ContentType.objects.get_for_model(scope) if scope is not None else None,
        scope_id=scope.pk if scope is not None else None,
        starts_on=starts_on or timezone.localdate(),
        granted_by=actor,
    )
    roles.forget_roles(user)
    log_action(actor=actor, action="role.granted", target=assignment, detail={"user": user.pk})
    return assignment


@transaction.atomic
def end_role(
    *, actor: User | None, assignment: RoleAssignment, ends_on: dt.date | None = None
) -> RoleAssignment:
    if actor is not None:
        _require(actor, "members.import_people", None, "Only the national office can end roles.")
    assignment.ends_on = ends_on or timezone.localdate()
    assignment.save(update_fields=["ends_on"])
    roles.forget_roles(assignment.user)
    log_action(actor=actor, action="role.ended", target=assignment)
    return assignment
