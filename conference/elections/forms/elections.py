"""Forms for setting elections up and for nominations: the shape of what is typed.

The rules (windows in order, who is elected by whom, who may stand and
nominate) are ``conference.nominations``'s; these forms read dates and times
as London reads them, and turn e-mail addresses into the people they name.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from awl.forms import LondonDateTimeField, LowercaseEmailField, MultilineTextField, PlainTextField
from committees.models import Committee
from conference.elections.models import BallotOrder, Election
from conference.elections.services import nominations
from conference.models import Conference
from conference.registration.forms import ConferenceDateField, check_conference_date
from members import selectors as member_selectors
from members.models import Member

CONFERENCE = "conference"
COMMITTEE = "committee"


def _held_value(kind: str, pk: int) -> str:
    return f"{kind}-{pk}"


class ElectionForm(forms.Form):
    """An election's details; with ``extending`` only its two closing times (nominations have opened)."""

    title = PlainTextField(max_length=200, help_text="For example: National Committee 2027.")
    committee = forms.TypedChoiceField(
        coerce=int,
        label="Committee whose seats are filled",
        error_messages={"invalid_choice": "Choose one of the committees."},
    )
    held_by = forms.ChoiceField(
        label="Held at or by",
        help_text="At a conference, its members entitled to vote elect; by a committee, its current members "
        "elect, from among themselves.",
        error_messages={"invalid_choice": "Choose a conference or a committee."},
    )
    present_only = forms.BooleanField(
        label="Only members checked in at the conference vote",
        required=False,
        help_text="At a conference only. Otherwise every member registered and entitled to vote may vote.",
    )
    seats = forms.IntegerField(
        min_value=1,
        max_value=nominations.MAX_SEATS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    nominations_open_at = LondonDateTimeField(
        label="Nominations open (London time)", check_date=check_conference_date
    )
    nominations_close_at = LondonDateTimeField(
        label="Nominations close (London time)", check_date=check_conference_date
    )
    voting_opens_at = LondonDateTimeField(
        label="Voting opens (London time)", check_date=check_conference_date
    )
    voting_closes_at = LondonDateTimeField(
        label="Voting closes (London time)", check_date=check_conference_date
    )
    statement_word_limit = forms.IntegerField(
        label="Word limit for candidates' statements",
        min_value=nominations.WORD_LIMIT_RANGE[0],
        max_value=nominations.WORD_LIMIT_RANGE[1],
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    self_nomination = forms.BooleanField(label="Members may nominate themselves", required=False)
    ballot_order = forms.ChoiceField(
        label="Order of the candidates on the ballot paper",
        choices=BallotOrder.choices,
        required=False,  # by surname unless random is chosen
        widget=forms.RadioSelect,
        help_text="Published with the ballot. A random order is drawn by the system, and its seed recorded.",
    )
    returning_officer_email = LowercaseEmailField(
        label="Returning officer's e-mail address (optional)",
        max_length=254,
        required=False,
        help_text="The address they log in with. They run the count and confirm the result. The CAC "
        "appoints the returning officer of an election at a conference, the electing committee's "
        "secretary that of a committee's election: anyone else leaves this empty for them.",
    )
    counted_off_system = forms.BooleanField(
        label="Counted from ballots cast off this system",
        required=False,
        help_text="The ballots are cast on paper away from this system and come in as one BLT file, no "
        "more papers than were recorded as issued. Only such an election takes an import.",
    )
    term_starts_on = ConferenceDateField(label="Terms of office start on")
    term_ends_on = ConferenceDateField(
        label="Terms of office end on (optional)",
        required=False,
        help_text="Leave empty when the terms run until the next election.",
    )

    def __init__(
        self,
        *args: Any,
        committees: list[Committee],
        conferences: list[Conference],
        extending: bool = False,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.extending = extending
        if editing:  # the returning officer changes through its own action ("Change the returning officer")
            del self.fields["returning_officer_email"]
        if extending:
            for name in list(self.fields):
                if name not in nominations.EXTENDABLE:
                    del self.fields[name]
            return
        self.committees = {c.pk: c for c in committees}
        self.conferences = {c.pk: c for c in conferences}
        committee = cast(forms.TypedChoiceField, self.fields["committee"])
        committee.choices = [("", "Choose the committee"), *((c.pk, c.name) for c in committees)]
        held_by = cast(forms.ChoiceField, self.fields["held_by"])
        held_by.choices = [
            ("", "Choose a conference or a committee"),
            ("At a conference", [(_held_value(CONFERENCE, c.pk), c.title) for c in conferences]),
            ("By a committee", [(_held_value(COMMITTEE, c.pk), c.name) for c in committees]),
        ]

    @staticmethod
    def initial_for(election: Election) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(election, name)
            for name in (
                "title",
                "present_only",
                "seats",
                "statement_word_limit",
                "self_nomination",
                "ballot_order",
                "term_starts_on",
                "term_ends_on",
                "counted_off_system",
            )
        }
        for name in ("nominations_open_at", "nominations_close_at", "voting_opens_at", "voting_closes_at"):
            initial[name] = timezone.localtime(getattr(election, name))
        initial["committee"] = election.committee_id
        initial["held_by"] = (
            _held_value(CONFERENCE, election.conference_id)
            if election.conference_id
            else _held_value(COMMITTEE, election.electing_committee_id or 0)
        )
        return initial

    def clean_returning_officer_email(self) -> Any:
        email = self.cleaned_data["returning_officer_email"]
        if not email:
            return None
        user = nominations.user_with_email(email)
        if user is None:
            raise ValidationError("No account has this e-mail address: they need to sign up first.")
        return user

    def details(self) -> dict[str, Any]:
        """The services' ``fields``: every detail with the chosen objects, or only the closing times."""
        data = self.cleaned_data
        if self.extending:
            return {name: data[name] for name in nominations.EXTENDABLE}
        kind, _, pk = data["held_by"].partition("-")
        held_at = int(pk) if pk.isdigit() else 0
        details = {
            name: data[name]
            for name in (
                "title",
                "present_only",
                "seats",
                "nominations_open_at",
                "nominations_close_at",
                "voting_opens_at",
                "voting_closes_at",
                "statement_word_limit",
                "self_nomination",
                "term_starts_on",
                "term_ends_on",
                "counted_off_system",
            )
        }
        details.update(
            ballot_order=data.get("ballot_order") or BallotOrder.SURNAME,
            committee=self.committees.get(data["committee"]),
            conference=self.conferences.get(held_at) if kind == CONFERENCE else None,
            electing_committee=self.committees.get(held_at) if kind == COMMITTEE else None,
        )
        if "returning_officer_email" in data:
            details["returning_officer"] = data["returning_officer_email"]
        return details


def initial_for_new(
    user: Any, committees: list[Committee], conference: Conference | None, today: dt.date | None = None
) -> dict[str, Any]:
    """A start for a new election: the national committee at the coming conference, voting over its days.

    Without a coming conference far enough ahead, windows from next week.
    """
    today = today or timezone.localdate()
    zone = timezone.get_current_timezone()

    def at(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=zone)

    national = next((c for c in committees if c.kind == "national"), None)
    initial: dict[str, Any] = {
        "seats": 1,
        "statement_word_limit": 250,
        "self_nomination": True,
        "ballot_order": BallotOrder.SURNAME,
    }
    if national is not None:
        initial["committee"] = national.pk
    if conference is not None and conference.starts_on >= today + dt.timedelta(days=14):
        initial.update(
            title=f"{national.name if national else 'Election'} {conference.year}",
            held_by=_held_value(CONFERENCE, conference.pk),
            nominations_open_at=at(today + dt.timedelta(days=1), 9),
            nominations_close_at=at(conference.starts_on - dt.timedelta(days=7), 17),
            voting_opens_at=at(conference.starts_on, 9),
            voting_closes_at=at(conference.ends_on, 16),
            term_starts_on=conference.ends_on,
        )
        return initial
    initial.update(
        nominations_open_at=at(today + dt.timedelta(days=7), 9),
        nominations_close_at=at(today + dt.timedelta(days=28), 17),
        voting_opens_at=at(today + dt.timedelta(days=35), 9),
        voting_closes_at=at(today + dt.timedelta(days=42), 17),
        term_starts_on=today + dt.timedelta(days=43),
    )
    return initial


class NominationForm(forms.Form):
    """Nominate another member, naming the seconder; both found by their e-mail addresses."""

    nominee_email = LowercaseEmailField(
        label="The nominee's e-mail address",
        max_length=254,
        help_text="The address they log in with. They are e-mailed a link to accept or decline.",
    )
    seconder_email = LowercaseEmailField(
        label="The seconder's e-mail address",
        max_length=254,
        help_text="Another member of the electorate; they are e-mailed to say you named them.",
    )

    def __init__(self, *args: Any, election: Election, proposer: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.election = election
        self.proposer = proposer

    def clean(self) -> dict[str, Any]:
        """One answer for an address no member has and for a member who may not be named: which it
        was is not the proposer's to learn (the proposer's own address goes on to the service)."""
        data = super().clean() or {}
        nominee = self._member(data.get("nominee_email"))
        if data.get("nominee_email") and (
            nominee is None
            or (nominee.pk != self.proposer.pk and not nominations.may_be_nominated(self.election, nominee))
        ):
            self.add_error("nominee_email", nominations.NOMINEE_NOT_ACCEPTED)
        seconder = self._member(data.get("seconder_email"))
        named = {self.proposer.pk, nominee.pk if nominee else None}
        if data.get("seconder_email") and (
            seconder is None
            or (seconder.pk not in named and not nominations.may_second(self.election, seconder))
        ):
            self.add_error("seconder_email", nominations.SECONDER_NOT_ACCEPTED)
        data["nominee"], data["seconder"] = nominee, seconder
        return data

    @staticmethod
    def _member(email: str | None) -> Member | None:
        return member_selectors.member_with_email(email) if email else None


class SelfNominationForm(forms.Form):
    """Nominate yourself: nothing to type (the button names the form)."""

    nominate_self = forms.CharField(widget=forms.HiddenInput, initial="yes", required=False)


class StatementForm(forms.Form):
    """A candidate's statement and the name printed on the ballot paper."""

    ballot_name = PlainTextField(
        label="Your name on the ballot paper",
        max_length=nominations.BALLOT_NAME_MAX,
        help_text="Your name as a member. Another name (a middle name, the name you are known by) goes to "
        "the returning officer to approve; it may not be close to another candidate's.",
    )
    statement = MultilineTextField(
        label="Your statement to the voters",
        max_length=nominations.STATEMENT_MAX_CHARS,
        rows=8,
        required=False,
    )

    def __init__(self, *args: Any, word_limit: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "statement"
        ].help_text = (
            f"At most {word_limit} words. Plain text: line breaks are kept, nothing else is formatted."
        )


class BallotNameDecisionForm(forms.Form):
    """The returning officer's answer to a candidate's request for another ballot name."""

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve this name"), ("refuse", "Refuse it: their own name stays")],
        widget=forms.RadioSelect,
    )
    reason = PlainTextField(
        label="Reason (optional)", max_length=500, required=False, help_text="Kept in the audit trail."
    )


class ReturningOfficerForm(forms.Form):
    """Appoint (or replace) an election's returning officer by their e-mail address."""

    email = LowercaseEmailField(
        label="The returning officer's e-mail address",
        max_length=254,
        help_text="The address they log in with. Not a nominee, candidate or teller in this election.",
    )
    reason = PlainTextField(
        label="Why (when replacing a returning officer)",
        max_length=500,
        required=False,
        help_text="Required when someone is already appointed: it is kept in the election's record.",
    )

    def clean_email(self) -> Any:
        user = nominations.user_with_email(self.cleaned_data["email"])
        if user is None:
            raise ValidationError("No account has this e-mail address: they need to sign up first.")
        return user
