"""Day-school forms: they check the shape of what is typed; the rules live in dayschools.services.

Each part of the app adds its forms in its own section below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.utils import timezone

from awl.forms import (
    LondonDateTimeField,
    LowercaseEmailField,
    MultilineTextField,
    PhoneField,
    PlainTextField,
    SearchForm,
)
from awl.timezones import london_moment
from dayschools.models import Booking, City, HowHeard, Workshop

# Organisers (organiser_views) -------------------------------------------------------------------
# Events are dated from a few years back (for putting right an old one) to three years ahead; the
# bounds also keep hostile dates such as 9999-12-31 from reaching the time-zone arithmetic.
DATES_BACK = dt.timedelta(days=5 * 366)
DATES_AHEAD = dt.timedelta(days=3 * 366)


def _check_in_range(day: dt.date) -> None:
    today = timezone.localdate()
    if day < today - DATES_BACK or day > today + DATES_AHEAD:
        raise ValidationError("Choose a date within the next three years.", code="out_of_range")


class EventDateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            _check_in_range(value)


def _time_field(label: str) -> forms.TimeField:
    return forms.TimeField(label=label, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


def _local_parts(moment: dt.datetime) -> tuple[dt.date, dt.time]:
    local = timezone.localtime(moment)
    return local.date(), local.time().replace(second=0, microsecond=0)


def _capacity_field(label: str = "Places") -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=10_000)


class SeriesForm(forms.Form):
    title = PlainTextField(label="Title", max_length=200)
    season = PlainTextField(label="Season", max_length=40, help_text="For example “Autumn 2026”.")
    description = MultilineTextField(label="Description (optional)", max_length=5000, required=False)


class SchoolForm(forms.Form):
    number = forms.IntegerField(label="Number in the series", min_value=1, max_value=99)
    title = PlainTextField(label="Title", max_length=200)
    description = MultilineTextField(label="Description", max_length=10_000, required=False, rows=5)
    reading_list = MultilineTextField(label="Reading list", max_length=10_000, required=False, rows=5)


class OrganiserChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        from dayschools.selectors import person_label

        return person_label(obj)


class EventForm(forms.Form):
    """An event's details; ``times()`` gives the aware start and end, ``organisers()`` the people chosen."""

    city = forms.ModelChoiceField(
        queryset=City.objects.none(),
        label="City",
        empty_label=None,
        error_messages={"invalid_choice": "Choose a city where this school is not yet being held."},
    )
    venue = PlainTextField(label="Venue", max_length=200)
    address = MultilineTextField(label="Address", max_length=1000, required=False, rows=3)
    accessibility = MultilineTextField(
        label="Accessibility",
        max_length=2000,
        required=False,
        rows=3,
        help_text="Step-free access, hearing loop, toilets, quiet room, ...",
    )
    date = EventDateField(label="Date")
    starts = _time_field("Starts at (London time)")
    ends = _time_field("Ends at (London time)")
    capacity = _capacity_field()
    booking_opens_at = LondonDateTimeField(label="Booking opens (London time)", check_date=_check_in_range)
    booking_closes_at = LondonDateTimeField(label="Booking closes (London time)", check_date=_check_in_range)
    organisers = OrganiserChoiceField(
        queryset=get_user_model().objects.none(),
        label="Organisers",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They see the bookings and run the door list. Day-school organisers always can.",
        error_messages={"invalid_choice": "Choose organisers from the list."},
    )
    organiser_emails = PlainTextField(
        label="Other organisers, by e-mail address (optional)",
        max_length=1000,
        required=False,
        help_text="Separate addresses with commas. Each must belong to an account on this site.",
    )

    def __init__(
        self,
        *args: Any,
        cities: QuerySet[City] | None,
        organiser_choices: QuerySet[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if cities is None:
            del self.fields["city"]
        else:
            cast(forms.ModelChoiceField, self.fields["city"]).queryset = cities
        cast(forms.ModelMultipleChoiceField, self.fields["organisers"]).queryset = organiser_choices

    def clean_organiser_emails(self) -> list[Any]:
        text = self.cleaned_data.get("organiser_emails") or ""
        addresses = [part.strip().lower() for part in text.replace(";", ",").split(",") if part.strip()]
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(f"“{address}” is not an e-mail address.", code="invalid") from None
        users = {
            user.email.lower(): user
            for user in get_user_model().objects.filter(email__in=addresses, is_active=True)
        }
        unknown = [address for address in addresses if address not in users]
        if unknown:
            raise ValidationError(
                f"No account has the e-mail address {', '.join(unknown)}; "
                "they need to sign up before they can organise.",
                code="unknown",
            )
        return list(users.values())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, starts, ends = data.get("date"), data.get("starts"), data.get("ends")
        if day is not None and starts is not None and ends is not None:
            for name, time in (("starts", starts), ("ends", ends)):
                try:
                    data[f"{name}_at"] = london_moment(day, time)
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        return self.cleaned_data["starts_at"], self.cleaned_data["ends_at"]

    def chosen_organisers(self) -> list[Any]:
        chosen = {user.pk: user for user in self.cleaned_data.get("organisers") or []}
        for user in self.cleaned_data.get("organiser_emails") or []:
            chosen.setdefault(user.pk, user)
        return list(chosen.values())

    @staticmethod
    def initial_for(event: Any, choices: QuerySet[Any]) -> dict[str, Any]:
        day, starts = _local_parts(event.starts_at)
        _, ends = _local_parts(event.ends_at)
        organisers = list(event.organisers.all())
        listed = set(choices.filter(pk__in=[u.pk for u in organisers]).values_list("pk", flat=True))
        return {
            "venue": event.venue,
            "address": event.address,
            "accessibility": event.accessibility,
            "date": day,
            "starts": starts,
            "ends": ends,
            "capacity": event.capacity,
            "booking_opens_at": timezone.localtime(event.booking_opens_at).replace(second=0, microsecond=0),
            "booking_closes_at": timezone.localtime(event.booking_closes_at).replace(second=0, microsecond=0),
            "organisers": sorted(listed),
            "organiser_emails": ", ".join(u.email for u in organisers if u.pk not in listed),
        }


class CopyEventForm(forms.Form):
    """One row per city the school is not yet held in: tick it, give the date, time and venue there."""

    def __init__(self, *args: Any, cities: list[City], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cities = cities
        for city in cities:
            self.fields[f"copy_{city.pk}"] = forms.BooleanField(label=f"Copy to {city.name}", required=False)
            self.fields[f"date_{city.pk}"] = EventDateField(label=f"Date in {city.name}", required=False)
            self.fields[f"starts_{city.pk}"] = forms.TimeField(
                label=f"Starts at in {city.name} (London time)",
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"venue_{city.pk}"] = PlainTextField(
                label=f"Venue in {city.name}", max_length=200, required=False
            )
            self.fields[f"address_{city.pk}"] = MultilineTextField(
                label=f"Address in {city.name}", max_length=1000, required=False, rows=2
            )
            self.fields[f"capacity_{city.pk}"] = forms.IntegerField(
                label=f"Places in {city.name}", min_value=1, max_value=10_000, required=False
            )

    def rows(self) -> list[tuple[City, list[forms.BoundField]]]:
        names = ("copy", "date", "starts", "venue", "address", "capacity")
        return [(city, [self[f"{name}_{city.pk}"] for name in names]) for city in self.cities]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        copies = []
        for city in self.cities:
            if not data.get(f"copy_{city.pk}"):
                continue
            day, starts, venue = (data.get(f"{name}_{city.pk}") for name in ("date", "starts", "venue"))
            for name, value, what in (
                ("date", day, "date"),
                ("starts", starts, "start time"),
                ("venue", venue, "venue"),
            ):
                if not value and f"{name}_{city.pk}" not in self.errors:
                    self.add_error(f"{name}_{city.pk}", f"Give the {what} in {city.name}, or untick it.")
            if day and starts and venue:
                try:
                    starts_at = london_moment(day, starts)
                except ValidationError as exc:
                    self.add_error(f"starts_{city.pk}", exc)
                    continue
                copies.append(
                    {
                        "city": city,
                        "starts_at": starts_at,
                        "venue": venue,
                        "address": data.get(f"address_{city.pk}") or "",
                        "capacity": data.get(f"capacity_{city.pk}"),
                    }
                )
        if not copies and not self.errors:
            raise ValidationError("Tick at least one city to copy the event to.", code="none")
        data["copies"] = copies
        return data


class WorkshopForm(forms.Form):
    """A workshop on the event's day; ``times(day)`` gives the aware start and end."""

    title = PlainTextField(label="Title", max_length=200)
    leader = PlainTextField(label="Led by (optional)", max_length=200, required=False)
    room = PlainTextField(label="Room (optional)", max_length=100, required=False)
    starts = _time_field("Starts at (London time)")
    ends = _time_field("Ends at (London time)")
    capacity = _capacity_field()

    def __init__(self, *args: Any, day: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.day = day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("starts", "ends"):
            if data.get(name) is not None:
                try:
                    data[f"{name}_at"] = london_moment(self.day, data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        keys = ("title", "leader", "room", "starts_at", "ends_at", "capacity")
        return {key: data[key] for key in keys}

    @staticmethod
    def initial_for(workshop: Any) -> dict[str, Any]:
        return {
            "title": workshop.title,
            "leader": workshop.leader,
            "room": workshop.room,
            "starts": _local_parts(workshop.starts_at)[1],
            "ends": _local_parts(workshop.ends_at)[1],
            "capacity": workshop.capacity,
        }


class DoorSearchForm(SearchForm):
    q = PlainTextField(max_length=100, required=False, label="Name or booking code")


class DoorMarkForm(forms.Form):
    """Check one person in, or undo it; the booking must be one of this event's."""

    booking = forms.ModelChoiceField(
        queryset=Booking.objects.none(),
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That booking is not for this event."},
    )
    action = forms.ChoiceField(choices=[("check_in", "Check in"), ("undo", "Undo")])

    def __init__(self, *args: Any, bookings: QuerySet[Booking], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["booking"]).queryset = bookings


class WalkInForm(forms.Form):
    name = PlainTextField(label="Name", max_length=200)
    email = LowercaseEmailField(label="E-mail address (optional)", max_length=254, required=False)


# Public booking (public_views) ----------------------------------------------------------------------
HONEYPOT = "website"  # a field people never see; only a bot fills it in
NO_WORKSHOP = ""


class SlotRadioSelect(forms.RadioSelect):
    """Radio buttons for one time slot that read every value posted under their name.

    A browser sends one; a hand-made post may send two workshops that run at
    the same time, and those reach the booking rules, which refuse them with a
    message, rather than one of them quietly winning.
    """

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getlist = getattr(data, "getlist", None)
        return getlist(name) if getlist is not None else data.get(name)


def _workshop_label(workshop: Workshop) -> str:
    leader = f", with {workshop.leader}" if workshop.leader else ""
    left = workshop.capacity - workshop.confirmed
    places = "full" if left <= 0 else f"{left} place{'s' if left != 1 else ''} left"
    return f"{workshop.title}{leader} ({places})"


class WorkshopChoiceForm(forms.Form):
    """One choice per time slot of the event's timetable: a workshop, or none."""

    def __init__(self, *args: Any, slots: list[list[Workshop]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._workshops = {str(w.pk): w for slot in slots for w in slot}
        self.slot_names: list[str] = []
        for number, slot in enumerate(slots, start=1):
            starts = timezone.localtime(min(w.starts_at for w in slot))
            ends = timezone.localtime(max(w.ends_at for w in slot))
            name = f"workshop_{number}"
            self.fields[name] = forms.MultipleChoiceField(
                label=f"Workshop from {starts:%H:%M} to {ends:%H:%M}",
                choices=[
                    *((str(w.pk), _workshop_label(w)) for w in slot),
                    (NO_WORKSHOP, "No workshop at this time"),
                ],
                required=False,
                initial=[NO_WORKSHOP],
                widget=SlotRadioSelect,
                error_messages={"invalid_choice": "That workshop is not part of this event."},
            )
            self.slot_names.append(name)

    def chosen_workshops(self) -> list[Workshop]:
        return [
            self._workshops[value]
            for name in self.slot_names
            for value in self.cleaned_data.get(name) or []
            if value != NO_WORKSHOP
        ]


class MemberBookingForm(WorkshopChoiceForm):
    """A member's one-click booking: their details come from their record; workshops if there is a choice."""


class GuestBookingForm(WorkshopChoiceForm):
    """Anyone's booking from the public page."""

    name = PlainTextField(
        label="Your name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = LowercaseEmailField(
        label="Your e-mail address",
        max_length=254,
        help_text="We send your confirmation, your booking code and a link to cancel here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = PhoneField(label="Your phone number (optional)")
    how_heard = forms.ChoiceField(
        label="How did you hear about the day school?", choices=[("", "Choose one"), *HowHeard.choices]
    )
    consent_to_contact = forms.BooleanField(
        label="You may contact me about future day schools and the AWL's work", required=False
    )
    website = forms.CharField(
        label="Leave this empty: it is here to catch automated spam",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["name", "email", "phone", "how_heard", *self.slot_names, "consent_to_contact"])

    def booking_details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "email": data["email"],
            "phone": data["phone"],
            "how_heard": data["how_heard"],
            "consent_to_contact": bool(data["consent_to_contact"]),
            "workshops": self.chosen_workshops(),
        }


class CancelBookingForm(forms.Form):
    """The one button that cancels a booking from its link."""


# Reports and follow-ups (report_views) ----------------------------------------------------------
class FollowUpForm(forms.Form):
    """A branch organiser records that they followed someone up (a call, an e-mail, a coffee)."""

    note = MultilineTextField(
        label="What happened (optional)",
        max_length=500,
        required=False,
        rows=3,
        help_text="For example: 'Rang her; coming to the branch meeting on Tuesday.' At most 500 characters.",
    )


class FollowUpCityForm(forms.Form):
    """Narrow the follow-up list to one of the cities the organiser may see."""

    city = forms.ChoiceField(label="City", required=False)

    def __init__(self, *args: Any, cities: list[City], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cities = cities
        all_label = "All my cities" if len(cities) > 1 else cities[0].name if cities else "No city"
        choices = [("", all_label), *((city.slug, city.name) for city in cities)]
        cast(forms.ChoiceField, self.fields["city"]).choices = choices

    def chosen(self) -> list[City]:
        """The chosen city, or all of them when none (or one not offered) was chosen."""
        slug = self.cleaned_data.get("city") if self.is_bound and self.is_valid() else ""
        return [city for city in self.cities if city.slug == slug] or self.cities

    def slug(self) -> str:
        return str(self.cleaned_data.get("city") or "") if self.is_bound and self.is_valid() else ""
