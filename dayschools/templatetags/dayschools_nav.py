"""Whether the main menu offers the day-school organisers' pages to the signed-in user."""

from __future__ import annotations

from typing import Any

import rules
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def may_organise_dayschools(context: template.Context) -> bool:
    """The rule alone, without ``user.has_perm``'s fallback to Django's permission tables, so the menu
    costs no query beyond the roles the request has already read."""
    user: Any = context.get("user")
    return bool(
        user is not None and user.is_authenticated and rules.has_perm("dayschools.manage_series", user)
    )
