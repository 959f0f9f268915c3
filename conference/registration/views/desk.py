"""The check-in desk, on a phone: find someone, check them in, issue their voting credential, print a badge.

Every page needs ``conference.check_in`` for the conference (the CAC and the
national office); anyone else gets a 403, and a registration of another
conference a 404. The desk finds people by name or by their credential code;
one person's page checks them in and issues the credential (each idempotent
in the service: a second tap, or a second device, changes nothing), and shows
the credential's short code with its QR code. An unentitled member is refused
a credential with the reason.

The live count (registered, present, entitled and present) is on every desk
page; static/js/desk.js refreshes it from ``desk_counts`` (JSON), and without
JavaScript it is as fresh as the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from awl.codes import qr_svg_data_uri
from conference.models import Conference, Credential, Registration, RegistrationStatus
from conference.registration import reports, selectors, services
from conference.registration.forms import DeskActionForm, DeskSearchForm
from conference.registration.services import ConferenceError
from conference.rules import CHECK_IN


def summary(counts: dict[str, int]) -> str:
    return (
        f"{counts['present']} of {counts['registered']} registered are here; "
        f"{counts['entitled_present']} of them entitled to vote."
    )


def _counts_context(conference: Conference) -> dict[str, Any]:
    counts = services.counts(conference)
    return {"counts": counts, "counts_summary": summary(counts)}


def _person_url(conference: Conference, registration: Registration) -> str:
    return reverse("conference:desk_person", args=[conference.slug, registration.pk])


def _credential_of(registration: Registration) -> Credential | None:
    try:
        return registration.credential
    except Credential.DoesNotExist:
        return None


@login_required
@require_GET
def desk(request: HttpRequest, slug: str) -> HttpResponse:
    """Find someone by name or credential code; check them in from the list."""
    conference = selectors.get_conference_with_perm(request.user, slug, CHECK_IN)
    search = DeskSearchForm(request.GET or None)
    q = search.value("q")
    found = reports.desk_search(conference, q)
    context = {
        "conference": conference,
        "search": search,
        "q": q,
        "found": found,
        "registered": RegistrationStatus.REGISTERED,
        **_counts_context(conference),
    }
    return render(request, "conference/desk_search.html", context)


@login_required
@require_GET
def desk_counts(request: HttpRequest, slug: str) -> JsonResponse:
    """The live count, for static/js/desk.js."""
    conference = selectors.get_conference_with_perm(request.user, slug, CHECK_IN)
    counts = services.counts(conference)
    response = JsonResponse({**counts, "summary": summary(counts)})
    response["Cache-Control"] = "no-store"
    return response


def _act(actor: Any, registration: Registration, action: str) -> str:
    """Do what the desk asked, all or nothing; the message to show."""
    already_in = registration.checked_in_at
    had = _credential_of(registration)
    with transaction.atomic():
        if action in ("check_in", "check_in_credential"):
            registration = services.check_in(actor=actor, registration=registration)
        credential = None
        if action in ("credential", "check_in_credential"):
            credential = services.issue_credential(actor=actor, registration=registration)
    said = []
    if action != "credential":
        if already_in is not None:
            said.append(
                f"{registration.name} was already checked in at {timezone.localtime(already_in):%H:%M}."
            )
        else:
            said.append(f"{registration.name} checked in.")
    if credential is not None:
        if had is not None:
            said.append(f"{registration.name} already has credential {credential.code}; no new one was made.")
        else:
            said.append(f"Credential {credential.code} issued to {registration.name}.")
    return " ".join(said)


@login_required
@require_http_methods(["GET", "POST"])
def desk_person(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One person at the desk: who they are, whether they may vote, check in, the credential and its QR."""
    conference = selectors.get_conference_with_perm(request.user, slug, CHECK_IN)
    registration = reports.registration_in(conference, pk)
    status, error = 200, ""
    if request.method == "POST":
        form = DeskActionForm(request.POST)
        if form.is_valid():
            try:
                done = _act(request.user, registration, form.cleaned_data["action"])
            except ConferenceError as exc:
                error, status = str(exc), 409
            else:
                messages.success(request, done)
                return redirect(_person_url(conference, registration))
        else:
            error, status = "Choose check in or issue the credential.", 400
    services.record_desk_person_viewed(actor=request.user, registration=registration)
    credential = _credential_of(registration)
    context = {
        "conference": conference,
        "registration": selectors.as_decided_now(registration),
        "credential": credential,
        "qr": qr_svg_data_uri(credential.code) if credential else "",
        "error": error,
        "standing": registration.status == RegistrationStatus.REGISTERED,
        **_counts_context(conference),
    }
    return render(request, "conference/desk_person.html", context, status=status)


@login_required
@require_GET
def desk_badge(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A badge to print: name, branch, voting or not, and the credential's code and QR code once issued."""
    conference = selectors.get_conference_with_perm(request.user, slug, CHECK_IN)
    registration = reports.registration_in(conference, pk)
    services.record_desk_person_viewed(actor=request.user, registration=registration)
    credential = _credential_of(registration)
    context = {
        "conference": conference,
        "registration": selectors.as_decided_now(registration),
        "credential": credential,
        "qr": qr_svg_data_uri(credential.code) if credential else "",
        "branch": registration.member.branch.name
        if registration.member and registration.member.branch
        else registration.get_attendee_display(),
    }
    return render(request, "conference/desk_badge.html", context)
