"""Forms for the members pages: shape checks and normalisation only.

The rules (who may do what, which status may follow which, how much is a
month's dues) live in ``members.services``; these forms make sure the
input is text of a sensible length, dates are plausible and e-mail
addresses are lower-cased before a service sees them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet

from awl.forms import (
    SEARCH_MAX,
    LowercaseEmailField,
    MultilineTextField,
    PastDateField,
    PhoneField,
    PlainTextField,
    SearchForm,
)
from members.models import (
    Branch,
    Channel,
    Contact,
    DuesBand,
    Member,
    MemberStatus,
    PaymentMethod,
    UnionRole,
)

# Free text that is not tied to a model column still has a ceiling.
LONG_TEXT_MAX = 5000


# Consent per channel -------------------------------------------------------------------
CONSENT_FIELDS = {f"consent_{channel.value}": channel for channel in Channel}


class ConsentForm(forms.Form):
    """Yes/no per contact channel; unticked means no."""

    consent_email = forms.BooleanField(required=False, label="You may contact me by e-mail")
    consent_phone = forms.BooleanField(required=False, label="You may contact me by phone")
    consent_sms = forms.BooleanField(required=False, label="You may contact me by text message")
    consent_post = forms.BooleanField(required=False, label="You may contact me by post")

    def consents(self) -> dict[str, bool]:
        return {channel.value: bool(self.cleaned_data.get(name)) for name, channel in CONSENT_FIELDS.items()}

    @staticmethod
    def initial_consents(current: dict[str, bool]) -> dict[str, bool]:
        return {name: current.get(channel.value, False) for name, channel in CONSENT_FIELDS.items()}


# A member's own details ------------------------------------------------------------------
class OwnDetailsFields(forms.Form):
    full_name = PlainTextField(max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    preferred_name = PlainTextField(
        max_length=80, required=False, help_text="What you would like to be called, if not your full name."
    )
    pronouns = PlainTextField(max_length=40, required=False)
    phone = PhoneField()
    workplace = PlainTextField(max_length=150, required=False)
    industry = PlainTextField(max_length=100, required=False)
    trade_union = PlainTextField(max_length=100, required=False)
    union_role = forms.ChoiceField(choices=UnionRole.choices, required=False, label="Role in your union")

    def details(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in OwnDetailsFields.base_fields}


class ApplicationForm(OwnDetailsFields, ConsentForm):
    """Applying to join a branch."""

    branch = forms.ModelChoiceField(queryset=Branch.objects.all(), empty_label="Choose your branch")
    dues_band = forms.ChoiceField(
        choices=DuesBand.choices,
        initial=DuesBand.WAGED,
        help_text="Choose the band that fits your income; you can ask your branch treasurer to change it.",
    )
    statement = MultilineTextField(
        max_length=LONG_TEXT_MAX,
        required=False,
        label="Why do you want to join?",
        help_text="Optional. Your branch organiser reads this.",
    )
    agrees_with_aims = forms.BooleanField(
        required=True,
        label="I agree with the aims of the organisation",
        error_messages={"required": "To join you must agree with the aims of the organisation."},
    )

    field_order = [
        "branch",
        *OwnDetailsFields.base_fields,
        "dues_band",
        "statement",
        "agrees_with_aims",
        *CONSENT_FIELDS,
    ]

    def application(self) -> dict[str, Any]:
        """Keyword arguments for ``services.apply_for_membership``."""
        return {
            **self.details(),
            "branch": self.cleaned_data["branch"],
            "dues_band": self.cleaned_data["dues_band"],
            "statement": self.cleaned_data["statement"],
            "agrees_with_aims": self.cleaned_data["agrees_with_aims"],
            "consents": self.consents(),
        }


class MyDetailsForm(OwnDetailsFields, ConsentForm):
    """A member editing what they may change about themselves."""

    @classmethod
    def initial_for(cls, member: Member, current_consents: dict[str, bool]) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(member, name) for name in OwnDetailsFields.base_fields}
        initial.update(ConsentForm.initial_consents(current_consents))
        return initial


class ResignForm(forms.Form):
    reason = MultilineTextField(
        max_length=500,
        rows=3,
        label="Why are you resigning?",
        help_text="Kept in your membership history. You can rejoin later by applying again.",
    )
    confirm = forms.BooleanField(
        required=True,
        label="I want to resign my membership",
        error_messages={"required": "Tick the box to confirm that you want to resign."},
    )


# Applications --------------------------------------------------------------------------------
class DeclineForm(forms.Form):
    reason = MultilineTextField(
        max_length=LONG_TEXT_MAX,
        rows=3,
        label="Reason for declining",
        help_text="Sent to the applicant.",
        error_messages={"required": "Give the applicant a reason for declining."},
    )


# Officers' actions on a member --------------------------------------------------------------
class PaymentForm(forms.Form):
    paid_on = PastDateField(label="Paid on")
    amount = forms.DecimalField(
        label="Amount (£)",
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("99999.99"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    method = forms.ChoiceField(choices=PaymentMethod.choices)
    note = PlainTextField(max_length=200, required=False)


STATUS_CHANGE_CHOICES = [
    (MemberStatus.MEMBER.value, "Member (reinstate)"),
    (MemberStatus.LAPSED.value, MemberStatus.LAPSED.label),
    (MemberStatus.RESIGNED.value, MemberStatus.RESIGNED.label),
    (MemberStatus.SUSPENDED.value, MemberStatus.SUSPENDED.label),
]


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_CHANGE_CHOICES, label="New status")
    reason = MultilineTextField(max_length=500, rows=3, help_text="Kept in the member's history.")
    effective_on = PastDateField(required=False, label="Takes effect on", help_text="Leave empty for today.")


class EraseForm(forms.Form):
    reason = MultilineTextField(
        max_length=500,
        rows=3,
        label="Why is this data being erased?",
        help_text="For example: erasure request received on 3 May. Kept in the audit trail.",
    )
    confirm = forms.BooleanField(
        required=True,
        label="I understand that this cannot be undone",
        error_messages={"required": "Tick the box to confirm the erasure."},
    )


# Contacts -------------------------------------------------------------------------------------
class ContactEditForm(forms.Form):
    """A sympathiser's or friend's details."""

    full_name = PlainTextField(max_length=150)
    email = LowercaseEmailField(max_length=254, required=False, label="E-mail")
    phone = PhoneField()
    city = PlainTextField(max_length=100, required=False)
    branch = forms.ModelChoiceField(queryset=Branch.objects.none(), required=False)
    how_met = PlainTextField(max_length=200, required=False, label="How they met us")
    notes = MultilineTextField(max_length=LONG_TEXT_MAX, required=False)

    def __init__(self, *args: Any, branches: QuerySet[Branch], branch_required: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        branch_field = cast(forms.ModelChoiceField, self.fields["branch"])
        branch_field.queryset = branches
        branch_field.required = branch_required

    @classmethod
    def initial_for(cls, contact: Contact) -> dict[str, Any]:
        return {name: getattr(contact, name) for name in ContactEditForm.base_fields}

    def details(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ContactEditForm.base_fields}


class ContactForm(ContactEditForm, ConsentForm):
    """Recording a new contact, with the consent they gave."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, channel in CONSENT_FIELDS.items():
            self.fields[name].label = f"They agreed to be contacted by {channel.label.lower()}"


