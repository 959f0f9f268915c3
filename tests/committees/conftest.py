"""Two committees and their people, shared by the committees tests.

The National Committee (NC) is elected by conference and meets every six
weeks on a Saturday at 11:00; the Executive Committee (EC) is elected by the
NC and meets every Monday at 19:00. Their members are admitted well before
2026 and hold terms from ``TERMS_FROM`` with no end, so any moment a test
travels to in 2026 finds them in office. Ada Secretary is the secretary of
both committees (a current term with the role "secretary"); Ben Plain sits
on both as an ordinary member.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from committees import services
from committees.models import Committee, CommitteeKind, Term, TermBasis, TermRole
from members.models import Branch, DuesRate, Member
from tests.factories import CommitteeFactory, UserFactory, make_member
from tests.helpers.clock import london_time

JOINED_ON = dt.date(2024, 9, 1)
TERMS_FROM = dt.date(2025, 6, 7)
NC_NAMES = ["Ben Plain", "Cleo Rhys", "Dev Anand", "Efa Morgan", "Finn Doyle", "Gita Shah", "Hal Burke"]
EC_NAMES = ["Ben Plain", "Cleo Rhys", "Dev Anand"]


@pytest.fixture
def nc(db: None) -> Committee:
    """The National Committee: conference elects it; every sixth Saturday at 11:00."""
    return CommitteeFactory.create(
        name="National Committee",
        slug="nc",
        kind=CommitteeKind.NATIONAL,
        notice_days=14,
        agenda_deadline_days=7,
        reminder_hours=48,
        quorum_minimum=5,
        quorum_fraction=Decimal("0.5"),
        default_venue="Conway Hall, London",
        cycle_rule="FREQ=WEEKLY;INTERVAL=6;BYDAY=SA",
        cycle_start=london_time(2026, 1, 10, 11),
        meeting_minutes=300,
    )


@pytest.fixture
def ec(nc: Committee) -> Committee:
    """The Executive Committee: the NC elects it; every Monday at 19:00."""
    return CommitteeFactory.create(
        name="Executive Committee",
        slug="ec",
        kind=CommitteeKind.EXECUTIVE,
        elected_by=nc,
        notice_days=3,
        agenda_deadline_days=1,
        reminder_hours=24,
        quorum_minimum=3,
        quorum_fraction=Decimal("0.5"),
        default_online_link="https://meet.example.org/ec",
        cycle_rule="FREQ=WEEKLY;BYDAY=MO",
        cycle_start=london_time(2026, 1, 5, 19),
        meeting_minutes=90,
    )


def admit(branch: Branch, full_name: str) -> Member:
    username = full_name.lower().replace(" ", ".")
    return make_member(
        branch,
        joined_on=JOINED_ON,
        full_name=full_name,
        user=UserFactory(username=username, email=f"{username}@example.org"),
    )


def elect(committee: Committee, member: Member, role: str = TermRole.MEMBER) -> Term:
    basis = (
        TermBasis.ELECTED_AT_CONFERENCE if committee.elected_by is None else TermBasis.ELECTED_BY_COMMITTEE
    )
    return services.start_term(
        actor=None, committee=committee, member=member, role=role, starts_on=TERMS_FROM, basis=basis
    )


@pytest.fixture
def people(london: Branch, dues_rates: dict[str, DuesRate]) -> dict[str, Member]:
    """Every committee member by name, admitted in 2024."""
    return {name: admit(london, name) for name in ["Ada Secretary", *NC_NAMES]}


@pytest.fixture
def nc_members(nc: Committee, people: dict[str, Member]) -> list[Member]:
    """Eight NC members: Ada Secretary as secretary and seven ordinary members."""
    elect(nc, people["Ada Secretary"], TermRole.SECRETARY)
    for name in NC_NAMES:
        elect(nc, people[name])
    return [people["Ada Secretary"], *(people[name] for name in NC_NAMES)]


@pytest.fixture
def ec_members(ec: Committee, nc_members: list[Member], people: dict[str, Member]) -> list[Member]:
    """Four EC members, chosen from the NC: Ada Secretary as secretary and three others."""
    elect(ec, people["Ada Secretary"], TermRole.SECRETARY)
    for name in EC_NAMES:
        elect(ec, people[name])
    return [people["Ada Secretary"], *(people[name] for name in EC_NAMES)]


@pytest.fixture
def secretary(ec_members: list[Member]) -> Member:
    """Ada Secretary: a current term as secretary of both the NC and the EC."""
    return Member.objects.select_related("user").get(pk=ec_members[0].pk)


@pytest.fixture
def plain_member(ec_members: list[Member], people: dict[str, Member]) -> Member:
    """Ben Plain: an ordinary member of both committees, with no office."""
    return Member.objects.select_related("user").get(pk=people["Ben Plain"].pk)
