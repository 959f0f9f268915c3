"""Who may vote is fixed when the rules say (issue 14, item 7).

A conference's voting entitlement comes from good standing on the cut-off
date (the snapshot once taken), changed afterwards only by the CAC's
recorded exceptions and by losing membership (suspension); with the
delegates basis only the branches' chosen delegates vote; ``present_only``
elections take only those holding the credential issued at check-in; a
committee election's electorate is frozen when voting opens.

Built on the election tests' world (tests/conference/election_world.py):
the 2027 conference (cut-off 1 March, 29-30 May), its NC election (voting
29 May 09:00 to 30 May 16:00), the EC's election by the NC, and Ann, Bob,
Cat (on the NC) and Dora, all registered on 10 March.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from awl.models import AuditEntry
from committees.models import Term
from committees.services import end_term, start_term
from conference.elections.models import Election, ElectionElector, FrozenElectorate
from conference.elections.services import ballots, electorates
from conference.elections.services.elections import ElectionError, electorate, in_electorate
from conference.models import Band, Conference, Credential, Delegate, Registration, VotingBasis
from conference.registration import services
from conference.registration.services import ConferenceError
from conference.tasks import freeze_electorates
from members.models import Branch, DuesRate, Member
from tests.conference.conftest import paid_up_member
from tests.conference.election_world import World, candidate, in_2027
from tests.conference.election_world import world as world
from tests.factories import LONDON_TZ, UserFactory, change_status, make_member, pay
from tests.helpers.concurrency import errors, in_parallel

AFTER_CUTOFF = dt.datetime(2027, 3, 2, 9, tzinfo=LONDON_TZ)  # the snapshot may be taken
AT_CONFERENCE = dt.datetime(2027, 5, 29, 10, tzinfo=LONDON_TZ)  # the NC's voting is open


def at(moment: dt.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def registration_of(conference: Conference, member: Member) -> Registration:
    return Registration.objects.get(conference=conference, member=member)


def checked_in(conference: Conference, member: Member, desk: Any) -> Registration:
    with at(AT_CONFERENCE):
        return services.check_in(actor=desk, registration=registration_of(conference, member))


# Entitlement from the cut-off date, not from the day of registering ----------------------------------
def late_payer(london: Branch) -> Member:
    """Pat, who paid one month in November 2026, so is not in good standing in January 2027."""
    pat = make_member(
        london,
        joined_on=dt.date(2026, 11, 2),
        full_name="Pat Payer",
        user=UserFactory(username="pat", email="pat@example.org"),
    )
    pay(pat, "10.00", paid_on=dt.date(2026, 11, 2))
    return Member.objects.select_related("user", "branch").get(pk=pat.pk)


@pytest.mark.parametrize("snapshot", [False, True], ids=["before-the-snapshot", "after-the-snapshot"])
def test_a_member_who_pays_before_the_cutoff_after_registering_gets_the_vote(
    world: World, london: Branch, cac: Any, snapshot: bool
) -> None:
    """Failed on 25054e9: the registration kept the "no vote" of the day Pat registered, so the desk
    refused Pat's credential and the NC election's electorate left Pat out."""
    pat = late_payer(london)
    with at(dt.datetime(2027, 1, 20, 12, tzinfo=LONDON_TZ)):
        registration = services.register(member=pat, conference=world.conference, fee_band=Band.WAGED)
    assert not registration.entitled  # not in good standing on the day of registering
    pay(pat, "120.00", paid_on=dt.date(2027, 2, 20))  # before the cut-off of 1 March
    if snapshot:
        with at(AFTER_CUTOFF):
            services.take_snapshot(actor=cac, conference=world.conference)
        assert registration_of(world.conference, pat).entitled  # the stored answer is refreshed too

    registration = checked_in(world.conference, pat, cac)
    with at(AT_CONFERENCE):
        credential = services.issue_credential(actor=cac, registration=registration)
        assert credential.registration_id == registration.pk
        assert in_electorate(world.nc_election, pat)
        assert services.counts(world.conference)["entitled_present"] == 1


def test_a_payment_after_the_cutoff_still_gives_no_vote(world: World, london: Branch, cac: Any) -> None:
    pat = late_payer(london)
    with at(dt.datetime(2027, 1, 20, 12, tzinfo=LONDON_TZ)):
        services.register(member=pat, conference=world.conference, fee_band=Band.WAGED)
    pay(pat, "120.00", paid_on=dt.date(2027, 3, 5))
    with at(AT_CONFERENCE):
        assert not in_electorate(world.nc_election, pat)


@pytest.mark.parametrize("snapshot", [False, True], ids=["before-the-snapshot", "after-the-snapshot"])
def test_a_member_suspended_after_registering_loses_the_vote(world: World, cac: Any, snapshot: bool) -> None:
    """Failed on 25054e9: Dora, suspended in April, kept the vote she registered with in March: the desk
    issued her a credential and she could vote in the NC election."""
    if snapshot:
        with at(AFTER_CUTOFF):
            services.take_snapshot(actor=cac, conference=world.conference)
    change_status(world.dora, "suspended", on=dt.date(2027, 4, 1))
    dora = Member.objects.get(pk=world.dora.pk)

    registration = checked_in(world.conference, dora, cac)
    with at(AT_CONFERENCE):
        with pytest.raises(ConferenceError, match="suspended"):
            services.issue_credential(actor=cac, registration=registration)
        assert not Credential.objects.exists()
        assert not in_electorate(world.nc_election, dora)
        assert in_electorate(world.nc_election, world.ann)
        assert services.counts(world.conference)["entitled_present"] == 0
    registration.refresh_from_db()
    assert not registration.entitled and "suspended" in registration.entitlement_reason


def test_a_member_suspended_after_the_credential_cannot_vote_with_it(world: World, cac: Any) -> None:
    """Failed on 25054e9: the electorate read the stored flag, so the credential kept its vote."""
    registration = checked_in(world.conference, world.dora, cac)
    with at(AT_CONFERENCE):
        services.issue_credential(actor=cac, registration=registration)
    change_status(world.dora, "suspended", on=dt.date(2027, 5, 29))
    with at(AT_CONFERENCE):
        assert not in_electorate(world.nc_election, Member.objects.get(pk=world.dora.pk))


def test_a_lapse_after_the_cutoff_keeps_the_vote(world: World, cac: Any) -> None:
    """Dues are judged on the cut-off date: lapsing afterwards takes nothing away."""
    with at(AFTER_CUTOFF):
        services.take_snapshot(actor=cac, conference=world.conference)
    change_status(world.dora, "lapsed", on=dt.date(2027, 4, 1))
    with at(AT_CONFERENCE):
        assert in_electorate(world.nc_election, Member.objects.get(pk=world.dora.pk))


def test_an_exception_recorded_after_the_snapshot_gives_the_vote_with_its_reason(
    world: World, london: Branch, cac: Any
) -> None:
    pat = late_payer(london)
    with at(dt.datetime(2027, 1, 20, 12, tzinfo=LONDON_TZ)):
        services.register(member=pat, conference=world.conference, fee_band=Band.WAGED)
    with at(AFTER_CUTOFF):
        services.take_snapshot(actor=cac, conference=world.conference)
        assert not in_electorate(world.nc_election, pat)
        services.grant_exception(actor=cac, conference=world.conference, member=pat, reason="Hospital stay")
    registration = registration_of(world.conference, pat)
    assert registration.entitled and "Hospital stay" in registration.entitlement_reason
    with at(AT_CONFERENCE):
        assert in_electorate(world.nc_election, pat)


def test_the_snapshot_decides_after_it_is_taken(world: World, cac: Any) -> None:
    """A payment recorded after the snapshot, back-dated to before the cut-off, does not move the
    register: only the CAC's exception, with its reason, does."""
    with at(AFTER_CUTOFF):
        services.take_snapshot(actor=cac, conference=world.conference)
    una = world.una  # never paid: not on the register
    pay(una, "240.00", paid_on=dt.date(2027, 2, 20))  # recorded after the snapshot, back-dated
    with at(dt.datetime(2027, 3, 10, 12, tzinfo=LONDON_TZ)):
        services.register(member=una, conference=world.conference, fee_band=Band.WAGED)
    with at(AT_CONFERENCE):
        assert not in_electorate(world.nc_election, una)


