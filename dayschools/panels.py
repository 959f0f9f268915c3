"""The day schools' contribution to the dashboard: a member's coming bookings."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from awl.panels import Panel, register_panel
from dayschools import mail, selectors
from members.models import Member

PANEL_SIZE = 5


@register_panel
def my_bookings_panel(request: HttpRequest) -> Panel | None:
    """The member's places and waiting-list places at day schools to come, each with its link; two queries."""
    if not request.user.is_authenticated:
        return None
    member = Member.objects.filter(user_id=request.user.pk, erased_at__isnull=True).first()
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
