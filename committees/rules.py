"""Object permissions for committees, in one place; anything not granted is denied.

A committee's secretary is whoever holds the committee-secretary role for
it (members.RoleAssignment, scoped to the committee) or a current term as
its secretary. Members see their committee's meetings, papers and draft
minutes; approved minutes are visible to members of the body that elects
the committee (conference: every member; a committee: its members).
"""

from __future__ import annotations

from typing import Any

import rules
from django.utils import timezone

from members import roles
from members.models import MemberStatus, Role


def _member_id(user: Any) -> int | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_awl_member_id", False)
    if cached is False:
        from members.models import Member

        cached = (
            Member.objects.filter(user_id=user.pk, erased_at__isnull=True)
            .values_list("pk", flat=True)
            .first()
        )
        user._awl_member_id = cached
    return cached


def _committee(obj: Any) -> Any:
    from committees.models import Committee

    if isinstance(obj, Committee):
        return obj
    return getattr(obj, "committee", None)


def _term_roles(user: Any, committee: Any) -> set[str]:
    """The roles the user holds on the committee today (cached per request and committee)."""
    member_id = _member_id(user)
    if member_id is None or committee is None:
        return set()
    cache = user.__dict__.setdefault("_awl_term_roles", {})
    if committee.pk not in cache:
        from committees.models import Term

        cache[committee.pk] = set(
            Term.objects.filter(committee_id=committee.pk, member_id=member_id)
            .current(timezone.localdate())
            .values_list("role", flat=True)
        )
    return cache[committee.pk]


@rules.predicate
def is_national_office(user: Any) -> bool:
    return roles.is_national_office(user)


@rules.predicate
def is_secretary(user: Any, obj: Any) -> bool:
    committee = _committee(obj)
    if committee is None:
        return False
    return "secretary" in _term_roles(user, committee) or roles.holds_scoped_role(
        user, Role.COMMITTEE_SECRETARY, committee
    )


@rules.predicate
def is_minutes_secretary(user: Any, obj: Any) -> bool:
    return "minutes_secretary" in _term_roles(user, _committee(obj))


@rules.predicate
def sits_on(user: Any, obj: Any) -> bool:
    return bool(_term_roles(user, _committee(obj)))


@rules.predicate
def in_electing_body(user: Any, obj: Any) -> bool:
    committee = _committee(obj)
    if committee is None:
        return False
    if committee.elected_by_id is None:
        from members.models import Member

        member_id = _member_id(user)
        return (
            member_id is not None and Member.objects.filter(pk=member_id, status=MemberStatus.MEMBER).exists()
        )
    return bool(_term_roles(user, committee.elected_by))


manage = is_national_office | is_secretary
rules.add_perm("committees.manage_meetings", manage)
rules.add_perm("committees.write_minutes", manage | is_minutes_secretary)
rules.add_perm("committees.manage_terms", is_national_office)
rules.add_perm("committees.view_committee", manage | sits_on)
rules.add_perm("committees.view_published_minutes", manage | sits_on | in_electing_body)


# Two-factor (issue 14): who holds a committee office that writes its record --------------------------------
# The secretary (by role or by term) runs meetings, agendas, attendance and the approval of minutes; the
# minutes secretary drafts and circulates minutes, decisions and action points. Both change a democratic
# record and see the committee's attendance and apologies, so both must use TOTP (registered in apps.py).
# A chair or member has none of these powers and is not asked.
_OFFICE_ROLES = ("secretary", "minutes_secretary")


@rules.predicate
def holds_committee_office(user: Any) -> bool:
    """Secretary or minutes secretary of any committee today: one query, kept on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return False
    if roles.has_role(user, Role.COMMITTEE_SECRETARY):
        return True
    cached = getattr(user, "_awl_committee_office", None)  # getattr, not __dict__: request.user is lazy
    if cached is None:
        from committees.models import Term

        cached = (
            Term.objects.filter(
                member__user_id=user.pk, member__erased_at__isnull=True, role__in=_OFFICE_ROLES
            )
            .current(timezone.localdate())
            .exists()
        )
        user._awl_committee_office = cached
    return bool(cached)
