"""An officer records a change in a contact's consent (the form is on the contact's page too)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from awl.http import AuthenticatedHttpRequest
from awl.views_helpers import bound, refusal_on, refusal_status
from members import selectors, services
from members.consent import change_contact_consents
from members.forms import ContactConsentsForm
from members.services import MembershipError


@never_cache  # a person's consent is personal data: no copy in any cache
@login_required
@require_http_methods(["GET", "POST"])
def contact_consents(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contact = selectors.get_contact_for_user(request.user, pk)
    initial = ContactConsentsForm.initial_consents(services.current_consents(contact))
    form = bound(ContactConsentsForm, request, initial=initial)
    if form.is_valid():
        with refusal_on(form, MembershipError):
            changed = change_contact_consents(
                actor=request.user,
                contact=contact,
                consents=form.consents(),
                source=form.cleaned_data["source"],
            )
            messages.success(request, "Consent recorded." if changed else "Consent was already as recorded.")
            return redirect("members:contact_detail", pk=contact.pk)
    context = {"form": form, "contact": contact}
    return render(request, "members/contact_consents.html", context, status=refusal_status(form))
