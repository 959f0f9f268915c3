"""The demo annual conference for ``seed_demo``: registration open, the snapshot taken, forty registered.

Registered in ``demo.apps`` and run after ``demo.members`` has seeded the
people. What it makes:

* the coming annual conference: the weekend of the last Saturday of April
  of the coming spring (registration closing at least a week from today), at
  Conway Hall, London; registration opened a fortnight ago and closes a
  fortnight before the conference; the eligibility cut-off was a week ago,
  so the CAC (``cac@awl.example``) has taken the entitlement snapshot; fee
  bands £30 waged, £15 low-waged, £5 unwaged, £50 solidarity; capacity 400;
  every member in good standing votes;
* the national office has given the demo CAC login every duty (access,
  diet, crèche, accommodation, the desk), so it sees every needs list;
* about forty registrations by members across the branches, taken since
  registration opened, with a sprinkling of access and dietary needs,
  children for the crèche, beds needed in London and beds offered there
  (a few already matched), first conferences, and consent to share needs;
  three members not in good standing on the cut-off: one admitted since,
  one who rejoined after lapsing, and one who rejoined and was granted an
  exception by the CAC, with its reason; two invited non-voting visitors
  (an observer and a guest speaker); fees paid in full or in part by some,
  recorded by the branch treasurers, so "outstanding" has content;
* taking motions: the CAC set the deadlines (motions six weeks before
  the conference and amendments four, but never sooner than a week and a
  fortnight from today, so motions are open whatever day the demo is
  seeded), and three motions are in: the NC's (put by its secretary,
  ``secretary@awl.example``), London branch's (put by its organiser after
  the branch meeting) and a member's, seconded from the e-mailed link; the
  demo member can propose one; London branch amends the NC's motion by
  its numbered lines (insert after line 6);
* a timetable of plenaries, workshops (with rooms and chairs) and meetings
  over the two days, and three documents: a bulletin for every member and
  the NC's report for those registered, both published, and a second
  bulletin to be published four weeks before the conference.

The demo member login (``member@awl.example``) is not registered, so
someone trying the demo can register. Everything goes through the
services (``conference.services``, ``conference.programme``, and
``members.services`` for the admission and the rejoining), with the CAC,
the national office, the branch organisers and treasurers as actors, so the
audit trail reads as real use; the entries are then dated when each step
would have happened (the set-up before registration opened, the snapshot
the day after the cut-off, the registrations over the fortnight since). The confirmation e-mails the services
queue are dropped, and the two published documents are marked told (as the
notice sweep would have told them when they were published), so seeding
leaves the outbox quiet.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q
from django.utils import timezone

from awl.audit import log_action
from awl.models import AuditEntry, OutboundMessage
from conference.business.services import motions
from conference.business.services import publication as business
from conference.elections.models import Election
from conference.models import (
    Amendment,
    AmendmentKind,
    Attendee,
    Audience,
    Band,
    Conference,
    Credential,
    Document,
    DocumentKind,
    Duty,
    Motion,
    ProposerKind,
    Registration,
    RegistrationPayment,
    RegistrationStatus,
    SessionKind,
    Snapshot,
    VotingBasis,
)
from conference.programme import notices
from conference.programme import services as programme
from conference.registration import services
from members import services as member_services
from members.models import (
    Application,
    ApplicationDecision,
    Branch,
    Member,
    MemberStatus,
    PaymentMethod,
    Role,
    RoleAssignment,
)

DEMO_DOMAIN = "awl.example"
CAC_EMAIL = f"cac@{DEMO_DOMAIN}"
OFFICE_EMAIL = f"office@{DEMO_DOMAIN}"
MEMBER_EMAIL = f"member@{DEMO_DOMAIN}"
CROWD_DOMAIN = f"members.{DEMO_DOMAIN}"
GUEST_DOMAIN = f"guests.{DEMO_DOMAIN}"
VENUE = "Conway Hall"
ADDRESS = "25 Red Lion Square, London WC1R 4RL"
CAPACITY = 400
FEES: dict[str, Decimal | None] = {
    Band.WAGED: Decimal("30.00"),
    Band.LOW_WAGED: Decimal("15.00"),
    Band.UNWAGED: Decimal("5.00"),
    Band.SOLIDARITY: Decimal("50.00"),
}
# Members in good standing who register, by branch (37; with three not in good standing and two visitors, 42).
QUOTAS = {"london": 12, "manchester": 7, "leeds": 7, "sheffield": 6, "liverpool": 5}

ACCESS_NEEDS = [
    "I use a wheelchair: a step-free route, and a space at the end of a row in the main hall.",
    "A hearing loop, please; I lip-read, so a seat near the front.",
    "A quiet room to take breaks in (I'm autistic).",
    "Large-print copies of the conference documents.",
    "I can't stand for long: a chair near the door during the breaks.",
]
DIETARY_NEEDS = [
    "Vegetarian",
    "Vegan",
    "Vegan",
    "Vegetarian",
    "Halal",
    "Gluten-free (coeliac)",
    "Severe nut allergy: I carry an adrenaline pen.",
    "No pork",
    "Dairy-free",
    "Vegetarian, no mushrooms",
]
CHILDREN = [(1, "4"), (2, "2 and 6"), (1, "8"), (2, "5 and 9")]
PAYMENT_METHODS = ["Cash at the branch meeting", "Bank transfer", "Card at the branch stall"]
EXCEPTION_REASON = (
    "Lapsed in error: the standing order stopped when the bank changed its systems, and nobody noticed; "
    "arrears paid in full as soon as it was found."
)
VISITORS = [
    ("Sacha Moreau", f"sacha.moreau@{GUEST_DOMAIN}", Attendee.OBSERVER),
    ("Dr Ann Lyle", f"ann.lyle@{GUEST_DOMAIN}", Attendee.GUEST),
]


@dataclass(frozen=True)
class Slot:
    """One session: which day (0 or 1), from and to (hours, minutes), kind, title, room, description."""

    day: int
    starts: tuple[int, int]
    ends: tuple[int, int]
    kind: str
    title: str
    room: str
    description: str = ""
    chaired: bool = True


TIMETABLE = [
    Slot(0, (9, 30), (10, 0), SessionKind.MEETING, "Registration and credentials", "Foyer",
         "Collect your badge, and your voting credential if you are entitled to vote.", chaired=False),
    Slot(0, (10, 0), (10, 15), SessionKind.PLENARY, "Opening of conference; standing orders report",
         "Main Hall"),
    Slot(0, (10, 15), (12, 30), SessionKind.PLENARY, "World perspectives", "Main Hall",
         "Introduced by the National Committee, then debate and amendments."),
    Slot(0, (12, 45), (13, 25), SessionKind.MEETING, "Women's caucus", "Library"),
    Slot(0, (13, 30), (15, 0), SessionKind.WORKSHOP, "Organising in the NHS", "Brockway Room"),
    Slot(0, (13, 30), (15, 0), SessionKind.WORKSHOP, "Housing and renters' unions", "Bertrand Russell Room"),
    Slot(0, (13, 30), (15, 0), SessionKind.WORKSHOP, "Introduction to Marxist economics", "Library"),
    Slot(0, (15, 30), (17, 30), SessionKind.PLENARY, "British perspectives and the unions", "Main Hall"),
    Slot(0, (17, 45), (18, 30), SessionKind.MEETING, "Hustings for the National Committee", "Main Hall"),
    Slot(1, (10, 0), (12, 30), SessionKind.PLENARY, "Motions from branches and the National Committee",
         "Main Hall"),
    Slot(1, (13, 30), (15, 0), SessionKind.WORKSHOP, "Students and young workers", "Brockway Room"),
    Slot(1, (13, 30), (15, 0), SessionKind.WORKSHOP, "Writing for the paper", "Library"),
    Slot(1, (15, 15), (16, 30), SessionKind.PLENARY, "Finance report; elections to the National Committee",
         "Main Hall", "Results of the election are announced before the close."),
    Slot(1, (16, 30), (17, 0), SessionKind.PLENARY, "Close of conference", "Main Hall"),
]  # fmt: skip

MOTION_WORDS = 500
AMENDMENT_WORDS = 150
# (title, text in Markdown, topic): the NC's, London branch's, and a member's.
MOTIONS = [
    (
        "Perspectives for the year ahead",
        "Conference notes that the cost-of-living crisis has not ended for working people, and that "
        "strikes over pay have won where they were solid and spread.\n\n"
        "Conference resolves:\n\n"
        "1. to make support for the rank-and-file in the public-sector unions our first priority;\n"
        "2. to run a day school in every city on the unions and the fight over pay;\n"
        "3. to get the paper into every workplace where we have a member.",
        "Perspectives",
    ),
    (
        "Renters' unions",
        "London branch notes the growth of renters' unions in the city and the part our members have "
        "played in them.\n\n"
        "Conference resolves to set up a housing network of members active in tenants' and renters' "
        "unions, meeting every two months, with a page in the paper for its reports.",
        "Housing",
    ),
    (
        "Climate jobs and the unions",
        "Conference believes that the fight for climate jobs must be led by the workers in the "
        "industries affected, not imposed on them.\n\n"
        "Conference resolves that the NC organise a meeting of members in energy, transport and "
        "manufacturing to draw up our demands before the next TUC congress.",
        "Climate",
    ),
]

BULLETIN_1 = (
    "The agenda, the National Committee's motions and the motions from branches received so far. "
    "Branches may send amendments until the amendments deadline."
)
NC_REPORT = (
    "The National Committee's report on the year: membership and dues, the branches, the day-school "
    "series, the paper, the industrial work and the finances, with the accounts."
)
BULLETIN_2 = (
    "Amendments to the motions, the nominations for the National Committee with the candidates' "
    "statements, and the standing orders committee's proposed order of business."
)


def last_saturday_of_april(year: int) -> dt.date:
    last = dt.date(year, 4, 30)
    return last - dt.timedelta(days=(last.weekday() - 5) % 7)


def conference_weekend(today: dt.date) -> tuple[dt.date, dt.date]:
    """The coming spring's conference: the last Saturday of April, and the Sunday.

    The coming spring is this year's if its registration (closing a fortnight
    before) is still open a week from today, else next year's.
    """
    saturday = last_saturday_of_april(today.year)
    if saturday - dt.timedelta(days=14) < today + dt.timedelta(days=7):
        saturday = last_saturday_of_april(today.year + 1)
    return saturday, saturday + dt.timedelta(days=1)


def title_for(year: int) -> str:
    return f"Annual conference {year}"


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _is_demo_email(prefix: str = "") -> Q:
    field = f"{prefix}email__iendswith"
    return Q(**{field: f"@{DEMO_DOMAIN}"}) | Q(**{field: f".{DEMO_DOMAIN}"})


class DemoConference:
    """Builds the demo conference from one seeded generator, so every run makes the same figures."""

    def __init__(self, today: dt.date, rng: random.Random) -> None:
        self.today = today
        self.rng = rng
        self.now = timezone.now()
        users = get_user_model().objects
        self.cac = users.get(email=CAC_EMAIL)
        self.office = users.get(email=OFFICE_EMAIL)
        self.officers: dict[tuple[str, str], Any] = {
            (a.role, a.branch.slug): a.user
            for a in RoleAssignment.objects.current()
            .filter(role__in=[Role.BRANCH_ORGANISER, Role.BRANCH_TREASURER], branch__isnull=False)
            .select_related("branch", "user")
            .order_by("pk")
            if a.branch is not None
        }
        self.conference_type = ContentType.objects.get_for_model(Conference)

    # Dating the audit trail ----------------------------------------------------------------------
    def dated(self, moment: dt.datetime) -> None:
        """Date the audit entry just written about the conference (the services write it at ``now``)."""
        entries = AuditEntry.objects.filter(
            target_type=self.conference_type, target_id=str(self.conference.pk)
        ).order_by("-pk")
        entries.filter(pk__in=entries.values("pk")[:1]).update(at=min(moment, self.now))

    def officer(self, role: str, branch_slug: str) -> Any:
        return self.officers.get((role, branch_slug), self.office)

    # Building ------------------------------------------------------------------------------------
    def run(self) -> dict[str, int]:
        starts_on, ends_on = conference_weekend(self.today)
        if Conference.objects.filter(Q(year=starts_on.year) | Q(slug=str(starts_on.year))).exists():
            return {"annual conference": 0}  # a real one for that year: the demo leaves it alone
        self.opens_at = _local(self.today - dt.timedelta(days=14), 9)
        self.cutoff = self.today - dt.timedelta(days=7)
        self.conference = services.create_conference(
            actor=self.cac,
            year=starts_on.year,
            fields={
                "title": title_for(starts_on.year),
                "starts_on": starts_on,
                "ends_on": ends_on,
                "venue": VENUE,
                "address": ADDRESS,
                "city": "London",
                "registration_opens_at": self.opens_at,
                "registration_closes_at": _local(starts_on - dt.timedelta(days=14), 23, 59),
                "unwaged_free": False,
                "eligibility_cutoff": self.cutoff,
                "voting_basis": VotingBasis.ALL_MEMBERS,
                "delegate_base": 1,
                "delegate_per_members": 10,
                "delegate_rounding": "down",
            },
            fee_bands=FEES,
            capacity=CAPACITY,
        )
        self.dated(self.opens_at - dt.timedelta(days=10))
        for duty in Duty.values:
            services.assign_duty(actor=self.office, conference=self.conference, user=self.cac, duty=duty)
            self.dated(self.opens_at - dt.timedelta(days=9))
        # The CAC's duties are cached on the user by the rules: read it afresh.
        self.cac = get_user_model().objects.get(pk=self.cac.pk)

        snapshot = services.take_snapshot(actor=self.cac, conference=self.conference)
        taken = _local(self.cutoff + dt.timedelta(days=1), 10)
        Snapshot.objects.filter(pk=snapshot.pk).update(taken_at=taken)
        self.dated(taken)

        self.business()
        registrations = self.register_members()
        self.late_comers(registrations)
        self.visitors()
        self.payments(registrations)
        self.accommodation(registrations)
        sessions = self.timetable(registrations)
        self.documents()
        motions_in = self.motions(registrations)
        # The confirmations the services queued, for registrations dated in the past: not sent.
        OutboundMessage.objects.filter(group=notices.mail_group(self.conference)).delete()
        total = Registration.objects.filter(conference=self.conference).count()
        return {
            "annual conference": 1,
            "conference registrations": total,
            "conference sessions": sessions,
            "conference motions": motions_in,
        }

    def register_members(self) -> list[Registration]:
        """Members in good standing on the cut-off, from every branch, at times since registration opened."""
        rng = self.rng
        pool = list(
            Member.objects.filter(
                user__email__endswith=f"@{CROWD_DOMAIN}",
                status=MemberStatus.MEMBER,
                erased_at__isnull=True,
                joined_on__lte=self.cutoff,
            )
            .select_related("user", "branch")
            .order_by("pk")
        )
        chosen: list[Member] = []
        for slug, quota in QUOTAS.items():
            mine = [m for m in pool if m.branch.slug == slug]
            entitled = (
                m for m in rng.sample(mine, len(mine)) if services.eligibility(self.conference, m).entitled
            )
            chosen += islice(entitled, quota)
        rng.shuffle(chosen)  # the branches' members register in no particular order
        last_conference = last_saturday_of_april(self.today.year)
        if last_conference > self.today:
            last_conference = last_saturday_of_april(self.today.year - 1)
        needs = self.needs_for(chosen, last_conference)
        span = (self.now - dt.timedelta(hours=2) - self.opens_at).total_seconds()
        # The keen register early: times skewed towards the opening.
        times = sorted(self.opens_at + dt.timedelta(seconds=span * rng.random() ** 1.6) for _ in chosen)
        return [self.register(m, moment, needs[m.pk]) for m, moment in zip(chosen, times, strict=True)]

    def needs_for(self, members: list[Member], last_conference: dt.date) -> dict[int, dict[str, Any]]:
        rng = self.rng
        needs: dict[int, dict[str, Any]] = {
            m.pk: {
                "first_conference": bool(m.joined_on and m.joined_on > last_conference)
                or rng.random() < 0.05,
                "consent_share_needs": rng.random() < 0.6,
            }
            for m in members
        }
        london = [m for m in members if m.branch.slug == "london"]
        elsewhere = [m for m in members if m.branch.slug != "london"]
        for member in rng.sample(london, min(4, len(london))):
            needs[member.pk].update(offers_beds=rng.choice([1, 1, 2, 2, 3]), consent_share_needs=True)
        for n, member in enumerate(rng.sample(elsewhere, min(7, len(elsewhere)))):
            needs[member.pk].update(needs_bed=True, consent_share_needs=n != 3)  # one keeps it to themself
        for text, member in zip(ACCESS_NEEDS[:4], rng.sample(members, 4), strict=True):
            needs[member.pk].update(access_needs=text, consent_share_needs=True)
        for text, member in zip(DIETARY_NEEDS, rng.sample(members, 12), strict=False):
            needs[member.pk]["dietary_needs"] = text
        for (children, ages), member in zip(CHILDREN[:3], rng.sample(members, 3), strict=True):
            needs[member.pk].update(children=children, children_ages=ages, consent_share_needs=True)
        return needs

    def register(self, member: Member, moment: dt.datetime, needs: dict[str, Any]) -> Registration:
        band = Band(member.dues_band)
        if band == Band.WAGED and self.rng.random() < 0.12:
            band = Band.SOLIDARITY
        registration = services.register(member=member, conference=self.conference, fee_band=band, **needs)
        moment = min(moment, self.now)
        Registration.objects.filter(pk=registration.pk).update(created_at=moment, updated_at=moment)
        registration.created_at = registration.updated_at = moment
        self.dated(moment)
        return registration

    def late_comers(self, registrations: list[Registration]) -> None:
        """Three members not in good standing on the cut-off register; the CAC grants one an exception.

        One applicant admitted today, and two lapsed members who rejoined four
        days ago: they register as members, not entitled to vote, with the reason.
        """
        rng = self.rng
        rejoined_on = self.cutoff + dt.timedelta(days=3)
        lapsed = list(
            Member.objects.filter(
                user__email__endswith=f"@{CROWD_DOMAIN}", status=MemberStatus.LAPSED, erased_at__isnull=True
            )
            .exclude(status_changes__effective_on__gt=self.cutoff)
            .select_related("user", "branch")
            .order_by("pk")
            .distinct()
        )
        back = rng.sample(lapsed, min(2, len(lapsed)))
        for member in back:
            member_services.change_status(
                actor=self.officer(Role.BRANCH_ORGANISER, member.branch.slug),
                member=member,
                status=MemberStatus.MEMBER,
                reason="Rejoined at a branch meeting",
                effective_on=rejoined_on,
            )
            self.pay_dues(member, rejoined_on)
        pending = list(
            Application.objects.filter(
                decision=ApplicationDecision.PENDING, member__user__email__endswith=f"@{CROWD_DOMAIN}"
            )
            .select_related("member", "branch")
            .order_by("pk")
        )
        admitted = []
        if pending:
            application = rng.choice(pending)
            member_services.approve_application(
                actor=self.officer(Role.BRANCH_ORGANISER, application.branch.slug), application=application
            )
            OutboundMessage.objects.filter(key=f"application-{application.pk}-approved").delete()
            admitted = [application.member]
            self.pay_dues(application.member, self.today)
        # The rejoined register the evenings after; the newly admitted member at once.
        late = [
            (m, _local(rejoined_on + dt.timedelta(days=n + 1), 20, 15), False) for n, m in enumerate(back)
        ]
        late += [(m, self.now, True) for m in admitted]
        for member, moment, new in late:
            member = Member.objects.select_related("user", "branch").get(pk=member.pk)
            registrations.append(self.register(member, moment, {"first_conference": new}))
        if back:
            services.grant_exception(
                actor=self.cac, conference=self.conference, member=back[0], reason=EXCEPTION_REASON
            )
            self.dated(_local(self.today, 9, 30))

    def pay_dues(self, member: Member, on: dt.date) -> None:
        member = Member.objects.select_related("user", "branch").get(pk=member.pk)
        rate = member_services.monthly_rate(member.dues_band, on)
        member_services.record_payment(
            actor=self.officer(Role.BRANCH_TREASURER, member.branch.slug),
            member=member,
            paid_on=on,
            amount=rate * 12,
            method=PaymentMethod.CASH,
            note="A year's dues on rejoining" if member.joined_on and member.joined_on < on else "",
        )

    def visitors(self) -> None:
        for n, (name, email, attendee) in enumerate(VISITORS):
            services.invite(
                actor=self.cac, conference=self.conference, name=name, email=email, attendee=attendee
            )
            self.dated(_local(self.opens_at.date() + dt.timedelta(days=3 + n * 4), 11))

    def payments(self, registrations: list[Registration]) -> None:
        """Some pay in full, a few in part, the rest still owe: recorded by their branch treasurer.

        The shares are fixed (a little over half in full, at least two in part, among those whose fee
        can be halved), not rolled for each registration, so no day's demo lacks any of the three.
        """
        rng = self.rng
        order = rng.sample(registrations, len(registrations))
        in_full = round(len(order) * 0.55)
        halvable = [r for r in order[in_full:] if r.fee_due >= Decimal("10")]
        in_part = halvable[: max(2, round(len(order) * 0.1))]
        amounts = {r.pk: r.fee_due for r in order[:in_full]}
        amounts |= {r.pk: (r.fee_due / 2).quantize(Decimal("0.01")) for r in in_part}
        for registration in registrations:
            assert registration.member is not None  # noqa: S101  (members' own registrations)
            if registration.pk not in amounts:
                continue
            registered_on = timezone.localdate(registration.created_at)
            paid_on = registered_on + dt.timedelta(
                days=rng.randint(0, max(0, (self.today - registered_on).days))
            )
            payment = services.record_registration_payment(
                actor=self.officer(Role.BRANCH_TREASURER, registration.member.branch.slug),
                registration=registration,
                amount=amounts[registration.pk],
                paid_on=paid_on,
                method=rng.choice(PAYMENT_METHODS),
            )
            recorded = min(_local(paid_on, 19, rng.randint(0, 59)), self.now)
            RegistrationPayment.objects.filter(pk=payment.pk).update(recorded_at=recorded)
            self.dated(recorded)

    def accommodation(self, registrations: list[Registration]) -> None:
        """The CAC matches a few of those needing a bed to the London hosts; the rest are still to do."""
        shared = [r for r in registrations if r.consent_share_needs]
        hosts = [r for r in shared if r.offers_beds]
        guests = [r for r in shared if r.needs_bed][:4]
        beds = [host for host in hosts for _ in range(host.offers_beds)]
        for guest, host in zip(guests, beds, strict=False):
            services.match_accommodation(actor=self.cac, guest=guest, host=host)
            self.dated(_local(self.today, 10, 30))

    def timetable(self, registrations: list[Registration]) -> int:
        chairs = iter(self.rng.sample([r.name for r in registrations if r.entitled], len(TIMETABLE)))
        days = programme.conference_days(self.conference)
        for slot in TIMETABLE:
            day = days[slot.day]
            programme.add_session(
                actor=self.cac,
                conference=self.conference,
                title=slot.title,
                kind=slot.kind,
                starts_at=_local(day, *slot.starts),
                ends_at=_local(day, *slot.ends),
                room=slot.room,
                chair=next(chairs) if slot.chaired else "",
                description=slot.description,
            )
            self.dated(self.opens_at - dt.timedelta(days=2))
        return len(TIMETABLE)

    def business(self) -> None:
        """The CAC sets the deadlines before registration opens: motions are taken from now until then.

        Six weeks before the conference for motions and four for amendments, but never sooner than a
        week and a fortnight from today, so the demo conference takes motions whatever day it is seeded
        (registration closes at least a week from today, and the conference is a fortnight after that).
        """
        starts_on = self.conference.starts_on
        motions_day = max(starts_on - dt.timedelta(days=42), self.today + dt.timedelta(days=7))
        amendments_day = max(starts_on - dt.timedelta(days=28), motions_day + dt.timedelta(days=7))
        business.save_rules(
            actor=self.cac,
            conference=self.conference,
            motions_deadline=_local(motions_day, 17),
            amendments_deadline=_local(amendments_day, 17),
            word_limit=MOTION_WORDS,
            amendment_word_limit=AMENDMENT_WORDS,
            amendments_to_amendments=False,
        )
        self.dated(self.opens_at - dt.timedelta(days=8))

    def motions(self, registrations: list[Registration]) -> int:
        """Three motions in so far: the NC's, one from London branch, and a member's, seconded.

        Put by the NC's secretary, the London organiser (after the branch meeting a week ago), and a
        registered member with another as seconder, who confirms from the e-mailed link.
        """
        users = get_user_model().objects
        members = [r.member for r in registrations if r.member is not None and r.entitled]
        proposer, seconder = self.rng.sample(members, 2)
        proposers: list[dict[str, Any]] = [
            {"actor": users.get(email=f"secretary@{DEMO_DOMAIN}"), "proposer_kind": ProposerKind.NC},
            {
                "actor": users.get(email=f"london.organiser@{DEMO_DOMAIN}"),
                "proposer_kind": ProposerKind.BRANCH,
                "branch": Branch.objects.get(slug="london"),
                "branch_meeting_on": self.today - dt.timedelta(days=7),
            },
            {"actor": proposer.user, "proposer_kind": ProposerKind.MEMBER, "seconder": seconder},
        ]
        for days_ago, who, (title, text, topic) in zip((6, 4, 2), proposers, MOTIONS, strict=True):
            motion = motions.submit_motion(
                conference=self.conference, title=title, text=text, topic=topic, **who
            )
            moment = min(_local(self.today - dt.timedelta(days=days_ago), 18, 30), self.now)
            Motion.objects.filter(pk=motion.pk).update(submitted_at=moment, updated_at=moment)
            self.dated(moment)
        motions.confirm_seconding(token=motions.seconder_token(motion), actor=seconder.user)
        seconded = min(_local(self.today - dt.timedelta(days=1), 9, 15), self.now)
        Motion.objects.filter(pk=motion.pk).update(seconded_at=seconded)
        self.dated(seconded)
        # London branch amends the NC's motion by its numbered lines: a fourth point after point 2 (line 6).
        amendment = motions.submit_amendment(
            motion=Motion.objects.get(conference=self.conference, proposer_kind=ProposerKind.NC),
            kind=AmendmentKind.INSERT,
            line_from=6,
            insert_text="3. to send a speaker to every renters' union that invites us;",
            **proposers[1],
        )
        amended_at = min(_local(self.today - dt.timedelta(days=1), 19), self.now)
        Amendment.objects.filter(pk=amendment.pk).update(submitted_at=amended_at, updated_at=amended_at)
        self.dated(amended_at)
        return len(MOTIONS)

    def documents(self) -> None:
        """A bulletin for every member and the NC's report for those registered, both out; one to come."""
        plan = [
            ("Pre-conference bulletin 1: the agenda and motions", DocumentKind.BULLETIN, Audience.MEMBERS,
             BULLETIN_1, _local(self.opens_at.date() + dt.timedelta(days=1), 9)),
            ("National Committee report to conference", DocumentKind.REPORT, Audience.REGISTERED,
             NC_REPORT, _local(self.today - dt.timedelta(days=2), 9)),
            ("Pre-conference bulletin 2: amendments and nominations", DocumentKind.BULLETIN, Audience.MEMBERS,
             BULLETIN_2, self.second_bulletin_day()),
        ]  # fmt: skip
        for title, kind, audience, summary, publish_on in plan:
            document = programme.add_document(
                actor=self.cac,
                conference=self.conference,
                title=title,
                kind=kind,
                audience=audience,
                summary=summary,
                publish_on=publish_on,
            )
            self.dated(min(publish_on, self.now) - dt.timedelta(hours=20))
            if publish_on <= self.now:
                self.told(document)

    def second_bulletin_day(self) -> dt.datetime:
        """Four weeks before the conference, but never already past: seeded 22 to 27 days before the
        conference, four weeks before is gone, and the demo would have no document still to come.
        The conference is at least three weeks off (``conference_weekend``), so three days on is before it."""
        four_weeks_before = self.conference.starts_on - dt.timedelta(days=28)
        return _local(max(four_weeks_before, self.today + dt.timedelta(days=3)), 9)

    def told(self, document: Document) -> None:
        """Mark a published document told, as the notice sweep would have when it came out.

        The sweep would otherwise mail every member now about a bulletin of
        days ago; nothing is queued, and the entry says so.
        """
        recipients = programme.audience_members(document).count()
        entry = log_action(
            actor=None,
            action=notices.NOTICE_ACTION,
            target=document,
            detail={"version": document.version, "kind": "published", "recipients": recipients, "queued": 0,
                    "demo": True},
        )  # fmt: skip
        AuditEntry.objects.filter(pk=entry.pk).update(at=document.publish_on + dt.timedelta(minutes=5))


