"""The day schools' contribution to the dashboard: a member's coming bookings."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from awl.panels import Panel, register_panel
from dayschools import mail, selectors
from members.selectors import own_member

PANEL_SIZE = 5


@register_panel
def my_bookings_panel(request: HttpRequest) -> Panel | None:
    """The member's places and waiting-list places at day schools to come, each with its link; two queries."""
    if not request.user.is_authenticated:
        return None
    member = own_member(request.user)
    if member is None:
        return None
    bookings = selectors.coming_bookings(member, timezone.now(), limit=PANEL_SIZE + 1)
    if not bookings:
        return None
    return Panel(
        title="My day schools",
        template="dayschools/booking_panel.html",
        context={
            "dayschool_bookings": [(b, mail.booking_token(b)) for b in bookings[:PANEL_SIZE]],
            "dayschool_bookings_more": len(bookings) > PANEL_SIZE,
        },
        order=40,
    )


@register_panel
def follow_up_panel(request: HttpRequest) -> Panel | None:
    """A branch organiser's way to the people from their city's day schools waiting to be followed up."""
    from dayschools import reports
    from members import roles
    from members.models import Role

    if not roles.has_role(request.user, Role.BRANCH_ORGANISER):
        return None
    cities = [city for city in reports.follow_up_cities(request.user) if city.branch_id is not None]
    if not cities:
        return None
    waiting, total = reports.follow_up_counts(cities)
    return Panel(
        title="Day-school follow-ups",
        template="dayschools/follow_up_panel.html",
        context={"follow_up_cities": cities, "follow_up_waiting": waiting, "follow_up_total": total},
        order=45,
    )
