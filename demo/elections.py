"""The demo elections for ``seed_demo``: the NC's at the demo conference, and two EC by-elections by the NC.

Registered in ``demo.apps`` after the demo conference, so it runs after
the conference and the committees are in (and its cleanup runs before
theirs). What it makes, through the election services
(``conference.elections.services``: nominations, ballots, results) with
the demo logins and members as actors:

* **National Committee {year}**, at the demo conference, set up by the CAC
  login (``cac@awl.example``), its returning officer: 10 seats; nominations
  opened the day after registration did and close when registration closes
  (a fortnight before the conference); voting from 14:00 on the
  conference's Saturday to 12:00 on the Sunday; terms from the Sunday.
  Twelve candidates (six sitting NC members and six registered members),
  each proposed and seconded by members registered for the conference, have
  accepted, with statements; one nomination was declined; and the demo
  member login (``member@awl.example``) has been nominated and has not yet
  answered, so whoever tries the demo can accept from the election's page;
* **an EC by-election, declared**: two EC members stood down sixty days
  ago; the national office login (``office@awl.example``), its returning
  officer, set up a by-election by the NC for the two seats; five NC
  members were nominated, seconded and accepted; voting ran from 38 to 31
  days ago and most of the NC voted; the returning officer ran the count
  forty minutes after voting closed and declared the result, so the two
  elected sit on the EC, and the count sheet is there to read (for the
  returning officer, and for the NC and the candidates now it is declared);
* **an EC by-election with voting open now**: another EC member announced
  25 days ago that they stand down in four days; the NC's by-election for
  the seat (returning officer: the national office login) took three
  candidates, and voting opened two days ago and closes in four days. Some
  of the NC have voted; the demo logins have not, so the demo member
  (an NC member) can vote, and once voting closes the returning officer can
  count it and declare the result.

The by-elections happen in the past, and the services refuse every step
outside its phase, so each step runs with the clock set to the moment it
happened (``clock_at``): the rules are checked, and the audit entries
dated, as they would have been. Ballots are cast that way too, and carry,
as always, no time. The NC's election is still taking nominations, so its
steps run now and their entries are dated afterwards.

Nothing is made without the demo conference and committees (a real
conference for that year leaves the demo alone). The mail the services
queue is dropped, so seeding leaves the outbox quiet and the trail reads as
real use.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager

import time_machine
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from awl.models import AuditEntry, OutboundMessage
from committees import services as committee_services
from committees.models import Committee, Term, TermRole
from committees.services import current_members
from conference.elections.models import Ballot, Election, Nomination, VoterRecord
from conference.elections.services import ballots, elections, nominations, results
from conference.elections.services.elections import candidates, standing_refusal
from conference.models import Conference, Registration, RegistrationStatus
from demo import committees as committees_demo
from demo import conference as conference_demo
from members.models import Member

DEMO_DOMAIN = conference_demo.DEMO_DOMAIN
NC_SEATS = 10
NC_CANDIDATES = 12
# The demo committees (demo.committees.DEMO_SLUGS); elections for them are the demo's.
DEMO_COMMITTEES = ("nc", "ec")

STATEMENTS = [
    "I have organised in my workplace for ten years and helped build our branch from six members to "
    "forty.\n\nOn the NC I will push for a serious campaign on pay, and for the paper to reach every "
    "workplace we are in.",
    "The cost-of-living crisis is not over for working people. I want the NC to back the rank-and-file "
    "groups that are fighting, not just pass motions about them.\n\nI will report back to my branch "
    "after every meeting.",
    "I am a nurse and a UNISON rep. I want our health work coordinated nationally, with a bulletin for "
    "hospital workers and regular day schools for new reps.",
    "Our education programme is the best thing we do. I will work to run day schools in every city and "
    "to make sure new members are welcomed and trained.",
    "I stood for the NC last year and was not elected. I am standing again because we need more young "
    "members in our leadership, and more women.\n\nI am a student organiser in Leeds.",
    "I have served on the NC for two years, mostly on finance. The accounts are in order; now we need "
    "to raise the dues income so that we can afford a second organiser.",
    "We must be a democratic organisation: papers out on time, minutes published, motions carried out. "
    "I will hold the NC to the decisions of conference.",
    "I work on the buses in Manchester. The transport unions are moving and we should be there. I want "
    "the NC to give branches the resources to support the strikes.",
    "Housing is the issue on every estate I knock on. I want our tenants' work to grow into a national "
    "campaign, and our members in the tenants' unions to meet regularly.",
    "I have been a member for fifteen years, and branch secretary in Sheffield for five. I will bring "
    "that experience to the NC, and keep it practical.",
    "Internationalism is not an extra. I will work for closer links with socialists abroad, and for "
    "our solidarity work to be organised, not left to chance.",
    "I joined two years ago. I want the NC to listen to newer members and to make our meetings and our "
    "publications easier to come into.",
]


STOOD_DOWN = [
    "Stood down from the EC on moving to Sheffield for work; stays on the NC.",
    "Stood down from the EC for family reasons; stays on the NC.",
]
STANDING_DOWN = "Standing down from the EC: a new job with evening shifts. Stays on the NC."


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@contextmanager
def clock_at(moment: dt.datetime) -> Iterator[None]:
    """Run the services inside as they ran at ``moment``, a moment past: ``now`` is ``moment`` to them.

    An election moves through its phases in time (nominations, then voting, then the count), and each
    service refuses a step outside its phase; setting the clock, not the rows, is how the demo takes
    a past election through the same services, with every rule they check and every audit entry they
    write dated as it would have been. Only for ``seed_demo``, never in a request; never ahead of now.
    """
    if moment > timezone.now():
        raise ValueError(f"The demo cannot act in the future ({moment:%Y-%m-%d %H:%M}).")
    with time_machine.travel(moment, tick=False):
        yield


class DemoElections:
    """Builds the three demo elections from one seeded generator, so every run makes the same ones."""

    def __init__(self, today: dt.date, rng: random.Random) -> None:
        self.today = today
        self.rng = rng
        self.now = timezone.now()
        users = get_user_model().objects
        self.cac = users.get(email=conference_demo.CAC_EMAIL)
        self.office = users.get(email=conference_demo.OFFICE_EMAIL)
        self.demo_member = (
            Member.objects.select_related("user").filter(user__email=conference_demo.MEMBER_EMAIL).first()
        )
        self.election_type = ContentType.objects.get_for_model(Election)

    def dated(self, election: Election, moment: dt.datetime) -> None:
        """Date the audit entry just written about the election (the services write it at ``now``)."""
        entries = AuditEntry.objects.filter(target_type=self.election_type, target_id=str(election.pk))
        latest = entries.order_by("-pk").values("pk")[:1]
        AuditEntry.objects.filter(pk__in=latest).update(at=min(moment, self.now))

    def run(self) -> dict[str, int]:
        starts_on, _ = conference_demo.conference_weekend(self.today)
        conference = next((c for c in conference_demo.demo_conferences() if c.year == starts_on.year), None)
        nc = Committee.objects.filter(slug="nc").first()
        ec = Committee.objects.filter(slug="ec", elected_by=nc).first() if nc else None
        if conference is None or nc is None or ec is None:
            return {"elections": 0}
        made = [self.national_committee(conference, nc), *self.by_elections(nc, ec)]
        # The e-mails the services queued (nominations, the declared result) for days past: not sent.
        OutboundMessage.objects.filter(group__in=[f"election:{e.pk}" for e in made]).delete()
        return {
            "elections": len(made),
            "election candidates": Nomination.objects.filter(election__in=made, status="accepted").count(),
            "ballots cast": Ballot.objects.filter(election__in=made).count(),
        }

    # The NC at conference ---------------------------------------------------------------------------
    def national_committee(self, conference: Conference, nc: Committee) -> Election:
        opens_at = _local(timezone.localdate(conference.registration_opens_at) + dt.timedelta(days=1), 9)
        election = nominations.create_election(
            actor=self.cac,
            fields={
                "title": f"National Committee {conference.year}",
                "committee": nc,
                "conference": conference,
                "seats": NC_SEATS,
                "nominations_open_at": opens_at,
                "nominations_close_at": _local(conference.starts_on - dt.timedelta(days=14), 17),
                "voting_opens_at": _local(conference.starts_on, 14),
                "voting_closes_at": _local(conference.ends_on, 12),
                "statement_word_limit": 250,
                "self_nomination": True,
                "returning_officer": self.cac,
                "term_starts_on": conference.ends_on,
                "term_ends_on": None,
            },
        )
        self.dated(election, opens_at - dt.timedelta(days=3))
        registered = Registration.objects.filter(
            conference=conference, status=RegistrationStatus.REGISTERED, entitled=True, member__isnull=False
        )
        voters = list(
            Member.objects.filter(pk__in=registered.values("member_id")).select_related("user").order_by("pk")
        )
        logins = Q(user__email__iendswith=f"@{DEMO_DOMAIN}")
        sitting = [
            m
            for m in current_members(nc, self.today).exclude(logins).order_by("pk")
            if not standing_refusal(election, m, self.today)
        ]
        sitting = self.rng.sample(sitting, min(6, len(sitting)))
        others = [m for m in voters if m not in sitting and not standing_refusal(election, m, self.today)]
        standing = sitting + self.rng.sample(others, NC_CANDIDATES - len(sitting))
        times = self.moments(opens_at, len(standing) + 2)
        statements = self.rng.sample(STATEMENTS, len(STATEMENTS))
        for person, moment, statement in zip(standing, times, statements, strict=False):
            self.candidate(election, person, moment, voters, statement)
        # One who declined, and the demo member, who has yet to answer.
        declined = self.nominate(
            election, self.rng.choice([m for m in others if m not in standing]), times[-2], voters
        )
        nominations.decline_nomination(token=declined.token)
        self.answered(declined, times[-2] + dt.timedelta(days=1))
        if self.demo_member is not None and not standing_refusal(election, self.demo_member, self.today):
            self.nominate(election, self.demo_member, times[-1], voters)
        return election

    # The EC by the NC: two by-elections --------------------------------------------------------
    def by_elections(self, nc: Committee, ec: Committee) -> tuple[Election, Election]:
        """The one declared a month ago, and the one whose voting is open now (see the module docstring)."""
        today = self.today
        ordinary = list(
            Term.objects.filter(committee=ec, role=TermRole.MEMBER)
            .current(today)
            .exclude(member__user__email__iendswith=f"@{DEMO_DOMAIN}")
            .select_related("member__user")
            .order_by("pk")
        )
        leaving = self.rng.sample(ordinary, 3)
        declared = self.by_election(
            nc,
            ec,
            seats=2,
            standing_down=[(term, reason) for term, reason in zip(leaving[:2], STOOD_DOWN, strict=True)],
            stood_down_at=_local(today - dt.timedelta(days=60), 10),
            leaves_on=today - dt.timedelta(days=60),
            first_day=today - dt.timedelta(days=58),
            voting=(_local(today - dt.timedelta(days=38), 10), _local(today - dt.timedelta(days=31), 17)),
            n_candidates=5,
            turnout=0.85,
        )
        counted_at = declared.voting_closes_at + dt.timedelta(minutes=40)
        with clock_at(counted_at):
            count = results.run_count(
                actor=self.office, election=declared, seed=self.rng.randrange(results.DRAWN_SEED_LIMIT)
            )
        with clock_at(counted_at + dt.timedelta(minutes=25)):
            results.confirm_result(actor=self.office, election=declared, count=count)
        open_now = self.by_election(
            nc,
            ec,
            seats=1,
            standing_down=[(leaving[2], STANDING_DOWN)],
            stood_down_at=_local(today - dt.timedelta(days=25), 10),
            leaves_on=today + dt.timedelta(days=4),
            first_day=today - dt.timedelta(days=24),
            voting=(_local(today - dt.timedelta(days=2), 10), _local(today + dt.timedelta(days=4), 17)),
            n_candidates=3,
            turnout=0.4,
        )
        return declared, open_now

    def by_election(
        self,
        nc: Committee,
        ec: Committee,
        *,
        seats: int,
        standing_down: list[tuple[Term, str]],
        stood_down_at: dt.datetime,
        leaves_on: dt.date,
        first_day: dt.date,
        voting: tuple[dt.datetime, dt.datetime],
        n_candidates: int,
        turnout: float,
    ) -> Election:
        """EC members stand down; the NC elects their replacements; some of the NC have voted.

        Every step runs through the services on the day it happened (``clock_at``): the national office
        ends the terms, sets the by-election up and returns it; the NC's members nominate, second,
        accept and vote, each at their own moment; nobody votes after now.
        """
        for term, reason in standing_down:
            with clock_at(stood_down_at):
                committee_services.end_term(actor=self.office, term=term, ends_on=leaves_on, reason=reason)
        voting_opens_at, voting_closes_at = voting
        nominations_open_at = _local(first_day + dt.timedelta(days=2), 9)
        nominations_close_at = _local(first_day + dt.timedelta(days=16), 17)
        closes_on = timezone.localdate(voting_closes_at)
        with clock_at(_local(first_day, 10)):
            election = nominations.create_election(
                actor=self.office,
                fields={
                    "title": f"Executive Committee by-election, {closes_on:%-d %B %Y}",
                    "committee": ec,
                    "electing_committee": nc,
                    "seats": seats,
                    "nominations_open_at": nominations_open_at,
                    "nominations_close_at": nominations_close_at,
                    "voting_opens_at": voting_opens_at,
                    "voting_closes_at": voting_closes_at,
                    "statement_word_limit": 150,
                    "self_nomination": True,
                    "returning_officer": None,
                    "term_starts_on": closes_on + dt.timedelta(days=1),
                    "term_ends_on": None,
                },
            )
            # The NC's secretary appoints the returning officer by name (the office sets up, appoints nobody).
            election = elections.appoint_returning_officer(
                actor=get_user_model().objects.get(email=committees_demo.SECRETARY_EMAIL),
                election=election,
                user=self.office,
            )
        on = nominations_open_at.date()
        logins = Q(user__email__iendswith=f"@{DEMO_DOMAIN}")
        electorate = list(current_members(nc, on).exclude(logins).order_by("pk"))
        sitting = set(current_members(ec, on).values_list("pk", flat=True))
        leaving = {term.member_id for term, _ in standing_down}
        pool = [m for m in electorate if m.pk not in sitting | leaving]
        standing = self.rng.sample(pool, n_candidates)
        span = (nominations_close_at - dt.timedelta(days=1) - nominations_open_at).total_seconds()
        times = sorted(nominations_open_at + dt.timedelta(seconds=span * self.rng.random()) for _ in standing)
        statements = self.rng.sample(STATEMENTS, n_candidates)
        for person, moment, statement in zip(standing, times, statements, strict=True):
            proposer, seconder = self.rng.sample([m for m in electorate if m.pk != person.pk], 2)
            with clock_at(moment):
                made = nominations.nominate(
                    actor=proposer.user, election=election, nominee=person, seconder=seconder
                )
            with clock_at(moment + dt.timedelta(hours=self.rng.randint(2, 20))):
                nominations.accept_nomination(
                    token=made.token,
                    statement=statement,
                    ballot_name=person.full_name,
                    actor=person.user,
                )
        self.vote(election, electorate, turnout)
        return election

    def vote(self, election: Election, electorate: list[Member], turnout: float) -> None:
        """Some of the electorate (never the demo logins) cast ballots while voting is open, before now."""
        standing = list(candidates(election))
        support = {n.pk: self.rng.uniform(0.5, 3.0) for n in standing}
        ends = min(election.voting_closes_at, self.now) - dt.timedelta(minutes=30)
        span = (ends - election.voting_opens_at).total_seconds()
        voters = self.rng.sample(electorate, round(len(electorate) * turnout))
        times = sorted(
            election.voting_opens_at + dt.timedelta(seconds=span * self.rng.random()) for _ in voters
        )
        for voter, moment in zip(voters, times, strict=True):
            with clock_at(moment):
                ballots.cast_ballot(actor=voter.user, election=election, ranking=self.ranking(support))

    def ranking(self, support: dict[int, float]) -> list[int]:
        """One voter's preferences: candidates drawn by their support; most rank them all."""
        left = dict(support)
        order = []
        while left:
            [pick] = self.rng.choices(list(left), list(left.values()))
            order.append(pick)
            del left[pick]
        return order if self.rng.random() < 0.6 else order[: self.rng.randint(1, len(order))]

    # Nominating ------------------------------------------------------------------------------------
    def moments(self, opens_at: dt.datetime, count: int) -> list[dt.datetime]:
        """``count`` moments between the opening and two hours ago, in order."""
        span = max((self.now - dt.timedelta(hours=2) - opens_at).total_seconds(), 60)
        return sorted(opens_at + dt.timedelta(seconds=span * self.rng.random()) for _ in range(count))

    def nominate(
        self, election: Election, person: Member, moment: dt.datetime, voters: list[Member]
    ) -> Nomination:
        proposer, seconder = self.rng.sample([m for m in voters if m.pk != person.pk], 2)
        nomination = nominations.nominate(
            actor=proposer.user, election=election, nominee=person, seconder=seconder
        )
        Nomination.objects.filter(pk=nomination.pk).update(created_at=moment)
        self.dated(election, moment)
        return nomination

    def answered(self, nomination: Nomination, moment: dt.datetime) -> None:
        moment = min(moment, self.now - dt.timedelta(minutes=30))
        Nomination.objects.filter(pk=nomination.pk).update(responded_at=moment)
        self.dated(nomination.election, moment)

    def candidate(
        self, election: Election, person: Member, moment: dt.datetime, voters: list[Member], statement: str
    ) -> None:
        nomination = self.nominate(election, person, moment, voters)
        nominations.accept_nomination(
            token=nomination.token, statement=statement, ballot_name=person.full_name, actor=person.user
        )
        self.answered(nomination, moment + dt.timedelta(hours=self.rng.randint(2, 72)))


