"""Object permissions for day schools, in one place; anything not granted is denied.

Day-school organisers (members.Role.DAYSCHOOL_ORGANISER) set up series,
schools and events and read every report; an event's own organisers (its
``organisers``) run its bookings and door list. Branch organisers see the
follow-up list of the cities their branch covers. National office may do
everything.
"""

from __future__ import annotations

from typing import Any

import rules

from members import roles
from members.models import Role


@rules.predicate
def is_national_office(user: Any) -> bool:
    return roles.is_national_office(user)


@rules.predicate
def is_dayschool_organiser(user: Any) -> bool:
    return roles.has_role(user, Role.DAYSCHOOL_ORGANISER)


@rules.predicate
def organises_event(user: Any, event: Any) -> bool:
    if event is None or not getattr(user, "is_authenticated", False):
        return False
    cache = user.__dict__.setdefault("_awl_dayschool_events", None)
    if cache is None:
        cache = set(user.dayschool_events.values_list("pk", flat=True))
        user._awl_dayschool_events = cache
    return event.pk in cache


@rules.predicate
def organises_city_branch(user: Any, city: Any) -> bool:
    branch_id = getattr(city, "branch_id", None)
    return branch_id is not None and roles.has_role(user, Role.BRANCH_ORGANISER, branch_id=branch_id)


manage_all = is_national_office | is_dayschool_organiser
rules.add_perm("dayschools.manage_series", manage_all)
rules.add_perm("dayschools.manage_event", manage_all | organises_event)
rules.add_perm("dayschools.view_reports", manage_all)
rules.add_perm("dayschools.view_follow_ups", manage_all | organises_city_branch)


# Two-factor (issue 14) ------------------------------------------------------------------------------------
# An event's organisers run its bookings and door list (names, e-mail addresses, who came) for as long as
# they are its organisers, so they must use TOTP while they organise any event; the day-school organiser
# role is asked for it as every role is (members.roles.is_officer). Registered in apps.py.


@rules.predicate
def organises_any_event(user: Any) -> bool:
    """Among any event's organisers: one query, kept on the user for the request."""
    if not getattr(user, "is_authenticated", False):
        return False
    if roles.has_role(user, Role.DAYSCHOOL_ORGANISER):
        return True
    cached = getattr(user, "_awl_organises_any_event", None)  # getattr, not __dict__: request.user is lazy
    if cached is None:
        cached = user.dayschool_events.exists()
        user._awl_organises_any_event = cached
    return bool(cached)
