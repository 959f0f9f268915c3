"""Registration's forms: they check the shape of what is typed; the rules live in
conference.registration.services.

Each part of the app adds its forms in its own section below.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from awl.forms import (
    LondonDateTimeField,
    LowercaseEmailField,
    MultilineTextField,
    PastDateField,
    PlainTextField,
    SearchForm,
)
from conference.models import (
    Attendee,
    Band,
    Conference,
    Duty,
    FeeBand,
    Registration,
    Rounding,
    VotingBasis,
)
from members.models import Member


# The check-in desk and the CAC's pages (views/desk.py, views/reports.py) ------------------------------------
class DeskSearchForm(SearchForm):
    q = PlainTextField(max_length=100, required=False, label="Name or credential code")


class DeskActionForm(forms.Form):
    """What the desk does for one person: check them in, issue their credential, or both at once."""

    action = forms.ChoiceField(
        choices=[
            ("check_in", "Check in"),
            ("credential", "Issue the credential"),
            ("check_in_credential", "Check in and issue the credential"),
        ]
    )


class MatchForm(forms.Form):
    """A guest who needs a bed, and a host with a bed free (the service checks both again)."""

    guest = forms.TypedChoiceField(coerce=int, label="Guest needing a bed")
    host = forms.TypedChoiceField(coerce=int, label="Host with a bed free")

    def __init__(
        self,
        *args: Any,
        guests: list[tuple[int, str]],
        hosts: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guest"].choices = guests  # type: ignore[attr-defined]
        self.fields["host"].choices = hosts  # type: ignore[attr-defined]


class DutyForm(forms.Form):
    user = forms.TypedChoiceField(coerce=int, label="CAC member")
    duty = forms.ChoiceField(choices=Duty.choices, label="Duty")

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = members  # type: ignore[attr-defined]


# Members' pages, setup, entitlement and payments (views) ----------------------------------------
# The needs a member may give; any of them given means the organising team must be allowed to see them.
NEEDS_GIVEN = ("access_needs", "dietary_needs", "children", "needs_bed", "offers_beds")
CONSENT_HELP = (
    "Only the members of the conference arrangements committee who arrange access, food, the crèche "
    "or beds see what you write above, each only the part they arrange. If you give any needs, tick "
    "this box: we cannot arrange what we may not share. You can withdraw it by changing your "
    "registration."
)


class BandChoiceField(forms.ChoiceField):
    """The conference's fee bands, each with its amount."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.RadioSelect)
        kwargs.setdefault("label", "Fee band")
        kwargs.setdefault(
            "help_text",
            "Choose the band that fits your income. "
            "The solidarity fee helps pay for those on the lower bands.",
        )
        kwargs.setdefault("error_messages", {"invalid_choice": "Choose one of the conference's fee bands."})
        super().__init__(**kwargs)


def band_choices(conference: Conference, bands: list[FeeBand]) -> list[tuple[str, str]]:
    choices = []
    for band in bands:
        free = band.band == Band.UNWAGED and conference.unwaged_free
        choices.append((band.band, f"{band.get_band_display()}: {'free' if free else f'£{band.amount}'}"))
    return choices


