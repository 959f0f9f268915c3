"""The organisers' pages: series, schools, events and workshops; an event's bookings; the door list.

Setting up series, schools and events needs ``dayschools.manage_series``
(day-school organisers and the national office); running one event (its
details, workshops, bookings and door list) needs ``dayschools.manage_event``
for it, which its own organisers also hold. Anyone else gets a 403 (a 404
for something that does not exist). Every view starts with an access helper
from ``dayschools.selectors``; the rules live in ``dayschools.services``, and
a refusal comes back on the form (status 409) with nothing written. Each
action has a page of its own that answers GET with its form, so it also
works from a bookmark and without JavaScript.

The door list also answers ``fetch`` (``Accept: application/json``) with the
booking's new state and the count, so static/js/door.js can update the row
and the live count without a reload.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods

from awl.audit import log_view
from awl.forms import ConfirmForm
from awl.http import AuthenticatedHttpRequest
from awl.permissions import has_rule
from awl.views_helpers import bound, refusal_on, refusal_status
from dayschools import selectors, services
from dayschools.forms import (
    CopyEventForm,
    DoorMarkForm,
    DoorSearchForm,
    EventForm,
    SchoolForm,
    SeriesForm,
    WalkInForm,
    WorkshopForm,
)
from dayschools.models import Booking, BookingStatus, City, Event, School, Series
from dayschools.services import DaySchoolError
from members import roles

MANAGE_SERIES = selectors.MANAGE_SERIES

# A new event is suggested on the first Saturday at least this far ahead, from 10:00 to 16:30.
SUGGESTED_LEAD = dt.timedelta(weeks=6)
# A new workshop is suggested at the start of the event, this long.
WORKSHOP_LENGTH = dt.timedelta(minutes=90)


# Helpers ----------------------------------------------------------------------------------------
def _log_view(request: HttpRequest, action: str, event: Event) -> None:
    """An organiser looked at the names on an event's booking or door list: the audit trail says who,
    as what (once an hour per organiser and event, by ``log_view``)."""
    log_view(actor=request.user, action=action, target=event, role=roles.describe(request.user))


def _require_series_manager(user: Any) -> None:
    if not has_rule(user, MANAGE_SERIES):
        raise PermissionDenied("Only day-school organisers can do this.")


def _when(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "l j F Y, H:i")


def _event_name(event: Event) -> str:
    return f"{event.school.title}, {event.city.name}"


def _form_page(
    request: HttpRequest,
    *,
    form: Any,
    heading: str,
    submit: str,
    back: str,
    context_line: str = "",
    intro: str = "",
    unavailable: str = "",
    danger: bool = False,
) -> HttpResponse:
    """One organiser's form on a page of its own; the page says why when the action is not available."""
    context = {
        "form": form,
        "heading": heading,
        "context_line": context_line,
        "intro": intro,
        "submit": submit,
        "back": back,
        "unavailable": unavailable,
        "danger": danger,
    }
    return render(request, "dayschools/organise_form.html", context, status=refusal_status(form))


def _event_url(event: Event | int) -> str:
    return reverse("dayschools:event_manage", args=[event.pk if isinstance(event, Event) else event])


# The organisers' home ---------------------------------------------------------------------------
@login_required
@require_GET
def organise(request: HttpRequest) -> HttpResponse:
    """Series, their schools and each school's events in every city, with places booked and waiting."""
    manages = has_rule(request.user, MANAGE_SERIES)
    series = selectors.organiser_home(request.user)
    if not manages and not series:
        raise PermissionDenied("Only day-school organisers and events' organisers can see this page.")
    return render(
        request,
        "dayschools/organise_home.html",
        {
            "series_list": series,
            "manages": manages,
            "may_read_reports": has_rule(request.user, "dayschools.view_reports"),
        },
    )


