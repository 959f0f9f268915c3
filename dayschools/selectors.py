"""Day-school reads that pages share, with their joins built in; each part adds its own section."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from awl.codes import read_code
from awl.permissions import has_rule
from dayschools.models import (
    ACTIVE,
    Booking,
    BookingStatus,
    Event,
    EventStatus,
    School,
    Series,
    Workshop,
)
from members.models import Member, RoleAssignment

# Organisers (organiser_views) --------------------------------------------------------------------
MANAGE_SERIES = "dayschools.manage_series"
MANAGE_EVENT = "dayschools.manage_event"


def get_series_for_organiser(user: Any, pk: int) -> Series:
    series = Series.objects.filter(pk=pk).first()
    if series is None:
        raise Http404("No such series.")
    if not has_rule(user, MANAGE_SERIES, series):
        raise PermissionDenied("Only day-school organisers change a series.")
    return series


def get_school_for_organiser(user: Any, pk: int) -> School:
    school = School.objects.select_related("series").filter(pk=pk).first()
    if school is None:
        raise Http404("No such school.")
    if not has_rule(user, MANAGE_SERIES, school):
        raise PermissionDenied("Only day-school organisers change a school.")
    return school


def get_event_for_organiser(user: Any, pk: int, perm: str = MANAGE_EVENT) -> Event:
    """An event its organisers (or the day-school organisers) run; 403 for anyone else."""
    event = Event.objects.select_related("school__series", "city").filter(pk=pk).first()
    if event is None:
        raise Http404("No such event.")
    if not has_rule(user, perm, event if perm == MANAGE_EVENT else event.school):
        raise PermissionDenied("Only the event's organisers can do this.")
    return event


def get_workshop_for_organiser(user: Any, pk: int) -> Workshop:
    workshop = Workshop.objects.select_related("event__school__series", "event__city").filter(pk=pk).first()
    if workshop is None:
        raise Http404("No such workshop.")
    if not has_rule(user, MANAGE_EVENT, workshop.event):
        raise PermissionDenied("Only the event's organisers can do this.")
    return workshop


def _counted_events(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.select_related("city").annotate(
        waiting=Count("bookings", filter=Q(bookings__status=BookingStatus.WAITING)),
        walk_ins=Count(
            "bookings", filter=Q(bookings__walk_in=True, bookings__status=BookingStatus.CONFIRMED)
        ),
    )


def organiser_home(user: Any) -> list[Series]:
    """Series, their schools and each school's events with booked, capacity and waiting: three queries.

    Day-school organisers see every series; an event's own organisers only the events they run.
    """
    events = Event.objects.order_by("starts_at", "city__name")
    schools = School.objects.order_by("number")
    series = Series.objects.order_by("-pk")
    if not has_rule(user, MANAGE_SERIES):
        events = events.filter(organisers=user)
        schools = schools.filter(events__organisers=user).distinct()
        series = series.filter(schools__events__organisers=user).distinct()
    return list(
        series.prefetch_related(
            Prefetch("schools", queryset=schools),
            Prefetch("schools__events", queryset=_counted_events(events)),
        )
    )


def event_workshops(event: Event) -> list[Workshop]:
    return list(event.workshops.order_by("starts_at", "title"))


def organiser_choices() -> QuerySet[Any]:
    """People who may be chosen as an event's organisers from a list: those holding a role today."""
    holders = RoleAssignment.objects.current().values("user_id")
    return (
        get_user_model()
        .objects.filter(pk__in=holders, is_active=True)
        .select_related("member")
        .order_by("email")
    )


def person_label(user: Any) -> str:
    member = getattr(user, "member", None)
    name = member.full_name if member is not None else user.get_full_name()
    return f"{name} ({user.email})" if name else user.email


@dataclass(frozen=True)
class BookingCounts:
    confirmed: int
    waiting: int
    cancelled: int
    walk_ins: int
    checked_in: int

    @property
    def summary(self) -> str:
        return f"{self.checked_in} of {self.confirmed} checked in"


def booking_counts(event: Event) -> BookingCounts:
    """The event's bookings counted by status, in one query."""
    counts = Booking.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(status=BookingStatus.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=BookingStatus.WAITING)),
        cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
        walk_ins=Count("pk", filter=Q(status=BookingStatus.CONFIRMED, walk_in=True)),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )
    return BookingCounts(**counts)


def _name_filter(bookings: QuerySet[Booking], q: str) -> QuerySet[Booking]:
    for word in q.split():
        bookings = bookings.filter(name__icontains=word)
    return bookings


def event_bookings(event: Event, q: str = "") -> dict[str, list[Booking]]:
    """The event's bookings, confirmed (by name), waiting (in order) and cancelled: three queries."""
    bookings = _name_filter(Booking.objects.filter(event=event), q)
    return {
        "confirmed": list(bookings.filter(status=BookingStatus.CONFIRMED).order_by("name", "position")),
        "waiting": list(bookings.filter(status=BookingStatus.WAITING).order_by("position")),
        "cancelled": list(bookings.filter(status=BookingStatus.CANCELLED).order_by("-cancelled_at", "pk")),
    }


@dataclass(frozen=True)
class DoorList:
    rows: list[Booking]
    code: str | None  # the query read as a booking code
    found_by_code: bool


def door_list(event: Event, q: str = "") -> DoorList:
    """Who is expected at the door: everyone confirmed by name, or those a search finds (by name, in any
    status, or the one booking with that code); two queries at most."""
    bookings = Booking.objects.filter(event=event).order_by("name", "position")
    code = read_code(q) if q else None
    if code is not None:
        by_code = list(bookings.filter(code=code))
        if by_code:
            return DoorList(rows=by_code, code=code, found_by_code=True)
    rows = _name_filter(bookings, q) if q else bookings.filter(status=BookingStatus.CONFIRMED)
    return DoorList(rows=list(rows), code=code, found_by_code=False)


