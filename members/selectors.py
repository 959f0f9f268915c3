"""Reads that pages share, and one access helper per object type.

An access helper returns the object the user may see or raises: 404 for a
person's record they may not see (its existence is itself personal data),
403 for a branch-level page they have no role for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from awl.models import AuditEntry
from awl.permissions import has_rule
from members import roles
from members.models import (
    Application,
    ApplicationDecision,
    Branch,
    Contact,
    Member,
    MemberQuerySet,
    MemberStatus,
    Role,
    StatusChange,
)
from members.standing import Standing, standing_for


# Access helpers ---------------------------------------------------------------------
def get_member_for_user(user: Any, pk: int, perm: str = "members.read_member") -> Member:
    member = Member.objects.select_related("user", "branch").filter(pk=pk).first()
    if member is None or not has_rule(user, perm, member):
        raise Http404("No such member.")
    return member


def get_own_member(user: Any) -> Member:
    member = Member.objects.select_related("user", "branch").filter(user_id=user.pk).first()
    if member is None:
        raise Http404("You have no membership record yet.")
    return member


def own_member(user: Any) -> Member | None:
    """The signed-in person's member record, if they have one that was not erased (None otherwise)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Member.objects.select_related("user", "branch")
        .filter(user_id=user.pk, erased_at__isnull=True)
        .first()
    )


def member_with_email(email: str) -> Member | None:
    """The member (not erased) whose account has this e-mail address, whatever its case."""
    email = email.strip()
    if not email:
        return None
    return (
        Member.objects.select_related("user")
        .filter(user__email__iexact=email, erased_at__isnull=True)
        .first()
    )


def get_branch_for_user(user: Any, slug: str, perm: str = "members.list_branch") -> Branch:
    branch = Branch.objects.filter(slug=slug).first()
    if branch is None:
        raise Http404("No such branch.")
    if not has_rule(user, perm, branch):
        raise PermissionDenied
    return branch


def get_application_for_user(user: Any, pk: int) -> Application:
    application = (
        Application.objects.select_related("member__user", "branch", "decided_by").filter(pk=pk).first()
    )
    if application is None or not has_rule(user, "members.decide_application", application):
        raise Http404("No such application.")
    return application


def get_contact_for_user(user: Any, pk: int) -> Contact:
    contact = Contact.objects.select_related("branch", "became_member").filter(pk=pk).first()
    if contact is None or not has_rule(user, "members.manage_contact", contact):
        raise Http404("No such contact.")
    return contact


def require(user: Any, perm: str, obj: Any = None) -> None:
    if not has_rule(user, perm, obj):
        raise PermissionDenied


# Lists --------------------------------------------------------------------------------
def branch_members(
    branch: Branch,
    *,
    query: str = "",
    status: str = "",
    standing: str = "",
    on: dt.date | None = None,
) -> MemberQuerySet:
    """The branch's (non-erased) members with their standing, filtered; a fixed number of queries."""
    members = (
        Member.objects.not_erased()
        .filter(branch=branch)
        .select_related("user", "branch")
        .with_standing(on or timezone.localdate())
    )
    if query:
        members = members.filter(
            Q(full_name__icontains=query)
            | Q(preferred_name__icontains=query)
            | Q(user__email__icontains=query)
            | Q(workplace__icontains=query)
            | Q(trade_union__icontains=query)
        )
    if status in MemberStatus.values:
        members = members.filter(status=status)
    if standing == "good":
        members = members.standing_is(good=True)
    elif standing == "not_good":
        members = members.standing_is(good=False)
    return members.order_by("full_name", "pk")


def branches_for_user(user: Any) -> QuerySet[Branch]:
    if roles.is_national_office(user):
        return Branch.objects.all()
    ids = roles.branch_ids_for(user, Role.BRANCH_ORGANISER, Role.BRANCH_TREASURER)
    return Branch.objects.filter(pk__in=ids)


def application_queue(user: Any) -> QuerySet[Application]:
    pending = Application.objects.filter(decision=ApplicationDecision.PENDING).select_related(
        "member__user", "branch"
    )
    if roles.is_national_office(user):
        return pending
    return pending.filter(branch_id__in=roles.branch_ids_for(user, Role.BRANCH_ORGANISER))


def contacts_for_user(user: Any, *, query: str = "") -> QuerySet[Contact]:
    contacts = Contact.objects.filter(erased_at__isnull=True, became_member__isnull=True).select_related(
        "branch"
    )
    if not roles.is_national_office(user):
        contacts = contacts.filter(branch_id__in=roles.branch_ids_for(user, Role.BRANCH_ORGANISER))
    if query:
        contacts = contacts.filter(
            Q(full_name__icontains=query) | Q(email__icontains=query) | Q(city__icontains=query)
        )
    return contacts