# Delegates -----------------------------------------------------------------------------------------
def delegates_conference(world: World, cac: Any) -> Conference:
    """The 2027 conference voting by delegates: London's four members in good standing give it
    1 + 4 ÷ 2 = 3 delegates."""
    conference = world.conference
    conference.voting_basis = VotingBasis.DELEGATES
    conference.delegate_base, conference.delegate_per_members = 1, 2
    conference.save()
    with at(AFTER_CUTOFF):
        services.take_snapshot(actor=cac, conference=conference)
    return conference


def test_with_the_delegates_basis_only_chosen_delegates_vote(
    world: World, london: Branch, london_organiser: Any, cac: Any
) -> None:
    """Failed on 25054e9: every registered member in good standing voted, delegate or not."""
    conference = delegates_conference(world, cac)
    with at(AT_CONFERENCE):
        assert list(electorate(world.nc_election)) == []
        services.choose_delegate(
            actor=london_organiser, conference=conference, branch=london, member=world.ann
        )
        assert list(electorate(world.nc_election)) == [world.ann]
        bob = checked_in(conference, world.bob, cac)
        with pytest.raises(ConferenceError, match="delegate"):
            services.issue_credential(actor=cac, registration=bob)
        ann = checked_in(conference, world.ann, cac)
        assert services.issue_credential(actor=cac, registration=ann)
    assert registration_of(conference, world.ann).entitled
    assert not registration_of(conference, world.bob).entitled
    entry = AuditEntry.objects.filter(action="conference.delegate_chosen").get()
    assert entry.detail == {"branch": london.pk, "member": world.ann.pk, "chosen": 1, "of": 3}


