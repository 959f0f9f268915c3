"""The committees app's contribution to the dashboard: "my action points"."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from awl.panels import Panel, register_panel
from committees import selectors

PANEL_SIZE = 8


@register_panel
def action_points_panel(request: HttpRequest) -> Panel | None:
    """The person's open action points, soonest due first, each with a "done" button; one query."""
    if not request.user.is_authenticated:
        return None
    points = list(selectors.my_action_points(request.user, open_only=True)[: PANEL_SIZE + 1])
    if not points:
        return None
    return Panel(
        title="My action points",
        template="committees/panels/action_points.html",
        context={
            "action_points": points[:PANEL_SIZE],
            "action_points_more": len(points) > PANEL_SIZE,
            "action_points_next": reverse("dashboard"),
            "today": timezone.localdate(),
        },
        order=30,
    )
