"""Demo day schools for ``seed_demo``: a series held in six cities, with real-looking figures.

Registered in ``demo.apps`` and run after ``demo.members`` has seeded the
people. What it makes:

* six cities: London (London branch), Leeds, Sheffield, Manchester and
  Liverpool (the north, each with its branch) and Glasgow (Scotland, no
  branch);
* the series "Capitalism and its crises" with four schools. The first three
  are over: each was held in three to five cities on successive Saturdays
  (the first school in five cities, biggest in London, with a waiting list
  there; the second full in London too), the last of them on the Saturday
  before today. The fourth is coming, from the first Saturday at least a
  fortnight ahead, published and open for booking, with bookings so far;
* for the past events: bookings by members of the city's branch and by
  guests (some guests coming back to a later school, some only once), taken
  over the booking window in order, a few cancelled (and the first on the
  waiting list given the place), most checked in at the door, a few
  no-shows, a few walk-ins; workshops chosen by about half; follow-ups of
  some non-members who came, recorded by the branch organiser;
* the demo day-school organiser (``dayschools@awl.example``) organises every
  event; each branch's organiser also organises the events in their city.

Series, schools, events and workshops go through ``dayschools.services``
with the organiser as actor, so the audit trail reads as real use. The
bookings are written as the booking services write them, with the same
invariants (positions in the order taken, the confirmed counter, the waiting
list promoted in order on a cancellation, walk-ins outside the counter), but
at their past dates and without queueing confirmation mail: the services
take bookings only while booking is open, at the present moment, and send
each one an e-mail.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from awl.models import AuditEntry, OutboundMessage
from dayschools import services
from dayschools.models import (
    Booking,
    BookingStatus,
    City,
    Event,
    FollowUp,
    HowHeard,
    Region,
    School,
    Series,
    Workshop,
)
from members.models import Branch, Member, MemberStatus, Role, RoleAssignment

DEMO_DOMAIN = "awl.example"
ORGANISER_EMAIL = f"dayschools@{DEMO_DOMAIN}"
GUEST_DOMAIN = f"guests.{DEMO_DOMAIN}"
SERIES_SLUG = "demo-capitalism-and-its-crises"  # fixed, so that --force removes this series and no other
# name, slug, region, branch slug (None: no branch there)
CITIES = [
    ("London", "london", Region.LONDON, "london"),
    ("Leeds", "leeds", Region.NORTH, "leeds"),
    ("Sheffield", "sheffield", Region.NORTH, "sheffield"),
    ("Manchester", "manchester", Region.NORTH, "manchester"),
    ("Liverpool", "liverpool", Region.NORTH, "liverpool"),
    ("Glasgow", "glasgow", Region.SCOTLAND, None),
]
VENUES = {
    "london": ("Conway Hall", "25 Red Lion Square, London WC1R 4RL"),
    "leeds": ("Leeds Civic Hall, Committee Room 3", "Calverley Street, Leeds LS1 1UR"),
    "sheffield": ("Quaker Meeting House", "10 St James' Street, Sheffield S1 2EW"),
    "manchester": ("Friends Meeting House", "6 Mount Street, Manchester M2 5NS"),
    "liverpool": ("The Casa", "29 Hope Street, Liverpool L1 9BQ"),
    "glasgow": ("Adelaide's", "209 Bath Street, Glasgow G2 4HZ"),
}
ACCESSIBILITY = "Step-free access to the hall and the toilets; a hearing loop in the main room."


@dataclass(frozen=True)
class Held:
    """One event of a school: where, how many Saturdays after the school's first, and its figures."""

    city: str
    week: int
    capacity: int
    bookings: int  # every booking taken, including those later cancelled
    cancelled: int
    no_shows: int = 0
    walk_ins: int = 0


