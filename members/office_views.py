"""National office's data-protection pages: a person's data by e-mail address, the retention review."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from awl.http import AuthenticatedHttpRequest
from awl.personal_data import ReviewCandidate
from awl.views_helpers import bound, refusal_on
from members import retention as retention_service
from members import selectors, services
from members.forms import EraseForm
from members.personal_data import person_for_email
from members.retention import RetentionError
from members.services import MembershipError


class KeepForm(forms.Form):
    subject = forms.CharField(widget=forms.HiddenInput, max_length=320)
    reason = forms.CharField(label="Why keep them?", max_length=500)
    until = forms.DateField(label="Keep until", widget=forms.DateInput(attrs={"type": "date"}))


class PersonLookupForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        help_text="A member's, a contact's or a day-school guest's address.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Find what is held about anyone by address; download it (subject access) or erase it."""
    selectors.require(request.user, "members.erase_personal_data")
    lookup = PersonLookupForm(request.GET or None)
    person = person_for_email(lookup.cleaned_data["email"]) if lookup.is_valid() else None
    erase_form = bound(EraseForm, request) if person is not None else None
    if person is not None and request.method == "POST":
        if request.POST.get("action") == "export":
            data = services.export_person(actor=request.user, person=person)
            response = HttpResponse(
                json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
                content_type="application/json; charset=utf-8",
            )
            response["Content-Disposition"] = (
                f'attachment; filename="awl-subject-access-{timezone.localdate():%Y-%m-%d}.json"'
            )
            return response
        if erase_form is not None and erase_form.is_valid():
            with refusal_on(erase_form, MembershipError):
                services.erase_by_email(
                    actor=request.user,
                    email=lookup.cleaned_data["email"],
                    reason=erase_form.cleaned_data["reason"],
                )
                messages.success(request, "Their personal data is erased in every part of the site.")
                return redirect("members:person_data")
    context = {"lookup": lookup, "person": person, "erase_form": erase_form}
    return render(request, "members/person_data.html", context)


def _erase_url(candidate: ReviewCandidate) -> str:
    kind, _, rest = candidate.key.partition(":")
    if kind in ("member", "applicant"):
        return reverse("members:erase_member", args=[int(rest)])
    if kind == "contact":
        return reverse("members:erase_contact", args=[int(rest)])
    return reverse("members:person_data") + "?" + urlencode({"email": rest})


@login_required
@require_http_methods(["GET", "POST"])
def retention(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Who is past the retention period: erase them, or keep them with a reason until a date."""
    selectors.require(request.user, "members.review_retention")
    form = bound(KeepForm, request)
    if form.is_valid():
        with refusal_on(form, RetentionError):
            retention_service.keep(
                actor=request.user,
                subject=form.cleaned_data["subject"],
                reason=form.cleaned_data["reason"],
                until=form.cleaned_data["until"],
            )
            messages.success(request, "Kept: they will not be listed again before that date.")
            return redirect("members:retention")
    rows = [(c, _erase_url(c)) for c in retention_service.candidates()]
    context = {
        "rows": rows,
        "form": form if request.method == "POST" else None,
        "failed_subject": form.data.get("subject", "") if request.method == "POST" else "",
        "cutoff_days": settings.AWL_RETENTION_DAYS,
        **retention_service.summary(),
    }
    return render(request, "members/retention.html", context)