def test_a_branch_chooses_no_more_delegates_than_its_entitlement(
    world: World, london: Branch, london_organiser: Any, cac: Any
) -> None:
    conference = delegates_conference(world, cac)
    with at(AT_CONFERENCE):
        for person in (world.ann, world.bob, world.cat):
            services.choose_delegate(actor=cac, conference=conference, branch=london, member=person)
        with pytest.raises(ConferenceError, match="entitled to 3 delegates and has chosen 3"):
            services.choose_delegate(
                actor=london_organiser, conference=conference, branch=london, member=world.dora
            )
        assert Delegate.objects.count() == 3
        services.remove_delegate(actor=london_organiser, delegate=Delegate.objects.get(member=world.cat))
        services.choose_delegate(
            actor=london_organiser, conference=conference, branch=london, member=world.dora
        )
    assert set(Delegate.objects.values_list("member_id", flat=True)) == {
        world.ann.pk,
        world.bob.pk,
        world.dora.pk,
    }
    assert AuditEntry.objects.filter(action="conference.delegate_removed").count() == 1


def test_delegates_are_chosen_from_the_branch_register_by_its_organiser_or_the_cac(
    world: World, london: Branch, leeds: Branch, leeds_organiser: Any, cac: Any, national_office: Any
) -> None:
    conference = delegates_conference(world, cac)
    with at(AT_CONFERENCE):
        for outsider in (leeds_organiser, national_office, world.ann.user):
            with pytest.raises(ConferenceError, match="organiser, or the CAC"):
                services.choose_delegate(
                    actor=outsider, conference=conference, branch=london, member=world.bob
                )
        with pytest.raises(ConferenceError, match="not a member of London in good standing"):
            services.choose_delegate(actor=cac, conference=conference, branch=london, member=world.una)
        with pytest.raises(ConferenceError, match="not a member of Leeds"):
            services.choose_delegate(actor=cac, conference=conference, branch=leeds, member=world.bob)
    assert not Delegate.objects.exists()