SCHOOLS: list[tuple[str, str, str, list[Held]]] = [
    (
        "What is capitalism?",
        "Commodities, money and capital: how Marx begins, and why it still explains the world we work in.",
        "Marx, Capital volume 1, chapters 1 and 4\nMarx, Wage Labour and Capital",
        [
            Held("london", 0, 80, 94, 9, 8, 6),
            Held("leeds", 1, 40, 31, 3, 4, 3),
            Held("sheffield", 2, 40, 38, 4, 3, 4),
            Held("manchester", 3, 40, 29, 2, 5, 2),
            Held("glasgow", 4, 30, 17, 1, 2, 3),
        ],
    ),
    (
        "Value, profit and exploitation",
        "Where profit comes from: labour power, surplus value and the working day.",
        "Marx, Value, Price and Profit\nCapital volume 1, chapters 6 and 7",
        [
            Held("london", 0, 60, 71, 5, 6, 4),
            Held("manchester", 1, 40, 27, 3, 3, 2),
            Held("liverpool", 2, 30, 21, 2, 2, 1),
            Held("sheffield", 3, 40, 26, 2, 3, 2),
        ],
    ),
    (
        "Why do crises happen?",
        "Booms, slumps and the falling rate of profit, from 1929 to 2008.",
        "Capital volume 3, part 3\nAndrew Kliman, The Failure of Capitalist Production (chapter 1)",
        [
            Held("london", 0, 60, 47, 4, 5, 3),
            Held("leeds", 1, 40, 34, 3, 4, 5),
            Held("glasgow", 2, 30, 22, 2, 2, 1),
        ],
    ),
    (
        "Crisis and the working class today",
        "The cost-of-living crisis, the unions' response and what socialists argue for.",
        "Trotsky, The Transitional Programme (sections 1 to 5)",
        [
            Held("london", 0, 70, 34, 2),
            Held("sheffield", 1, 40, 12, 1),
            Held("manchester", 2, 40, 9, 0),
            Held("leeds", 3, 40, 5, 0),
        ],
    ),
]
WORKSHOPS = [("Reading Capital together", "Room 1"), ("Organising at work", "Room 2")]
GUEST_FIRST = [
    "Alex", "Bea", "Carmen", "Dev", "Elif", "Femi", "Gwen", "Hari", "Isla", "Jon", "Kemi", "Lars", "Mina",
    "Nico", "Orla", "Pat", "Quinn", "Rhea", "Sol", "Tariq", "Uma", "Vik", "Wren", "Xander", "Yara", "Zac",
]  # fmt: skip
GUEST_LAST = [
    "Abbott", "Barker", "Chen", "Dlamini", "Eze", "Fox", "Gill", "Hart", "Ives", "Jama", "Kerr", "Lowe",
    "Moss", "Nair", "Osei", "Pike", "Reid", "Shaw", "Tran", "Vaughan", "Webb", "Yates",
]  # fmt: skip
GUEST_HOW_HEARD = [HowHeard.FRIEND, HowHeard.SOCIAL, HowHeard.STALL, HowHeard.PAPER, HowHeard.EVENT]


def _saturday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(5 - day.weekday()) % 7)


def school_dates(today: dt.date) -> list[dt.date]:
    """The first Saturday of each school: the third over on the Saturday before today, the fourth coming.

    A gap of a few weeks between one school's last city and the next school's first.
    """
    last_saturday = today - dt.timedelta(days=(today.weekday() - 5) % 7 or 7)
    third = last_saturday - dt.timedelta(weeks=2)
    second = third - dt.timedelta(weeks=7)
    first = second - dt.timedelta(weeks=8)
    fourth = _saturday_on_or_after(today + dt.timedelta(days=14))
    return [first, second, third, fourth]


def _in_the_holidays(day: dt.date) -> bool:
    """No day school on the Saturdays between Christmas Eve and the second of January."""
    return (day.month, day.day) >= (12, 24) or (day.month, day.day) <= (1, 2)


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


