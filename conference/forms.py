"""Conference forms: they check the shape of what is typed; the rules live in conference.services.

Each part of the app adds its forms in its own section below.
"""

from __future__ import annotations

from typing import Any

from django import forms

from conference.models import Duty
from members.forms import PlainTextField, SearchForm


# The check-in desk and the CAC's pages (desk_views, cac_views) ------------------------------------
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


class ConfirmForm(forms.Form):
    """A button that confirms an action; nothing to type."""