def test_delegates_wait_for_the_snapshot_and_a_delegates_conference(
    world: World, london: Branch, cac: Any
) -> None:
    with at(AT_CONFERENCE), pytest.raises(ConferenceError, match="no delegates"):
        services.choose_delegate(actor=cac, conference=world.conference, branch=london, member=world.ann)
    world.conference.voting_basis = VotingBasis.DELEGATES
    world.conference.save()
    with at(AT_CONFERENCE), pytest.raises(ConferenceError, match="snapshot"):
        services.choose_delegate(actor=cac, conference=world.conference, branch=london, member=world.ann)


@pytest.mark.django_db(transaction=True)
def test_parallel_choices_never_exceed_the_branch_entitlement(
    conference: Conference, london: Branch, dues_rates: dict[str, DuesRate], cac: Any
) -> None:
    """Six organisers choosing at once for a branch entitled to 2: the lock on the branch's snapshot
    row makes each count the others' choices, so exactly two are recorded."""
    people = [paid_up_member(london, f"Delegate Hopeful {n}") for n in range(6)]
    conference.voting_basis = VotingBasis.DELEGATES
    conference.delegate_base, conference.delegate_per_members = 1, 5  # 1 + 6 ÷ 5 = 2
    conference.save()
    with at(AFTER_CUTOFF):
        services.take_snapshot(actor=cac, conference=conference)

    with at(AT_CONFERENCE):
        outcomes = in_parallel(
            len(people),
            lambda n: services.choose_delegate(
                actor=cac, conference=conference, branch=london, member=people[n]
            ),
            refused=ConferenceError,
        )

    assert errors(outcomes) == []
    assert sum(outcome.done for outcome in outcomes) == 2
    assert Delegate.objects.filter(conference=conference, branch=london).count() == 2


# Credentials where only those checked in may vote ------------------------------------------------------
def test_a_present_only_election_takes_only_holders_of_a_credential(world: World, cac: Any) -> None:
    """Failed on 25054e9: being checked in was enough; the credential the desk issues was not asked for."""
    ann = candidate(world.nc_election, world.ann)
    Election.objects.filter(pk=world.nc_election.pk).update(present_only=True)
    election = Election.objects.get(pk=world.nc_election.pk)
    registration = checked_in(world.conference, world.bob, cac)
    with at(AT_CONFERENCE):
        assert not in_electorate(election, world.bob)
        with pytest.raises(ElectionError, match="not in the electorate"):
            ballots.cast_ballot(actor=world.bob.user, election=election, ranking=[ann.pk])
        services.issue_credential(actor=cac, registration=registration)
        assert in_electorate(election, world.bob)
        assert ballots.cast_ballot(actor=world.bob.user, election=election, ranking=[ann.pk])
        assert not in_electorate(election, world.cat)  # registered, entitled, not present


# A committee election's electorate, frozen when voting opens ------------------------------------------
def long_ec_election(world: World) -> Election:
    """The EC's election by the NC, its voting open from 10 April 10:00 to 20 April 13:00."""
    Election.objects.filter(pk=world.ec_election.pk).update(voting_closes_at=in_2027(4, 20, 13))
    return Election.objects.get(pk=world.ec_election.pk)


def test_a_committee_election_electorate_is_frozen_when_voting_opens(
    world: World, london: Branch, national_office: Any
) -> None:
    """Failed on 25054e9: the electorate was the NC's members on the day of reading, so Dan, co-opted
    during voting, could vote, and Ann, whose term ended during voting, could not."""
    election = long_ec_election(world)
    bob = candidate(election, world.bob)
    dan = paid_up_member(london, "Dan Later")
    with at(in_2027(4, 10, 11)):
        assert {m.pk for m in electorate(election)} == {world.ann.pk, world.bob.pk, world.cat.pk}
    [ann_term] = Term.objects.filter(committee=world.nc, member=world.ann)
    with at(in_2027(4, 11, 12)):
        end_term(actor=national_office, term=ann_term, ends_on=dt.date(2027, 4, 11), reason="Resigned")
        start_term(
            actor=national_office,
            committee=world.nc,
            member=dan,
            role="member",
            starts_on=dt.date(2027, 4, 11),
            basis="co_opted",
        )

    with at(in_2027(4, 13, 12)):
        assert not in_electorate(election, dan)
        assert in_electorate(election, world.ann)
        with pytest.raises(ElectionError, match="not in the electorate"):
            ballots.cast_ballot(actor=dan.user, election=election, ranking=[bob.pk])
        assert ballots.cast_ballot(actor=world.ann.user, election=election, ranking=[bob.pk])
    frozen = FrozenElectorate.objects.get(election=election)
    assert (frozen.on, frozen.size) == (dt.date(2027, 4, 10), 3)


