"""``{% result_links election as result %}``: what the election page offers of the count and the result.

Used by templates/conference/elections/_result_links.html, which the election
page includes: whether the viewer is the returning officer (the count, the
import), and whether they may read the declared result.
"""

from __future__ import annotations

from typing import Any

from django import template

from conference.elections.models import Election
from conference.elections.services import results

register = template.Library()


@register.simple_tag(takes_context=True)
def result_links(context: Any, election: Election) -> dict[str, bool]:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"returning_officer": False, "may_read": False}
    return {
        "returning_officer": user.has_perm("conference.return_election", election),
        "may_read": election.confirmed_at is not None and results.may_read_result(user, election),
    }
