"""An officer changes a contact's consent from the contact's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from awl.http import AuthenticatedHttpRequest
from members import selectors
from members.consent import change_contact_consents
from members.forms import ContactConsentsForm
from members.services import MembershipError


@login_required
@require_POST
def contact_consents(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = selectors.get_contact_for_user(request.user, pk)
    form = ContactConsentsForm(request.POST)
    if not form.is_valid():
        errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
        messages.error(request, f"Consent not changed. {' '.join(errors)}")
        return redirect("members:contact_detail", pk=contact.pk)
    try:
        changed = change_contact_consents(
            actor=request.user,
            contact=contact,
            consents=form.consents(),
            source=form.cleaned_data["source"],
        )
    except MembershipError as error:
        messages.error(request, f"Consent not changed. {error}")
    else:
        messages.success(request, "Consent recorded." if changed else "Consent was already as recorded.")
    return redirect("members:contact_detail", pk=contact.pk)
