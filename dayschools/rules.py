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
