from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from committees.models import AgendaItem, Meeting
from members.forms import MultilineTextField, SearchForm
from members.models import Member


class ApologyForm(forms.Form):
    note = forms.CharField(
        label="A note for the secretary (optional)", max_length=300, required=False, strip=True
    )


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


class ConfirmForm(forms.Form):
    """A one-button form: nothing to fill in, and a place to show why the change was refused."""


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
