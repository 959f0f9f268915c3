"""The members app's contributions to the dashboard and the two-factor rule."""

from __future__ import annotations

from django.http import HttpRequest

from awl.mfa import register_officer_check
from awl.panels import Panel, register_panel
from awl.permissions import has_rule
from members import roles, selectors
from members.models import Member

register_officer_check(roles.is_officer)


@register_panel
def membership_panel(request: HttpRequest) -> Panel | None:
    if not request.user.is_authenticated:
        return None
    member = Member.objects.select_related("branch").filter(user=request.user).first()
    if member is None:
        return Panel(title="Join us", template="members/panels/join.html", order=10)
    return Panel(
        title="My membership",
        template="members/panels/membership.html",
        context={"member": member, "standing": selectors.member_standing(member)},
        order=10,
    )


@register_panel
def officer_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    branches = list(selectors.branches_for_user(user))
    can_queue = has_rule(user, "members.queue_applications")
    if not branches and not can_queue and not roles.is_national_office(user):
        return None
    return Panel(
        title="Officer tasks",
        template="members/panels/officer.html",
        context={
            "branches": branches,
            "pending_applications": selectors.application_queue(user).count() if can_queue else None,
            "national_office": roles.is_national_office(user),
            "contacts": has_rule(user, "members.list_contacts"),
        },
        order=20,
    )