# Suspension follows the person ---------------------------------------------------------------
@dataclass(frozen=True)
class SuspendedDeparture:
    """A membership that ended while suspended (``left_on``), or is suspended still (``left_on`` None)."""

    member: Member
    suspended_on: dt.date
    suspension_reason: str
    left_on: dt.date | None
    left_reason: str


def suspended_departures(members: Iterable[Member]) -> list[SuspendedDeparture]:
    """Each time one of ``members`` left while suspended, and any suspension still in force, oldest first.

    A suspension lifted (back to member) before leaving does not count. ``members`` should come with
    their ``status_changes`` prefetched in history order (``_with_history``)."""
    found = []
    for member in members:
        suspension: StatusChange | None = None
        for change in member.status_changes.all():
            if change.status == MemberStatus.SUSPENDED:
                suspension = change
            elif suspension is not None and change.status == MemberStatus.RESIGNED:
                found.append(
                    SuspendedDeparture(
                        member=member,
                        suspended_on=suspension.effective_on,
                        suspension_reason=suspension.reason,
                        left_on=change.effective_on,
                        left_reason=change.reason,
                    )
                )
                suspension = None
            else:
                suspension = None
        if suspension is not None:
            found.append(
                SuspendedDeparture(
                    member=member,
                    suspended_on=suspension.effective_on,
                    suspension_reason=suspension.reason,
                    left_on=None,
                    left_reason="",
                )
            )
    return sorted(found, key=lambda d: (d.left_on or dt.date.max, d.suspended_on))


def _with_history(members: QuerySet[Member]) -> QuerySet[Member]:
    ordered = StatusChange.objects.order_by("effective_on", "recorded_at", "pk")
    return members.prefetch_related(Prefetch("status_changes", queryset=ordered))


def suspended_departures_of_person(user: Any) -> list[SuspendedDeparture]:
    """Departures while suspended of the person behind ``user``: their own record, and any other account's
    record sharing one of their e-mail addresses (the account's address or any address it lists)."""
    emails = {user.email.strip().lower()} | {
        address.strip().lower()
        for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    same_person = Q(user_id=user.pk)
    for email in sorted(emails - {""}):
        same_person |= Q(user__email__iexact=email) | Q(user__emailaddress__email__iexact=email)
    return suspended_departures(_with_history(Member.objects.filter(same_person).distinct()))


def suspended_departures_for_application(application: Application) -> list[SuspendedDeparture]:
    """The history an application was referred to the national office for (none if it was not)."""
    if application.left_suspended_as_id is None:
        return []
    ids = {application.member_id, application.left_suspended_as_id}
    return suspended_departures(_with_history(Member.objects.filter(pk__in=ids).order_by("pk")))


def member_standing(member: Member, on: dt.date | None = None) -> Standing:
    return standing_for(member, on or timezone.localdate())


def audit_trail(
    *,
    person: str = "",
    officer: str = "",
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The entries matching the national office's filters, newest first, in a constant number of queries.

    ``person`` is a name or e-mail address typed: it finds entries about a member, a contact or a
    member's account whose name or address contains it, and entries whose description names it (the
    description stays as written when the person is later renamed or erased). ``officer`` matches the
    actor's e-mail address; ``action`` an action (``member.viewed``) or the start of one (``admin.``,
    ``member``); the dates are London days, both included.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import CharField
    from django.db.models.functions import Cast

    entries = AuditEntry.objects.select_related("actor", "target_type")
    if action:
        entries = entries.filter(Q(action=action) | Q(action__startswith=action.rstrip(".") + "."))
    if officer:
        entries = entries.filter(actor__email__icontains=officer)
    if date_from is not None:
        entries = entries.filter(at__gte=_london_midnight(date_from))
    if date_to is not None:
        entries = entries.filter(at__lt=_london_midnight(date_to + dt.timedelta(days=1)))
    if person:
        as_text = Cast("pk", output_field=CharField())
        user_model = get_user_model()
        members = Member.objects.filter(
            Q(full_name__icontains=person)
            | Q(preferred_name__icontains=person)
            | Q(user__email__icontains=person)
        )
        contacts = Contact.objects.filter(Q(full_name__icontains=person) | Q(email__icontains=person))
        users = user_model.objects.filter(Q(email__icontains=person) | Q(member__in=members))
        about = Q(target_repr__icontains=person)
        for model, matches in ((Member, members), (Contact, contacts), (user_model, users)):
            keys = matches.annotate(key=as_text).values("key")
            about |= Q(target_type=ContentType.objects.get_for_model(model), target_id__in=keys)
        entries = entries.filter(about)
    return entries


def _london_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def export_member_data(member: Member) -> dict[str, Any]:
    """Everything held about one member in every app, for their own download (the registry's export)."""
    from awl.personal_data import export_person
    from members.personal_data import person_for_member

    return export_person(person_for_member(member))
