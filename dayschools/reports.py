"""Attendance reports: reads only, each a fixed handful of queries whatever the number of bookings.

Words used throughout:

* **attended**: checked in at the door (a walk-in is checked in when added);
* **booked**: a confirmed place taken in advance (walk-ins are counted apart);
* **no-show**: a booked place not checked in once the event is over;
* **first-timer**: someone who attended and had attended no earlier event (by the
  same member, or for a non-member by the same e-mail address, in any letter case);
* an event is **held** once it has started and was not cancelled; a school still to
  come, cancelled or not held in a city leaves that city's cell empty, and changes
  compare held events only ("the previous school in Leeds" is the one last held there).

The series reports come from one grid (:func:`series_grid`, two queries): every
event of the series with its attendance; the city, school and region reports and
the chart are arranged from it in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from awl.permissions import has_rule
from dayschools.models import (
    Booking,
    BookingStatus,
    City,
    Event,
    EventStatus,
    FollowUp,
    Region,
    School,
    Series,
)

# Spoken multiples, for "twice the number we had at the first school".
_MULTIPLES = {2: "twice", 3: "three times", 4: "four times", 5: "five times", 10: "ten times"}


@dataclass(frozen=True)
class Change:
    """Attendance now against a base (an earlier school): the difference, the percentage, in words."""

    base: int
    value: int

    @property
    def diff(self) -> int:
        return self.value - self.base

    @property
    def percent(self) -> int | None:
        """Whole percent, rounded half away from zero; None against a base of nobody."""
        if self.base == 0:
            return None
        sign = 1 if self.diff >= 0 else -1
        return sign * ((abs(self.diff) * 200 + self.base) // (2 * self.base))

    @property
    def signed_diff(self) -> str:
        return f"{self.diff:+d}" if self.diff else "0"

    @property
    def signed_percent(self) -> str:
        if self.percent is None:
            return ""
        return f"{self.percent:+d}%" if self.percent else "0%"

    def against(self, label: str) -> str:
        """'twice the number at school 1 in Sheffield', '3 fewer than at school 2 in Leeds', ..."""
        if self.value == self.base:
            return f"the same number as at {label}"
        if self.base and self.value % self.base == 0 and self.value // self.base in _MULTIPLES:
            return f"{_MULTIPLES[self.value // self.base]} the number at {label}"
        if self.value and self.value * 2 == self.base:
            return f"half the number at {label}"
        return f"{abs(self.diff)} {'more' if self.diff > 0 else 'fewer'} than at {label}"


# One event ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EventFigures:
    """What happened at one event (no-shows are None until it is over)."""

    event: Event
    booked: int
    waiting: int
    cancelled: int
    attended: int
    walk_ins: int
    no_shows: int | None
    members: int
    non_members: int
    first_timers: int

    @property
    def returners(self) -> int:
        return self.attended - self.first_timers

    def rows(self) -> list[tuple[str, int | None]]:
        """(label, figure) in the order the page and the CSV show them."""
        return [
            ("Booked", self.booked),
            ("Waiting list", self.waiting),
            ("Cancelled", self.cancelled),
            ("Attended", self.attended),
            ("Walk-ins", self.walk_ins),
            ("No-shows", self.no_shows),
            ("Members (attended)", self.members),
            ("Non-members (attended)", self.non_members),
            ("First-timers (attended)", self.first_timers),
            ("Returners (attended)", self.returners),
        ]


def _attended_before(starts_at: dt.datetime | OuterRef) -> QuerySet[Booking]:
    return Booking.objects.filter(checked_in_at__isnull=False, event__starts_at__lt=starts_at)


def returning_q() -> Q:
    """A booking whose holder attended an earlier event: the same member, or for a non-member the
    same e-mail address in any letter case (the lowered e-mail is indexed)."""
    earlier = _attended_before(OuterRef("event__starts_at"))
    by_member = Exists(earlier.filter(member_id=OuterRef("member_id")))
    by_email = Exists(earlier.annotate(key=Lower("email")).filter(key=Lower(OuterRef("email"))))
    return Q(by_member, member__isnull=False) | Q(by_email, member__isnull=True) & ~Q(email="")


def event_figures(event: Event, *, now: dt.datetime | None = None) -> EventFigures:
    """The event's figures in one query."""
    now = now or timezone.now()
    attended = Q(checked_in_at__isnull=False)
    booked = Q(status=BookingStatus.CONFIRMED, walk_in=False)
    counts = Booking.objects.filter(event=event).aggregate(
        booked=Count("pk", filter=booked),
        waiting=Count("pk", filter=Q(status=BookingStatus.WAITING)),
        cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
        attended=Count("pk", filter=attended),
        walk_ins=Count("pk", filter=attended & Q(walk_in=True)),
        no_shows=Count("pk", filter=booked & Q(checked_in_at__isnull=True)),
        members=Count("pk", filter=attended & Q(member__isnull=False)),
        non_members=Count("pk", filter=attended & Q(member__isnull=True)),
        first_timers=Count("pk", filter=attended & ~returning_q()),
    )
    over = event.ends_at <= now and event.status != EventStatus.CANCELLED
    return EventFigures(event=event, **{**counts, "no_shows": counts["no_shows"] if over else None})


