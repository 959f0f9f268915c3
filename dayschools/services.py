"""Every change to day schools and their bookings.

One transaction per function, keyword-only arguments, an ``actor`` where a
person acts, an audit entry, and ``DaySchoolError`` with a message fit to
show. Capacity is kept by the database: a booking, a cancellation or a
promotion first locks the event's row (``SELECT ... FOR UPDATE``), so
bookings for one event are taken one at a time in the order the locks are
granted; the event's ``confirmed`` counter and its check constraint make an
overbooked event impossible even for code that forgot the lock.

Mail (confirmations, promotions) is queued by ``dayschools.mail`` in the
same transaction, through the outbox.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from awl.audit import log_action
from awl.errors import DomainError, require
from awl.permissions import has_rule
from dayschools.models import (
    ACTIVE,
    Booking,
    BookingStatus,
    City,
    Event,
    EventStatus,
    FollowUp,
    School,
    Series,
    Workshop,
)
from members.models import Member
from members.selectors import member_with_email

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class DaySchoolError(DomainError):
    """A day-school rule refused the change; the message is shown to the person."""


class AlreadyBooked(DaySchoolError):
    """The member or the address already holds an active booking for the event.

    The public form never shows this (it would tell anyone whether an address
    has booked): ``book_from_public_form`` e-mails the address instead."""


_require = partial(require, error=DaySchoolError)


def _lock_event(event: Event | int) -> Event:
    pk = event.pk if isinstance(event, Event) else event
    return Event.objects.select_for_update(of=("self",)).select_related("school", "city").get(pk=pk)


# Setting up -------------------------------------------------------------------------------------
def _check_event_times(
    starts_at: dt.datetime, ends_at: dt.datetime, opens_at: dt.datetime, closes_at: dt.datetime
) -> None:
    if ends_at <= starts_at:
        raise DaySchoolError("An event must end after it starts.")
    if closes_at <= opens_at:
        raise DaySchoolError("Booking must close after it opens.")
    if closes_at > ends_at:
        raise DaySchoolError("Booking must close by the end of the event.")


@transaction.atomic
def create_event(
    *,
    actor: User | None,
    school: School,
    city: City,
    venue: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    booking_closes_at: dt.datetime,
    booking_opens_at: dt.datetime | None = None,
    address: str = "",
    accessibility: str = "",
    organisers: Iterable[Any] = (),
    publish: bool = False,
) -> Event:
    _require(actor, "dayschools.manage_series", school, "Only day-school organisers set up events.")
    opens_at = booking_opens_at or timezone.now()
    _check_event_times(starts_at, ends_at, opens_at, booking_closes_at)
    if capacity < 1:
        raise DaySchoolError("An event needs at least one place.")
    if Event.objects.filter(school=school, city=city).exists():
        raise DaySchoolError(f"{school.title} is already being held in {city.name}.")
    event = Event.objects.create(
        school=school,
        city=city,
        venue=venue,
        address=address,
        accessibility=accessibility,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        booking_opens_at=opens_at,
        booking_closes_at=booking_closes_at,
        status=EventStatus.PUBLISHED if publish else EventStatus.DRAFT,
    )
    event.organisers.set(list(organisers))
    log_action(actor=actor, action="dayschool.event_created", target=event, detail={"city": city.slug})
    return event


@transaction.atomic
def update_event(*, actor: User | None, event: Event, **changes: Any) -> Event:
    """Change an event's details; a capacity below the places already confirmed is refused."""
    event = _lock_event(event)
    _require(actor, "dayschools.manage_event", event, "Only the event's organisers change it.")
    allowed = {
        "venue",
        "address",
        "accessibility",
        "starts_at",
        "ends_at",
        "capacity",
        "booking_opens_at",
        "booking_closes_at",
        "status",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise DaySchoolError(f"These cannot be changed here: {', '.join(sorted(unknown))}.")
    for field, value in changes.items():
        setattr(event, field, value)
    _check_event_times(event.starts_at, event.ends_at, event.booking_opens_at, event.booking_closes_at)
    if event.capacity < event.confirmed:
        raise DaySchoolError(
            f"{event.confirmed} places are already booked; the capacity cannot go below that."
        )
    event.save(update_fields=sorted(changes))
    promoted = _promote(event) if "capacity" in changes else []
    log_action(
        actor=actor,
        action="dayschool.event_changed",
        target=event,
        detail={"fields": sorted(changes), "promoted": len(promoted)},
    )
    return event


@transaction.atomic
def copy_event(
    *,
    actor: User | None,
    event: Event,
    city: City,
    starts_at: dt.datetime,
    venue: str,
    address: str = "",
    capacity: int | None = None,
) -> Event:
    """The same school in another city on another date: times, booking window and workshops shift with it."""
    source = Event.objects.select_related("school").prefetch_related("workshops").get(pk=event.pk)
    _require(actor, "dayschools.manage_series", source.school, "Only day-school organisers set up events.")
    shift = starts_at - source.starts_at
    copy = create_event(
        actor=actor,
        school=source.school,
        city=city,
        venue=venue,
        address=address,
        accessibility="",
        starts_at=starts_at,
        ends_at=source.ends_at + shift,
        capacity=capacity or source.capacity,
        booking_opens_at=max(source.booking_opens_at + shift, timezone.now()),
        booking_closes_at=source.booking_closes_at + shift,
    )
    Workshop.objects.bulk_create(
        Workshop(
            event=copy,
            title=w.title,
            leader=w.leader,
            room="",
            starts_at=w.starts_at + shift,
            ends_at=w.ends_at + shift,
            capacity=w.capacity,
        )
        for w in source.workshops.all()
    )
    log_action(actor=actor, action="dayschool.event_copied", target=copy, detail={"from": source.pk})
    return copy


# Booking ----------------------------------------------------------------------------------------
def _check_open(event: Event, now: dt.datetime) -> None:
    if event.status != EventStatus.PUBLISHED:
        raise DaySchoolError("This event is not taking bookings.")
    if now < event.booking_opens_at:
        raise DaySchoolError(f"Booking opens {timezone.localtime(event.booking_opens_at):%-d %B at %H:%M}.")
    if now >= event.booking_closes_at:
        raise DaySchoolError("Booking for this event has closed.")


def _check_workshops(event: Event, workshops: list[Workshop]) -> list[Workshop]:
    chosen = list({w.pk: w for w in workshops}.values())
    if any(w.event_id != event.pk for w in chosen):
        raise DaySchoolError("That workshop is not part of this event.")
    for first in chosen:
        for second in chosen:
            if first.pk < second.pk and first.starts_at < second.ends_at and second.starts_at < first.ends_at:
                raise DaySchoolError(
                    f"“{first.title}” and “{second.title}” run at the same time; choose one."
                )
    return chosen


def _take_workshop_places(booking: Booking, workshops: list[Workshop]) -> None:
    """Confirmed bookings hold workshop places; a full workshop is refused (the booking is not made)."""
    for workshop in sorted(workshops, key=lambda w: w.pk):
        updated = Workshop.objects.filter(pk=workshop.pk, confirmed__lt=F("capacity")).update(
            confirmed=F("confirmed") + 1
        )
        if not updated:
            raise DaySchoolError(f"The workshop “{workshop.title}” is full; choose another.")
    booking.workshops.set(workshops)


def _book(
    *,
    event: Event,
    member: Member | None,
    name: str,
    email: str,
    phone: str = "",
    how_heard: str = "",
    consent_to_contact: bool = False,
    workshops: list[Workshop] | None = None,
    walk_in: bool = False,
    now: dt.datetime,
) -> Booking:
    event = _lock_event(event)
    if not walk_in:
        _check_open(event, now)
    chosen = _check_workshops(event, workshops or [])
    confirmed = event.confirmed < event.capacity
    if confirmed:
        # Refused before the duplicate check, so this answer is the same whoever's address it is.
        full = Workshop.objects.filter(pk__in=[w.pk for w in chosen], confirmed__gte=F("capacity")).first()
        if full is not None:
            raise DaySchoolError(f"The workshop “{full.title}” is full; choose another.")
    active = event.bookings.filter(status__in=ACTIVE)
    if member is not None and active.filter(member=member).exists():
        raise AlreadyBooked("You have already booked for this event.")
    if email and active.filter(email__iexact=email).exists():
        raise AlreadyBooked("Someone with this e-mail address has already booked for this event.")
    booking = Booking(
        event=event,
        member=member,
        name=name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        how_heard=how_heard,
        consent_to_contact=consent_to_contact,
        status=BookingStatus.CONFIRMED if confirmed else BookingStatus.WAITING,
        position=event.next_position,
        walk_in=walk_in,
        created_at=now,
    )
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError:
        # Only reachable by a race the lock rules out, or a clash of random codes: refuse, write nothing.
        raise DaySchoolError("That booking could not be taken; please try again.") from None
    Event.objects.filter(pk=event.pk).update(
        next_position=F("next_position") + 1,
        confirmed=F("confirmed") + (1 if confirmed else 0),
    )
    if confirmed:
        _take_workshop_places(booking, chosen)
    else:
        booking.workshops.set(chosen)  # wishes, taken up on promotion where there is still room
    return booking


@transaction.atomic
def book_member(*, member: Member, event: Event, workshops: list[Workshop] | None = None) -> Booking:
    """A member books in one click (their name and e-mail come from their record)."""
    from dayschools import mail

    booking = _book(
        event=event,
        member=member,
        name=member.full_name,
        email=member.user.email,
        phone=member.phone,
        how_heard="member",
        consent_to_contact=True,
        workshops=workshops,
        now=timezone.now(),
    )
    log_action(actor=member.user, action="dayschool.booked", target=booking.event, detail=_detail(booking))
    mail.queue_confirmation(booking)
    return booking


@transaction.atomic
def book_guest(
    *,
    event: Event,
    name: str,
    email: str,
    phone: str = "",
    how_heard: str = "",
    consent_to_contact: bool = False,
    workshops: list[Workshop] | None = None,
) -> Booking:
    """Anyone books without logging in: the booking is a guest's, whoever's address it gives.

    It is never attached to a member's record here (anyone can type anyone's
    address): when the address is a member's, the confirmation carries a link
    with which that member, logged in, claims it (``claim_booking``).
    Raises ``AlreadyBooked`` when the address already holds a place.
    """
    from dayschools import mail

    if not name.strip() or not email.strip():
        raise DaySchoolError("Give your name and e-mail address.")
    owner = member_with_email(email)
    booking = _book(
        event=event,
        member=None,
        name=name,
        email=email,
        phone=phone,
        how_heard=how_heard,
        consent_to_contact=consent_to_contact,
        workshops=workshops,
        now=timezone.now(),
    )
    log_action(actor=None, action="dayschool.booked", target=booking.event, detail=_detail(booking))
    mail.queue_confirmation(booking, claimant=owner)
    return booking


@transaction.atomic
def book_from_public_form(
    *,
    event: Event,
    name: str,
    email: str,
    phone: str = "",
    how_heard: str = "",
    consent_to_contact: bool = False,
    workshops: list[Workshop] | None = None,
) -> Booking | None:
    """The public form's booking: the same answer whether the address is a member's, a past guest's or new.

    What happened goes to the address, one e-mail each time: the booking (with,
    for a member's address, the link to claim it), or "you have already
    booked" with the existing booking's link. Returns the new booking, or None
    when the address had one already. Refusals that do not depend on the
    address (closed, a full workshop, a clash) are raised as before.
    """
    from dayschools import mail

    try:
        with transaction.atomic():
            return book_guest(
                event=event,
                name=name,
                email=email,
                phone=phone,
                how_heard=how_heard,
                consent_to_contact=consent_to_contact,
                workshops=workshops,
            )
    except AlreadyBooked:
        existing = (
            Booking.objects.filter(event=event, status__in=ACTIVE, email__iexact=email.strip())
            .select_related("event__school", "event__city")
            .first()
        )
        if existing is not None:
            log_action(
                actor=None, action="dayschool.booked_again", target=existing.event, detail=_detail(existing)
            )
            mail.queue_already_booked(existing)
        return None


@transaction.atomic
def claim_booking(*, actor: User, booking: Booking, member_id: int) -> Booking:
    """A member attaches a booking made with their address on the public form to their record.

    Both proofs are asked for: the link (signed for this booking and this
    member, sent only to the booking's address, so its holder reads that
    mailbox) and the login as that member. Someone who merely typed a
    member's address never sees the link; someone who forwards it cannot use
    it without the member's login.
    """
    event = _lock_event(booking.event_id)
    booking = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
    member = Member.objects.select_related("user").filter(pk=member_id, erased_at__isnull=True).first()
    if member is None or member.user_id != actor.pk:
        raise DaySchoolError("This link is for another member's account: log in as them to use it.")
    if booking.member_id == member.pk:
        return booking
    if booking.member_id is not None or booking.status not in ACTIVE:
        raise DaySchoolError("This booking can no longer be added to your record.")
    if member_with_email(booking.email) != member:
        raise DaySchoolError("This booking was not made with your e-mail address.")
    if event.bookings.filter(status__in=ACTIVE, member=member).exists():
        raise DaySchoolError("You already have a booking for this event on your record.")
    booking.member = member
    booking.save(update_fields=["member"])
    log_action(actor=actor, action="dayschool.booking_claimed", target=event, detail=_detail(booking))
    return booking


def _detail(booking: Booking) -> dict[str, Any]:
    return {"booking": booking.pk, "status": booking.status, "position": booking.position}


def _promote(event: Event) -> list[Booking]:
    """Fill free places from the waiting list, in order; the caller holds the event's lock."""
    from dayschools import mail

    promoted: list[Booking] = []
    free = event.capacity - event.confirmed
    if free <= 0 or event.starts_at <= timezone.now():
        return promoted
    waiting = list(
        event.bookings.filter(status=BookingStatus.WAITING)
        .order_by("position")
        .prefetch_related("workshops")[:free]
    )
    now = timezone.now()
    for booking in waiting:
        booking.status = BookingStatus.CONFIRMED
        booking.promoted_at = now
        booking.save(update_fields=["status", "promoted_at"])
        wished = list(booking.workshops.all())
        booking.workshops.clear()
        for workshop in wished:  # a workshop that filled meanwhile is dropped, not refused
            if Workshop.objects.filter(pk=workshop.pk, confirmed__lt=F("capacity")).update(
                confirmed=F("confirmed") + 1
            ):
                booking.workshops.add(workshop)
        promoted.append(booking)
        mail.queue_promotion(booking)
    if promoted:
        Event.objects.filter(pk=event.pk).update(confirmed=F("confirmed") + len(promoted))
        event.refresh_from_db(fields=["confirmed"])
    return promoted


@transaction.atomic
def cancel_booking(*, booking: Booking, actor: User | None = None) -> Booking:
    """Cancel a place (by its holder's link, or an organiser); the next on the waiting list is promoted.

    ``actor`` None is the holder, through their signed link; a logged-in actor
    is the member who holds it or one of the event's organisers. Holders give
    a place up until the day begins; organisers at any time before check-in.
    """
    event = _lock_event(booking.event_id)
    booking = Booking.objects.select_for_update(of=("self",)).select_related("member").get(pk=booking.pk)
    organiser = actor is not None and has_rule(actor, "dayschools.manage_event", event)
    if not organiser:
        if actor is not None and (booking.member is None or booking.member.user_id != actor.pk):
            raise DaySchoolError(
                "Only the person who booked, or the event's organisers, can cancel a booking."
            )
        if event.starts_at <= timezone.now():
            raise DaySchoolError("The day school has begun; a booking can no longer be given up.")
    if booking.status == BookingStatus.CANCELLED:
        return booking
    if booking.checked_in_at is not None:
        raise DaySchoolError("This booking has been checked in and cannot be cancelled.")
    was_confirmed = booking.status == BookingStatus.CONFIRMED
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    if was_confirmed:
        for workshop in booking.workshops.all():
            Workshop.objects.filter(pk=workshop.pk).update(confirmed=F("confirmed") - 1)
        Event.objects.filter(pk=event.pk).update(confirmed=F("confirmed") - 1)
        event.refresh_from_db(fields=["confirmed"])
    booking.workshops.clear()
    promoted = _promote(event) if was_confirmed else []
    log_action(
        actor=actor,
        action="dayschool.booking_cancelled",
        target=event,
        detail={"booking": booking.pk, "promoted": [b.pk for b in promoted]},
    )
    return booking


# At the door ------------------------------------------------------------------------------------
@transaction.atomic
def check_in(*, actor: User | None, booking: Booking) -> Booking:
    """Mark someone arrived; a second tap or a retried request changes nothing."""
    booking = Booking.objects.select_for_update().select_related("event").get(pk=booking.pk)
    _require(actor, "dayschools.manage_event", booking.event, "Only the event's organisers check people in.")
    if booking.status == BookingStatus.CANCELLED:
        raise DaySchoolError("This booking was cancelled; add them as a walk-in instead.")
    if booking.status == BookingStatus.WAITING:
        raise DaySchoolError("This person is on the waiting list; give them a place first.")
    if booking.checked_in_at is None:
        booking.checked_in_at = timezone.now()
        booking.checked_in_by = actor
        booking.save(update_fields=["checked_in_at", "checked_in_by"])
        log_action(actor=actor, action="dayschool.checked_in", target=booking.event, detail=_detail(booking))
    return booking


@transaction.atomic
def undo_check_in(*, actor: User | None, booking: Booking) -> Booking:
    booking = Booking.objects.select_for_update().select_related("event").get(pk=booking.pk)
    _require(actor, "dayschools.manage_event", booking.event, "Only the event's organisers check people in.")
    if booking.checked_in_at is not None:
        booking.checked_in_at = None
        booking.checked_in_by = None
        booking.save(update_fields=["checked_in_at", "checked_in_by"])
        log_action(
            actor=actor, action="dayschool.check_in_undone", target=booking.event, detail=_detail(booking)
        )
    return booking


@transaction.atomic
def add_walk_in(
    *, actor: User | None, event: Event, name: str, email: str = "", consent_to_contact: bool = False
) -> Booking:
    """Someone who turned up without booking: checked in at once, over capacity if the room allows.

    ``consent_to_contact``: they agreed at the door to be contacted (at ``email``); a non-member
    who did appears on their city's follow-up list."""
    _require(actor, "dayschools.manage_event", event, "Only the event's organisers add walk-ins.")
    if not name.strip():
        raise DaySchoolError("Give the walk-in's name.")
    locked = _lock_event(event)
    if email and locked.bookings.filter(status__in=ACTIVE, email__iexact=email.strip()).exists():
        raise DaySchoolError("Someone with this e-mail address has already booked; check them in instead.")
    member = member_with_email(email)
    now = timezone.now()
    booking = Booking.objects.create(
        event=locked,
        member=member,
        name=name.strip(),
        email=email.strip(),
        consent_to_contact=consent_to_contact and bool(email.strip()),
        status=BookingStatus.CONFIRMED,
        position=locked.next_position,
        walk_in=True,
        created_at=now,
        checked_in_at=now,
        checked_in_by=actor,
    )
    # Walk-ins are counted in the room, not against the booked places.
    Event.objects.filter(pk=locked.pk).update(next_position=F("next_position") + 1)
    log_action(actor=actor, action="dayschool.walk_in", target=locked, detail=_detail(booking))
    return booking


@transaction.atomic
def record_follow_up(*, actor: User | None, booking: Booking, note: str = "") -> FollowUp:
    booking = Booking.objects.select_related("event__city").get(pk=booking.pk)
    _require(
        actor,
        "dayschools.view_follow_ups",
        booking.event.city,
        "Only the branch's organisers follow up people from their city.",
    )
    if booking.member_id is not None or not booking.consent_to_contact or booking.checked_in_at is None:
        raise DaySchoolError("Only non-members who came and agreed to be contacted are followed up.")
    follow_up = FollowUp.objects.create(booking=booking, by=actor, note=note.strip()[:500])
    log_action(
        actor=actor, action="dayschool.followed_up", target=booking.event, detail={"booking": booking.pk}
    )
    return follow_up


# Organisers -------------------------------------------------------------------------------------
# Setting up a series, its schools, events and workshops (organiser_views).
def _unique_slug(title: str, season: str) -> str:
    from django.utils.text import slugify

    base = (slugify(f"{title} {season}") or "series")[:90]
    slug, n = base, 1
    while Series.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_series(*, actor: User | None, title: str, season: str, description: str = "") -> Series:
    _require(actor, "dayschools.manage_series", None, "Only day-school organisers set up series.")
    if not title.strip() or not season.strip():
        raise DaySchoolError("A series needs a title and a season.")
    series = Series.objects.create(
        title=title.strip(),
        season=season.strip(),
        description=description.strip(),
        slug=_unique_slug(title, season),
    )
    log_action(actor=actor, action="dayschool.series_created", target=series)
    return series


@transaction.atomic
def update_series(
    *, actor: User | None, series: Series, title: str, season: str, description: str = ""
) -> Series:
    _require(actor, "dayschools.manage_series", series, "Only day-school organisers change series.")
    if not title.strip() or not season.strip():
        raise DaySchoolError("A series needs a title and a season.")
    series.title, series.season, series.description = title.strip(), season.strip(), description.strip()
    series.save(update_fields=["title", "season", "description"])
    log_action(actor=actor, action="dayschool.series_changed", target=series)
    return series


def _check_school_number(series: Series, number: int, school: School | None = None) -> None:
    if number < 1:
        raise DaySchoolError("Schools are numbered from 1.")
    clash = School.objects.filter(series=series, number=number)
    if school is not None:
        clash = clash.exclude(pk=school.pk)
    if clash.exists():
        raise DaySchoolError(f"The series already has a school number {number}.")


@transaction.atomic
def create_school(
    *,
    actor: User | None,
    series: Series,
    number: int,
    title: str,
    description: str = "",
    reading_list: str = "",
) -> School:
    _require(actor, "dayschools.manage_series", series, "Only day-school organisers set up schools.")
    Series.objects.select_for_update().get(pk=series.pk)  # one number at a time
    _check_school_number(series, number)
    school = School.objects.create(
        series=series,
        number=number,
        title=title.strip(),
        description=description.strip(),
        reading_list=reading_list.strip(),
    )
    log_action(actor=actor, action="dayschool.school_created", target=school)
    return school


@transaction.atomic
def update_school(
    *,
    actor: User | None,
    school: School,
    number: int,
    title: str,
    description: str = "",
    reading_list: str = "",
) -> School:
    _require(actor, "dayschools.manage_series", school, "Only day-school organisers change schools.")
    Series.objects.select_for_update().get(pk=school.series_id)
    _check_school_number(school.series, number, school)
    school.number, school.title = number, title.strip()
    school.description, school.reading_list = description.strip(), reading_list.strip()
    school.save(update_fields=["number", "title", "description", "reading_list"])
    log_action(actor=actor, action="dayschool.school_changed", target=school)
    return school


@transaction.atomic
def set_event_organisers(*, actor: User | None, event: Event, organisers: Iterable[Any]) -> Event:
    """Who runs the event's bookings and door list (besides the day-school organisers)."""
    _require(actor, "dayschools.manage_event", event, "Only the event's organisers change it.")
    chosen = list(organisers)
    before = set(event.organisers.values_list("pk", flat=True))
    event.organisers.set(chosen)
    after = {user.pk for user in chosen}
    if before != after:
        log_action(
            actor=actor,
            action="dayschool.organisers_changed",
            target=event,
            detail={"added": sorted(after - before), "removed": sorted(before - after)},
        )
    return event


@transaction.atomic
def edit_event(*, actor: User | None, event: Event, organisers: Iterable[Any], **changes: Any) -> Event:
    """The organisers' edit form: the event's details (as ``update_event``) and its organisers, together."""
    event = update_event(actor=actor, event=event, **changes)
    return set_event_organisers(actor=actor, event=event, organisers=organisers)


def publish_refusal(event: Event, now: dt.datetime) -> str:
    """Why the event cannot be published now; "" when it can (a draft not yet over)."""
    if event.status != EventStatus.DRAFT:
        return f"This event is {event.get_status_display().lower()}; only a draft can be published."
    if event.ends_at <= now:
        return "This event is over; it cannot be published."
    return ""


def cancel_refusal(event: Event, now: dt.datetime) -> str:
    """Why the event cannot be cancelled now; "" when it can (not cancelled, not yet begun)."""
    if event.status == EventStatus.CANCELLED:
        return "This event is already cancelled."
    if event.starts_at <= now:
        return "This event has already begun; it can no longer be cancelled."
    return ""


@transaction.atomic
def publish_event(*, actor: User | None, event: Event) -> Event:
    """A draft event goes on the public list and takes bookings (within its booking window)."""
    event = _lock_event(event)
    _require(actor, "dayschools.manage_event", event, "Only the event's organisers publish it.")
    refusal = publish_refusal(event, timezone.now())
    if refusal:
        raise DaySchoolError(refusal)
    event.status = EventStatus.PUBLISHED
    event.save(update_fields=["status"])
    log_action(actor=actor, action="dayschool.event_published", target=event)
    return event


@transaction.atomic
def cancel_event(*, actor: User | None, event: Event) -> Event:
    """The event will not take place: it leaves the public list and takes no more bookings."""
    event = _lock_event(event)
    _require(actor, "dayschools.manage_event", event, "Only the event's organisers cancel it.")
    refusal = cancel_refusal(event, timezone.now())
    if refusal:
        raise DaySchoolError(refusal)
    from dayschools import mail

    event.status = EventStatus.CANCELLED
    event.save(update_fields=["status"])
    # Everyone holding a place or waiting is told, once each (the bookings stay as they were, for the record).
    told = 0
    for booking in event.bookings.filter(status__in=ACTIVE).select_related("event__school", "event__city"):
        booking.event = event
        mail.queue_event_cancelled(booking)
        told += 1
    log_action(
        actor=actor,
        action="dayschool.event_cancelled",
        target=event,
        detail={"active_bookings": told},
    )
    return event


@transaction.atomic
def copy_event_to_cities(*, actor: User | None, event: Event, copies: list[dict[str, Any]]) -> list[Event]:
    """The same school in several more cities at once: every copy is made, or none.

    Each entry of ``copies`` gives ``city``, ``starts_at``, ``venue`` and
    optionally ``address`` and ``capacity``, as ``copy_event`` takes them.
    """
    if not copies:
        raise DaySchoolError("Choose at least one city to copy the event to.")
    cities = [copy["city"] for copy in copies]
    if len({city.pk for city in cities}) != len(cities):
        raise DaySchoolError("Each city can be chosen once.")
    made = []
    for copy in copies:
        try:
            made.append(copy_event(actor=actor, event=event, **copy))
        except DaySchoolError as exc:
            raise DaySchoolError(f"{copy['city'].name}: {exc} Nothing was copied.") from None
    return made


def _check_workshop(event: Event, starts_at: dt.datetime, ends_at: dt.datetime, capacity: int) -> None:
    if ends_at <= starts_at:
        raise DaySchoolError("A workshop must end after it starts.")
    if starts_at < event.starts_at or ends_at > event.ends_at:
        raise DaySchoolError("A workshop must take place within the event's times.")
    if capacity < 1:
        raise DaySchoolError("A workshop needs at least one place.")


@transaction.atomic
def add_workshop(
    *,
    actor: User | None,
    event: Event,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    leader: str = "",
    room: str = "",
) -> Workshop:
    event = _lock_event(event)
    _require(actor, "dayschools.manage_event", event, "Only the event's organisers change its workshops.")
    if not title.strip():
        raise DaySchoolError("A workshop needs a title.")
    _check_workshop(event, starts_at, ends_at, capacity)
    workshop = Workshop.objects.create(
        event=event,
        title=title.strip(),
        leader=leader.strip(),
        room=room.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
    )
    log_action(actor=actor, action="dayschool.workshop_added", target=event, detail={"workshop": workshop.pk})
    return workshop


@transaction.atomic
def update_workshop(
    *,
    actor: User | None,
    workshop: Workshop,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    leader: str = "",
    room: str = "",
) -> Workshop:
    """Change a workshop; a capacity below the places already taken in it is refused."""
    event = _lock_event(workshop.event_id)
    _require(actor, "dayschools.manage_event", event, "Only the event's organisers change its workshops.")
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if not title.strip():
        raise DaySchoolError("A workshop needs a title.")
    _check_workshop(event, starts_at, ends_at, capacity)
    if capacity < workshop.confirmed:
        raise DaySchoolError(
            f"{workshop.confirmed} places in this workshop are already taken; "
            "the capacity cannot go below that."
        )
    workshop.title, workshop.leader, workshop.room = title.strip(), leader.strip(), room.strip()
    workshop.starts_at, workshop.ends_at, workshop.capacity = starts_at, ends_at, capacity
    workshop.save(update_fields=["title", "leader", "room", "starts_at", "ends_at", "capacity"])
    log_action(
        actor=actor, action="dayschool.workshop_changed", target=event, detail={"workshop": workshop.pk}
    )
    return workshop


@transaction.atomic
def delete_workshop(*, actor: User | None, workshop: Workshop) -> None:
    """Remove a workshop nobody holds a place in (waiting-list wishes for it are dropped)."""
    event = _lock_event(workshop.event_id)
    _require(actor, "dayschools.manage_event", event, "Only the event's organisers change its workshops.")
    workshop = Workshop.objects.select_for_update().get(pk=workshop.pk)
    if workshop.confirmed:
        raise DaySchoolError(
            f"{workshop.confirmed} {'person has' if workshop.confirmed == 1 else 'people have'} a place "
            "in this workshop; it cannot be removed. "
            "Change it instead."
        )
    log_action(
        actor=actor,
        action="dayschool.workshop_removed",
        target=event,
        detail={"workshop": workshop.pk, "title": workshop.title},
    )
    workshop.delete()


# Reports ------------------------------------------------------------------------------------------
@transaction.atomic
def record_report_exported(
    *, actor: User | None, report: str, rows: int, target: Any = None, detail: dict[str, Any] | None = None
) -> None:
    """A report left the system as a CSV file: written to the audit trail, whether it names people
    (the follow-up list: names, e-mail addresses, phone numbers) or only counts them."""
    log_action(
        actor=actor,
        action="dayschool.report_exported",
        target=target,
        detail={"report": report, "rows": rows, **(detail or {})},
    )
