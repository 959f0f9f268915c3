"""The organisers' contribution to the dashboard: the day schools a person runs, with their door lists.

An event's own organisers (door volunteers among them) hold no role, so the
main menu does not lead them to the organisers' pages; this panel does.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone

from awl.panels import Panel, register_panel
from dayschools.models import Event, EventStatus

PANEL_SIZE = 5
# An event stays on the panel for a day after it ends, for putting the door list right.
AFTER_THE_END = dt.timedelta(days=1)


@register_panel
def events_i_run_panel(request: HttpRequest) -> Panel | None:
    """Coming (and just finished) events the person is an organiser of, soonest first; one query."""
    if not request.user.is_authenticated:
        return None
    events = list(
        Event.objects.filter(organisers=request.user, ends_at__gte=timezone.now() - AFTER_THE_END)
        .exclude(status=EventStatus.CANCELLED)
        .select_related("school", "city")
        .order_by("starts_at")[: PANEL_SIZE + 1]
    )
    if not events:
        return None
    return Panel(
        title="Day schools I run",
        template="dayschools/organise_panel.html",
        context={"run_events": events[:PANEL_SIZE], "run_events_more": len(events) > PANEL_SIZE},
        order=45,
    )
