"""Day schools: a series of schools, each held as events in several cities, and their bookings.

Capacity is the database's business: an event's ``confirmed`` counter is
changed only under a lock on the event's row and a check constraint keeps it
within ``capacity``; a workshop's likewise. One active booking per member and
per e-mail address per event is a partial unique constraint. ``position``
numbers an event's bookings in the order they were taken (under the lock), so
the waiting list is in arrival order.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from awl.codes import new_code
from members.models import Branch, Member


class Region(models.TextChoices):
    LONDON = "london", "London"
    NORTH = "north", "The north"
    MIDLANDS = "midlands", "The Midlands"
    SOUTH = "south", "The south"
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"


class City(models.Model):
    """A city where day schools are held; its branch's organisers follow up who came."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    region = models.CharField(max_length=16, choices=Region)
    branch = models.ForeignKey(
        Branch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dayschool_cities",
        help_text="The branch whose organisers see this city's follow-up list.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "cities"

    def __str__(self) -> str:
        return self.name


class Series(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    season = models.CharField(max_length=40, help_text="e.g. 'Autumn 2026'.")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return f"{self.title} ({self.season})"


class School(models.Model):
    """One school of a series: one topic, held in several cities."""

    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="schools")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    reading_list = models.TextField(blank=True)

    class Meta:
        ordering = ["series", "number"]
        constraints = [models.UniqueConstraint(fields=["series", "number"], name="school_number_in_series")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class EventStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    CANCELLED = "cancelled", "Cancelled"


class Event(models.Model):
    """A school held in one city on one date."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="events")
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="events")
    status = models.CharField(max_length=10, choices=EventStatus, default=EventStatus.DRAFT)
    venue = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    accessibility = models.TextField(blank=True, help_text="Step-free access, hearing loop, toilets, ...")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    booking_opens_at = models.DateTimeField(default=timezone.now)
    booking_closes_at = models.DateTimeField()
    organisers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="dayschool_events")
    # Kept under the event's row lock; the constraints below make overbooking impossible.
    confirmed = models.PositiveIntegerField(default=0, editable=False)
    next_position = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["starts_at", "city__name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"),
            models.CheckConstraint(
                condition=Q(booking_closes_at__gt=F("booking_opens_at")), name="event_booking_window"
            ),
            models.CheckConstraint(condition=Q(confirmed__lte=F("capacity")), name="event_not_overbooked"),
            models.UniqueConstraint(fields=["school", "city"], name="event_one_per_school_and_city"),
        ]
        indexes = [models.Index(fields=["starts_at"], name="event_starts_idx")]

    def __str__(self) -> str:
        return f"{self.school.title}, {self.city.name}"


class Workshop(models.Model):
    """A session in an event's timetable; sessions at the same time are parallel choices."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="workshops")
    title = models.CharField(max_length=200)
    leader = models.CharField(max_length=200, blank=True)
    room = models.CharField(max_length=100, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    confirmed = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["starts_at", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="workshop_ends_after_start"),
            models.CheckConstraint(condition=Q(confirmed__lte=F("capacity")), name="workshop_not_overbooked"),
        ]

    def __str__(self) -> str:
        return self.title


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WAITING = "waiting", "Waiting list"
    CANCELLED = "cancelled", "Cancelled"


class HowHeard(models.TextChoices):
    MEMBER = "member", "I am a member"
    FRIEND = "friend", "From a friend"
    SOCIAL = "social", "Social media"
    STALL = "stall", "A stall or leaflet"
    PAPER = "paper", "Our paper"
    EVENT = "event", "Another event"
    OTHER = "other", "Somewhere else"


ACTIVE = [BookingStatus.CONFIRMED, BookingStatus.WAITING]


def new_booking_code() -> str:
    """A booking's code, read aloud or scanned at the door (the migrations name this function)."""
    return new_code()


class Booking(models.Model):
    """A place (or a place on the waiting list) at an event, for a member or a guest, or a walk-in."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="bookings")
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="dayschool_bookings"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    how_heard = models.CharField(max_length=10, choices=HowHeard, blank=True)
    consent_to_contact = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=BookingStatus)
    position = models.PositiveIntegerField(help_text="Order the booking was taken in, per event.")
    code = models.CharField(max_length=8, unique=True, default=new_booking_code)
    walk_in = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    workshops = models.ManyToManyField(Workshop, blank=True, related_name="bookings")

    class Meta:
        ordering = ["event", "position"]
        constraints = [
            models.UniqueConstraint(fields=["event", "position"], name="booking_position_per_event"),
            models.UniqueConstraint(
                fields=["event", "member"],
                condition=Q(member__isnull=False, status__in=ACTIVE),
                name="booking_one_active_per_member",
            ),
            models.UniqueConstraint(
                F("event"),
                Lower("email"),
                condition=~Q(email="") & Q(status__in=ACTIVE),
                name="booking_one_active_per_email",
            ),
            models.CheckConstraint(
                condition=~Q(status=BookingStatus.CANCELLED) | Q(checked_in_at__isnull=True),
                name="booking_cancelled_not_checked_in",
            ),
        ]
        indexes = [
            models.Index(fields=["event", "status", "position"], name="booking_event_status_idx"),
            models.Index(Lower("email"), name="booking_email_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} at {self.event}"


class FollowUp(models.Model):
    """A branch organiser's record of following up a non-member who came."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="follow_ups")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Follow-up of {self.booking.name}"
