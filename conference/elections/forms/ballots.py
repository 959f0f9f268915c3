"""Forms for ballots and tellers: they read what was posted; the rules live in conference.ballots.

The ballot page carries the voter's ranking between steps in a hidden field,
as the candidates' places on the ballot paper (1 for the first name on the
paper, …) in order of preference, together with the paper itself (the
candidates' keys in ballot order) so that a ranking made against a different
list of candidates is never read against this one. Every step reads both
again (``BallotPaper.read``); nothing is stored until the ballot is cast.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from awl.forms import LowercaseEmailField, PlainTextField
from conference.elections.models import Election, Nomination
from conference.elections.services.ballots import MAX_PAPER_NUMBER, preferences_from_marks
from conference.elections.services.elections import ElectionError, candidates

_PLACES = re.compile(r"^[0-9]{1,4}( [0-9]{1,4})*$")
# A paper's marks go up to the number of candidates; a bound keeps a typo from being a huge number.
MAX_MARK = 999


@dataclass(frozen=True)
class BallotPaper:
    """The candidates in ballot-paper order, and how a ranking is written between steps."""

    candidates: list[Nomination]

    @classmethod
    def of(cls, election: Election) -> BallotPaper:
        return cls(list(candidates(election)))

    @property
    def key(self) -> str:
        return "-".join(str(nomination.pk) for nomination in self.candidates)

    def read(self, paper: str, places: str) -> list[int] | None:
        """The ranking (places on the paper, first preference first), or None if it cannot be one."""
        if paper != self.key:
            return None
        places = places.strip()
        if not places:
            return []
        if not _PLACES.match(places):
            return None
        ranking = [int(place) for place in places.split(" ")]
        if len(set(ranking)) != len(ranking) or not all(1 <= p <= len(self.candidates) for p in ranking):
            return None
        return ranking

    @staticmethod
    def write(ranking: Sequence[int]) -> str:
        return " ".join(str(place) for place in ranking)

    def nominations(self, ranking: Sequence[int]) -> list[Nomination]:
        return [self.candidates[place - 1] for place in ranking]

    def keys(self, ranking: Sequence[int]) -> list[int]:
        return [nomination.pk for nomination in self.nominations(ranking)]


class BallotStepForm(forms.Form):
    """One step on the ballot page: the ranking so far, the paper it was made on, and the button pressed."""

    paper = forms.CharField(max_length=2000, required=False)
    ranking = forms.CharField(max_length=2000, required=False, strip=False)
    do = forms.CharField(max_length=20)


# Tellers ----------------------------------------------------------------------------------------------
class AppointTellerForm(forms.Form):
    email = LowercaseEmailField(
        label="Their e-mail address", help_text="The address of their account on this system."
    )


class PaperEntryForm(forms.Form):
    """One paper ballot as a teller reads it: its number, and the number marked against each candidate."""

    paper_number = forms.IntegerField(
        label="Paper number", min_value=1, max_value=MAX_PAPER_NUMBER, widget=forms.NumberInput()
    )
    spoilt = forms.BooleanField(
        required=False,
        label="Spoilt",
        help_text="Tick for a paper that cannot be counted (blank, no single 1, or identifying the voter).",
    )
    correct = forms.BooleanField(required=False, label="This corrects my earlier entry of this paper")
    paper = forms.CharField(max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, ballot: BallotPaper, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ballot = ballot
        self.fields["paper"].initial = ballot.key
        self.note = ""
        for place, nomination in enumerate(ballot.candidates, start=1):
            self.fields[f"rank_{place}"] = forms.IntegerField(
                label=nomination.ballot_name,
                required=False,
                min_value=1,
                max_value=MAX_MARK,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "awl-rank"}),
            )
        # The number first, the marks in ballot order, then spoilt and correction.
        order = ["paper_number", *(f"rank_{p}" for p in range(1, len(ballot.candidates) + 1))]
        self.order_fields([*order, "spoilt", "correct", "paper"])

    def rank_fields(self) -> list[Any]:
        return [self[f"rank_{place}"] for place in range(1, len(self.ballot.candidates) + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("paper") is not None and data.get("paper") != self.ballot.key:
            raise ValidationError(
                "The list of candidates has changed since this page was loaded: enter the paper again."
            )
        marks = {
            nomination.pk: data[f"rank_{place}"]
            for place, nomination in enumerate(self.ballot.candidates, start=1)
            if data.get(f"rank_{place}") is not None
        }
        if any(self.has_error(f"rank_{p}") for p in range(1, len(self.ballot.candidates) + 1)):
            return data
        if data.get("spoilt"):
            if marks:
                raise ValidationError(
                    "Either tick spoilt or enter the numbers marked on the paper, not both."
                )
            data["ranking"] = []
            return data
        if not marks:
            raise ValidationError("Enter the numbers marked on the paper, or tick spoilt.")
        try:
            data["ranking"], self.note = preferences_from_marks(marks)
        except ElectionError as exc:
            raise ValidationError(str(exc)) from None
        return data


class IssueSearchForm(forms.Form):
    q = PlainTextField(max_length=100, required=False, label="Name")


class ReceiptCheckForm(forms.Form):
    receipt = PlainTextField(max_length=40, required=False, label="Your receipt code")
