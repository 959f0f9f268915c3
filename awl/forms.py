"""Form fields and forms every app uses: shape checks and normalisation only.

Text is trimmed and free of control characters, e-mail addresses are
lower-cased, dates are plausible, and a date and time typed in London time
becomes one aware moment by the rule in ``awl.timezones`` (a time in the
repeated hour in October takes its first, summer-time reading; a time the
clocks skip in March is refused, by name). The rules of each app (who may do
what, and when) live in its services, not here.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from awl.timezones import london_datetime

# Anything before this is a typing slip, not a date someone means.
EARLIEST_DATE = dt.date(1900, 1, 1)
SEARCH_MAX = 100

_LINE_BREAKS = {"\n", "\r", "\t"}
# Control and format characters (including right-to-left overrides that
# disguise text) and lone surrogates; the zero-width joiners that emoji and
# some scripts need are allowed.
_CONTROL_CATEGORIES = {"Cc", "Cf", "Cs"}
_JOINERS = {"\u200c", "\u200d"}


def _reject_control_characters(value: str, *, multiline: bool) -> None:
    allowed = _LINE_BREAKS if multiline else set()
    for char in value:
        if char in allowed:
            continue
        if char == "\x00":
            raise ValidationError("This text contains a null character; please retype it.", code="null")
        if unicodedata.category(char) in _CONTROL_CATEGORIES and char not in _JOINERS:
            raise ValidationError(
                "This text contains an invisible control character; please retype it.", code="control"
            )


# Text ------------------------------------------------------------------------------------------
class PlainTextField(forms.CharField):
    """One line of text: trimmed, with no control characters."""

    multiline = False

    def validate(self, value: Any) -> None:
        # Runs before the length and other validators, so the person is told
        # about the stray character rather than only that the text is too long.
        super().validate(value)
        if value:
            _reject_control_characters(value, multiline=self.multiline)


class MultilineTextField(PlainTextField):
    """A paragraph: trimmed, line breaks allowed, no other control characters."""

    multiline = True

    def __init__(self, *, rows: int = 4, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(**kwargs)


class LowercaseEmailField(forms.EmailField):
    """An e-mail address, trimmed and lower-cased."""

    def to_python(self, value: Any) -> str:
        return (super().to_python(value) or "").lower()


PHONE_VALIDATOR = RegexValidator(
    r"^\+?[0-9 ()\-]{6,32}$",
    "Enter a phone number using digits, spaces, brackets and dashes, optionally starting with +.",
)


class PhoneField(PlainTextField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("required", False)
        kwargs.setdefault("validators", [PHONE_VALIDATOR])
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
        super().__init__(**kwargs)


# Dates and times -------------------------------------------------------------------------------
class PastDateField(forms.DateField):
    """A date no earlier than 1900 and no later than today."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        if value < EARLIEST_DATE:
            raise ValidationError("That date is too far in the past.", code="too_early")
        if value > timezone.localdate():
            raise ValidationError("That date is in the future.", code="future")


class LondonDateTimeField(forms.DateTimeField):
    """A date and time as London reads it, by the one rule in ``awl.timezones``.

    A time in the hour the clocks repeat in October takes its first (summer-time)
    reading; a time in the hour they skip in March is refused with an error that
    names it. ``check_date``, when given, is called with the London date and
    raises ``ValidationError`` for a date out of the form's range.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, *, check_date: Callable[[dt.date], None] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check_date = check_date

    def to_python(self, value: Any) -> dt.datetime | None:
        # DateTimeField.to_python, with the rule above instead of Django's refusal of both
        # a repeated and a skipped time ("it may be ambiguous or it may not exist").
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            local = value
        elif isinstance(value, dt.date):
            local = dt.datetime(value.year, value.month, value.day)
        else:
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
            # Else the formats in input_formats (BaseTemporalField.to_python, which raises if none
            # fits), as Django does.
            local = parsed or cast(dt.datetime, super(forms.DateTimeField, self).to_python(value))
        try:
            return london_datetime(local)
        except OverflowError:  # a date at the very end of the calendar, out of any form's range
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None and self.check_date is not None:
            self.check_date(timezone.localtime(value).date())


# Forms -----------------------------------------------------------------------------------------
class ConfirmForm(forms.Form):
    """A one-button form: nothing to fill in, and a place to show why the change was refused."""


# Filters (GET): anything invalid is ignored, never an error page ---------------------------------
class SearchForm(forms.Form):
    q = PlainTextField(max_length=SEARCH_MAX, required=False, label="Search")

    def value(self, name: str) -> str:
        """The cleaned value of a filter, or "" when it was missing or invalid."""
        if not self.is_bound:
            return ""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return str(self.cleaned_data.get(name) or "")

    def filters(self) -> dict[str, str]:
        return {name: self.value(name) for name in self.fields if self.value(name)}
