"""Who holds which role, looked up once per request.

The roles a user holds today are read in one query and kept on the user
object for the rest of the request, so permission checks on list pages do
not multiply queries.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from members.models import Role, RoleAssignment

_CACHE_ATTR = "_awl_current_roles"


def current_roles(user: Any) -> list[RoleAssignment]:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(RoleAssignment.objects.current().filter(user_id=user.pk).select_related("branch"))
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user: Any) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_role(user: Any, role: Role | str, *, branch_id: int | None = None) -> bool:
    return any(
        r.role == role and (branch_id is None or r.branch_id == branch_id) for r in current_roles(user)
    )


def holds_scoped_role(user: Any, role: Role | str, scope: models.Model) -> bool:
    """True when the user holds ``role`` for ``scope`` (e.g. secretary of this committee)."""
    scope_type = ContentType.objects.get_for_model(scope)
    return any(
        r.role == role and r.scope_type_id == scope_type.pk and r.scope_id == scope.pk
        for r in current_roles(user)
    )


def branch_ids_for(user: Any, *roles: Role | str) -> set[int]:
    return {r.branch_id for r in current_roles(user) if r.role in roles and r.branch_id is not None}


def is_national_office(user: Any) -> bool:
    """Holds the national office role. Being a superuser is not it: that account is for emergencies,
    in the admin, and grants no power on the site (``awl.permissions``)."""
    return has_role(user, Role.NATIONAL_OFFICE)


def is_officer(user: Any) -> bool:
    """Holds any role at all: these people must use two-factor where it is required."""
    return bool(current_roles(user))


def describe(user: Any) -> str:
    """The roles a user holds today, as the audit trail names them: "Branch organiser (Leeds)"."""
    names = []
    for assignment in current_roles(user):
        name = Role(assignment.role).label
        if assignment.branch_id is not None:
            name += f" ({assignment.branch})"
        names.append(name)
    return ", ".join(sorted(names)) or "member"