# Series and schools -----------------------------------------------------------------------------
def _home_url(anchor: str = "") -> str:
    url = reverse("dayschools:organise")
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_http_methods(["GET", "POST"])
def series_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_series_manager(request.user)
    form = bound(SeriesForm, request)
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            series = services.create_series(actor=request.user, **form.cleaned_data)
            messages.success(request, f"Series created: {series}. Now add its schools.")
            return redirect(_home_url(f"series-{series.pk}"))
    return _form_page(request, form=form, heading="New series", submit="Create the series", back=_home_url())


@login_required
@require_http_methods(["GET", "POST"])
def series_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    series = selectors.get_series_for_organiser(request.user, pk)
    initial = {"title": series.title, "season": series.season, "description": series.description}
    form = bound(SeriesForm, request, initial=initial)
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            services.update_series(actor=request.user, series=series, **form.cleaned_data)
            messages.success(request, f"Series saved: {series}.")
            return redirect(_home_url(f"series-{series.pk}"))
    return _form_page(
        request,
        form=form,
        heading="Edit the series",
        context_line=str(series),
        submit="Save the series",
        back=_home_url(f"series-{series.pk}"),
    )


def _next_number(series: Series) -> int:
    last = series.schools.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


@login_required
@require_http_methods(["GET", "POST"])
def school_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    series = selectors.get_series_for_organiser(request.user, pk)
    form = bound(SchoolForm, request, initial={"number": _next_number(series)})
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            school = services.create_school(actor=request.user, series=series, **form.cleaned_data)
            messages.success(request, f"School added: {school}. Now add its first event.")
            return redirect(_home_url(f"school-{school.pk}"))
    return _form_page(
        request,
        form=form,
        heading="Add a school",
        context_line=str(series),
        submit="Add the school",
        back=_home_url(f"series-{series.pk}"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def school_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    school = selectors.get_school_for_organiser(request.user, pk)
    initial = {
        "number": school.number,
        "title": school.title,
        "description": school.description,
        "reading_list": school.reading_list,
    }
    form = bound(SchoolForm, request, initial=initial)
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            services.update_school(actor=request.user, school=school, **form.cleaned_data)
            messages.success(request, f"School saved: {school}.")
            return redirect(_home_url(f"school-{school.pk}"))
    return _form_page(
        request,
        form=form,
        heading="Edit the school",
        context_line=str(school.series),
        submit="Save the school",
        back=_home_url(f"school-{school.pk}"),
    )


# Events -----------------------------------------------------------------------------------------
def _free_cities(school: School) -> Any:
    return City.objects.exclude(events__school=school).order_by("name")


def _suggested_event(school: School) -> dict[str, Any]:
    """The first Saturday six weeks ahead, 10:00 to 16:30; booking open from now until it starts."""
    day = timezone.localdate() + SUGGESTED_LEAD
    day += dt.timedelta(days=(5 - day.weekday()) % 7)
    now = timezone.localtime().replace(second=0, microsecond=0)
    return {
        "date": day,
        "starts": dt.time(10),
        "ends": dt.time(16, 30),
        "capacity": 60,
        "booking_opens_at": now,
        "booking_closes_at": dt.datetime.combine(day, dt.time(10), tzinfo=now.tzinfo),
    }


def _event_details(form: EventForm) -> dict[str, Any]:
    starts_at, ends_at = form.times()
    data = form.cleaned_data
    return {
        "venue": data["venue"],
        "address": data["address"],
        "accessibility": data["accessibility"],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "capacity": data["capacity"],
        "booking_opens_at": data["booking_opens_at"],
        "booking_closes_at": data["booking_closes_at"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def event_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    school = selectors.get_school_for_organiser(request.user, pk)
    cities = _free_cities(school)
    form = bound(
        EventForm,
        request,
        cities=cities,
        organiser_choices=selectors.organiser_choices(),
        initial=_suggested_event(school),
    )
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            event = services.create_event(
                actor=request.user,
                school=school,
                city=form.cleaned_data["city"],
                organisers=form.chosen_organisers(),
                **_event_details(form),
            )
            messages.success(
                request, f"Event created as a draft: {_event_name(event)}. Publish it to take bookings."
            )
            return redirect(_event_url(event))
    return _form_page(
        request,
        form=form,
        heading="Add an event",
        context_line=f"{school} ({school.series})",
        intro="The school in one city on one date. It is a draft until you publish it.",
        submit="Create the event",
        back=_home_url(f"school-{school.pk}"),
        unavailable="" if cities.exists() else "This school is already held in every city.",
    )


@login_required
@require_GET
def event_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """An event for its organisers: its details, figures, workshops and what can be done to it."""
    event = selectors.get_event_for_organiser(request.user, pk)
    context = {
        "event": event,
        "counts": selectors.booking_counts(event),
        "workshops": selectors.event_workshops(event),
        "organisers": [selectors.person_label(u) for u in event.organisers.select_related("member")],
        "may_copy": has_rule(request.user, MANAGE_SERIES, event.school),
        "may_read_reports": has_rule(request.user, "dayschools.view_reports"),
        "may_publish": not _not_publishable(event),
        "may_cancel": not _not_cancellable(event),
    }
    return render(request, "dayschools/organise_event.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.get_event_for_organiser(request.user, pk)
    choices = selectors.organiser_choices()
    form = bound(
        EventForm,
        request,
        cities=None,
        organiser_choices=choices,
        initial=EventForm.initial_for(event, choices),
    )
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            services.edit_event(
                actor=request.user,
                event=event,
                organisers=form.chosen_organisers(),
                **_event_details(form),
            )
            messages.success(request, f"Event saved: {_event_name(event)}.")
            return redirect(_event_url(event))
    return _form_page(
        request,
        form=form,
        heading="Edit the event",
        context_line=f"{_event_name(event)}, {_when(event.starts_at)}",
        submit="Save the event",
        back=_event_url(event),
    )


def _confirm_event_action(
    request: HttpRequest,
    pk: int,
    *,
    action: Callable[..., Event],
    done: str,
    heading: str,
    intro: str,
    submit: str,
    unavailable: Callable[[Event], str],
    danger: bool = False,
) -> HttpResponse:
    event = selectors.get_event_for_organiser(request.user, pk)
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            action(actor=request.user, event=event)
            messages.success(request, done)
            return redirect(_event_url(event))
    return _form_page(
        request,
        form=form,
        heading=heading,
        context_line=f"{_event_name(event)}, {_when(event.starts_at)}",
        intro=intro,
        submit=submit,
        back=_event_url(event),
        unavailable=unavailable(event),
        danger=danger,
    )


def _not_publishable(event: Event) -> str:
    return services.publish_refusal(event, timezone.now())


def _not_cancellable(event: Event) -> str:
    return services.cancel_refusal(event, timezone.now())


@login_required
@require_http_methods(["GET", "POST"])
def event_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm_event_action(
        request,
        pk,
        action=services.publish_event,
        done="Event published: it is on the public list and takes bookings from its opening time.",
        heading="Publish the event",
        intro="It goes on the public list of day schools and takes bookings while booking is open.",
        submit="Publish the event",
        unavailable=_not_publishable,
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm_event_action(
        request,
        pk,
        action=services.cancel_event,
        done="Event cancelled: everyone booked or waiting is being e-mailed.",
        heading="Cancel the event",
        intro="It leaves the public list and takes no more bookings. Everyone booked or on the waiting "
        "list is e-mailed that it is cancelled; their bookings stay on its bookings list.",
        submit="Cancel the event",
        unavailable=_not_cancellable,
        danger=True,
    )


def _copy_initial(event: Event, cities: list[City]) -> dict[str, Any]:
    """Each city a week after the one before, at the same time; the venue left to fill in."""
    day, starts = timezone.localtime(event.starts_at).date(), timezone.localtime(event.starts_at).time()
    initial: dict[str, Any] = {}
    for week, city in enumerate(cities, start=1):
        initial[f"date_{city.pk}"] = day + dt.timedelta(weeks=week)
        initial[f"starts_{city.pk}"] = starts.replace(second=0, microsecond=0)
        initial[f"capacity_{city.pk}"] = event.capacity
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def event_copy(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Copy an event to several cities at once, each with its own date and venue: all of them or none."""
    event = selectors.get_event_for_organiser(request.user, pk, perm=MANAGE_SERIES)
    cities = list(_free_cities(event.school))
    form = bound(CopyEventForm, request, cities=cities, initial=_copy_initial(event, cities))
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            copies = services.copy_event_to_cities(
                actor=request.user, event=event, copies=form.cleaned_data["copies"]
            )
            names = ", ".join(copy.city.name for copy in copies)
            messages.success(
                request, f"Copied to {names} as drafts, with the workshops. Check each and publish it."
            )
            return redirect(_home_url(f"school-{event.school_id}"))
    context = {"event": event, "form": form, "cities": cities}
    return render(request, "dayschools/organise_copy.html", context, status=refusal_status(form))


# Workshops --------------------------------------------------------------------------------------
def _workshops_url(event_id: int) -> str:
    return f"{_event_url(event_id)}#workshops"


@login_required
@require_http_methods(["GET", "POST"])
def workshop_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = selectors.get_event_for_organiser(request.user, pk)
    day = timezone.localtime(event.starts_at).date()
    starts = timezone.localtime(event.starts_at)
    ends = min(starts + WORKSHOP_LENGTH, timezone.localtime(event.ends_at))
    initial = {"starts": starts.time(), "ends": ends.time(), "capacity": 20}
    form = bound(WorkshopForm, request, day=day, initial=initial)
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            workshop = services.add_workshop(actor=request.user, event=event, **form.details())
            messages.success(request, f"Workshop added: {workshop.title}.")
            return redirect(_workshops_url(event.pk))
    return _form_page(
        request,
        form=form,
        heading="Add a workshop",
        context_line=f"{_event_name(event)}, {_when(event.starts_at)}",
        intro="Workshops at the same time are parallel choices; each has its own places.",
        submit="Add the workshop",
        back=_workshops_url(event.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def workshop_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.get_workshop_for_organiser(request.user, pk)
    event = workshop.event
    day = timezone.localtime(event.starts_at).date()
    form = bound(WorkshopForm, request, day=day, initial=WorkshopForm.initial_for(workshop))
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            services.update_workshop(actor=request.user, workshop=workshop, **form.details())
            messages.success(request, f"Workshop saved: {form.cleaned_data['title']}.")
            return redirect(_workshops_url(event.pk))
    return _form_page(
        request,
        form=form,
        heading="Edit the workshop",
        context_line=f"{_event_name(event)}, {_when(event.starts_at)}",
        submit="Save the workshop",
        back=_workshops_url(event.pk),
    )


@login_required
@require_http_methods(["GET", "POST"])
def workshop_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.get_workshop_for_organiser(request.user, pk)
    event = workshop.event
    form = bound(ConfirmForm, request)
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            services.delete_workshop(actor=request.user, workshop=workshop)
            messages.success(request, f"Workshop removed: {workshop.title}.")
            return redirect(_workshops_url(event.pk))
    return _form_page(
        request,
        form=form,
        heading="Remove the workshop",
        context_line=f"{_event_name(event)}: {workshop.title}",
        intro="Only a workshop nobody has a place in can be removed.",
        submit="Remove the workshop",
        back=_workshops_url(event.pk),
        danger=True,
    )


# Bookings ---------------------------------------------------------------------------------------
@login_required
@require_GET
def event_bookings(request: HttpRequest, pk: int) -> HttpResponse:
    """Who booked: confirmed, the waiting list in order, and cancelled; searchable by name."""
    event = selectors.get_event_for_organiser(request.user, pk)
    search = DoorSearchForm(request.GET or None)
    q = search.value("q")
    context = {
        "event": event,
        "search": search,
        "q": q,
        "counts": selectors.booking_counts(event),
        **selectors.event_bookings(event, q),
    }
    _log_view(request, "dayschools.booking_list.viewed", event)
    return render(request, "dayschools/organise_bookings.html", context)


# The door list ----------------------------------------------------------------------------------
def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _door_url(event: Event) -> str:
    return reverse("dayschools:door", args=[event.pk])


def _door_mark(request: AuthenticatedHttpRequest, event: Event) -> HttpResponse | int:
    """Check one person in or undo it: the redirect (or, for fetch, the new state as JSON), or the
    status with which to show the list again, its error in the messages."""
    form = DoorMarkForm(request.POST, bookings=Booking.objects.filter(event=event))
    if form.is_valid():
        booking, action = form.cleaned_data["booking"], form.cleaned_data["action"]
        already = booking.checked_in_at
        try:
            if action == "check_in":
                booking = services.check_in(actor=request.user, booking=booking)
            else:
                booking = services.undo_check_in(actor=request.user, booking=booking)
        except DaySchoolError as exc:
            error, status = str(exc), 409
        else:
            if action == "undo":
                done = f"{booking.name}: check-in undone."
            elif already is not None:
                done = f"{booking.name} was already checked in at {timezone.localtime(already):%H:%M}."
            else:
                done = f"{booking.name} checked in."
            if _wants_json(request):
                counts = selectors.booking_counts(event)
                checked_in_at = booking.checked_in_at
                return JsonResponse(
                    {
                        "booking": booking.pk,
                        "checked_in": checked_in_at is not None,
                        "time": f"{timezone.localtime(checked_in_at):%H:%M}" if checked_in_at else "",
                        "message": done,
                        "summary": counts.summary,
                        "checked_in_count": counts.checked_in,
                        "confirmed_count": counts.confirmed,
                    }
                )
            messages.success(request, done)
            return redirect(_door_url(event))
    else:
        error, status = " ".join(str(message) for errors in form.errors.values() for message in errors), 400
    if _wants_json(request):
        return JsonResponse({"error": error}, status=status)
    messages.error(request, error)
    return status


@login_required
@require_http_methods(["GET", "POST"])
def door(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The door list on a phone: find someone by name or booking code, check them in, undo; walk-ins."""
    event = selectors.get_event_for_organiser(request.user, pk)
    status = 200
    if request.method == "POST":
        answer = _door_mark(request, event)
        if isinstance(answer, HttpResponse):
            return answer
        status = answer
    search = DoorSearchForm(request.GET or None)
    q = search.value("q")
    found = selectors.door_list(event, q)
    context = {
        "event": event,
        "search": search,
        "q": q,
        "rows": found.rows,
        "code": found.code,
        "code_missing": bool(q) and found.code is not None and not found.found_by_code and not found.rows,
        "found_by_code": found.found_by_code,
        "counts": selectors.booking_counts(event),
        "walk_in_form": WalkInForm(),
        "confirmed": BookingStatus.CONFIRMED,
        "on_the_day": timezone.localtime(event.starts_at).date() == timezone.localdate(),
    }
    _log_view(request, "dayschools.door_list.viewed", event)
    return render(request, "dayschools/door_list.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def door_walk_in(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Someone who came without booking: added and checked in at once."""
    event = selectors.get_event_for_organiser(request.user, pk)
    form = bound(WalkInForm, request)
    if form.is_valid():
        with refusal_on(form, DaySchoolError):
            booking = services.add_walk_in(actor=request.user, event=event, **form.cleaned_data)
            messages.success(request, f"{booking.name} added as a walk-in and checked in.")
            return redirect(_door_url(event))
    return _form_page(
        request,
        form=form,
        heading="Add a walk-in",
        context_line=f"{_event_name(event)}, {_when(event.starts_at)}",
        intro="Someone who came without booking. They are checked in at once.",
        submit="Add and check in",
        back=_door_url(event),
    )
