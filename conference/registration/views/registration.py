"""Members' conference pages, and the CAC's setup, entitlement and payments pages.

Members read a conference (dates, venue, registration window, fees, and
whether they are entitled to vote, why, and how to put it right), register,
and see, change or cancel their own registration until registration closes.
Someone else's registration is a 404. The conference arrangements committee
(``conference.run``: the CAC and national office) sets a conference up,
takes and shows the entitlement snapshot, grants exceptions and invites
observers and guests; treasurers and national office
(``conference.record_payment``) record payments and list what is owed.

Every view starts with an access helper from ``conference.registration.selectors``; the
rules live in ``conference.registration.services``, and a refusal comes back on the form
(status 409) with nothing written. No page here shows anyone's needs but
the member's own.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from awl.forms import ConfirmForm, SearchForm
from awl.http import AuthenticatedHttpRequest
from awl.paging import page_of, query_string_without_page
from awl.permissions import has_rule
from awl.views_helpers import bound, refusal_on, refusal_status
from conference.models import Conference, Registration, RegistrationStatus, VotingBasis
from conference.registration import selectors, services
from conference.registration.forms import (
    ConferenceForm,
    EntitlementFilterForm,
    ExceptionForm,
    InviteForm,
    RegistrationForm,
    RegistrationPaymentForm,
    band_choices,
)
from conference.registration.services import ConferenceError
from conference.rules import RECORD_PAYMENT, RUN
from members.models import MemberStatus

SNAPSHOT_PAGE_SIZE = 50
OUTSTANDING_PAGE_SIZE = 50


def _own_member(request: HttpRequest) -> Any:
    member = selectors.own_member(request.user)
    if member is None:
        raise Http404("Only members register for conference.")
    return member


def _window_note(conference: Conference) -> str:
    """Why registration is not open now, or "" when it is (the rule the services refuse by)."""
    return services.window_refusal(conference)


# Members ----------------------------------------------------------------------------------------
@login_required
@require_GET
def conference_index(request: HttpRequest) -> HttpResponse:
    coming, past = selectors.conference_list()
    context = {"coming": coming, "past": past, "can_set_up": has_rule(request.user, RUN, None)}
    return render(request, "conference/register_index.html", context)


@login_required
@require_GET
def conference_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The conference, and for a member: registered or not, entitled to vote or not, and why."""
    conference = selectors.get_conference(slug)
    member = selectors.own_member(request.user)
    own = selectors.own_registration(member, conference) if member else None
    registration = selectors.as_decided_now(own)
    delegate_branches = selectors.delegate_branch_ids(request.user, conference)
    context = {
        "conference": conference,
        "bands": band_choices(conference, selectors.fee_bands(conference)),
        "member": member,
        "registration": registration,
        "registered": registration is not None and registration.status == RegistrationStatus.REGISTERED,
        "verdict": services.entitlement(conference, member) if member else None,
        "window_note": _window_note(conference),
        "places_left": (
            max(conference.capacity - conference.registered, 0) if conference.capacity is not None else None
        ),
        "can_run": has_rule(request.user, RUN, conference),
        "can_record_payments": has_rule(request.user, RECORD_PAYMENT, conference),
        "can_record_delegates": conference.voting_basis == VotingBasis.DELEGATES
        and (delegate_branches is None or bool(delegate_branches)),
    }
    return render(request, "conference/register_conference.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, slug: str) -> HttpResponse:
    """Register: a second submit (another tab, a double click) is told it is already registered."""
    conference = selectors.get_conference(slug)
    member = _own_member(request)
    registration = selectors.own_registration(member, conference)
    if (
        request.method == "GET"
        and registration is not None
        and registration.status == RegistrationStatus.REGISTERED
    ):
        messages.info(request, "You are already registered for this conference.")
        return redirect("conference:my_registration", slug=conference.slug)
    bands = selectors.fee_bands(conference)
    form = bound(RegistrationForm, request, conference=conference, bands=bands)
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            services.register(
                member=member,
                conference=conference,
                fee_band=form.cleaned_data["fee_band"],
                **form.needs(),
            )
            messages.success(
                request,
                f"You are registered for {conference.title}. "
                f"A confirmation is on its way to {member.user.email}.",
            )
            return redirect("conference:my_registration", slug=conference.slug)
    context = {
        "conference": conference,
        "form": form,
        "verdict": services.entitlement(conference, member),
        "unavailable": (
            "Only members register for conference."
            if member.status != MemberStatus.MEMBER
            else _window_note(conference)
        ),
        "already_registered": form.is_bound
        and "already registered" in " ".join(str(error) for error in form.non_field_errors()),
    }
    return render(request, "conference/register_form.html", context, status=refusal_status(form))


@login_required
@require_GET
def my_registration(request: HttpRequest, slug: str) -> HttpResponse:
    conference = selectors.get_conference(slug)
    member = _own_member(request)
    registration = selectors.as_decided_now(selectors.own_registration(member, conference))
    paid = selectors.paid_so_far(registration) if registration else None
    context = {
        "conference": conference,
        "registration": registration,
        "registered": registration is not None and registration.status == RegistrationStatus.REGISTERED,
        "payments": registration.payments.all() if registration else [],
        "paid": paid,
        "owed": max(registration.fee_due - paid, 0) if registration and paid is not None else None,
        "overpaid": max(paid - registration.fee_due, 0) if registration and paid is not None else None,
        "is_open": selectors.registration_is_open(conference),
        "window_note": _window_note(conference),
    }
    return render(request, "conference/register_mine.html", context)


def _unavailable_change(registration: Registration) -> str:
    if registration.status != RegistrationStatus.REGISTERED:
        return "This registration was cancelled; register again instead."
    return _window_note(registration.conference)


@login_required
@require_http_methods(["GET", "POST"])
def registration_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    registration = selectors.get_own_registration(request.user, pk)
    conference = registration.conference
    bands = selectors.fee_bands(conference)
    form = bound(
        RegistrationForm,
        request,
        conference=conference,
        bands=bands,
        initial=RegistrationForm.initial_for(registration),
    )
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            services.change_registration(
                actor=request.user,
                registration=registration,
                fee_band=form.cleaned_data["fee_band"],
                **form.needs(),
            )
            messages.success(
                request, "Your registration has been changed; the new details are e-mailed to you."
            )
            return redirect("conference:my_registration", slug=conference.slug)
    context = {
        "conference": conference,
        "registration": registration,
        "form": form,
        "changing": True,
        "unavailable": _unavailable_change(registration),
    }
    return render(request, "conference/register_form.html", context, status=refusal_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def registration_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    registration = selectors.get_own_registration(request.user, pk)
    conference = registration.conference
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            services.cancel_registration(actor=request.user, registration=registration)
            messages.success(request, f"Your registration for {conference.title} is cancelled.")
            return redirect("conference:my_registration", slug=conference.slug)
    context = {
        "conference": conference,
        "registration": registration,
        "form": form,
        "unavailable": _unavailable_change(registration),
    }
    return render(request, "conference/register_cancel.html", context, status=refusal_status(form))


# Setting up a conference (conference.run) -------------------------------------------------------
def _next_year(value: Any, years: int) -> Any:
    """The same day (and time) ``years`` on; 29 February becomes the 28th."""
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return value.replace(year=value.year + years, day=28)


def _initial_for_new() -> dict[str, Any]:
    """Next year's conference, with the last one's dates, fees and voting rules moved on as a start."""
    latest = Conference.objects.order_by("-year").first()
    year = max(timezone.localdate().year + 1, latest.year + 1 if latest else 0)
    if latest is not None:
        initial = ConferenceForm.initial_for(latest, selectors.fee_bands(latest))
        for name in (
            "starts_on",
            "ends_on",
            "eligibility_cutoff",
            "registration_opens_at",
            "registration_closes_at",
        ):
            initial[name] = _next_year(initial[name], year - latest.year)
        initial.update(year=year, title=f"Annual conference {year}", capacity=None)
        return initial
    london = timezone.get_current_timezone()
    return {
        "year": year,
        "title": f"Annual conference {year}",
        "starts_on": dt.date(year, 4, 24),
        "ends_on": dt.date(year, 4, 25),
        "registration_opens_at": dt.datetime(year, 1, 10, 9, 0, tzinfo=london),
        "registration_closes_at": dt.datetime(year, 4, 10, 23, 59, tzinfo=london),
        "eligibility_cutoff": dt.date(year, 3, 1),
    }


def _require_run(user: Any, conference: Conference | None) -> None:
    if not has_rule(user, RUN, conference):
        raise PermissionDenied("Only the conference arrangements committee can do this.")


@login_required
@require_http_methods(["GET", "POST"])
def setup_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_run(request.user, None)
    form = bound(ConferenceForm, request, creating=True, initial=_initial_for_new())
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            conference = services.create_conference(
                actor=request.user,
                year=form.cleaned_data["year"],
                fields=form.details(),
                fee_bands=form.fee_bands(),
                capacity=form.cleaned_data["capacity"],
            )
            messages.success(request, f"{conference.title} is set up.")
            return redirect("conference:detail", slug=conference.slug)
    context = {"form": form, "conference": None}
    return render(request, "conference/setup_form.html", context, status=refusal_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def setup_edit(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    conference = selectors.get_conference_to_run(request.user, slug)
    bands = selectors.fee_bands(conference)
    form = bound(
        ConferenceForm, request, creating=False, initial=ConferenceForm.initial_for(conference, bands)
    )
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            services.update_conference(
                actor=request.user,
                conference=conference,
                fields=form.details(),
                fee_bands=form.fee_bands(),
                capacity=form.cleaned_data["capacity"],
            )
            messages.success(request, f"{conference.title} is saved.")
            return redirect("conference:detail", slug=conference.slug)
    context = {
        "form": form,
        "conference": conference,
        "snapshot_taken": selectors.snapshot_of(conference) is not None,
    }
    return render(request, "conference/setup_form.html", context, status=refusal_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Invite an observer or a guest (non-voting); they are sent the confirmation with the .ics."""
    conference = selectors.get_conference_to_run(request.user, slug)
    form = bound(InviteForm, request)
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            guest = services.invite(actor=request.user, conference=conference, **form.cleaned_data)
            messages.success(request, f"Invited: {guest.name}, {guest.get_attendee_display().lower()}.")
            return redirect("conference:invite", slug=conference.slug)
    context = {"conference": conference, "form": form, "guests": selectors.invited_guests(conference)}
    return render(request, "conference/setup_invite.html", context, status=refusal_status(form))


# Entitlement (conference.run) --------------------------------------------------------------------
@login_required
@require_GET
def entitlement(request: HttpRequest, slug: str) -> HttpResponse:
    """The stored snapshot: per branch, and per member with the reason; searchable and paged."""
    conference = selectors.get_conference_to_run(request.user, slug)
    snapshot = selectors.snapshot_of(conference)
    context: dict[str, Any] = {
        "conference": conference,
        "snapshot": snapshot,
        "exceptions": selectors.exceptions_for(conference),
        "can_take": snapshot is None and not services.snapshot_refusal(conference),
    }
    if snapshot is not None:
        branches = selectors.snapshot_branches(snapshot)
        form = EntitlementFilterForm(
            request.GET,
            branches=[(b.branch_id, b.branch_name) for b in branches if b.branch_id is not None],
        )
        rows = selectors.snapshot_members(
            snapshot, query=form.value("q"), entitled=form.entitled_value(), branch_id=form.branch_value()
        )
        page = page_of(request, rows, SNAPSHOT_PAGE_SIZE)
        context.update(
            branches=branches,
            totals=selectors.snapshot_totals(snapshot),
            form=form,
            filters=form.filters(),
            page=page,
            rows=page.object_list,
            query_string=query_string_without_page(request),
        )
    return render(request, "conference/entitlement_page.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def take_snapshot(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    conference = selectors.get_conference_to_run(request.user, slug)
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            snapshot = services.take_snapshot(actor=request.user, conference=conference)
            totals = selectors.snapshot_totals(snapshot)
            messages.success(
                request, f"Snapshot taken: {totals.entitled} of {totals.members} members entitled."
            )
            return redirect("conference:entitlement", slug=conference.slug)
    context = {"conference": conference, "form": form, "unavailable": services.snapshot_refusal(conference)}
    return render(request, "conference/entitlement_snapshot.html", context, status=refusal_status(form))


def _exception_initial(request: HttpRequest) -> dict[str, str]:
    """The member's address when the page is opened from their row on the entitlement page."""
    raw = request.GET.get("member", "")
    if not raw.isdigit() or len(raw) > 10:
        return {}
    email = selectors.member_email(int(raw))
    return {"email": email} if email else {}


@login_required
@require_http_methods(["GET", "POST"])
def grant_exception(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """The CAC lets a member not in good standing on the cut-off vote; the reason is required."""
    conference = selectors.get_conference_to_run(request.user, slug)
    form = bound(ExceptionForm, request, initial=_exception_initial(request))
    if form.is_valid():
        member = selectors.member_by_email(form.cleaned_data["email"])
        if member is None:
            form.add_error("email", "No member has this e-mail address.")
        else:
            with refusal_on(form, ConferenceError):
                services.grant_exception(
                    actor=request.user,
                    conference=conference,
                    member=member,
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, f"Exception granted to {member.full_name}.")
                return redirect("conference:entitlement", slug=conference.slug)
    context = {"conference": conference, "form": form}
    return render(request, "conference/entitlement_exception.html", context, status=refusal_status(form))


# Payments (conference.record_payment) ------------------------------------------------------------
@login_required
@require_GET
def outstanding(request: HttpRequest, slug: str) -> HttpResponse:
    """Registrations still owing, with totals; a fixed number of queries whatever the length."""
    conference = selectors.get_conference_for_payments(request.user, slug)
    form = SearchForm(request.GET)
    rows = selectors.outstanding_registrations(conference, query=form.value("q"))
    page = page_of(request, rows, OUTSTANDING_PAGE_SIZE)
    context = {
        "conference": conference,
        "form": form,
        "filters": form.filters(),
        "page": page,
        "rows": page.object_list,
        "totals": selectors.payment_totals(rows),
        "query_string": query_string_without_page(request),
    }
    return render(request, "conference/payments_outstanding.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_payment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    registration = selectors.get_registration_for_payment(request.user, pk)
    conference = registration.conference
    form = bound(RegistrationPaymentForm, request, initial={"paid_on": timezone.localdate()})
    if form.is_valid():
        with refusal_on(form, ConferenceError):
            payment = services.record_registration_payment(
                actor=request.user,
                registration=registration,
                amount=form.cleaned_data["amount"],
                paid_on=form.cleaned_data["paid_on"],
                method=form.cleaned_data["method"],
            )
            messages.success(request, f"£{payment.amount} recorded for {registration.name}.")
            return redirect("conference:outstanding", slug=conference.slug)
    paid = selectors.paid_so_far(registration)
    context = {
        "conference": conference,
        "registration": registration,
        "form": form,
        "payments": registration.payments.select_related("recorded_by"),
        "paid": paid,
        "owed": registration.fee_due - paid,
        "back": reverse("conference:outstanding", args=[conference.slug]),
    }
    return render(request, "conference/payments_record.html", context, status=refusal_status(form))
