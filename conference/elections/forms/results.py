"""Forms for the count and the result: they read what was posted; the rules live in conference.results."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from conference.elections.services.results import SEED_LIMIT

MAX_BLT_BYTES = 5 * 1024 * 1024  # the largest Scottish ward's file is well under 1 MB


class CountForm(forms.Form):
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=SEED_LIMIT - 1,
        label="Seed for the lot (optional)",
        help_text=(
            "Should a tie be decided by lot, this number decides it. Leave it empty to have one drawn; "
            "give an earlier count's seed to repeat that count exactly."
        ),
    )
    reason = forms.CharField(
        required=False,
        max_length=500,
        label="Why you are counting again (for a recount)",
        help_text="Required for every count after the first: the published result shows it.",
    )


class ImportForm(forms.Form):
    blt_file = forms.FileField(
        required=False,
        label="BLT file",
        help_text="A ballots file in the BLT format (as OpenSTV, eSTV and the Scottish councils publish).",
    )
    text = forms.CharField(
        required=False,
        label="Or paste the file's text",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "font-monospace"}),
    )
    replace = forms.BooleanField(
        required=False,
        label="Replace the ballots imported before",
        help_text="Only the imported ballots are replaced; ballots cast online or entered by tellers stay.",
    )
    reason = forms.CharField(
        required=False,
        max_length=500,
        label="Why the earlier import is replaced",
        help_text="Required when replacing: the published result shows every import, and why.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("blt_file")
        pasted = (data.get("text") or "").strip()
        if upload and pasted:
            raise ValidationError("Choose a file or paste its text, not both.")
        if not upload and not pasted:
            raise ValidationError("Choose a BLT file, or paste its text.")
        if upload:
            if upload.size > MAX_BLT_BYTES:
                raise ValidationError("The file is larger than 5 MB: that is not a ballots file.")
            try:
                data["blt"] = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise ValidationError("The file is not UTF-8 text: save it as UTF-8 and try again.") from None
        else:
            data["blt"] = pasted + "\n"
        return data


class OffSystemForm(forms.Form):
    """How the ballots are counted: on this system, or from ballots cast off it (a BLT import)."""

    counted_off_system = forms.BooleanField(
        required=False,
        label="Counted from ballots cast off this system",
        help_text=(
            "The ballots are cast on paper away from this system and come in as one BLT file, no more "
            "papers than were recorded as issued. Decided before voting opens."
        ),
    )
