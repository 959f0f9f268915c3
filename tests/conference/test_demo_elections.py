"""The demo can be used the day it is seeded, whatever day that is: a vote to cast, a count to read, motions.

``seed_demo`` runs with the clock frozen on each of ``SEEDING_DAYS`` (the
seasons, both clock changes, 29 February, either side of a demo
conference), and just after and just before midnight in London. On every
one of them:

* the NC's by-election of an EC seat has voting open, and the demo member
  (an NC member) casts a ballot in it from the ballot page;
* the earlier by-election is over: ballots cast by the NC through the
  services, counted and declared by its returning officer (the national
  office login), whose count page and count sheet open, and whose elected
  members sit on the EC;
* the demo conference takes motions: the demo member proposes one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from awl.models import AuditEntry, OutboundMessage
from committees.models import Term, TermBasis
from committees.services import current_members
from conference.business.services import motions
from conference.elections.models import (
    Ballot,
    Election,
    Nomination,
    NominationStatus,
    VotedBy,
    VoterRecord,
)
from conference.elections.services import ballots, results
from conference.elections.services.elections import Phase, candidates, electorate, in_electorate, phase
from conference.models import Conference, ItemStatus, Motion, ProposerKind
from demo import conference as demo
from demo.members import LOGINS
from members.models import Member
from tests.conference.test_demo import SEEDING_DAYS, seed
from tests.helpers.clock import frozen

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

MEMBER = "member@awl.example"
RETURNING_OFFICER = "office@awl.example"


def by_elections() -> tuple[Election, Election]:
    """The declared by-election and the one with voting open, by when voting closes."""
    declared, open_now = Election.objects.filter(electing_committee__slug="nc").order_by("voting_closes_at")
    return declared, open_now


def user(email: str) -> Any:
    return get_user_model().objects.get(email=email)


# Midday (UTC) on each of the conference demo's seeding days, and just after midnight and just before it
# in London (summer and winter), when "today" at some time of day may still be to come.
MOMENTS = [
    *(f"{day}T12:00:00+00:00" for day in SEEDING_DAYS),
    "2027-07-01T23:30:00+00:00",
    "2027-01-15T23:50:00+00:00",
]


@pytest.mark.parametrize("moment", MOMENTS)
def test_the_demo_member_can_vote_now_in_the_ec_by_election(moment: str, client: Client) -> None:
    with frozen(moment):
        seed()
        _, election = by_elections()
        member = Member.objects.select_related("user").get(user__email=MEMBER)

        assert phase(election) == Phase.VOTING
        assert election.returning_officer is not None
        assert election.returning_officer.email == RETURNING_OFFICER
        assert in_electorate(election, member)
        assert not ballots.has_voted(election, member)
        assert ballots.turnout(election).voted > 0  # some of the NC have voted already
        ballots_before = Ballot.objects.filter(election=election).count()
        client.force_login(member.user)
        page = reverse("conference:ballot_vote", args=[election.pk])
        assert client.get(page).status_code == 200

        # The ballot page's last step: every candidate ranked in ballot-paper order, then "Cast".
        paper = list(candidates(election).values_list("pk", flat=True))
        cast = client.post(
            page,
            {
                "paper": "-".join(map(str, paper)),
                "ranking": " ".join(str(place) for place in range(1, len(paper) + 1)),
                "do": "cast",
            },
        )

        assert cast.status_code == 302
        assert cast["Location"] == reverse("conference:ballot_receipt", args=[election.pk])
        assert client.get(cast["Location"]).status_code == 200
        assert VoterRecord.objects.filter(election=election, member=member, method=VotedBy.ONLINE).exists()
        assert Ballot.objects.filter(election=election).count() == ballots_before + 1
        assert Ballot.objects.filter(election=election, preferences=paper).exists()
        # Ballots add up: one per voter record, within the electorate.
        voted = VoterRecord.objects.filter(election=election).count()
        assert Ballot.objects.filter(election=election).count() == voted <= electorate(election).count()


@pytest.mark.parametrize("moment", MOMENTS)
def test_the_earlier_by_election_was_counted_and_declared_and_its_count_sheet_opens(
    moment: str, client: Client
) -> None:
    with frozen(moment):
        seed()
        election, _ = by_elections()
        count = election.confirmed_count

        assert phase(election) == Phase.CONFIRMED
        assert election.confirmed_at is not None
        assert election.voting_closes_at < election.confirmed_at < timezone.now()
        assert count is not None and count.run_by is not None and count.run_by.email == RETURNING_OFFICER
        assert election.confirmed_by == count.run_by
        # The count read every ballot the NC cast, one per voter, and elected two of five.
        voted = VoterRecord.objects.filter(election=election).count()
        assert count.ballots == Ballot.objects.filter(election=election).count() == voted
        assert voted > election.seats
        assert candidates(election).count() == 5 and len(count.elected) == election.seats == 2
        sheet = results.count_sheet(count.result)
        assert len(sheet.stages) > 1
        # The elected sit on the EC from the day after voting closed, elected by the NC.
        nominees = Nomination.objects.filter(pk__in=count.elected).values("nominee_id")
        terms = Term.objects.filter(committee=election.committee, member_id__in=nominees)
        starts_on = timezone.localdate(election.voting_closes_at) + dt.timedelta(days=1)
        assert {(t.basis, t.starts_on, t.ends_on) for t in terms} == {
            (TermBasis.ELECTED_BY_COMMITTEE, starts_on, None)
        }
        assert terms.count() == 2
        ec = current_members(election.committee)
        assert ec.count() == 7 and ec.filter(pk__in=nominees).count() == 2
        # The returning officer reads the count page and the sheet; the NC reads the declared result.
        client.force_login(user(RETURNING_OFFICER))
        assert client.get(reverse("conference:result_count", args=[election.pk])).status_code == 200
        page = client.get(reverse("conference:result_sheet", args=[count.pk]))
        assert page.status_code == 200
        assert all(escape(name) in page.content.decode() for name in count.result["elected"])
        client.force_login(user(MEMBER))
        assert client.get(reverse("conference:result_detail", args=[election.pk])).status_code == 200
        # Every step is dated when it happened, and its mail was never queued to go out now.
        trail = AuditEntry.objects.filter(target_id=str(election.pk), action__startswith="election.")
        assert trail.filter(action="election.confirmed", at=election.confirmed_at).exists()
        assert max(trail.values_list("at", flat=True)) == election.confirmed_at
        assert not OutboundMessage.objects.filter(group__startswith="election:").exists()


@pytest.mark.parametrize("moment", MOMENTS)
def test_the_demo_conference_takes_motions_and_the_demo_member_can_propose_one(moment: str) -> None:
    with frozen(moment):
        seed()
        conference = Conference.objects.get(venue=demo.VENUE)
        rules = motions.rules_for(conference)
        member = Member.objects.select_related("user").get(user__email=MEMBER)
        seconder = Member.objects.filter(
            user__email__endswith="@members.awl.example", status="member"
        ).first()

        assert timezone.now() < rules.motions_deadline <= rules.amendments_deadline
        assert timezone.localdate(rules.amendments_deadline) < conference.starts_on
        assert set(Motion.objects.filter(conference=conference).values_list("proposer_kind", "status")) == {
            (ProposerKind.NC, ItemStatus.SUBMITTED),
            (ProposerKind.BRANCH, ItemStatus.SUBMITTED),
            (ProposerKind.MEMBER, ItemStatus.SUBMITTED),
        }
        assert all(m.submitted_at <= timezone.now() for m in Motion.objects.filter(conference=conference))

        motion = motions.submit_motion(
            actor=member.user,
            conference=conference,
            proposer_kind=ProposerKind.MEMBER,
            seconder=seconder,
            title="Free school meals",
            text="Conference backs the campaign for free school meals for every child.",
        )

        assert not motion.emergency and motion.status == ItemStatus.AWAITING_SECONDER


def test_seeding_again_with_force_makes_the_same_elections_and_the_same_declared_result() -> None:
    def elections() -> list[Any]:
        rows = Election.objects.order_by("title")
        return [
            (
                e.title,
                e.seats,
                e.nominations_open_at,
                e.voting_closes_at,
                sorted(e.nominations.filter(status=NominationStatus.ACCEPTED).values_list("ballot_name")),
                e.confirmed_count.result if e.confirmed_count else None,
            )
            for e in rows
        ]

    with frozen(MOMENTS[0]):
        output = seed()
        first = elections()
        seed("--force")

        assert elections() == first
        assert len(first) == 3
        assert "3 elections" in output
        assert RETURNING_OFFICER in {login.email for login in LOGINS}
        assert "returning officer" in next(login.who for login in LOGINS if login.email == RETURNING_OFFICER)
