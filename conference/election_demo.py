"""The demo elections for ``seed_demo``: the NC's at the demo conference, and the EC's by the NC.

Registered with ``awl.demo`` in ``ConferenceConfig.ready`` after the demo
conference, so it runs after the conference and the committees are in (and
its cleanup runs before theirs). What it makes, through
``conference.nominations`` with the demo logins and members as actors:

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
* **Executive Committee {year}**, by the NC, set up by the national office
  login (``office@awl.example``), its returning officer: 7 seats;
  nominations opened two days ago and close in twelve days; voting over the
  week after; three NC members have accepted and one has yet to answer. The
  demo member sits on the NC, so can nominate there.

Nothing is made without the demo conference and committees (a real
conference for that year leaves the demo alone). The mail the services
queue is dropped, and the nominations and audit entries are dated over the
days since nominations opened, so seeding leaves the outbox quiet and the
trail reads as real use.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone

from awl.models import AuditEntry, OutboundMessage
from committees.models import Committee
from committees.services import current_members
from conference import demo, nominations
from conference.election_models import Election, Nomination, VoterRecord
from conference.elections import standing_refusal
from conference.models import Conference, Registration, RegistrationStatus
from members.models import Member

DEMO_DOMAIN = demo.DEMO_DOMAIN
NC_SEATS = 10
NC_CANDIDATES = 12
EC_SEATS = 7
# The demo committees (committees.demo.DEMO_SLUGS); elections for them are the demo's.
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


def _local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


class DemoElections:
    """Builds the two demo elections from one seeded generator, so every run makes the same ones."""

    def __init__(self, today: dt.date, rng: random.Random) -> None:
        self.today = today
        self.rng = rng
        self.now = timezone.now()
        users = get_user_model().objects
        self.cac = users.get(email=demo.CAC_EMAIL)
        self.office = users.get(email=demo.OFFICE_EMAIL)
        self.demo_member = Member.objects.select_related("user").filter(user__email=demo.MEMBER_EMAIL).first()
        self.election_type = ContentType.objects.get_for_model(Election)

    def dated(self, election: Election, moment: dt.datetime) -> None:
        """Date the audit entry just written about the election (the services write it at ``now``)."""
        entries = AuditEntry.objects.filter(target_type=self.election_type, target_id=str(election.pk))
        latest = entries.order_by("-pk").values("pk")[:1]
        AuditEntry.objects.filter(pk__in=latest).update(at=min(moment, self.now))

    def run(self) -> dict[str, int]:
        starts_on, _ = demo.conference_weekend(self.today)
        conference = next((c for c in demo.demo_conferences() if c.year == starts_on.year), None)
        nc = Committee.objects.filter(slug="nc").first()
        ec = Committee.objects.filter(slug="ec", elected_by=nc).first() if nc else None
        if conference is None or nc is None or ec is None:
            return {"elections": 0}
        national = self.national_committee(conference, nc)
        executive = self.executive_committee(nc, ec)
        # The e-mails the services queued for nominations dated in the past: not sent.
        OutboundMessage.objects.filter(
            group__in=[f"election:{national.pk}", f"election:{executive.pk}"]
        ).delete()
        candidates = Nomination.objects.filter(election__in=[national, executive], status="accepted").count()
        return {"elections": 2, "election candidates": candidates}

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

    # The EC by the NC ------------------------------------------------------------------------------
    def executive_committee(self, nc: Committee, ec: Committee) -> Election:
        opens_at = _local(self.today - dt.timedelta(days=2), 9)
        closes_at = _local(self.today + dt.timedelta(days=12), 17)
        election = nominations.create_election(
            actor=self.office,
            fields={
                "title": f"Executive Committee {self.today.year}",
                "committee": ec,
                "electing_committee": nc,
                "seats": EC_SEATS,
                "nominations_open_at": opens_at,
                "nominations_close_at": closes_at,
                "voting_opens_at": _local(self.today + dt.timedelta(days=14), 10),
                "voting_closes_at": _local(self.today + dt.timedelta(days=21), 17),
                "statement_word_limit": 150,
                "self_nomination": True,
                "returning_officer": self.office,
                "term_starts_on": self.today + dt.timedelta(days=22),
                "term_ends_on": None,
            },
        )
        self.dated(election, opens_at - dt.timedelta(days=5))
        members = list(current_members(nc, self.today).exclude(user__email__iendswith=f"@{DEMO_DOMAIN}"))
        standing = self.rng.sample(members, 4)
        voters = [m for m in members if m not in standing]
        times = self.moments(opens_at, len(standing))
        statements = self.rng.sample(STATEMENTS, len(standing))
        for person, moment, statement in zip(standing[:3], times, statements, strict=False):
            self.candidate(election, person, moment, voters, statement)
        self.nominate(election, standing[3], times[3], voters)
        return election

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
            Q(conference__in=demo.demo_conferences())
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