class ContactConsentsForm(ConsentForm):
    """An officer recording the consent a contact gave or withdrew, and how they told us."""

    source = PlainTextField(
        max_length=100,
        label="How did they tell us?",
        help_text="For example: told us by phone, signed a form at the stall.",
        error_messages={"required": "Say how the contact told us."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, channel in CONSENT_FIELDS.items():
            self.fields[name].label = f"They agree to be contacted by {channel.label.lower()}"


# Filters (GET): anything invalid is ignored, never an error page --------------------------------
class BranchMemberFilterForm(SearchForm):
    status = forms.ChoiceField(choices=[("", "Any status"), *MemberStatus.choices], required=False)
    standing = forms.ChoiceField(
        choices=[("", "Any standing"), ("good", "In good standing"), ("not_good", "Not in good standing")],
        required=False,
    )


class AuditFilterForm(SearchForm):
    """The audit trail's filters (GET): about whom, by whom, what and when. An invalid one is ignored and
    shown with its error; ``q`` is the person (a member or contact, by name or e-mail address)."""

    q = PlainTextField(max_length=SEARCH_MAX, required=False, label="About (name or e-mail)")
    officer = PlainTextField(max_length=SEARCH_MAX, required=False, label="By (officer's e-mail)")
    action = PlainTextField(
        max_length=64,
        required=False,
        validators=[RegexValidator(r"^[a-z_.]+$", "An action looks like member.viewed.")],
        help_text="An action, such as member.viewed, or the start of one, such as admin.",
        widget=forms.TextInput(attrs={"list": "audit-actions"}),
    )
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def criteria(self) -> dict[str, Any]:
        """The valid filters, as ``members.selectors.audit_trail`` takes them."""
        self.value("q")  # validates a bound form
        data = self.cleaned_data if self.is_bound else {}
        return {
            "person": data.get("q") or "",
            "officer": data.get("officer") or "",
            "action": data.get("action") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }

    @staticmethod
    def actions() -> list[str]:
        """The actions the trail holds, to pick from (one query)."""
        from awl.models import AuditEntry

        return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())