def seed(today: dt.date, rng: random.Random) -> dict[str, int]:
    return DemoConference(today, rng).run()


# Cleanup -----------------------------------------------------------------------------------------------
def demo_conferences() -> list[Conference]:
    """Conferences the demo made: its venue, a title and address from their year, and every one of their
    registrations (there are some) by someone at the demo domain. A real conference never matches."""
    candidates = Conference.objects.filter(venue=VENUE, address=ADDRESS).annotate(
        n_registrations=Count("registrations"),
        n_real=Count("registrations", filter=~_is_demo_email("registrations__")),
    )
    return [
        c
        for c in candidates.filter(n_registrations__gt=0, n_real=0)
        if c.slug == str(c.year) and c.title == title_for(c.year)
    ]


def cleanup() -> None:
    """Remove the demo conference, and every conference row that protects a demo member from deletion."""
    conferences = demo_conferences()
    documents = list(Document.objects.filter(conference__in=conferences))
    for model, pks in ((Conference, [c.pk for c in conferences]), (Document, [d.pk for d in documents])):
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(model), target_id__in=[str(pk) for pk in pks]
        ).delete()
    OutboundMessage.objects.filter(group__in=[notices.mail_group(c) for c in conferences]).delete()
    for document in documents:
        if document.file:
            document.file.delete(save=False)
    # Registrations protect the members (and the conference); their credentials and payments protect them.
    demo_members = Member.objects.filter(_is_demo_email("user__"))
    elsewhere = Registration.objects.filter(member__in=demo_members).exclude(conference__in=conferences)
    for row in (
        elsewhere.filter(status=RegistrationStatus.REGISTERED).values("conference").annotate(n=Count("pk"))
    ):
        Conference.objects.filter(pk=row["conference"]).update(registered=F("registered") - row["n"])
    registrations = Registration.objects.filter(Q(conference__in=conferences) | Q(member__in=demo_members))
    Credential.objects.filter(registration__in=registrations).delete()
    RegistrationPayment.objects.filter(registration__in=registrations).delete()
    registrations.delete()
    Snapshot.objects.filter(conference__in=conferences).delete()
    # Elections held at them protect them (demo.elections removes its own first, as a rule).
    from demo import elections as election_demo

    election_demo.remove(Election.objects.filter(conference__in=conferences))
    # Motions protect their conference; amendments go with their motion.
    Amendment.objects.filter(motion__conference__in=conferences).delete()
    Motion.objects.filter(conference__in=conferences).delete()
    for conference in conferences:
        conference.delete()