class DemoDaySchools:
    """Builds the demo series from one seeded generator, so every run makes the same figures."""

    def __init__(self, today: dt.date, rng: random.Random) -> None:
        self.today = today
        self.rng = rng
        self.now = timezone.now()
        self.organiser = get_user_model().objects.get(email=ORGANISER_EMAIL)
        self.branch_organisers = {
            assignment.branch.slug: assignment.user
            for assignment in RoleAssignment.objects.current()
            .filter(role=Role.BRANCH_ORGANISER)
            .select_related("branch", "user")
            .order_by("pk")
            if assignment.branch is not None
        }
        self.guest_pools: dict[str, list[tuple[str, str]]] = {}
        self.counts = {"events": 0, "bookings": 0, "check-ins": 0, "walk-ins": 0}

    # People --------------------------------------------------------------------------------------
    def members_of(self, branch: Branch | None) -> list[Member]:
        if branch is None:
            return []
        return list(
            Member.objects.filter(branch=branch, status=MemberStatus.MEMBER, erased_at__isnull=True)
            .select_related("user")
            .order_by("pk")
        )

    def guest_pool(self, slug: str) -> list[tuple[str, str]]:
        """The city's sympathisers and friends: the same people may come to several schools."""
        if slug not in self.guest_pools:
            pool = []
            for n in range(70):
                first, last = self.rng.choice(GUEST_FIRST), self.rng.choice(GUEST_LAST)
                pool.append((f"{first} {last}", f"{first}.{last}.{slug}{n}@{GUEST_DOMAIN}".lower()))
            self.guest_pools[slug] = pool
        return self.guest_pools[slug]

    # Building ------------------------------------------------------------------------------------
    def run(self) -> dict[str, int]:
        cities = self.cities()
        dates = school_dates(self.today)
        series = services.create_series(
            actor=self.organiser,
            title="Capitalism and its crises",
            season=f"{dates[0].year}-{dates[-1].year % 100:02d}",
            description="A monthly series of day schools on Marxist economics, each held in several cities.",
        )
        Series.objects.filter(pk=series.pk).update(slug=SERIES_SLUG)
        for number, ((title, description, reading, plan), first_day) in enumerate(
            zip(SCHOOLS, dates, strict=True), start=1
        ):
            school = services.create_school(
                actor=self.organiser,
                series=series,
                number=number,
                title=title,
                description=description,
                reading_list=reading,
            )
            previous = None
            for held in plan:
                day = first_day + dt.timedelta(weeks=held.week)
                # The coming school skips the holidays (the past ones must stay in the past).
                while (previous and day <= previous) or (day > self.today and _in_the_holidays(day)):
                    day += dt.timedelta(weeks=1)
                self.event(school, cities[held.city], day, held)
                previous = day
        return {"day-school " + what: n for what, n in self.counts.items()}

    def cities(self) -> dict[str, City]:
        branches = {b.slug: b for b in Branch.objects.all()}
        made = {}
        for name, slug, region, branch_slug in CITIES:
            branch = branches.get(branch_slug) if branch_slug else None
            made[slug] = City.objects.create(name=name, slug=slug, region=region, branch=branch)
        return made

    def event(self, school: School, city: City, day: dt.date, held: Held) -> Event:
        starts, ends = _local(day, 10), _local(day, 16, 30)
        opens = _local(day - dt.timedelta(weeks=6), 9)
        if opens >= self.now:  # the coming school: open for booking now
            opens = self.now - dt.timedelta(days=3)
        organisers = [self.organiser]
        if city.branch is not None and city.branch.slug in self.branch_organisers:
            organisers.append(self.branch_organisers[city.branch.slug])
        venue, address = VENUES[city.slug]
        event = services.create_event(
            actor=self.organiser,
            school=school,
            city=city,
            venue=venue,
            address=address,
            accessibility=ACCESSIBILITY,
            starts_at=starts,
            ends_at=ends,
            capacity=held.capacity,
            booking_opens_at=opens,
            booking_closes_at=_local(day, 9),
            organisers=organisers,
            publish=True,
        )
        for (title, room), capacity in zip(WORKSHOPS, (held.capacity // 2, held.capacity // 2), strict=True):
            services.add_workshop(
                actor=self.organiser,
                event=event,
                title=title,
                room=room,
                leader=self.rng.choice(GUEST_FIRST),
                starts_at=_local(day, 14),
                ends_at=_local(day, 15, 30),
                capacity=capacity,
            )
        self.bookings(event, held)
        self.counts["events"] += 1
        return event

    def bookings(self, event: Event, held: Held) -> None:
        """The event's bookings as the services would have taken them, in order, at past dates."""
        rng = self.rng
        past = event.ends_at < self.now
        window_end = min(event.booking_closes_at, self.now)
        span = (window_end - event.booking_opens_at).total_seconds()
        members = self.members_of(event.city.branch)
        guests = self.guest_pool(event.city.slug)
        member_share = 0.35 if members else 0.0
        people: list[tuple[str, str, Member | None]] = []
        chosen_members = rng.sample(members, min(len(members), round(held.bookings * member_share)))
        people += [(m.full_name, m.user.email, m) for m in chosen_members]
        people += [(name, email, None) for name, email in rng.sample(guests, held.bookings - len(people))]
        # Earlier bookers are more often the keen ones: times skewed towards the window's start.
        times = sorted(
            event.booking_opens_at + dt.timedelta(seconds=span * rng.random() ** 1.5) for _ in people
        )
        rng.shuffle(people)
        rows = []
        for position, ((name, email, member), created) in enumerate(zip(people, times, strict=True), start=1):
            rows.append(
                Booking(
                    event=event,
                    member=member,
                    name=name,
                    email=email,
                    phone="",
                    how_heard=HowHeard.MEMBER if member else rng.choice(GUEST_HOW_HEARD),
                    consent_to_contact=member is not None or rng.random() < 0.6,
                    status=BookingStatus.CONFIRMED if position <= held.capacity else BookingStatus.WAITING,
                    position=position,
                    created_at=created,
                )
            )
        # Cancellations in time order; each confirmed one gives its place to the first still waiting.
        cancelling = sorted(rng.sample(rows, held.cancelled), key=lambda b: b.created_at)
        for booking in cancelling:
            booking.cancelled_at = booking.created_at + (window_end - booking.created_at) * rng.random()
        for booking in sorted(cancelling, key=lambda b: b.cancelled_at or self.now):
            was_confirmed = booking.status == BookingStatus.CONFIRMED
            booking.status = BookingStatus.CANCELLED
            if was_confirmed:
                waiting = [b for b in rows if b.status == BookingStatus.WAITING]
                if waiting:
                    waiting[0].status = BookingStatus.CONFIRMED
                    # Booked after the place came free: confirmed at once, not promoted.
                    if booking.cancelled_at and waiting[0].created_at < booking.cancelled_at:
                        waiting[0].promoted_at = booking.cancelled_at
        confirmed = [b for b in rows if b.status == BookingStatus.CONFIRMED]
        if past:
            for booking in rng.sample(confirmed, len(confirmed) - held.no_shows):
                booking.checked_in_at = event.starts_at + dt.timedelta(minutes=rng.randint(-20, 45))
                booking.checked_in_by = self.organiser
        walk_ins: list[Booking] = []
        for n in range(held.walk_ins if past else 0):
            name, email = rng.choice(guests)
            if any(b.email == email for b in rows + walk_ins):
                name, email = f"Walk-in {n + 1}", ""
            arrived = event.starts_at + dt.timedelta(minutes=rng.randint(0, 60))
            walk_ins.append(
                Booking(
                    event=event,
                    name=name,
                    email=email if rng.random() < 0.7 else "",
                    consent_to_contact=rng.random() < 0.5,
                    status=BookingStatus.CONFIRMED,
                    position=len(rows) + n + 1,
                    walk_in=True,
                    created_at=arrived,
                    checked_in_at=arrived,
                    checked_in_by=self.organiser,
                )
            )
        Booking.objects.bulk_create(rows + walk_ins)
        Event.objects.filter(pk=event.pk).update(
            confirmed=len(confirmed), next_position=len(rows) + len(walk_ins) + 1
        )
        self.choose_workshops(event, confirmed)
        if past:
            self.follow_ups(event, rows + walk_ins)
        self.counts["bookings"] += len(rows)
        self.counts["walk-ins"] += len(walk_ins)
        self.counts["check-ins"] += sum(1 for b in rows + walk_ins if b.checked_in_at)

    def choose_workshops(self, event: Event, confirmed: list[Booking]) -> None:
        """About half of those with a place chose an afternoon workshop, within its places."""
        workshops = list(event.workshops.order_by("pk"))
        taken = dict.fromkeys((w.pk for w in workshops), 0)
        links = []
        for booking in confirmed:
            if self.rng.random() < 0.5:
                workshop = self.rng.choice(workshops)
                if taken[workshop.pk] < workshop.capacity:
                    taken[workshop.pk] += 1
                    links.append(Booking.workshops.through(booking_id=booking.pk, workshop_id=workshop.pk))
        Booking.workshops.through.objects.bulk_create(links)
        for workshop in workshops:
            Workshop.objects.filter(pk=workshop.pk).update(confirmed=taken[workshop.pk])

    def follow_ups(self, event: Event, bookings: list[Booking]) -> None:
        """The branch organiser has followed up some of the non-members who came and agreed to it."""
        branch = event.city.branch
        organiser = self.branch_organisers.get(branch.slug) if branch else None
        if organiser is None:
            return
        came = [b for b in bookings if b.member_id is None and b.consent_to_contact and b.checked_in_at]
        FollowUp.objects.bulk_create(
            FollowUp(
                booking=booking,
                by=organiser,
                at=event.ends_at + dt.timedelta(days=self.rng.randint(1, 10)),
                note=self.rng.choice(
                    [
                        "Rang; coming to the branch meeting.",
                        "E-mailed the reading group details.",
                        "Met for coffee.",
                    ]
                ),
            )
            for booking in came
            if self.rng.random() < 0.4 and event.ends_at + dt.timedelta(days=10) < self.now
        )


def seed(today: dt.date, rng: random.Random) -> dict[str, int]:
    return DemoDaySchools(today, rng).run()


def cleanup() -> None:
    """Remove the demo series with everything under it, the cities it made, and their audit and mail."""
    series = list(Series.objects.filter(slug=SERIES_SLUG))
    schools = School.objects.filter(series__in=series)
    events = Event.objects.filter(school__in=schools)
    event_ids = list(events.values_list("pk", flat=True))
    targets = {
        Series: [s.pk for s in series],
        School: list(schools.values_list("pk", flat=True)),
        Event: event_ids,
    }
    for model, pks in targets.items():
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(model), target_id__in=[str(pk) for pk in pks]
        ).delete()
    OutboundMessage.objects.filter(group__in=[f"dayschool-event:{pk}" for pk in event_ids]).delete()
    FollowUp.objects.filter(booking__event__in=event_ids).delete()
    Booking.objects.filter(event__in=event_ids).delete()
    Workshop.objects.filter(event__in=event_ids).delete()
    events.delete()
    schools.delete()
    Series.objects.filter(pk__in=[s.pk for s in series]).delete()
    # The demo's cities, unless something else is held there.
    City.objects.filter(slug__in=[slug for _, slug, _, _ in CITIES], events__isnull=True).delete()
