"""What the site navigation offers the signed-in user, from the members app's roles."""

from __future__ import annotations

from typing import Any

from django import template

from awl.permissions import has_rule
from members import roles, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def members_nav(context: template.Context) -> dict[str, Any]:
    """Links this user may follow: a fixed number of queries (roles are cached per request)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {}
    return {
        "branches": list(selectors.branches_for_user(user)),
        "applications": has_rule(user, "members.queue_applications"),
        "contacts": has_rule(user, "members.list_contacts"),
        "national_office": roles.is_national_office(user),
    }
