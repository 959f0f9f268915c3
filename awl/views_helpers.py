"""The one shape of a page that changes something: bind the form, call the service, show its refusal.

Every such view in every app reads the same way, top to bottom::

    form = bound(CancelMeetingForm, request)
    if form.is_valid():
        with refusal_on(form, CommitteeError):
            services.cancel_meeting(actor=request.user, meeting=meeting, **form.cleaned_data)
            messages.success(request, "Meeting cancelled.")
            return redirect("committees:meeting_manage", pk=meeting.pk)
    return render(request, "committees/meeting_cancel.html", context, status=refusal_status(form))

``bound`` binds the form to a POST only, so ``form.is_valid()`` is false on a GET (Django's unbound
forms are never valid) and the view needs no separate test of the method. The service judges: when it
refuses, raising the app's domain error, it has written nothing; ``refusal_on`` puts the reason on the
form as a non-field error and leaves the ``with`` block at that point, so no success message is given
and no redirect happens. The page is drawn again, with status 409 (``refusal_status``) when the form
carries such an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django import forms
from django.http import HttpRequest

from awl.errors import DomainError

# The status of a page drawn again because a service refused the change: it conflicts with the
# state of things (a deadline passed, a place taken), not with the shape of the input.
REFUSED = 409


def bound[FormT: forms.BaseForm](form_class: type[FormT], request: HttpRequest, **kwargs: Any) -> FormT:
    """The form bound to the request's POST data and files, or unbound (showing ``initial``) otherwise."""
    if request.method == "POST":
        return form_class(request.POST, request.FILES, **kwargs)
    return form_class(**kwargs)


@contextmanager
def refusal_on(
    form: forms.BaseForm, errors: type[DomainError] | tuple[type[DomainError], ...]
) -> Iterator[None]:
    """Turn one of ``errors`` (the app's domain error) raised in the block into a non-field error on
    ``form``, and leave the block. Any other exception is a fault, not a refusal, and goes on up."""
    try:
        yield
    except errors as error:
        form.add_error(None, str(error))


def refusal_status(*pages_forms: forms.BaseForm) -> int:
    """409 when a bound form carries a non-field error (a refusal or a whole-form check), else 200."""
    return REFUSED if any(form.is_bound and form.non_field_errors() for form in pages_forms) else 200
