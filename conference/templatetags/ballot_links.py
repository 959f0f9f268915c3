"""``{% ballot_links election as ballot %}``: what the election page offers the viewer (ballots, tellers).

Used by templates/conference/elections/_ballot_links.html, which the election
page includes; two small queries (whether the viewer has voted, whether they
are a teller), whatever the election.
"""

from __future__ import annotations

from typing import Any

from django import template

from conference.elections.models import Election, Teller, VoterRecord

register = template.Library()


@register.simple_tag(takes_context=True)
def ballot_links(context: Any, election: Election) -> dict[str, bool]:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"voted": False, "teller": False, "officer": False}
    return {
        "voted": VoterRecord.objects.filter(election=election, member__user_id=user.pk).exists(),
        "teller": Teller.objects.filter(election=election, user_id=user.pk).exists(),
        "officer": user.has_perm("conference.return_election", election),
    }
