"""Forms for the conference business pages: they check the shape of what is typed; conference.motions rules.

Shared by the business pages: each part appends its forms in its own section below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from awl.forms import LondonDateTimeField, MultilineTextField, SearchForm
from conference.business.services import motions
from conference.models import AmendmentKind, Majority, Outcome, ProposerKind, VoteMethod
from conference.registration import selectors
from members.models import Branch, Member

# Outcomes, the text as carried and the policy record (views/outcomes.py) --------------------------------
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
        cast(forms.ChoiceField, self.fields["year"]).choices = [
            ("", "Any year"),
            *((str(year), str(year)) for year in years),
        ]
        cast(forms.ChoiceField, self.fields["topic"]).choices = [("", "Any topic"), *((t, t) for t in topics)]


# Motions pages (views/motions.py) -------------------------------------------------------------------
class ProposerFields(forms.Form):
    """Who proposes: myself (with a seconder), my branch (with its meeting's date), or the NC/EC."""

    proposer_kind = forms.ChoiceField(label="Proposed by", widget=forms.RadioSelect)
    seconder_email = forms.EmailField(
        label="Seconder's e-mail address",
        required=False,
        max_length=254,
        help_text="For a motion proposed by yourself: another member, who is e-mailed a link to confirm.",
    )
    branch = forms.ModelChoiceField(queryset=Branch.objects.none(), required=False, label="Branch")
    branch_meeting_on = forms.DateField(
        label="Date of the branch meeting that agreed it",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], branches: QuerySet[Branch], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["proposer_kind"]).choices = kinds
        if kinds and not self.is_bound:
            self.initial.setdefault("proposer_kind", kinds[0][0])
        cast(forms.ModelChoiceField, self.fields["branch"]).queryset = branches
        if branches.count() == 1:
            self.initial.setdefault("branch", branches.first())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("proposer_kind")
        data["seconder"] = None
        if kind == ProposerKind.MEMBER:
            email = data.get("seconder_email")
            if not email:
                if "seconder_email" not in self.errors:
                    self.add_error("seconder_email", "Give the e-mail address of the member seconding it.")
            else:
                seconder = selectors.member_by_email(email)
                # One answer for no such member and for a member who may not second (no oracle).
                if seconder is None or not motions.may_second(seconder):
                    self.add_error("seconder_email", motions.SECONDER_NOT_ACCEPTED)
                data["seconder"] = seconder
        if kind == ProposerKind.BRANCH:
            if data.get("branch") is None and "branch" not in self.errors:
                self.add_error("branch", "Choose the branch.")
            if data.get("branch_meeting_on") is None and "branch_meeting_on" not in self.errors:
                self.add_error("branch_meeting_on", "Give the date of the branch meeting that agreed it.")
        return data

    def proposer(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["proposer_kind"]
        branch_meeting_on: dt.date | None = data.get("branch_meeting_on")
        seconder: Member | None = data.get("seconder")
        return {
            "proposer_kind": kind,
            "seconder": seconder if kind == ProposerKind.MEMBER else None,
            "branch": data.get("branch") if kind == ProposerKind.BRANCH else None,
            "branch_meeting_on": branch_meeting_on if kind == ProposerKind.BRANCH else None,
        }


class MotionEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=20000,
        help_text="Markdown: a blank line between paragraphs, *emphasis*, **strong**, lists with “-”.",
    )
    topic = forms.CharField(max_length=100, required=False, help_text="E.g. housing, the NHS, organising.")

    def __init__(self, *args: Any, word_limit: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = f"At most {word_limit} words. " + str(self.fields["text"].help_text)

    def motion(self) -> dict[str, Any]:
        return {key: self.cleaned_data[key] for key in ("title", "text", "topic")}


class MotionForm(ProposerFields, MotionEditForm):
    emergency = forms.BooleanField(
        required=False,
        label="This is an emergency motion",
        help_text="After the deadline, only an emergency motion is taken: the CAC rules on it.",
    )
    emergency_reason = forms.CharField(
        required=False,
        max_length=1000,
        label="What has happened since the deadline",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    field_order = ["title", "text", "topic", "proposer_kind", "seconder_email", "branch", "branch_meeting_on"]

    def submission(self) -> dict[str, Any]:
        return {
            **self.motion(),
            **self.proposer(),
            "emergency": self.cleaned_data["emergency"],
            "emergency_reason": self.cleaned_data["emergency_reason"],
        }


class AmendmentForm(ProposerFields):
    """Where the amendment acts, by the numbered lines shown above the form, and its words.

    The shape is checked here (a line number for each kind, the words for an insert or a replacement);
    whether the lines exist in the text amended is the service's rule."""

    kind = forms.ChoiceField(
        label="Kind of amendment", choices=AmendmentKind.choices, widget=forms.RadioSelect
    )
    parent = forms.TypedChoiceField(
        label="It amends",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="The motion, or (where the conference allows it) one of its amendments, by that "
        "amendment's own numbered lines.",
    )
    line_from = forms.IntegerField(
        label="Line (insert after it; or the first line deleted or replaced)",
        required=False,
        min_value=0,
        max_value=100_000,
        help_text="Insert after line 0 to put the words at the start.",
    )
    line_to = forms.IntegerField(
        label="Last line deleted or replaced",
        required=False,
        min_value=1,
        max_value=100_000,
        help_text="Leave empty for a single line.",
    )
    insert_text = forms.CharField(
        label="Words to insert, or the replacement",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    free_text = forms.CharField(
        label="Free text", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    field_order = [
        "parent",
        "kind",
        "line_from",
        "line_to",
        "insert_text",
        "free_text",
        "proposer_kind",
        "seconder_email",
    ]

    def __init__(
        self, *args: Any, word_limit: int, parents: list[tuple[int, str]] | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("kind", AmendmentKind.INSERT)
        self.fields["insert_text"].help_text = f"At most {word_limit} words."
        self.fields["free_text"].help_text = f"At most {word_limit} words."
        if parents:
            cast(forms.ChoiceField, self.fields["parent"]).choices = [("", "The motion"), *parents]
        else:
            del self.fields["parent"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        positional = (AmendmentKind.INSERT, AmendmentKind.DELETE, AmendmentKind.REPLACE)
        worded = (AmendmentKind.INSERT, AmendmentKind.REPLACE)
        missing = {
            "line_from": kind in positional and data.get("line_from") is None,
            "insert_text": kind in worded and not (data.get("insert_text") or "").strip(),
            "free_text": kind == AmendmentKind.FREE_TEXT and not (data.get("free_text") or "").strip(),
        }
        messages = {
            "line_from": "Give the line number, as shown beside the text.",
            "insert_text": "Give the words to insert, or the replacement.",
            "free_text": "Give the amendment's text.",
        }
        for name, absent in missing.items():
            if absent and name not in self.errors:
                self.add_error(name, messages[name])
        return data

    def submission(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "line_from": data.get("line_from"),
            "line_to": data.get("line_to"),
            "insert_text": data["insert_text"],
            "free_text": data["free_text"],
            **self.proposer(),
        }

    def parent_pk(self) -> int | None:
        value = self.cleaned_data.get("parent")
        return value if isinstance(value, int) else None


class AmendmentAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[("accept", "Accept it: it becomes part of the motion"), ("decline", "Do not accept it")],
        widget=forms.RadioSelect,
        label="Your answer",
    )

    def accept(self) -> bool:
        return bool(self.cleaned_data["answer"] == "accept")


# The CAC's business pages: rules, rulings, composites, order of debate (views/cac.py) ----------
class BusinessRulesForm(forms.Form):
    """The conference's rules for motions; the deadlines are read as London time."""

    motions_deadline = LondonDateTimeField(
        label="Motions deadline (London time)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    amendments_deadline = LondonDateTimeField(
        label="Amendments deadline (London time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    word_limit = forms.IntegerField(label="Word limit for a motion", min_value=1, max_value=5000)
    amendment_word_limit = forms.IntegerField(
        label="Word limit for an amendment", min_value=1, max_value=5000
    )
    amendments_to_amendments = forms.BooleanField(
        label="Amendments to amendments are allowed", required=False
    )


class RulingForm(forms.Form):
    ruling = forms.ChoiceField(
        label="Ruling", choices=[("in_order", "In order"), ("out_of_order", "Out of order")]
    )
    reason = forms.CharField(
        label="Reason (out of order: sent to the proposer)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CompositeForm(forms.Form):
    """A tick for each motion still standing (the ones it replaces), and the composite's title and text."""

    title = forms.CharField(label="Title", max_length=200)
    text = forms.CharField(
        label="Text (Markdown)", max_length=50000, widget=forms.Textarea(attrs={"rows": 8})
    )
    topic = forms.CharField(label="Topic", max_length=100, required=False)
    movers_agreed = forms.BooleanField(label="The movers of these motions agreed", required=False)

    def __init__(self, *args: Any, motions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.motions = motions
        boxes = {
            f"motion_{m.pk}": forms.BooleanField(label=f"Replaces “{m.title}”", required=False)
            for m in motions
        }
        self.fields = {**boxes, **self.fields}

    def chosen(self) -> list[Any]:
        return [m for m in self.motions if self.cleaned_data.get(f"motion_{m.pk}")]


class OrderForm(forms.Form):
    """A position for each motion ruled in order; blank leaves it off the order paper."""

    def __init__(self, *args: Any, motions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.motions = motions
        for motion in motions:
            self.fields[f"position_{motion.pk}"] = forms.IntegerField(
                label=motion.title, required=False, min_value=1, max_value=10000, initial=motion.position
            )

    def ordered(self) -> list[Any]:
        """The motions given a position, in that order (ties by their current order)."""
        chosen = [
            (self.cleaned_data[f"position_{m.pk}"], n, m)
            for n, m in enumerate(self.motions)
            if self.cleaned_data.get(f"position_{m.pk}") is not None
        ]
        return [m for _, _, m in sorted(chosen, key=lambda row: (row[0], row[1]))]
