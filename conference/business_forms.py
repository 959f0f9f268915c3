"""Forms for the conference business pages: they check the shape of what is typed; conference.motions rules.

Shared by the business pages: each part appends its forms in its own section below.
"""

from __future__ import annotations

from typing import Any

from django import forms

from conference.models import Majority, Outcome, VoteMethod
from members.forms import MultilineTextField, SearchForm



# Outcomes, the text as carried and the policy record (outcome_views) --------------------------------
VOTES_MAX = 1_000_000


class OutcomeForm(forms.Form):
    """The outcome of one item; the counts when it went to a vote. The majority met is computed, not typed."""

    outcome = forms.ChoiceField(choices=[("", "Choose the outcome"), *Outcome.choices], label="Outcome")
    method = forms.ChoiceField(
        choices=[("", "No vote taken"), *VoteMethod.choices], required=False, label="Vote method"
    )
    votes_for = forms.IntegerField(min_value=0, max_value=VOTES_MAX, required=False, label="For")
    votes_against = forms.IntegerField(min_value=0, max_value=VOTES_MAX, required=False, label="Against")
    votes_abstain = forms.IntegerField(min_value=0, max_value=VOTES_MAX, required=False, label="Abstain")
    majority = forms.ChoiceField(choices=Majority.choices, label="Majority required")

    def outcome_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "method": data.get("method") or "",
            "votes_for": data.get("votes_for"),
            "votes_against": data.get("votes_against"),
            "votes_abstain": data.get("votes_abstain"),
            "majority": data["majority"],
        }


class CarriedTextForm(forms.Form):
    text = MultilineTextField(rows=14, max_length=50_000, label="The motion as carried (Markdown)")


class PolicySearchForm(SearchForm):
    """Search the policy record by words, year and topic; a bad value is ignored, never an error page."""

    year = forms.TypedChoiceField(coerce=int, required=False, choices=[], label="Year")
    topic = forms.ChoiceField(required=False, choices=[], label="Topic")

    def __init__(self, *args: Any, years: list[int], topics: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].label = "Words in the title or text"
        self.fields["year"].choices = [("", "Any year"), *((str(year), str(year)) for year in years)]
        self.fields["topic"].choices = [("", "Any topic"), *((topic, topic) for topic in topics)]
