"""Whether the main menu offers the day-school organisers' pages to the signed-in user."""

from __future__ import annotations

from typing import Any

from django import template

from awl.permissions import has_rule

register = template.Library()


@register.simple_tag(takes_context=True)
def may_organise_dayschools(context: template.Context) -> bool:
    """The rule alone (``has_rule``: no superuser short-cut, no permission tables), so the menu costs
    no query beyond the roles the request has already read."""
    user: Any = context.get("user")
    return user is not None and user.is_authenticated and has_rule(user, "dayschools.manage_series")
