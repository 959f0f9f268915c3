"""The CAC's pages: setting a conference up, the entitlement snapshot, exceptions, observers and guests.

Only the conference arrangements committee (and national office) may use
them: anyone else gets a 403. A refusal (a capacity below the people
registered, a cut-off changed after the snapshot, an exception without a
reason) says why and writes nothing. The entitlement page runs a fixed
number of queries however many members and branches there are.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from awl.models import AuditEntry, OutboundMessage
from conference.models import (
    Band,
    Conference,
    EligibilityException,
    FeeBand,
    Registration,
    Snapshot,
    SnapshotMember,
    VotingBasis,
)
from conference.registration import services
from members.models import Branch, DuesRate, Member
from tests.conference.conftest import paid_up_member
from tests.factories import LONDON_TZ, BranchFactory, UserFactory, make_member
from tests.helpers.http import as_user, text

NEW = {
    "year": "2028",
    "title": "Annual conference 2028",
    "starts_on": "2028-04-29",
    "ends_on": "2028-04-30",
    "venue": "Friends Meeting House",
    "address": "6 Mount Street",
    "city": "Manchester",
    "registration_opens_at": "2028-01-10T09:00",
    "registration_closes_at": "2028-04-15T23:59",
    "eligibility_cutoff": "2028-03-01",
    "fee_waged": "35.00",
    "fee_low_waged": "15.00",
    "fee_unwaged": "",
    "fee_solidarity": "60.00",
    "unwaged_free": "",
    "capacity": "",
    "voting_basis": "delegates",
    "delegate_base": "1",
    "delegate_per_members": "5",
    "delegate_rounding": "up",
}


def url(name: str, *args: Any) -> str:
    return reverse(f"conference:{name}", args=args)


def edit_data(conference: Conference, **changes: str) -> dict[str, str]:
    """The edit form as the page fills it in, with ``changes``."""
    data = {
        "title": conference.title,
        "starts_on": conference.starts_on.isoformat(),
        "ends_on": conference.ends_on.isoformat(),
        "venue": conference.venue,
        "address": conference.address,
        "city": conference.city,
        "registration_opens_at": "2027-01-10T09:00",
        "registration_closes_at": "2027-05-15T23:59",
        "eligibility_cutoff": conference.eligibility_cutoff.isoformat(),
        "fee_waged": "30.00",
        "fee_low_waged": "15.00",
        "fee_unwaged": "5.00",
        "fee_solidarity": "50.00",
        "capacity": "" if conference.capacity is None else str(conference.capacity),
        "voting_basis": conference.voting_basis,
        "delegate_base": str(conference.delegate_base),
        "delegate_per_members": str(conference.delegate_per_members),
        "delegate_rounding": conference.delegate_rounding,
    }
    return {**data, **changes}


# Setting up --------------------------------------------------------------------------------------
def test_the_cac_sets_up_a_conference_with_its_fees_and_delegate_formula(
    client: Client, conference: Conference, cac: Any, registering: Any
) -> None:
    as_user(client, cac)
    form = client.get(url("setup_add")).context["form"]
    response = client.post(url("setup_add"), NEW, follow=True)

    # The form starts from last conference, a year on.
    assert (form.initial["year"], form.initial["starts_on"]) == (2028, dt.date(2028, 5, 29))
    assert response.redirect_chain == [(url("detail", "2028"), 302)]
    made = Conference.objects.get(year=2028)
    assert (made.slug, made.city, made.voting_basis, made.delegate_per_members) == (
        "2028",
        "Manchester",
        "delegates",
        5,
    )
    assert made.registration_opens_at == dt.datetime(2028, 1, 10, 9, tzinfo=LONDON_TZ)
    bands = dict(FeeBand.objects.filter(conference=made).values_list("band", "amount"))
    assert bands == {"waged": Decimal("35.00"), "low_waged": Decimal("15.00"), "solidarity": Decimal("60.00")}
    assert (
        "Each branch with members in good standing on 1 March 2028: "
        "1 + (members in good standing ÷ 5), rounded up." in text(response)
    )
    assert AuditEntry.objects.filter(action="conference.created").count() == 1


def test_a_conference_for_a_year_that_has_one_is_refused(
    client: Client, conference: Conference, cac: Any, registering: Any
) -> None:
    response = as_user(client, cac).post(
        url("setup_add"),
        {
            **NEW,
            "year": "2027",
            "starts_on": "2027-06-05",
            "ends_on": "2027-06-06",
            "registration_opens_at": "2027-04-01T09:00",
            "registration_closes_at": "2027-06-01T09:00",
            "eligibility_cutoff": "2027-05-01",
        },
    )

    assert response.status_code == 409
    assert "There is already a conference for 2027." in text(response)
    assert Conference.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"ends_on": "2028-04-28"}, "ends_on", "The last day cannot be before the first."),
        (
            {"registration_closes_at": "2028-01-01T09:00"},
            "registration_closes_at",
            "Registration must close after it opens.",
        ),
        (
            {"registration_closes_at": "2028-05-01T09:00"},
            "registration_closes_at",
            "Registration must close by the end of the conference.",
        ),
        (
            {"eligibility_cutoff": "2028-05-01"},
            "eligibility_cutoff",
            "The cut-off must fall on or before the first day.",
        ),
        (
            {"fee_waged": "", "fee_low_waged": "", "fee_solidarity": ""},
            "fee_waged",
            "Offer at least one fee band.",
        ),
        (
            {"registration_opens_at": "2028-03-26T01:30"},
            "registration_opens_at",
            "01:30 does not exist in London on 26 March 2028: the clocks go forward.",
        ),
    ],
)
def test_dates_and_fees_that_make_no_sense_are_refused_with_nothing_written(
    client: Client, cac: Any, registering: Any, changes: dict[str, str], field: str, error: str
) -> None:
    response = as_user(client, cac).post(url("setup_add"), {**NEW, **changes})

    assert response.status_code == 200
    assert any(error in message for message in response.context["form"].errors[field])
    assert not Conference.objects.exists()


def test_the_cac_edits_the_venue_fees_and_capacity(
    client: Client, conference: Conference, cac: Any, delegate: Member, registering: Any
) -> None:
    services.register(member=delegate, conference=conference, fee_band=Band.WAGED)

    response = as_user(client, cac).post(
        url("setup_edit", conference.slug),
        edit_data(
            conference, venue="Bishopsgate Institute", fee_solidarity="", unwaged_free="on", capacity="300"
        ),
    )

    assert response.status_code == 302
    conference.refresh_from_db()
    assert (conference.venue, conference.capacity, conference.unwaged_free) == (
        "Bishopsgate Institute",
        300,
        True,
    )
    assert set(conference.fee_bands.values_list("band", flat=True)) == {"waged", "low_waged", "unwaged"}
    assert AuditEntry.objects.filter(action="conference.capacity_set").count() == 1


def test_a_capacity_below_the_people_registered_is_refused_and_nothing_is_written(
    client: Client, conference: Conference, cac: Any, delegate: Member, london: Branch, registering: Any
) -> None:
    for person in (delegate, paid_up_member(london, "Olly Other")):
        services.register(member=person, conference=conference, fee_band=Band.WAGED)

    response = as_user(client, cac).post(
        url("setup_edit", conference.slug), edit_data(conference, venue="A smaller hall", capacity="1")
    )

    assert response.status_code == 409
    assert "2 people are already registered; the capacity cannot go below that." in text(response)
    conference.refresh_from_db()
    assert (conference.venue, conference.capacity) == ("Conway Hall", None)


def test_after_the_snapshot_the_cut_off_and_voting_basis_cannot_change(
    client: Client, conference: Conference, cac: Any, delegate: Member, registering: Any
) -> None:
    services.take_snapshot(actor=cac, conference=conference)
    as_user(client, cac)

    page = text(client.get(url("setup_edit", conference.slug)))
    cutoff = client.post(
        url("setup_edit", conference.slug), edit_data(conference, eligibility_cutoff="2027-03-05")
    )
    basis = client.post(url("setup_edit", conference.slug), edit_data(conference, voting_basis="delegates"))
    venue = client.post(
        url("setup_edit", conference.slug), edit_data(conference, venue="Bishopsgate Institute")
    )

    assert "The entitlement snapshot has been taken" in page
    assert cutoff.status_code == basis.status_code == 409
    assert "the cut-off date, voting basis and delegate formula stay as they were" in text(cutoff)
    assert venue.status_code == 302
    conference.refresh_from_db()
    assert (conference.eligibility_cutoff, conference.voting_basis) == (
        dt.date(2027, 3, 1),
        VotingBasis.ALL_MEMBERS,
    )
    assert conference.venue == "Bishopsgate Institute"


def test_members_treasurers_and_organisers_may_not_set_up_a_conference(
    client: Client,
    conference: Conference,
    delegate: Member,
    treasurer: Any,
    london_organiser: Any,
    registering: Any,
) -> None:
    for person in (delegate, treasurer, london_organiser):
        as_user(client, person)
        for name, args in (
            ("setup_add", []),
            ("setup_edit", [conference.slug]),
            ("entitlement", [conference.slug]),
            ("take_snapshot", [conference.slug]),
            ("grant_exception", [conference.slug]),
            ("invite", [conference.slug]),
        ):
            assert client.get(url(name, *args)).status_code == 403, (name, person)
            if name != "entitlement":  # a page to read
                assert client.post(url(name, *args), NEW).status_code == 403, (name, person)
    assert Conference.objects.count() == 1 and not Snapshot.objects.exists()


def test_national_office_may_set_up_a_conference(
    client: Client, national_office: Any, registering: Any
) -> None:
    assert as_user(client, national_office).post(url("setup_add"), NEW).status_code == 302


# The entitlement snapshot ---------------------------------------------------------------------------
@pytest.fixture
def unpaid(london: Branch, dues_rates: dict[str, DuesRate]) -> Member:
    member = make_member(
        london,
        joined_on=dt.date(2026, 1, 5),
        full_name="Una Unpaid",
        user=UserFactory(username="una", email="una@example.org"),
    )
    return Member.objects.select_related("user").get(pk=member.pk)


def test_the_cac_takes_the_snapshot_and_sees_each_branch_and_member_with_the_reason(
    client: Client,
    conference: Conference,
    cac: Any,
    delegate: Member,
    unpaid: Member,
    leeds: Branch,
    registering: Any,
) -> None:
    Conference.objects.filter(pk=conference.pk).update(
        voting_basis=VotingBasis.DELEGATES, delegate_per_members=10
    )
    paid_up_member(leeds, "Lee Leeds")
    as_user(client, cac)

    before = text(client.get(url("entitlement", conference.slug)))
    taken = client.post(url("take_snapshot", conference.slug), follow=True)

    assert (
        '<a class="btn btn-primary" href="/conference/2027/entitlement/snapshot/">Take the snapshot</a>'
        in before
    )
    assert taken.redirect_chain == [(url("entitlement", conference.slug), 302)]
    page = text(taken)
    assert "Snapshot taken: 2 of 3 members entitled." in page
    # London: Dora in good standing, Una not: 1 + 1/10 rounded down = 1 delegate; Leeds the same.
    assert '<th scope="row">London</th><td>1</td><td>1</td>' in page
    assert '<th scope="row">Leeds</th><td>1</td><td>1</td>' in page
    assert "<strong>2</strong> delegates in all" in page
    assert "In good standing on 1 March 2027, dues paid to" in page
    assert "Dues paid to 4 January 2026: beyond the grace period on 1 March 2027" in page
    assert f'href="/conference/2027/entitlement/exception/?member={unpaid.pk}"' in page


def test_the_snapshot_is_taken_once(
    client: Client, conference: Conference, cac: Any, delegate: Member, registering: Any
) -> None:
    services.take_snapshot(actor=cac, conference=conference)
    as_user(client, cac)

    page = text(client.get(url("take_snapshot", conference.slug)))
    again = client.post(url("take_snapshot", conference.slug))

    assert "The snapshot has already been taken; it is kept as it was." in page
    assert again.status_code == 409
    assert Snapshot.objects.count() == 1 and SnapshotMember.objects.count() == 1


def test_the_snapshot_waits_for_the_cut_off_date(
    client: Client, conference: Conference, cac: Any, delegate: Member
) -> None:
    with time_machine.travel(dt.datetime(2027, 2, 20, 12, tzinfo=LONDON_TZ), tick=False):
        as_user(client, cac)
        page = text(client.get(url("entitlement", conference.slug)))
        posted = client.post(url("take_snapshot", conference.slug))

    assert "The snapshot can be taken once the cut-off date (1 March 2027) has passed." in page
    assert posted.status_code == 409
    assert not Snapshot.objects.exists()


def test_the_members_list_is_searchable_and_filtered(
    client: Client, conference: Conference, cac: Any, delegate: Member, unpaid: Member, registering: Any
) -> None:
    services.take_snapshot(actor=cac, conference=conference)
    as_user(client, cac)

    by_name = client.get(url("entitlement", conference.slug), {"q": "una"}).context["rows"]
    not_entitled = client.get(url("entitlement", conference.slug), {"entitled": "no"}).context["rows"]
    nonsense = client.get(
        url("entitlement", conference.slug), {"entitled": "<b>", "branch": "x", "page": "99"}
    )

    assert [row.member for row in by_name] == [unpaid]
    assert [row.member for row in not_entitled] == [unpaid]
    assert nonsense.status_code == 200 and len(nonsense.context["rows"]) == 2


def _branch_with_members(name: str, paid: int, unpaid: int) -> None:
    branch = BranchFactory.create(name=name)
    for number in range(paid):
        paid_up_member(branch, f"{name} Paid {number}")
    for number in range(unpaid):
        make_member(
            branch,
            joined_on=dt.date(2026, 1, 5),
            full_name=f"{name} Unpaid {number}",
            user=UserFactory(
                username=f"{name.lower()}.unpaid.{number}", email=f"{name.lower()}.u{number}@example.org"
            ),
        )


def _queries_for_entitlement(
    client: Client, conference: Conference, django_assert_max_num_queries: Any
) -> int:
    with django_assert_max_num_queries(40) as counted:
        response = client.get(url("entitlement", conference.slug))
    assert response.status_code == 200
    return len(counted.captured_queries)


def test_the_entitlement_page_runs_the_same_queries_however_many_members(
    client: Client,
    conference: Conference,
    cac: Any,
    delegate: Member,
    dues_rates: Any,
    django_assert_max_num_queries: Any,
) -> None:
    with time_machine.travel(dt.datetime(2027, 3, 10, 12, tzinfo=LONDON_TZ), tick=False):
        services.take_snapshot(actor=cac, conference=conference)
        as_user(client, cac)
        small = _queries_for_entitlement(client, conference, django_assert_max_num_queries)

    Snapshot.objects.all().delete()
    for name in ("Leeds", "Bristol", "Glasgow"):
        _branch_with_members(name, paid=4, unpaid=3)
    with time_machine.travel(dt.datetime(2027, 3, 10, 12, tzinfo=LONDON_TZ), tick=False):
        conference.refresh_from_db()
        services.take_snapshot(actor=cac, conference=conference)
        for member in Member.objects.filter(full_name__contains="Unpaid")[:2]:
            services.grant_exception(actor=cac, conference=conference, member=member, reason="Paid late")
        large = _queries_for_entitlement(client, conference, django_assert_max_num_queries)

    assert SnapshotMember.objects.count() == 22
    assert large == small


# Exceptions --------------------------------------------------------------------------------------------
def test_an_exception_is_granted_with_its_reason_and_a_registration_becomes_entitled(
    client: Client, conference: Conference, cac: Any, unpaid: Member, registering: Any
) -> None:
    registration = services.register(member=unpaid, conference=conference, fee_band=Band.UNWAGED)
    as_user(client, cac)

    form = client.get(url("grant_exception", conference.slug), {"member": unpaid.pk}).context["form"]
    response = client.post(
        url("grant_exception", conference.slug),
        {"email": "UNA@example.org", "reason": "Paid on 2 March; the bank held the transfer"},
        follow=True,
    )

    assert form.initial == {"email": "una@example.org"}
    assert response.redirect_chain == [(url("entitlement", conference.slug), 302)]
    assert "Paid on 2 March; the bank held the transfer" in text(response)
    exception = EligibilityException.objects.get()
    assert (exception.member, exception.granted_by) == (unpaid, cac)
    registration.refresh_from_db()
    assert registration.entitled
    assert registration.entitlement_reason == "Exception granted: Paid on 2 March; the bank held the transfer"


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_an_exception_without_a_reason_is_refused_and_nothing_is_written(
    client: Client, conference: Conference, cac: Any, unpaid: Member, registering: Any, reason: str
) -> None:
    response = as_user(client, cac).post(
        url("grant_exception", conference.slug), {"email": unpaid.user.email, "reason": reason}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Record the reason for the exception."]
    assert not EligibilityException.objects.exists()


def test_an_exception_for_an_address_no_member_has_or_granted_twice_is_refused(
    client: Client, conference: Conference, cac: Any, unpaid: Member, registering: Any
) -> None:
    as_user(client, cac)
    nobody = client.post(
        url("grant_exception", conference.slug), {"email": "nobody@example.org", "reason": "Why not"}
    )
    client.post(url("grant_exception", conference.slug), {"email": unpaid.user.email, "reason": "Paid late"})
    twice = client.post(
        url("grant_exception", conference.slug), {"email": unpaid.user.email, "reason": "Again"}
    )

    assert nobody.context["form"].errors["email"] == ["No member has this e-mail address."]
    assert twice.status_code == 409
    assert "Una Unpaid already has an exception for this conference." in text(twice)
    assert list(EligibilityException.objects.values_list("reason", flat=True)) == ["Paid late"]


# Observers and guests ----------------------------------------------------------------------------
def test_the_cac_invites_an_observer_who_is_sent_the_confirmation_and_listed(
    client: Client, conference: Conference, cac: Any, registering: Any
) -> None:
    as_user(client, cac)
    response = client.post(
        url("invite", conference.slug),
        {"name": "Sam Fraternal", "email": "Sam@Example.org", "attendee": "observer"},
        follow=True,
    )

    page = text(response)
    assert "Invited: Sam Fraternal, observer (non-voting)." in page
    assert '<th scope="row">Sam Fraternal</th>' in page
    guest = Registration.objects.get()
    assert (guest.email, guest.attendee, guest.entitled, guest.fee_due) == (
        "sam@example.org",
        "observer",
        False,
        0,
    )
    [mail] = OutboundMessage.objects.filter(to="sam@example.org")
    assert "You are invited as an observer, without a vote." in mail.body_text


def test_inviting_the_same_address_twice_or_past_capacity_is_refused(
    client: Client, conference: Conference, cac: Any, registering: Any
) -> None:
    as_user(client, cac)
    client.post(
        url("invite", conference.slug), {"name": "Sam", "email": "sam@example.org", "attendee": "guest"}
    )
    twice = client.post(
        url("invite", conference.slug), {"name": "Sam", "email": "sam@example.org", "attendee": "guest"}
    )
    Conference.objects.filter(pk=conference.pk).update(capacity=1)
    full = client.post(
        url("invite", conference.slug), {"name": "Kim", "email": "kim@example.org", "attendee": "guest"}
    )
    member_kind = client.post(
        url("invite", conference.slug), {"name": "Kim", "email": "kim@example.org", "attendee": "member"}
    )

    assert twice.status_code == 409 and "Someone with this e-mail address is already registered." in text(
        twice
    )
    assert full.status_code == 409 and "The conference is full." in text(full)
    assert member_kind.status_code == 200 and "attendee" in member_kind.context["form"].errors
    assert Registration.objects.count() == 1
