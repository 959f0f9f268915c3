"""Issue 15: what the conference holds about a person is in their export, goes on erasure, and its needs
go after the conference by themselves.

Cat Cole (of the election world) registers with access, dietary and crèche needs, is in the snapshot,
has an exception, is her branch's delegate, proposes a motion, seconds an amendment and a nomination,
stands (with a statement and a requested ballot name), votes, sits in an electorate, is a teller,
holds a CAC duty and chairs a session. Every text field about her carries ``MARK``.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.db.models import CharField, JSONField, Sum, TextField
from django.db.models.functions import Cast
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from awl.models import AuditEntry
from awl.personal_data import run_retention
from conference import personal_data
from conference.models import (
    Amendment,
    AmendmentKind,
    Band,
    CacDuty,
    Conference,
    Delegate,
    Duty,
    ElectionCount,
    ElectionElector,
    EligibilityException,
    ItemStatus,
    Motion,
    Nomination,
    ProposerKind,
    Registration,
    RegistrationPayment,
    Session,
    Snapshot,
    SnapshotMember,
    Teller,
    VotedBy,
    VoterRecord,
    VotingBasis,
)
from members import services as member_services
from members.models import Member, Role
from members.personal_data import person_for_member
from tests.conference.conftest import REGISTERING, the_next_conference
from tests.conference.election_world import World, candidate, nominate
from tests.conference.election_world import nominating as nominating  # a fixture
from tests.conference.election_world import world as world  # a fixture
from tests.factories import LONDON_TZ, ConferenceFactory, make_officer

MARK = "zqxmark"


def mark(what: str) -> str:
    return f"{MARK}-{what}"


def cac_with(conference: Conference, *duties: str) -> Any:
    user = make_officer(Role.CAC, email="duty@example.org")
    for duty in duties:
        CacDuty.objects.create(conference=conference, user=user, duty=duty)
    return user


@pytest.fixture
def cat(world: World, national_office: Any) -> Member:
    """Cat Cole with a row of every kind, every text about her marked."""
    cat, conference = world.cat, world.conference
    # Nominated before the snapshot, which (holding Cat alone) would leave Ann out of the electorate.
    standing = candidate(world.nc_election, cat, statement=mark("statement"))
    Nomination.objects.filter(pk=standing.pk).update(requested_ballot_name=mark("requested"))
    nominate(world, world.nc_election, world.bob, world.ann, cat)
    registration = Registration.objects.get(member=cat)
    Registration.objects.filter(pk=registration.pk).update(
        access_needs=mark("access") + " wheelchair user, hearing loop",
        dietary_needs=mark("diet"),
        children=1,
        children_ages=mark("ages"),
        entitlement_reason=mark("entitled"),
        needs_bed=True,
        consent_share_needs=True,
    )
    RegistrationPayment.objects.create(
        registration=registration, amount=Decimal("30.00"), paid_on=dt.date(2027, 3, 10), method="cash"
    )
    snapshot = Snapshot.objects.create(
        conference=conference,
        voting_basis=VotingBasis.ALL_MEMBERS,
        cutoff=conference.eligibility_cutoff,
        formula="all",
        grace_days=0,
    )
    SnapshotMember.objects.create(snapshot=snapshot, member=cat, good_standing=True, reason=mark("snapshot"))
    EligibilityException.objects.create(conference=conference, member=cat, reason=mark("exception"))
    Delegate.objects.create(conference=conference, branch=cat.branch, member=cat)
    motion = Motion.objects.create(
        conference=conference,
        proposer_kind=ProposerKind.MEMBER,
        proposer=cat,
        submitted_by=cat.user,
        seconder=world.ann,
        status=ItemStatus.SUBMITTED,
        title="Rent controls",
        text="Conference resolves to campaign for rent controls.",
        emergency_reason="Cat Cole saw the rents rise after the deadline.",
    )
    Amendment.objects.create(
        motion=motion,
        proposer_kind=ProposerKind.MEMBER,
        proposer=world.ann,
        seconder=cat,
        status=ItemStatus.SUBMITTED,
        kind=AmendmentKind.FREE_TEXT,
        free_text="Add: and in every town.",
    )
    VoterRecord.objects.create(election=world.nc_election, member=cat, method=VotedBy.ONLINE)
    ElectionElector.objects.create(election=world.ec_election, member=cat)
    ElectionCount.objects.create(
        election=world.nc_election,
        seed=1,
        ballots=3,
        reason="Counted again: Cat Cole asked",
        result={
            "candidates": ["Cat Cole", "Bob Baker"],
            "elected": ["Cat Cole"],
            "stages": [{"totals": {"Cat Cole": "2.00000", "Bob Baker": "1.00000"}}],
        },
        elected=[standing.pk],
    )
    Teller.objects.create(election=world.ec_election, user=cat.user)
    CacDuty.objects.create(conference=conference, user=cat.user, duty=Duty.DIET)
    Session.objects.create(
        conference=conference,
        title="Housing",
        starts_at=dt.datetime(2027, 5, 29, 10, tzinfo=LONDON_TZ),
        ends_at=dt.datetime(2027, 5, 29, 11, tzinfo=LONDON_TZ),
        chair="Cat Cole",
    )
    return cat


def erase(cat: Member, office: Any) -> None:
    with time_machine.travel(REGISTERING, tick=False):
        member_services.erase_member(actor=office, member=cat, reason="erasure request of 10 March")


def conference_texts_holding(*needles: str) -> list[str]:
    """Every text or JSON value in any conference table that holds one of ``needles``."""
    found = []
    for model in apps.get_app_config("conference").get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, CharField | TextField | JSONField):
                continue
            values = model._default_manager.annotate(_text=Cast(field.attname, TextField())).values_list(
                "_text", flat=True
            )
            found += [
                f"{model.__name__}.{field.name}: {value}"
                for value in values
                if value and any(n.lower() in value.lower() for n in needles)
            ]
    return found


# Export ------------------------------------------------------------------------------------------
def test_the_export_holds_a_value_from_every_kind_of_row(cat: Member) -> None:
    data = personal_data.export(person_for_member(cat))

    [registration] = data["registrations"]
    assert registration["access_needs"].startswith(mark("access"))
    assert registration["dietary_needs"] == mark("diet")
    assert registration["children_ages"] == mark("ages")
    assert (registration["fee_due"], registration["status"], registration["checked_in"]) == (
        "30.00",
        "registered",
        False,
    )
    assert registration["payments"] == [{"amount": "30.00", "paid_on": "2027-03-10", "method": "cash"}]
    assert data["entitlement_snapshots"][0]["reason"] == mark("snapshot")
    assert data["eligibility_exceptions"][0]["reason"] == mark("exception")
    assert data["delegate_choices"][0]["branch"] == cat.branch.name
    assert data["motions"][0]["title"] == "Rent controls" and "proposer" in data["motions"][0]["as"]
    assert data["amendments"][0]["as"] == ["seconder"]
    own = next(n for n in data["nominations"] if "nominee" in n["as"])
    assert (own["statement"], own["requested_ballot_name"], own["ballot_name"]) == (
        mark("statement"),
        mark("requested"),
        "Cat Cole",
    )
    seconded = next(n for n in data["nominations"] if "seconder" in n["as"])
    assert "statement" not in seconded  # Bob's statement is Bob's
    assert data["voted_in"] == [{"election": cat_world_title(cat), "method": "online"}]
    assert data["electorates"] and data["tellerships"]
    assert data["cac_duties"] == [{"conference": "Annual conference 2027", "duty": "diet"}]
    json.dumps(data)  # JSON-ready


def cat_world_title(cat: Member) -> str:
    return VoterRecord.objects.get(member=cat).election.title


def test_the_export_never_says_how_they_voted(cat: Member) -> None:
    [voted] = personal_data.export(person_for_member(cat))["voted_in"]
    assert set(voted) == {"election", "method"}


# Erasure -----------------------------------------------------------------------------------------
def test_erasure_leaves_no_trace_of_them_in_any_conference_table(cat: Member, national_office: Any) -> None:
    assert conference_texts_holding(MARK, "Cat Cole", "cole cat", "cat.cole@example.org")  # seeded

    erase(cat, national_office)

    assert conference_texts_holding(MARK, "Cat Cole", "cole cat", "cat.cole@example.org") == []
    assert not CacDuty.objects.filter(user=cat.user).exists()


def test_erasure_keeps_the_counts(cat: Member, world: World, national_office: Any) -> None:
    def counts() -> dict[str, Any]:
        return {
            "registrations": Registration.objects.filter(conference=world.conference).count(),
            "paid": RegistrationPayment.objects.aggregate(total=Sum("amount"))["total"],
            "votes cast": VoterRecord.objects.filter(election=world.nc_election).count(),
            "electors": ElectionElector.objects.count(),
            "nominations": Nomination.objects.count(),
            "snapshot": SnapshotMember.objects.filter(good_standing=True).count(),
            "exceptions": EligibilityException.objects.count(),
            "delegates": Delegate.objects.count(),
            "motions": Motion.objects.filter(proposer=cat).count(),
            "elected": list(ElectionCount.objects.values_list("elected", flat=True)),
        }

    before = counts()
    erase(cat, national_office)

    assert counts() == before
    placeholder = f"Erased member {cat.pk}"
    count = ElectionCount.objects.get()
    assert count.result["elected"] == [placeholder] and placeholder in count.result["stages"][0]["totals"]
    nomination = Nomination.objects.get(nominee=cat)
    assert (nomination.ballot_name, nomination.statement, nomination.requested_ballot_name) == (
        placeholder,
        "",
        "",
    )
    registration = Registration.objects.get(member=cat)
    assert (registration.name, registration.email, registration.fee_due) == (placeholder, "", Decimal("30"))
    assert Motion.objects.get().text == "Conference resolves to campaign for rent controls."  # the record


def test_two_erased_registrations_at_one_conference_both_lose_their_address(
    cat: Member, world: World, national_office: Any
) -> None:
    erase(cat, national_office)
    Nomination.objects.filter(nominee=world.bob).delete()  # Bob's own nomination is not under test here
    erase(world.dora, national_office)

    assert Registration.objects.filter(conference=world.conference, email="").count() == 2


def test_the_needs_page_and_csv_no_longer_show_the_erased_person(
    cat: Member, world: World, national_office: Any
) -> None:
    client = Client()
    duty = cac_with(world.conference, Duty.ACCESS)
    urls = [
        reverse(f"conference:{n}", args=[world.conference.slug]) for n in ("cac_access", "cac_access_csv")
    ]
    with time_machine.travel(REGISTERING, tick=False):
        client.force_login(duty)
        before = [client.get(url).content.decode() for url in urls]
    for body in before:
        assert "Cat Cole" in body and "cat.cole@example.org" in body and "hearing loop" in body

    erase(cat, national_office)

    with time_machine.travel(REGISTERING, tick=False):
        client.force_login(duty)
        after = [client.get(url) for url in urls]
    for response in after:
        body = response.content.decode()
        assert response.status_code == 200
        for gone in ("Cat Cole", "cat.cole@example.org", "hearing loop", "wheelchair", MARK, "Erased member"):
            assert gone not in body


# Views are logged --------------------------------------------------------------------------------
def test_the_needs_page_and_its_csv_are_logged_with_the_readers_role(cat: Member, world: World) -> None:
    client = Client()
    duty = cac_with(world.conference, Duty.ACCESS)
    with time_machine.travel(REGISTERING, tick=False):
        client.force_login(duty)
        for name in ("cac_access", "cac_access_csv"):
            assert client.get(reverse(f"conference:{name}", args=[world.conference.slug])).status_code == 200

    entries = AuditEntry.objects.filter(action__startswith="conference.needs.access.").order_by("pk")
    assert [e.action for e in entries] == [
        "conference.needs.access.viewed",
        "conference.needs.access.exported",
    ]
    for entry in entries:
        assert entry.actor == duty and entry.target_id == str(world.conference.pk)
        assert entry.detail["role"] == "Conference arrangements committee"


def test_the_desks_person_page_is_logged_against_the_registration(cat: Member, world: World) -> None:
    client = Client()
    desk = cac_with(world.conference, Duty.DESK)
    registration = Registration.objects.get(member=cat)
    url = reverse("conference:desk_person", args=[world.conference.slug, registration.pk])
    with time_machine.travel(REGISTERING, tick=False):
        client.force_login(desk)
        assert client.get(url).status_code == 200

    entry = AuditEntry.objects.get(action="conference.registration.viewed")
    assert (entry.actor, entry.target_id) == (desk, str(registration.pk))
    assert entry.detail["role"] == "Conference arrangements committee"


# Retention -----------------------------------------------------------------------------------------
def _needs(conference: Conference, email: str) -> Registration:
    return Registration.objects.create(
        conference=conference,
        name=email,
        email=email,
        attendee="guest",
        fee_band=Band.WAGED,
        access_needs="Step-free",
        dietary_needs="Vegan",
        children=1,
        children_ages="4",
    )


@override_settings(AWL_RETAIN_CONFERENCE_NEEDS_DAYS=30)
def test_needs_go_exactly_when_due_and_only_once(db: None, conference: Conference) -> None:
    # The 2027 conference ends on 30 May 2027; the 2028 one on 28 May 2028.
    due = _needs(conference, "due@example.org")
    Registration.objects.create(
        conference=conference, name="none", email="none@example.org", attendee="guest", fee_band=Band.WAGED
    )
    later = _needs(the_next_conference(conference), "later@example.org")

    thirty_days_on = dt.datetime(2027, 6, 29, 23, tzinfo=LONDON_TZ)
    with time_machine.travel(thirty_days_on, tick=False):
        assert run_retention()["conference.needs"] == 0
    due.refresh_from_db()
    assert due.access_needs == "Step-free"

    with time_machine.travel(dt.datetime(2027, 6, 30, 9, tzinfo=LONDON_TZ), tick=False):
        assert run_retention()["conference.needs"] == 1
        assert run_retention()["conference.needs"] == 0

    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.access_needs, due.dietary_needs, due.children, due.children_ages) == ("", "", 0, "")
    assert (due.name, due.email) == ("due@example.org", "due@example.org")  # only the needs go
    assert (later.access_needs, later.dietary_needs, later.children_ages) == ("Step-free", "Vegan", "4")


@override_settings(AWL_RETAIN_CONFERENCE_NEEDS_DAYS=0)
def test_the_retention_period_is_read_from_the_settings(db: None) -> None:
    ended = ConferenceFactory.create(year=2030, starts_on=dt.date(2030, 5, 1), ends_on=dt.date(2030, 5, 2))
    _needs(ended, "a@example.org")
    with time_machine.travel(dt.datetime(2030, 5, 3, 9, tzinfo=LONDON_TZ), tick=False):
        assert run_retention()["conference.needs"] == 1
