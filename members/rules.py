"""Object permissions for the members app, in one place.

Every view asks ``awl.permissions.has_rule(user, <name>, obj)`` through an access helper in
``members.selectors``; services ask the same question before they write.
Anything not granted here is denied.
"""

from __future__ import annotations

from typing import Any

import rules

from members import roles
from members.models import Application, Branch, Contact, Member, Role


@rules.predicate
def is_national_office(user: Any) -> bool:
    return roles.is_national_office(user)


@rules.predicate
def is_any_branch_organiser(user: Any) -> bool:
    return bool(roles.branch_ids_for(user, Role.BRANCH_ORGANISER))


@rules.predicate
def is_any_branch_treasurer(user: Any) -> bool:
    return bool(roles.branch_ids_for(user, Role.BRANCH_TREASURER))


@rules.predicate
def has_member_record(user: Any) -> bool:
    return user.is_authenticated and Member.objects.filter(user_id=user.pk).exists()


def _branch_id(obj: Any) -> int | None:
    if isinstance(obj, Branch):
        return obj.pk
    if isinstance(obj, (Member, Application, Contact)):
        return obj.branch_id
    return None


@rules.predicate
def organises_branch_of(user: Any, obj: Any) -> bool:
    branch_id = _branch_id(obj)
    return branch_id is not None and branch_id in roles.branch_ids_for(user, Role.BRANCH_ORGANISER)


@rules.predicate
def treasurer_of_branch_of(user: Any, obj: Any) -> bool:
    branch_id = _branch_id(obj)
    return branch_id is not None and branch_id in roles.branch_ids_for(user, Role.BRANCH_TREASURER)


@rules.predicate
def is_self(user: Any, member: Member | None) -> bool:
    return member is not None and member.user_id == user.pk


@rules.predicate
def not_erased(user: Any, obj: Any) -> bool:
    return obj is not None and getattr(obj, "erased_at", None) is None


@rules.predicate
def referred_to_national_office(user: Any, obj: Any) -> bool:
    """An application by someone who left while suspended: the national office decides it."""
    return isinstance(obj, Application) and obj.left_suspended_as_id is not None


# Members ----------------------------------------------------------------------
rules.add_perm(
    "members.read_member",
    is_self | is_national_office | organises_branch_of | treasurer_of_branch_of,
)
rules.add_perm("members.edit_own_membership", is_self & not_erased)
rules.add_perm("members.change_member_status", is_national_office | organises_branch_of)
rules.add_perm("members.record_payment", is_national_office | treasurer_of_branch_of)
rules.add_perm("members.erase_personal_data", is_national_office)

# Branch lists -------------------------------------------------------------------
rules.add_perm("members.list_branch", is_national_office | organises_branch_of | treasurer_of_branch_of)
rules.add_perm("members.export_branch", is_national_office | organises_branch_of)

# Applications -------------------------------------------------------------------
rules.add_perm("members.queue_applications", is_national_office | is_any_branch_organiser)
rules.add_perm(
    "members.decide_application",
    is_national_office | (organises_branch_of & ~referred_to_national_office),
)

# Contacts -----------------------------------------------------------------------
rules.add_perm("members.list_contacts", is_national_office | is_any_branch_organiser)
rules.add_perm("members.manage_contact", is_national_office | organises_branch_of)

# National office -------------------------------------------------------------------
rules.add_perm("members.read_audit", is_national_office)
rules.add_perm("members.review_retention", is_national_office)
rules.add_perm("members.import_people", is_national_office)
rules.add_perm("members.record_any_payment", is_national_office | is_any_branch_treasurer)
