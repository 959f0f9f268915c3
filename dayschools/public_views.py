"""Public day-school pages: what is coming, an event, booking, and a booking's own link.

No login is needed except for a member's one-click booking and their list
of bookings. The pages show only public information about an event (never
who has booked); a booking's page is reached only through its signed link,
which shows that booking and lets its holder cancel it. The public booking
form has a honeypot field (filled in, the post is answered as a success and
nothing is written) and a limit on posts per client address
(``DAYSCHOOL_BOOKING_RATE``; over it, 429). A refusal by the booking rules
comes back as a message on the form (409), with nothing written.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from awl.codes import qr_png_data_uri
from awl.forms import ConfirmForm
from awl.http import AuthenticatedHttpRequest
from awl.views_helpers import bound, refusal_on, refusal_status
from dayschools import mail, ratelimit, selectors, services
from dayschools.forms import HONEYPOT, CancelBookingForm, GuestBookingForm, MemberBookingForm
from dayschools.models import Booking, BookingStatus, Event
from dayschools.selectors import BadBookingLink
from dayschools.services import DaySchoolError
from members.selectors import own_member

RATE_SCOPE = "dayschool-booking"


def _event_page(event: Event) -> dict[str, Any]:
    """What every public page about an event shows: the event, its timetable and whether it takes bookings."""
    workshops = list(event.workshops.all())
    return {
        "event": event,
        "school": event.school,
        "workshops": workshops,
        "slots": selectors.workshop_slots(workshops),
        "state": selectors.booking_state(event, timezone.now()),
        "places_left": max(event.capacity - event.confirmed, 0),
        "has_begun": event.starts_at <= timezone.now(),
    }


# The public form's one answer, whether the address is new, a past guest's, a member's, or has booked
# already: what happened goes to the address (see services.book_from_public_form).
CHECK_EMAIL = "Check your e-mail: we have sent you a message about this booking."


def _booked_message(booking: Booking | None) -> str:
    """What a member is told after booking for themselves, logged in."""
    if booking is not None and booking.status == BookingStatus.WAITING:
        return (
            f"The day school is full, so you are number {selectors.waiting_number(booking)} on the "
            "waiting list. We have e-mailed you the details, and will e-mail you again if a place comes free."
        )
    return "Your place is booked. We have e-mailed you your booking code and a link to see or cancel it."


# Listing and event pages ------------------------------------------------------------------------------
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """Day schools to come, by series and school, each school's events by date and city."""
    now = timezone.now()
    events = list(selectors.coming_events(now))
    return render(request, "dayschools/public_event_list.html", {"events": events, "now": now})


@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.get_public_event(pk)
    page = _event_page(event)
    member = own_member(request.user)
    own = selectors.active_booking_of(member, event) if member is not None else None
    if own is not None:
        page["own"] = own
        page["own_link"] = mail.booking_token(own)
    elif member is not None:
        page["member_form"] = MemberBookingForm(slots=page["slots"])
    else:
        page["form"] = GuestBookingForm(slots=page["slots"])
    return render(request, "dayschools/public_event_detail.html", page)