# A series ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Slot:
    """One school in one city: its event (if any), and how many came if it was held."""

    school: School
    city: City
    event: Event | None
    attended: int | None  # None unless held

    @property
    def state(self) -> str:
        if self.event is None or self.event.status == EventStatus.DRAFT:
            return "not held"
        if self.event.status == EventStatus.CANCELLED:
            return "cancelled"
        return "held" if self.attended is not None else "to come"


@dataclass
class Grid:
    """Every event of a series, by school and city, with its attendance."""

    series: Series
    schools: list[School]
    cities: list[City]
    slots: dict[tuple[int, int], Slot] = field(default_factory=dict)

    def slot(self, school: School, city: City) -> Slot:
        return self.slots.get((school.pk, city.pk)) or Slot(
            school=school, city=city, event=None, attended=None
        )

    def held(self, school: School, city: City) -> int | None:
        return self.slot(school, city).attended


def reportable_series() -> QuerySet[Series]:
    return Series.objects.order_by("-pk")


def series_grid(series: Series, *, now: dt.datetime | None = None) -> Grid:
    """The series' schools and events with their attendance: two queries."""
    now = now or timezone.now()
    schools = list(series.schools.order_by("number"))
    events = list(
        Event.objects.filter(school__series=series)
        .exclude(status=EventStatus.DRAFT)
        .select_related("city")
        .annotate(attendance=Count("bookings", filter=Q(bookings__checked_in_at__isnull=False)))
        .order_by("city__name", "starts_at")
    )
    by_pk = {school.pk: school for school in schools}
    cities: dict[int, City] = {}
    grid = Grid(series=series, schools=schools, cities=[])
    for event in events:
        cities.setdefault(event.city_id, event.city)
        held = event.status == EventStatus.PUBLISHED and event.starts_at <= now
        attended: int | None = event.attendance if held else None
        school = by_pk[event.school_id]
        grid.slots[(school.pk, event.city_id)] = Slot(
            school=school, city=event.city, event=event, attended=attended
        )
    grid.cities = sorted(cities.values(), key=lambda city: city.name)
    return grid


@dataclass(frozen=True)
class Compared:
    """A figure with its changes against the previous and the first school it is compared with."""

    school: School
    value: int | None
    where: str = ""  # the cities it was held in
    previous: Compared | None = None
    first: Compared | None = None

    @property
    def vs_previous(self) -> Change | None:
        return _change(self.previous, self.value)

    @property
    def vs_first(self) -> Change | None:
        return _change(self.first, self.value)

    @property
    def label(self) -> str:
        return f"school {self.school.number}" + (f" in {self.where}" if self.where else "")

    @property
    def previous_words(self) -> str:
        change = self.vs_previous
        return change.against(self.previous.label) if change and self.previous else ""

    @property
    def first_words(self) -> str:
        change = self.vs_first
        return change.against(self.first.label) if change and self.first else ""


def _change(base: Compared | None, value: int | None) -> Change | None:
    if base is None or base.value is None or value is None:
        return None
    return Change(base.value, value)


def _compare(values: Iterable[tuple[School, int | None, str]]) -> list[Compared]:
    """Each school's value against the previous and the first school that had one."""
    rows: list[Compared] = []
    first: Compared | None = None
    previous: Compared | None = None
    for school, value, where in values:
        if value is None:
            rows.append(Compared(school=school, value=None, where=where))
            continue
        row = Compared(school=school, value=value, where=where, previous=previous, first=first)
        rows.append(row)
        previous = row
        first = first or row
    return rows


@dataclass(frozen=True)
class CityRow:
    city: City
    schools: list[Compared]
    slots: list[Slot]

    @property
    def lines(self) -> list[tuple[Slot, Compared]]:
        return list(zip(self.slots, self.schools, strict=True))


def city_report(grid: Grid) -> list[CityRow]:
    """Each city's attendance school by school, against its previous and its first school."""
    report = []
    for city in grid.cities:
        slots = [grid.slot(school, city) for school in grid.schools]
        report.append(
            CityRow(
                city=city,
                schools=_compare((slot.school, slot.attended, city.name) for slot in slots),
                slots=slots,
            )
        )
    return report


@dataclass(frozen=True)
class SchoolRow:
    school: School
    slots: list[Slot]  # one per city of the grid, in order
    total: Compared  # across the cities it was held in


def _where(cities: list[City]) -> str:
    names = [city.name for city in cities]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