def test_before_voting_opens_the_electorate_is_the_committee_today(world: World) -> None:
    with at(in_2027(3, 25, 12)):
        assert in_electorate(world.ec_election, world.ann)
        assert not FrozenElectorate.objects.exists()


def test_the_sweep_freezes_at_opening_once(world: World, london: Branch, national_office: Any) -> None:
    election = long_ec_election(world)
    with at(in_2027(4, 10, 9)):
        assert electorates.freeze_due() == 0
    with at(in_2027(4, 10, 10, 1)):
        assert freeze_electorates() == 1  # the beat task
        assert electorates.freeze_due() == 0
    dan = paid_up_member(london, "Dan Later")
    with at(in_2027(4, 12, 9)):
        start_term(
            actor=national_office,
            committee=world.nc,
            member=dan,
            role="member",
            starts_on=dt.date(2027, 4, 12),
            basis="co_opted",
        )
        assert not in_electorate(election, dan)
    assert ElectionElector.objects.filter(election=election).count() == 3
    assert FrozenElectorate.objects.get(election=election).frozen_at == election.voting_opens_at


def test_a_conference_election_has_no_frozen_list(world: World) -> None:
    with at(AT_CONFERENCE):
        assert electorates.freeze(world.nc_election) is None
        assert in_electorate(world.nc_election, world.ann)


# The delegates pages ------------------------------------------------------------------------------------
def test_a_branch_organiser_records_delegates_on_the_branch_page_up_to_its_number(
    client: Any, world: World, london: Branch, london_organiser: Any, cac: Any
) -> None:
    conference = delegates_conference(world, cac)
    page = f"/conference/{conference.slug}/delegates/{london.pk}/"
    with at(AT_CONFERENCE):
        client.force_login(london_organiser)
        listing = client.get(f"/conference/{conference.slug}/delegates/")
        assert listing.status_code == 200
        assert "London" in listing.content.decode()
        for person in (world.ann, world.bob, world.cat):
            response = client.post(page, {"member": person.pk})
            assert response.status_code == 302, response.content.decode()
        # A fourth is refused on the page, with the reason, and nothing is written.
        response = client.post(page, {"member": world.dora.pk})
        assert response.status_code == 409
        assert "entitled to 3 delegates and has chosen 3" in response.content.decode()
        assert "3</strong> of 3 delegates chosen" in response.content.decode()
        # Someone not on the branch's register is not offered, and a forged choice is refused by the form.
        response = client.post(page, {"member": world.una.pk})
        assert response.status_code == 200
        assert "Choose one of the members listed" in response.content.decode()
    assert Delegate.objects.count() == 3


def test_another_branchs_organiser_and_members_are_refused_the_branch_page(
    client: Any, world: World, london: Branch, leeds_organiser: Any, cac: Any
) -> None:
    conference = delegates_conference(world, cac)
    with at(AT_CONFERENCE):
        for user in (leeds_organiser, world.ann.user):
            client.force_login(user)
            page = f"/conference/{conference.slug}/delegates/{london.pk}/"
            assert client.get(page).status_code == 403
            assert client.post(page, {"member": world.ann.pk}).status_code == 403
    assert not Delegate.objects.exists()


