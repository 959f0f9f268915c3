import datetime as dt
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from awl.forms import ConfirmForm, MultilineTextField, PlainTextField, SearchForm
from awl.timezones import london_moment
from committees.models import AgendaItem, AgendaSection, Meeting
from committees.services import SCHEDULE_AHEAD
from members.models import Member


class ApologyForm(forms.Form):
    note = forms.CharField(
        label="A note for the secretary (optional)", max_length=300, required=False, strip=True
    )


# Calendar feeds and failed mail (feed_views) ------------------------------------------------------
class CalendarFeedForm(forms.Form):
    """Make a new private feed address, or revoke the current one."""

    action = forms.ChoiceField(choices=[("new", "Make a new address"), ("revoke", "Revoke the address")])


class ResendMessageForm(forms.Form):
    message = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)


# On the day and after (record_views) ----------------------------------------------------------------
def _set_choices(form: forms.Form, name: str, queryset: QuerySet[Any]) -> None:
    cast(forms.ModelChoiceField, form.fields[name]).queryset = queryset


class MeetingChoiceField(forms.ModelChoiceField):
    """A meeting named by its local date and time."""

    def label_from_instance(self, obj: Meeting) -> str:
        return f"{timezone.localtime(obj.starts_at):%A %-d %B %Y, %H:%M}"


class AgendaItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AgendaItem) -> str:
        return obj.title


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return obj.full_name


class AttendanceForm(forms.Form):
    """One present/absent mark; the member must be on the committee on the meeting's date."""

    member = forms.ModelChoiceField(
        queryset=Member.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That person is not a member of the committee."},
    )
    present = forms.TypedChoiceField(
        choices=[("1", "Present"), ("0", "Absent")], coerce=lambda value: value == "1"
    )

    def __init__(self, *args: Any, members: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "member", members)


class MinutesForm(forms.Form):
    text = MultilineTextField(label="Minutes", max_length=100_000, rows=20)


class ApproveMinutesForm(forms.Form):
    at_meeting = MeetingChoiceField(
        queryset=Meeting.objects.none(),
        label="Approved at the meeting of",
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of the committee's later meetings that were held."},
    )

    def __init__(self, *args: Any, meetings: QuerySet[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "at_meeting", meetings)


def _item_field() -> AgendaItemChoiceField:
    return AgendaItemChoiceField(
        queryset=AgendaItem.objects.none(),
        required=False,
        label="Agenda item",
        empty_label="(no particular item)",
        error_messages={"invalid_choice": "Choose an item on this meeting's agenda."},
    )


class DecisionForm(forms.Form):
    item = _item_field()
    text = MultilineTextField(label="Decision", max_length=5000)

    def __init__(self, *args: Any, items: QuerySet[AgendaItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "item", items)


class ActionPointForm(forms.Form):
    text = MultilineTextField(label="Action", max_length=2000, rows=2)
    owner = MemberChoiceField(
        queryset=Member.objects.none(),
        label="Who will do it",
        error_messages={"invalid_choice": "The owner must be a member of the committee."},
    )
    due_on = forms.DateField(
        label="Due by (optional)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    item = _item_field()

    def __init__(
        self, *args: Any, items: QuerySet[AgendaItem], members: QuerySet[Member], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "item", items)
        _set_choices(self, "owner", members)


class NextPageForm(ConfirmForm):
    """A one-button form that goes back where it came from: a path on this site, else the default."""

    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)


class DecisionFilterForm(SearchForm):
    year = forms.TypedChoiceField(choices=[], coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = cast(forms.TypedChoiceField, self.fields["year"])
        year.choices = [("", "Any year"), *((str(y), str(y)) for y in years)]

    def chosen_year(self) -> int | None:
        value = self.value("year")
        return int(value) if value else None


# Meetings, the agenda and papers (meeting_views) ------------------------------------------------
# Dates are held to the services' SCHEDULE_AHEAD; the limit also keeps hostile dates such as
# 9999-12-31 from reaching the time-zone arithmetic.


class MeetingDateField(forms.DateField):
    """A date from today up to three years ahead."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        today = timezone.localdate()
        if value < today:
            raise ValidationError("That date has passed.", code="past")
        if value > today + SCHEDULE_AHEAD:
            raise ValidationError("Choose a date within the next three years.", code="too_far")


def _time_field(label: str) -> forms.TimeField:
    return forms.TimeField(label=label, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class ScheduleMeetingsForm(forms.Form):
    until = MeetingDateField(
        label="Generate meetings up to", help_text="Meetings of the cycle up to this date are created."
    )


class MeetingTimesForm(forms.Form):
    """Date, start and end (London time) and where; ``times()`` gives the aware moments."""

    date = MeetingDateField(label="Date")
    starts = _time_field("Starts at")
    ends = _time_field("Ends at")
    venue = PlainTextField(label="Venue", max_length=200, required=False)
    online_link = forms.URLField(label="Online link", max_length=200, required=False, assume_scheme="https")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, starts, ends = data.get("date"), data.get("starts"), data.get("ends")
        if day is not None and starts is not None and ends is not None:
            for field, time in (("starts", starts), ("ends", ends)):
                try:
                    data[f"{field}_at"] = london_moment(day, time)
                except ValidationError as exc:
                    self.add_error(field, exc)
        return data

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        return self.cleaned_data["starts_at"], self.cleaned_data["ends_at"]

    @staticmethod
    def initial_for(starts_at: dt.datetime, ends_at: dt.datetime, venue: str, link: str) -> dict[str, Any]:
        starts, ends = timezone.localtime(starts_at), timezone.localtime(ends_at)
        return {
            "date": starts.date(),
            "starts": starts.time().replace(second=0, microsecond=0),
            "ends": ends.time().replace(second=0, microsecond=0),
            "venue": venue,
            "online_link": link,
        }


class CallMeetingForm(MeetingTimesForm):
    emergency = forms.BooleanField(
        label="Emergency meeting",
        required=False,
        help_text="Needed to call a meeting with less notice than the committee's rules give.",
    )
    emergency_reason = MultilineTextField(
        label="Why it is an emergency", max_length=500, required=False, rows=2
    )


class MoveMeetingForm(MeetingTimesForm):
    """A new date, time or place for a meeting."""


class CancelMeetingForm(forms.Form):
    reason = MultilineTextField(
        label="Why it is cancelled", max_length=500, rows=2, help_text="It goes in the notice to members."
    )


class AgendaItemForm(forms.Form):
    section = forms.ChoiceField(label="Section", choices=AgendaSection.choices)
    title = PlainTextField(label="Title", max_length=200)
    body = MultilineTextField(label="Text (optional)", max_length=20_000, required=False, rows=6)


class MoveItemForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class PaperForm(forms.Form):
    title = PlainTextField(label="Title", max_length=200)
    file = forms.FileField(
        label="File",
        help_text="PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt, .ods) or plain text (.txt, .csv).",
    )
