from django import forms


class ApologyForm(forms.Form):
    note = forms.CharField(
        label="A note for the secretary (optional)", max_length=300, required=False, strip=True
    )
