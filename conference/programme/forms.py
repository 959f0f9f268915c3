"""The programme's forms: a session of the timetable and a document; the rules live in
conference.programme.services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from awl.forms import (
    LondonDateTimeField,
    MultilineTextField,
    PlainTextField,
)
from awl.timezones import london_moment
from conference.models import (
    Audience,
    Document,
    DocumentKind,
    Session,
    SessionKind,
)
from conference.registration.forms import check_conference_date


def _session_time(label: str) -> forms.TimeField:
    return forms.TimeField(label=label, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class SessionForm(forms.Form):
    """A session on one of the conference's days, its start and end in London time."""

    title = PlainTextField(max_length=200)
    kind = forms.ChoiceField(label="Kind of session", choices=SessionKind.choices)
    day = forms.TypedChoiceField(
        choices=[],
        coerce=dt.date.fromisoformat,
        error_messages={"invalid_choice": "Choose one of the conference's days."},
    )
    starts = _session_time("Starts at (London time)")
    ends = _session_time("Ends at (London time)")
    room = PlainTextField(max_length=100, required=False)
    chair = PlainTextField(max_length=200, required=False, help_text="Who chairs it, if known.")
    description = MultilineTextField(max_length=5000, rows=3, required=False)

    def __init__(self, *args: Any, days: list[dt.date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        day = cast(forms.TypedChoiceField, self.fields["day"])
        day.choices = [(d.isoformat(), f"{d:%A %-d %B %Y}") for d in days]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, starts, ends = cleaned.get("day"), cleaned.get("starts"), cleaned.get("ends")
        if day is not None and starts is not None and ends is not None:
            for name, time in (("starts", starts), ("ends", ends)):
                try:
                    cleaned[f"{name}_at"] = london_moment(day, time)
                except ValidationError as exc:
                    self.add_error(name, exc)
            if "starts_at" in cleaned and "ends_at" in cleaned and cleaned["ends_at"] <= cleaned["starts_at"]:
                self.add_error("ends", "A session must end after it starts.")
        return cleaned

    def session(self) -> dict[str, Any]:
        """The service's keyword arguments."""
        data = self.cleaned_data
        fields = ("title", "kind", "starts_at", "ends_at", "room", "chair", "description")
        return {name: data[name] for name in fields}

    @staticmethod
    def initial_for(session: Session) -> dict[str, Any]:
        starts, ends = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        return {
            "title": session.title,
            "kind": session.kind,
            "day": starts.date().isoformat(),
            "starts": starts.time().replace(second=0, microsecond=0),
            "ends": ends.time().replace(second=0, microsecond=0),
            "room": session.room,
            "chair": session.chair,
            "description": session.description,
        }


class DocumentForm(forms.Form):
    """A conference document: who it is for, when it is published, and a file, a summary, or both."""

    title = PlainTextField(max_length=200)
    kind = forms.ChoiceField(label="Kind of document", choices=DocumentKind.choices)
    audience = forms.ChoiceField(
        label="Who may read it",
        choices=Audience.choices,
        help_text="Registered members: those with a current registration for this conference.",
    )
    publish_on = LondonDateTimeField(
        label="Published on (London time)",
        check_date=check_conference_date,
        help_text="It becomes visible, and its readers are e-mailed, at this time. A time already past "
        "publishes it at once.",
    )
    summary = MultilineTextField(max_length=20_000, rows=6, required=False)
    file = forms.FileField(
        required=False,
        help_text="PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt, .ods) or plain text (.txt, .csv). "
        "A document needs a file, a summary, or both.",
    )

    @staticmethod
    def initial_for(document: Document) -> dict[str, Any]:
        return {
            "title": document.title,
            "kind": document.kind,
            "audience": document.audience,
            "publish_on": timezone.localtime(document.publish_on),
            "summary": document.summary,
        }

    def document(self) -> dict[str, Any]:
        """The service's keyword arguments (the file as ``upload``, None when none was sent)."""
        data = self.cleaned_data
        fields = ("title", "kind", "audience", "publish_on", "summary")
        return {**{name: data[name] for name in fields}, "upload": data.get("file") or None}