def school_report(grid: Grid) -> list[SchoolRow]:
    """Each school across the cities, with its total against the previous and the first school's."""
    totals = []
    for school in grid.schools:
        held = [city for city in grid.cities if grid.held(school, city) is not None]
        total = sum(grid.held(school, city) or 0 for city in held) if held else None
        totals.append((school, total, _where(held)))
    compared = _compare(totals)
    return [
        SchoolRow(school=school, slots=[grid.slot(school, city) for city in grid.cities], total=total)
        for school, total in zip(grid.schools, compared, strict=True)
    ]


@dataclass(frozen=True)
class RegionBlock:
    region: str  # the Region value
    label: str
    cities: list[City]
    schools: list[Compared]


def region_report(grid: Grid) -> list[RegionBlock]:
    """Each region's total school by school (the north: its cities added up), against the first
    school held in that region ("smaller than the first northern school, in Sheffield")."""
    blocks = []
    for region in Region:
        cities = [city for city in grid.cities if city.region == region.value]
        if not cities:
            continue
        values = []
        for school in grid.schools:
            held = [city for city in cities if grid.held(school, city) is not None]
            total = sum(grid.held(school, city) or 0 for city in held) if held else None
            values.append((school, total, _where(held)))
        blocks.append(
            RegionBlock(region=region.value, label=region.label, cities=cities, schools=_compare(values))
        )
    return blocks


# Follow-ups --------------------------------------------------------------------------------------
def follow_up_cities(user: object) -> list[City]:
    """The cities whose follow-up list the user may see (their roles are read once per request)."""
    return [
        city for city in City.objects.order_by("name") if has_rule(user, "dayschools.view_follow_ups", city)
    ]


def _follow_up_candidates(cities: Iterable[City]) -> QuerySet[Booking]:
    """Non-members who came (walk-ins too), with an address to write to, in these cities."""
    return Booking.objects.filter(
        event__city__in=list(cities),
        member__isnull=True,
        checked_in_at__isnull=False,
    ).exclude(email="")


def follow_up_list(cities: Iterable[City]) -> QuerySet[Booking]:
    """One row per person and city: their latest attended booking there, if it consents to contact.

    Newest event first, then by name; ``times`` is how often they came in that city. The
    follow-ups already recorded are read by :func:`follow_ups_for` (one more query per page).
    """
    cities = list(cities)
    same_person = (
        _follow_up_candidates(cities)
        .annotate(key=Lower("email"))
        .filter(event__city_id=OuterRef("event__city_id"), key=Lower(OuterRef("email")))
    )
    later = same_person.filter(
        Q(event__starts_at__gt=OuterRef("event__starts_at"))
        | Q(event__starts_at=OuterRef("event__starts_at"), pk__gt=OuterRef("pk"))
    )
    times = same_person.order_by().values("event__city_id").annotate(n=Count("pk")).values("n")
    return (
        _follow_up_candidates(cities)
        .filter(~Exists(later), consent_to_contact=True)
        .select_related("event__city", "event__school")
        .annotate(times=times, key=Lower("email"))
        .order_by("-event__starts_at", "name", "pk")
    )


def follow_up_counts(cities: Iterable[City]) -> tuple[int, int]:
    """(not yet followed up, everyone on the list) for these cities, counted in one query."""
    followed = FollowUp.objects.annotate(key=Lower("booking__email")).filter(
        key=OuterRef("key"), booking__event__city_id=OuterRef("event__city_id"), booking__member__isnull=True
    )
    counted = (
        follow_up_list(cities)
        .order_by()
        .annotate(done=Exists(followed))
        .aggregate(total=Count("pk"), waiting=Count("pk", filter=Q(done=False)))
    )
    return counted["waiting"], counted["total"]


@dataclass(frozen=True)
class FollowUpRow:
    booking: Booking
    follow_ups: list[FollowUp]  # newest first

    @property
    def last(self) -> FollowUp | None:
        return self.follow_ups[0] if self.follow_ups else None


def follow_ups_for(bookings: list[Booking]) -> list[FollowUpRow]:
    """The follow-ups recorded for these people in these cities (on any of their bookings there):
    one query."""
    if not bookings:
        return []
    keys = {b.key for b in bookings}  # type: ignore[attr-defined]
    city_ids = {b.event.city_id for b in bookings}
    found: dict[tuple[int, str], list[FollowUp]] = {}
    for follow_up in (
        FollowUp.objects.annotate(key=Lower("booking__email"), city_id=F("booking__event__city_id"))
        .filter(key__in=keys, city_id__in=city_ids, booking__member__isnull=True)
        .select_related("by")
        .order_by("-at", "-pk")
    ):
        found.setdefault((follow_up.city_id, follow_up.key), []).append(follow_up)
    return [
        FollowUpRow(booking=b, follow_ups=found.get((b.event.city_id, b.key), []))  # type: ignore[attr-defined]
        for b in bookings
    ]