def test_removing_a_delegate_holding_a_credential_is_refused_on_the_page(
    client: Any, world: World, london: Branch, london_organiser: Any, cac: Any
) -> None:
    conference = delegates_conference(world, cac)
    with at(AT_CONFERENCE):
        chosen = services.choose_delegate(actor=cac, conference=conference, branch=london, member=world.ann)
        services.issue_credential(actor=cac, registration=checked_in(conference, world.ann, cac))
        client.force_login(london_organiser)
        response = client.post(f"/conference/{conference.slug}/delegates/{london.pk}/{chosen.pk}/remove/")
    assert response.status_code == 409
    assert "already holds a voting credential" in response.content.decode()
    assert Delegate.objects.filter(pk=chosen.pk).exists()


def test_the_conference_page_tells_a_member_who_is_not_a_delegate_and_links_the_organiser(
    client: Any, world: World, london: Branch, london_organiser: Any, cac: Any
) -> None:
    conference = delegates_conference(world, cac)
    with at(AT_CONFERENCE):
        services.choose_delegate(actor=cac, conference=conference, branch=london, member=world.ann)
        client.force_login(world.bob.user)
        page = client.get(f"/conference/{conference.slug}/").content.decode()
        assert "not been chosen as one of your branch&#x27;s delegates" in page
        assert "delegates/" not in page
        client.force_login(world.ann.user)
        chosen_page = client.get(f"/conference/{conference.slug}/").content.decode()
        assert "You are registered and entitled to vote." in chosen_page
        client.force_login(london_organiser)
        assert (
            f"/conference/{conference.slug}/delegates/"
            in client.get(f"/conference/{conference.slug}/").content.decode()
        )


def test_the_dashboard_tells_a_member_suspended_after_registering_that_they_have_no_vote(
    client: Any, world: World
) -> None:
    """The stored flag still said 'entitled' (nothing refreshes it on a suspension): the member's
    dashboard must say what the desk and the ballot decide, by the rule."""
    change_status(world.dora, "suspended", on=dt.date(2027, 4, 1))

    with at(dt.datetime(2027, 4, 2, 12, tzinfo=LONDON_TZ)):
        client.force_login(world.dora.user)
        page = client.get(reverse("dashboard")).content.decode()

    assert "You are registered, without a vote." in page
    assert "entitled to vote" not in page


def _more_branches_in_the_snapshot(conference: Conference, start: int, count: int) -> None:
    """Branches the snapshot counted (as taking it with their members would), for the list's size."""
    from conference.models import Snapshot, SnapshotBranch
    from tests.factories import BranchFactory

    snapshot = Snapshot.objects.get(conference=conference)
    for n in range(start, start + count):
        branch = BranchFactory.create(name=f"Branch {n:03}", slug=f"branch-{n:03}")
        SnapshotBranch.objects.create(
            snapshot=snapshot, branch=branch, branch_name=branch.name, in_good_standing=4, delegates=3
        )


def test_the_delegate_pages_read_the_same_queries_for_n_and_3n_rows(
    client: Any,
    world: World,
    london: Branch,
    cac: Any,
    django_assert_max_num_queries: Any,
) -> None:
    """The CAC's list of branches and a branch's list of delegates: no query per row."""
    conference = delegates_conference(world, cac)
    listing = reverse("conference:delegates", args=[conference.slug])
    branch_page = reverse("conference:branch_delegates", args=[conference.slug, london.pk])

    def queries(url: str, bound: int) -> int:
        with django_assert_max_num_queries(bound) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    with at(AT_CONFERENCE):
        client.force_login(cac)
        _more_branches_in_the_snapshot(conference, 0, 3)
        services.choose_delegate(actor=cac, conference=conference, branch=london, member=world.ann)
        client.get(listing)  # warm the per-process caches (content types, roles)
        list_with_n, branch_with_1 = queries(listing, 30), queries(branch_page, 30)
        _more_branches_in_the_snapshot(conference, 3, 6)
        for person in (world.bob, world.cat):
            services.choose_delegate(actor=cac, conference=conference, branch=london, member=person)

        assert queries(listing, list_with_n) == list_with_n
        assert queries(branch_page, branch_with_1) == branch_with_1
        page = client.get(listing).content.decode()
    assert "Branch 008" in page