# Public pages and bookings (public_views) ----------------------------------------------------------
def coming_events(now: dt.datetime) -> QuerySet[Event]:
    """Published events not yet over, by series, school, date and city, with places left: one query."""
    return (
        Event.objects.filter(status=EventStatus.PUBLISHED, ends_at__gt=now)
        .select_related("school__series", "city")
        .annotate(places_left=F("capacity") - F("confirmed"))
        .order_by("-school__series_id", "school__number", "starts_at", "city__name")
    )


def get_public_event(pk: int) -> Event:
    """A published (or cancelled) event as anyone may see it; a draft is a 404 like a missing one."""
    event = (
        Event.objects.select_related("school__series", "city")
        .exclude(status=EventStatus.DRAFT)
        .filter(pk=pk)
        .first()
    )
    if event is None:
        raise Http404("No such day school.")
    return event


def workshop_slots(workshops: list[Workshop]) -> list[list[Workshop]]:
    """The timetable in time slots: workshops that overlap (directly or through another) share a slot."""
    slots: list[list[Workshop]] = []
    slot_ends: dt.datetime | None = None
    for workshop in sorted(workshops, key=lambda w: (w.starts_at, w.title, w.pk)):
        if slot_ends is None or workshop.starts_at >= slot_ends:
            slots.append([])
            slot_ends = workshop.ends_at
        slots[-1].append(workshop)
        slot_ends = max(slot_ends, workshop.ends_at)
    return slots


class BookingState(StrEnum):
    OPEN = "open"
    NOT_YET = "not_yet"
    CLOSED = "closed"
    CANCELLED = "cancelled"


def booking_state(event: Event, now: dt.datetime) -> BookingState:
    """Whether the public may book now (the service decides; this is what the page says)."""
    if event.status == EventStatus.CANCELLED:
        return BookingState.CANCELLED
    if now < event.booking_opens_at:
        return BookingState.NOT_YET
    if now >= event.booking_closes_at:
        return BookingState.CLOSED
    return BookingState.OPEN


def _waiting_number() -> Subquery:
    """A booking's place in its event's waiting list (meaningful for waiting bookings only)."""
    ahead = (
        Booking.objects.filter(
            event=OuterRef("event"), status=BookingStatus.WAITING, position__lte=OuterRef("position")
        )
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Subquery(ahead)


def waiting_number(booking: Booking) -> int:
    """Where a waiting booking stands in its event's waiting list (1 is next for a place)."""
    return Booking.objects.filter(
        event_id=booking.event_id, status=BookingStatus.WAITING, position__lte=booking.position
    ).count()


def cancellable_by_holder(booking: Booking, now: dt.datetime) -> bool:
    """A place or waiting-list place its holder may still give up: not checked in, the day not begun."""
    return booking.status in ACTIVE and booking.checked_in_at is None and booking.event.starts_at > now


def active_booking_of(member: Member, event: Event) -> Booking | None:
    return (
        Booking.objects.filter(member=member, event=event, status__in=ACTIVE)
        .annotate(waiting_number=_waiting_number())
        .first()
    )


class BadBookingLink(Exception):
    """A booking link that was tampered with, has expired, or names no booking; the message is shown."""


def get_booking_for_link(token: str) -> Booking:
    """The one booking a signed link was made for, with what its page shows: two queries."""
    from dayschools.mail import read_booking_token

    try:
        pk, code = read_booking_token(token)
    except signing.SignatureExpired:
        raise BadBookingLink("This booking link has expired.") from None
    except signing.BadSignature:
        message = "This booking link is not valid; it may have been copied incompletely."
        raise BadBookingLink(message) from None
    booking = (
        Booking.objects.select_related("event__school__series", "event__city")
        .prefetch_related("workshops")
        .annotate(waiting_number=_waiting_number())
        .filter(pk=pk, code=code)
        .first()
    )
    if booking is None:
        raise BadBookingLink("This booking link is not valid: there is no such booking.")
    return booking


def my_bookings(member: Member, limit: int = 100) -> list[Booking]:
    """A member's bookings, latest day school first, with their waiting numbers: two queries."""
    return list(
        Booking.objects.filter(member=member)
        .select_related("event__school__series", "event__city")
        .prefetch_related("workshops")
        .annotate(waiting_number=_waiting_number())
        .order_by("-event__starts_at", "-pk")[:limit]
    )


def coming_bookings(member: Member, now: dt.datetime, limit: int) -> list[Booking]:
    """A member's places and waiting-list places at day schools still to come, soonest first: one query."""
    return list(
        Booking.objects.filter(member=member, status__in=ACTIVE, event__ends_at__gt=now)
        .select_related("event__school", "event__city")
        .annotate(waiting_number=_waiting_number())
        .order_by("event__starts_at", "pk")[:limit]
    )


def get_booking_for_claim(token: str) -> tuple[Booking, int]:
    """The booking a claim link (sent to a member's address) was made for, and the member it is for."""
    from dayschools.mail import read_claim_token

    try:
        pk, code, member_id = read_claim_token(token)
    except signing.SignatureExpired:
        raise BadBookingLink("This link has expired.") from None
    except signing.BadSignature:
        raise BadBookingLink("This link is not valid; it may have been copied incompletely.") from None
    booking = Booking.objects.select_related("event__school__series", "event__city").filter(pk=pk, code=code)
    found = booking.first()
    if found is None:
        raise BadBookingLink("This link is not valid: there is no such booking.")
    return found, member_id
