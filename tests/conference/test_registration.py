"""Registering: once per member (even from parallel requests), the window, capacity, changes, credentials."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from awl.models import OutboundMessage
from conference.models import Band, Conference, Credential, Registration, RegistrationStatus
from conference.registration import services
from conference.registration.services import ConferenceError
from members.models import Branch, DuesRate, Member, MemberStatus, Role
from tests.conference.conftest import REGISTERING
from tests.factories import LONDON_TZ, make_officer
from tests.helpers.concurrency import in_parallel, said

NEEDS = {"access_needs": "Step-free access", "children": 2, "children_ages": "3 and 6"}


def register(member: Member, conference: Conference, **needs: Any) -> Registration:
    return services.register(member=member, conference=conference, fee_band=Band.WAGED, **needs)


def test_a_member_registers_with_needs_and_is_sent_a_confirmation_with_a_calendar_entry(
    conference: Conference, delegate: Member, registering: Any
) -> None:
    registration = register(delegate, conference, **NEEDS)

    assert registration.entitled
    assert (registration.fee_due, registration.children, registration.children_ages) == (30, 2, "3 and 6")
    [mail] = OutboundMessage.objects.filter(key__startswith=f"conference-{conference.pk}-registration-")
    assert mail.to == delegate.user.email
    assert "Step-free access" in mail.body_text and "Crèche: 2 children (3 and 6)" in mail.body_text
    assert mail.attachments[0]["filename"] == "conference.ics"
    conference.refresh_from_db()
    assert conference.registered == 1


def test_registering_twice_is_refused_and_writes_nothing_more(
    conference: Conference, delegate: Member, registering: Any
) -> None:
    register(delegate, conference)
    with pytest.raises(ConferenceError, match="already registered"):
        register(delegate, conference)
    assert Registration.objects.count() == 1
    conference.refresh_from_db()
    assert conference.registered == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_submits_from_one_member_make_one_registration(
    conference: Conference, delegate: Member
) -> None:
    with time_machine.travel(REGISTERING, tick=False):
        outcomes = said(
            in_parallel(8, lambda n: register(delegate, conference), refused=ConferenceError), "registered"
        )

    assert outcomes.count("registered") == 1
    assert sorted(set(outcomes) - {"registered"}) == ["You are already registered for this conference."]
    assert Registration.objects.filter(member=delegate).count() == 1
    conference.refresh_from_db()
    assert conference.registered == 1
    assert OutboundMessage.objects.filter(to=delegate.user.email, key__contains="confirmation").count() == 1


@pytest.mark.parametrize(
    "moment",
    [dt.datetime(2027, 1, 10, 8, 59, tzinfo=LONDON_TZ), dt.datetime(2027, 5, 15, 23, 59, tzinfo=LONDON_TZ)],
    ids=["before-opening", "at-closing"],
)
def test_registering_outside_the_window_is_refused(
    conference: Conference, delegate: Member, moment: dt.datetime
) -> None:
    with time_machine.travel(moment, tick=False), pytest.raises(ConferenceError, match=r"opens|closed"):
        register(delegate, conference)
    assert not Registration.objects.exists()


def test_an_unentitled_member_may_register_but_is_told_why_they_cannot_vote(
    conference: Conference, london: Branch, dues_rates: dict[str, DuesRate], registering: Any
) -> None:
    from tests.factories import make_member, pay

    member = make_member(london, joined_on=dt.date(2026, 6, 1), full_name="Una Paid")
    pay(member, "10.00", paid_on=dt.date(2026, 6, 1))  # paid to 31 May... well before the cut-off's grace

    registration = register(member, conference)

    assert not registration.entitled
    assert registration.entitlement_reason.startswith("Dues not paid up on the cut-off date")


def test_capacity_is_kept_and_cannot_be_set_below_registrations(
    conference: Conference, delegate: Member, member: Member, cac: Any, registering: Any
) -> None:
    services.set_capacity(actor=cac, conference=conference, capacity=1)
    register(delegate, conference)

    with pytest.raises(ConferenceError, match="full"):
        register(member, conference)
    with pytest.raises(ConferenceError, match="cannot go below"):
        services.set_capacity(actor=cac, conference=conference, capacity=0)

    conference.refresh_from_db()
    assert (conference.capacity, conference.registered) == (1, 1)
    assert Registration.objects.count() == 1


def test_a_member_changes_and_cancels_then_registers_again_on_the_same_row(
    conference: Conference, delegate: Member, registering: Any
) -> None:
    registration = register(delegate, conference)
    services.change_registration(
        actor=delegate.user, registration=registration, fee_band=Band.UNWAGED, dietary_needs="Vegan"
    )
    registration.refresh_from_db()
    assert (registration.fee_band, registration.fee_due, registration.dietary_needs) == (
        "unwaged",
        5,
        "Vegan",
    )

    services.cancel_registration(actor=delegate.user, registration=registration)
    conference.refresh_from_db()
    assert conference.registered == 0
    again = register(delegate, conference)

    assert again.pk == registration.pk
    assert again.status == RegistrationStatus.REGISTERED
    assert Registration.objects.count() == 1
    kinds = sorted(
        m.key.split("-")[4]
        for m in OutboundMessage.objects.filter(key__startswith=f"conference-{conference.pk}-")
    )
    assert kinds == ["cancelled", "changed", "confirmation", "confirmation"]


def test_another_member_cannot_change_or_cancel_a_registration(
    conference: Conference, delegate: Member, member: Member, registering: Any
) -> None:
    registration = register(delegate, conference)
    with pytest.raises(ConferenceError):
        services.change_registration(actor=member.user, registration=registration, dietary_needs="x")
    with pytest.raises(ConferenceError):
        services.cancel_registration(actor=member.user, registration=registration)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED and registration.dietary_needs == ""


def test_children_need_their_ages(conference: Conference, delegate: Member, registering: Any) -> None:
    with pytest.raises(ConferenceError, match="ages"):
        register(delegate, conference, children=1)
    assert not Registration.objects.exists()


def test_unwaged_registration_is_free_when_the_conference_says_so(
    conference: Conference, delegate: Member, registering: Any
) -> None:
    conference.unwaged_free = True
    conference.save(update_fields=["unwaged_free"])
    registration = services.register(member=delegate, conference=conference, fee_band=Band.UNWAGED)
    assert registration.fee_due == 0


def test_a_credential_is_issued_once_to_an_entitled_member_who_has_checked_in(
    conference: Conference, delegate: Member, registering: Any
) -> None:
    desk = make_officer(Role.CAC, email="desk@example.org")
    registration = register(delegate, conference)
    with pytest.raises(ConferenceError, match="Check them in first"):
        services.issue_credential(actor=desk, registration=registration)

    services.check_in(actor=desk, registration=registration)
    services.check_in(actor=desk, registration=registration)  # a double tap
    first = services.issue_credential(actor=desk, registration=registration)
    second = services.issue_credential(actor=desk, registration=registration)

    assert first.pk == second.pk and first.code == second.code
    assert Credential.objects.count() == 1
    assert services.counts(conference) == {
        "registered": 1,
        "present": 1,
        "entitled_present": 1,
        "credentials": 1,
    }


def test_no_credential_for_a_member_not_entitled(
    conference: Conference, london: Branch, dues_rates: dict[str, DuesRate], registering: Any
) -> None:
    from tests.factories import make_member

    desk = make_officer(Role.CAC, email="desk@example.org")
    member = make_member(london, joined_on=dt.date(2026, 6, 1), full_name="Una Paid")
    registration = register(member, conference)
    services.check_in(actor=desk, registration=registration)

    with pytest.raises(ConferenceError, match="not entitled"):
        services.issue_credential(actor=desk, registration=registration)
    assert not Credential.objects.exists()
    assert services.counts(conference)["entitled_present"] == 0


def test_an_exception_entitles_a_registration_already_made(
    conference: Conference, london: Branch, dues_rates: dict[str, DuesRate], cac: Any, registering: Any
) -> None:
    from tests.factories import make_member

    member = make_member(london, joined_on=dt.date(2026, 6, 1), full_name="Una Paid")
    registration = register(member, conference)
    services.grant_exception(
        actor=cac, conference=conference, member=member, reason="Hardship agreed by branch"
    )
    registration.refresh_from_db()
    assert registration.entitled


def test_guests_are_invited_by_the_cac_and_never_vote(
    conference: Conference, cac: Any, member: Member, registering: Any
) -> None:
    guest = services.invite(
        actor=cac, conference=conference, name="Gia Guest", email="gia@example.org", attendee="observer"
    )
    assert not guest.entitled and guest.member is None
    with pytest.raises(ConferenceError):
        services.invite(
            actor=member.user, conference=conference, name="X", email="x@example.org", attendee="guest"
        )
    assert Registration.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_members_never_take_more_places_than_the_capacity(
    conference: Conference, london: Branch, dues_rates: dict[str, DuesRate]
) -> None:
    from tests.conference.conftest import paid_up_member

    people = [paid_up_member(london, f"Rush Member {n}") for n in range(6)]
    conference.capacity = 4
    conference.save(update_fields=["capacity"])
    with time_machine.travel(REGISTERING, tick=False):
        outcomes = said(
            in_parallel(len(people), lambda n: register(people[n], conference), refused=ConferenceError),
            "registered",
        )

    assert sorted(outcomes) == ["The conference is full."] * 2 + ["registered"] * 4
    assert Registration.objects.filter(status=RegistrationStatus.REGISTERED).count() == 4
    conference.refresh_from_db()
    assert conference.registered == 4
    # The refused two wrote nothing: no row, no e-mail.
    assert OutboundMessage.objects.filter(key__contains="confirmation").count() == 4


def test_a_lapsed_member_may_not_register(conference: Conference, delegate: Member, registering: Any) -> None:
    Member.objects.filter(pk=delegate.pk).update(status=MemberStatus.LAPSED)
    delegate.refresh_from_db()

    with pytest.raises(ConferenceError, match="Only members register"):
        register(delegate, conference)
    assert not Registration.objects.exists()


def test_a_registration_stands_once_its_member_has_checked_in(
    conference: Conference, delegate: Member, cac: Any, registering: Any
) -> None:
    registration = register(delegate, conference)
    services.check_in(actor=cac, registration=registration)

    with pytest.raises(ConferenceError, match="checked in"):
        services.cancel_registration(actor=delegate.user, registration=registration)
    registration.refresh_from_db()
    conference.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED and conference.registered == 1


@pytest.mark.parametrize("status", [MemberStatus.SUSPENDED, MemberStatus.RESIGNED])
def test_an_exception_is_only_for_members_and_lapsed_members(
    conference: Conference, delegate: Member, cac: Any, status: str
) -> None:
    Member.objects.filter(pk=delegate.pk).update(status=status)
    delegate.refresh_from_db()

    with pytest.raises(ConferenceError, match="members and lapsed members"):
        services.grant_exception(actor=cac, conference=conference, member=delegate, reason="Paid late")
    assert not delegate.conference_exceptions.exists()