# Booking ----------------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, pk: int) -> HttpResponse:
    """The public booking form, for anyone: rate limited per client address, with a honeypot."""
    event = selectors.get_public_event(pk)
    page = _event_page(event)
    if request.method == "POST":
        if ratelimit.over_limit(request, scope=RATE_SCOPE, rate=settings.DAYSCHOOL_BOOKING_RATE):
            return render(request, "dayschools/public_rate_limited.html", page, status=429)
        if request.POST.get(HONEYPOT, "").strip():
            # A bot filled in the field people cannot see: answer as for a booking, write nothing.
            messages.success(request, CHECK_EMAIL)
            return redirect("dayschools:booked", pk=event.pk)
    form = bound(GuestBookingForm, request, slots=page["slots"])
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            services.book_from_public_form(event=event, **form.booking_details())
            messages.success(request, CHECK_EMAIL)
            return redirect("dayschools:booked", pk=event.pk)
    status = refusal_status(form)
    return render(request, "dayschools/booking_form.html", {**page, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def book_member(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's one-click booking (GET answers with the button, so a bookmark works too)."""
    member = own_member(request.user)
    if member is None:
        raise Http404("You have no membership record; book with the public form.")
    event = selectors.get_public_event(pk)
    page = _event_page(event)
    own = selectors.active_booking_of(member, event)
    form = bound(MemberBookingForm, request, slots=page["slots"])
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            booking = services.book_member(member=member, event=event, workshops=form.chosen_workshops())
            messages.success(request, _booked_message(booking))
            return redirect("dayschools:event_detail", pk=event.pk)
    status = refusal_status(form)
    page.update(form=form, own=own, own_link=mail.booking_token(own) if own else "")
    return render(request, "dayschools/booking_member.html", page, status=status)


@require_GET
def booked(request: HttpRequest, pk: int) -> HttpResponse:
    """After the public form: the outcome (in the message) and where the details went."""
    event = selectors.get_public_event(pk)
    return render(request, "dayschools/public_booked.html", _event_page(event))


# A booking's own link ---------------------------------------------------------------------------------
def _bad_link(request: HttpRequest, error: BadBookingLink) -> HttpResponse:
    return render(request, "dayschools/booking_link.html", {"error": str(error)}, status=400)


@require_GET
def booking_link(request: HttpRequest, token: str) -> HttpResponse:
    """One booking, for whoever holds its link: the event, its status, the code and its QR code."""
    try:
        booking = selectors.get_booking_for_link(token)
    except BadBookingLink as error:
        return _bad_link(request, error)
    return render(request, "dayschools/booking_link.html", _booking_page(booking, token))


def _booking_page(booking: Booking, token: str) -> dict[str, Any]:
    return {
        "booking": booking,
        "event": booking.event,
        "token": token,
        "qr_data_uri": qr_png_data_uri(booking.code),
        "cancellable": selectors.cancellable_by_holder(booking, timezone.now()),
    }


@require_http_methods(["GET", "POST"])
def booking_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Cancel a booking from its link, after a confirming button; a waiting place is given out."""
    try:
        booking = selectors.get_booking_for_link(token)
    except BadBookingLink as error:
        return _bad_link(request, error)
    page = _booking_page(booking, token)
    form = bound(CancelBookingForm, request)
    if request.method == "POST" and not page["cancellable"]:
        form.add_error(None, "This booking can no longer be cancelled from its link.")
    elif form.is_valid():
        with refusal_on(form, DaySchoolError):
            services.cancel_booking(booking=booking)
            messages.success(request, "Your booking is cancelled. Thank you for letting us know.")
            return redirect("dayschools:booking_link", token=token)
    status = refusal_status(form)
    return render(request, "dayschools/booking_cancel.html", {**page, "form": form}, status=status)


# A member claims a booking made with their address ------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def booking_claim(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """Add a booking made on the public form to the member's record: the link from the e-mail sent to
    the member's address, and the login as that member, both (``services.claim_booking``)."""
    try:
        booking, member_id = selectors.get_booking_for_claim(token)
    except BadBookingLink as error:
        return render(request, "dayschools/booking_claim.html", {"error": str(error)}, status=400)
    member = own_member(request.user)
    if member is None or member.pk != member_id:
        # The link was made for another member: nothing about the booking is shown.
        raise Http404("This link is for another member's account: log in as them to use it.")
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            services.claim_booking(actor=request.user, booking=booking, member_id=member_id)
            messages.success(request, "The booking is now on your membership record.")
            return redirect("dayschools:my_bookings")
    page = {"booking": booking, "event": booking.event, "form": form}
    return render(request, "dayschools/booking_claim.html", page, status=refusal_status(form))


# A member's bookings ----------------------------------------------------------------------------------
@login_required
@require_GET
def my_bookings(request: HttpRequest) -> HttpResponse:
    member = own_member(request.user)
    bookings = selectors.my_bookings(member) if member is not None else []
    rows = [(booking, mail.booking_token(booking)) for booking in bookings]
    return render(request, "dayschools/booking_mine.html", {"rows": rows, "now": timezone.now()})