def seed(today: dt.date, rng: random.Random) -> dict[str, int]:
    return DemoElections(today, rng).run()


# Cleanup -----------------------------------------------------------------------------------------------
def remove(elections: QuerySet[Election]) -> None:
    """Delete the elections, with their audit entries and their mail."""
    pks = list(elections.values_list("pk", flat=True))
    AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(Election), target_id__in=[str(pk) for pk in pks]
    ).delete()
    OutboundMessage.objects.filter(group__in=[f"election:{pk}" for pk in pks]).delete()
    Election.objects.filter(pk__in=pks).update(confirmed_count=None)
    Election.objects.filter(pk__in=pks).delete()


def cleanup() -> None:
    """Remove the demo elections, and every election row that protects a demo member or login."""
    demo_people = Q(user__email__iendswith=f"@{DEMO_DOMAIN}") | Q(user__email__iendswith=f".{DEMO_DOMAIN}")
    demo_members = Member.objects.filter(demo_people)
    demo_users = get_user_model().objects.filter(
        Q(email__iendswith=f"@{DEMO_DOMAIN}") | Q(email__iendswith=f".{DEMO_DOMAIN}")
    )
    remove(
        Election.objects.filter(
            Q(conference__in=conference_demo.demo_conferences())
            | Q(committee__slug__in=DEMO_COMMITTEES)
            | Q(electing_committee__slug__in=DEMO_COMMITTEES)
            | Q(returning_officer__in=demo_users)
        )
    )
    # Demo members' rows in elections that are not the demo's protect them from deletion.
    Nomination.objects.filter(
        Q(nominee__in=demo_members) | Q(proposer__in=demo_members) | Q(seconder__in=demo_members)
    ).delete()
    VoterRecord.objects.filter(member__in=demo_members).delete()