class RegistrationForm(forms.Form):
    """Registering, or changing a registration: the fee band and the needs the organisers arrange for."""

    fee_band = BandChoiceField()
    access_needs = MultilineTextField(
        label="Access needs (optional)",
        max_length=2000,
        rows=3,
        required=False,
        help_text="For example step-free access, a hearing loop, seating near the front, BSL interpretation.",
    )
    dietary_needs = MultilineTextField(
        label="Dietary needs (optional)",
        max_length=1000,
        rows=2,
        required=False,
        help_text="Allergies and what you do not eat. The lunches are vegetarian.",
    )
    children = forms.IntegerField(
        label="Children coming to the crèche",
        min_value=0,
        max_value=10,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    children_ages = PlainTextField(
        label="Their ages",
        max_length=100,
        required=False,
        help_text="Needed if children are coming, for example: 3 and 6.",
    )
    needs_bed = forms.BooleanField(label="I need a bed (a comrade hosts you)", required=False)
    offers_beds = forms.IntegerField(
        label="Beds I can offer to comrades",
        min_value=0,
        max_value=10,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    first_conference = forms.BooleanField(label="This is my first conference", required=False)
    consent_share_needs = forms.BooleanField(
        label="I agree to share these needs with the organising team",
        required=False,
        help_text=CONSENT_HELP,
    )

    def __init__(self, *args: Any, conference: Conference, bands: list[FeeBand], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        band = cast(BandChoiceField, self.fields["fee_band"])
        band.choices = band_choices(conference, bands)
        self.fields["needs_bed"].label = f"I need a bed in {conference.city} (a comrade hosts you)"
        self.fields["offers_beds"].label = f"Beds I can offer to comrades in {conference.city}"

    @staticmethod
    def initial_for(registration: Registration) -> dict[str, Any]:
        return {name: getattr(registration, name) for name in RegistrationForm.base_fields}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        children = cleaned.get("children") or 0
        if children and not cleaned.get("children_ages"):
            self.add_error("children_ages", "Give the ages of the children coming to the crèche.")
        if not children:
            cleaned["children_ages"] = ""
        if cleaned.get("needs_bed") and cleaned.get("offers_beds"):
            self.add_error(
                "offers_beds", "You asked for a bed yourself; offer beds or ask for one, not both."
            )
        if any(cleaned.get(name) for name in NEEDS_GIVEN) and not cleaned.get("consent_share_needs"):
            self.add_error(
                "consent_share_needs",
                "Tick this box so the organising team may see your needs, or leave the needs empty.",
            )
        return cleaned

    def needs(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.base_fields if name != "fee_band"}


# The setup pages: dates are within a few years either side of today, which also keeps hostile
# dates such as 9999-12-31 away from the time-zone arithmetic.
YEARS_BACK = 2
YEARS_AHEAD = 5


def check_conference_date(day: dt.date) -> None:
    """Refuse a date outside the years a conference's dates may fall in."""
    today = timezone.localdate()
    if not (today.year - YEARS_BACK <= day.year <= today.year + YEARS_AHEAD):
        raise ValidationError(
            f"Choose a date between {today.year - YEARS_BACK} and {today.year + YEARS_AHEAD}.", code="range"
        )


class ConferenceDateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            check_conference_date(value)


def _amount_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=f"{label} (£)",
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("9999.99"),
        max_digits=6,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text="Leave empty if the band is not offered.",
    )


BAND_FIELDS = {f"fee_{band.value}": band for band in Band}


class ConferenceForm(forms.Form):
    """A conference's details, fee bands, capacity and voting basis (the year only when creating it)."""

    year = forms.IntegerField(
        min_value=2000, max_value=2100, help_text="The conference's address on this site is its year."
    )
    title = PlainTextField(max_length=200)
    starts_on = ConferenceDateField(label="First day")
    ends_on = ConferenceDateField(label="Last day")
    venue = PlainTextField(max_length=200)
    address = MultilineTextField(max_length=1000, rows=2, required=False)
    city = PlainTextField(max_length=100)
    registration_opens_at = LondonDateTimeField(
        label="Registration opens (London time)", check_date=check_conference_date
    )
    registration_closes_at = LondonDateTimeField(
        label="Registration closes (London time)", check_date=check_conference_date
    )
    eligibility_cutoff = ConferenceDateField(
        label="Eligibility cut-off date",
        help_text="Members in good standing on this date are entitled to vote (or count towards delegates).",
    )
    fee_waged = _amount_field("Waged")
    fee_low_waged = _amount_field("Low-waged")
    fee_unwaged = _amount_field("Unwaged")
    fee_solidarity = _amount_field("Solidarity")
    unwaged_free = forms.BooleanField(label="The unwaged band pays nothing", required=False)
    capacity = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text="Leave empty for no limit. It cannot go below the number already registered.",
    )
    voting_basis = forms.ChoiceField(choices=VotingBasis.choices)
    delegate_base = forms.IntegerField(
        label="Delegates: base per branch",
        min_value=0,
        max_value=50,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text="With delegates: each branch with members in good standing sends this many…",
    )
    delegate_per_members = forms.IntegerField(
        label="Delegates: one more per this many members",
        min_value=1,
        max_value=10_000,
        initial=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text="…plus one for every this many members in good standing on the cut-off date…",
    )
    delegate_rounding = forms.ChoiceField(
        label="Delegates: rounding", choices=Rounding.choices, help_text="…rounded as chosen here."
    )

    def __init__(self, *args: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["year"]

    @staticmethod
    def initial_for(conference: Conference, bands: list[FeeBand]) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(conference, name)
            for name in ConferenceForm.base_fields
            if name not in BAND_FIELDS and hasattr(conference, name)
        }
        for name in ("registration_opens_at", "registration_closes_at"):
            initial[name] = timezone.localtime(initial[name])
        amounts = {band.band: band.amount for band in bands}
        initial.update({name: amounts.get(band) for name, band in BAND_FIELDS.items()})
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        opens, closes = cleaned.get("registration_opens_at"), cleaned.get("registration_closes_at")
        cutoff = cleaned.get("eligibility_cutoff")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The last day cannot be before the first.")
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_at", "Registration must close after it opens.")
        if closes and ends and timezone.localtime(closes).date() > ends:
            self.add_error("registration_closes_at", "Registration must close by the end of the conference.")
        if cutoff and starts and cutoff > starts:
            self.add_error("eligibility_cutoff", "The cut-off must fall on or before the first day.")
        if not any(cleaned.get(name) is not None for name in BAND_FIELDS) and not any(
            name in self.errors for name in BAND_FIELDS
        ):
            self.add_error("fee_waged", "Offer at least one fee band.")
        return cleaned

    def fee_bands(self) -> dict[str, Decimal | None]:
        return {band.value: self.cleaned_data[name] for name, band in BAND_FIELDS.items()}

    def details(self) -> dict[str, Any]:
        skip = {"year", "capacity", *BAND_FIELDS}
        return {name: value for name, value in self.cleaned_data.items() if name not in skip}


class ExceptionForm(forms.Form):
    email = LowercaseEmailField(
        label="The member's e-mail address", max_length=254, help_text="The address they log in with."
    )
    reason = MultilineTextField(
        label="Reason for the exception",
        max_length=500,
        rows=3,
        help_text="Kept with the exception and shown to anyone who asks why this member may vote.",
        error_messages={"required": "Record the reason for the exception."},
    )


class InviteForm(forms.Form):
    name = PlainTextField(max_length=200)
    email = LowercaseEmailField(label="E-mail", max_length=254)
    attendee = forms.ChoiceField(
        label="Invited as",
        choices=[
            (Attendee.OBSERVER.value, Attendee.OBSERVER.label),
            (Attendee.GUEST.value, Attendee.GUEST.label),
        ],
    )


class EntitlementFilterForm(SearchForm):
    entitled = forms.ChoiceField(
        label="Entitled",
        choices=[("", "Everyone"), ("yes", "Entitled"), ("no", "Not entitled")],
        required=False,
    )
    branch = forms.TypedChoiceField(choices=[], coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, branches: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        branch = cast(forms.TypedChoiceField, self.fields["branch"])
        branch.choices = [("", "Every branch"), *((str(pk), name) for pk, name in branches)]

    def entitled_value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.value("entitled"))

    def branch_value(self) -> int | None:
        value = self.value("branch")
        return int(value) if value else None


class RegistrationPaymentForm(forms.Form):
    paid_on = PastDateField(label="Paid on")
    amount = forms.DecimalField(
        label="Amount (£)",
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("-9999.99"),
        max_value=Decimal("9999.99"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text="A refund or correction is a negative amount.",
    )
    method = PlainTextField(
        max_length=40, required=False, help_text="For example: cash at the branch meeting, bank transfer."
    )

    def clean_amount(self) -> Decimal:
        amount = cast(Decimal, self.cleaned_data["amount"])
        if amount == 0:
            raise ValidationError("A payment needs an amount.")
        return amount


class DelegateForm(forms.Form):
    """Choose one of the branch's members who may be its delegate (the view passes who they are)."""

    member = forms.ModelChoiceField(
        label="Delegate",
        queryset=Member.objects.none(),
        empty_label="Choose a member",
        help_text="Members of the branch in good standing on the cut-off date, not chosen already.",
        error_messages={
            "required": "Choose the member to record as a delegate.",
            "invalid_choice": "Choose one of the members listed: that one cannot be this branch's delegate.",
        },
    )

    def __init__(self, *args: Any, candidates: QuerySet[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["member"]).queryset = candidates
