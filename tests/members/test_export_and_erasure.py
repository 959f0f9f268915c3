"""A member's own data export, and erasure on request: nothing personal left, totals unchanged."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import serializers
from django.db.models import Sum
from django.test import Client

from awl.models import AuditEntry, OutboundMessage
from members import selectors, services
from members.models import Branch, Consent, Member, MemberStatus, Payment, Role, StatusChange
from members.services import MembershipError
from tests.factories import (
    PASSWORD,
    UserFactory,
    change_status,
    make_member,
    make_officer,
    pay,
    reload,
    travel,
)

User = get_user_model()

JOINED = dt.date(2024, 1, 10)
ERASED_ON = dt.date(2025, 6, 1)

ROSA = {
    "full_name": "Rosalind Thistlethwaite",
    "preferred_name": "Rozzy",
    "pronouns": "she/her",
    "phone": "07700 900111",
    "workplace": "Ferrybridge Bus Garage",
    "industry": "Road passenger transport",
    "trade_union": "Unite",
    "union_role": "rep",
}
EAMON = {
    "full_name": "Eamon Quigley-Pryce",
    "phone": "07700 900999",
    "workplace": "Cowley Assembly Plant",
    "trade_union": "GMB",
}
ROSA_EMAIL = "rozzy.t@example.net"
ROSA_STATEMENT = "Rozzy Thistlethwaite, Ferrybridge Bus Garage branch of Unite, wants to join."
ROSA_REASON = "Rozzy asked for a break while caring for her mother"


@pytest.fixture
def rosa(london: Branch, dues_rates: Any, national_office: Any) -> Member:
    """A member with a history: payments, a suspension with a personal reason, consents."""
    member = make_member(
        london,
        joined_on=JOINED,
        user=UserFactory(
            username="rozzy", email=ROSA_EMAIL, first_name="Rosalind", last_name="Thistlethwaite"
        ),
        statement=ROSA_STATEMENT,
        consents={"email": True, "phone": True},
        **ROSA,
    )
    pay(member, "120.00", paid_on=JOINED)
    pay(member, "60.00", paid_on=dt.date(2025, 1, 15))
    change_status(
        member, MemberStatus.SUSPENDED, on=dt.date(2025, 3, 1), by=national_office, reason=ROSA_REASON
    )
    change_status(
        member, MemberStatus.MEMBER, on=dt.date(2025, 4, 1), by=national_office, reason="Back with us"
    )
    return reload(member)


@pytest.fixture
def eamon(london: Branch, dues_rates: Any) -> Member:
    member = make_member(
        london,
        joined_on=JOINED,
        user=UserFactory(username="eamon", email="eamon.qp@example.net"),
        statement="Eamon's own statement about Cowley.",
        **EAMON,
    )
    pay(member, "50.00", paid_on=JOINED)
    return member


def rosas_strings() -> list[str]:
    # union_role ("rep") is left out: as a bare word it is also part of field names such as target_repr.
    values = [v for k, v in ROSA.items() if k != "union_role"]
    return [*values, ROSA_EMAIL, "Rosalind", "Thistlethwaite", "Rozzy", "rozzy", "900111"]


# Export ----------------------------------------------------------------------------------------
def test_export_contains_the_members_own_data(rosa: Member, eamon: Member) -> None:
    with travel(ERASED_ON):
        exported = selectors.export_member_data(rosa)["membership"]

    assert exported["account"]["email"] == ROSA_EMAIL
    assert {k: exported["member"][k] for k in ROSA} == ROSA
    assert [p["amount"] for p in exported["payments"]] == ["120.00", "60.00"]
    assert [c["status"] for c in exported["status_history"]] == ["applicant", "member", "suspended", "member"]
    assert ROSA_REASON in [c["reason"] for c in exported["status_history"]]
    assert [a["statement"] for a in exported["applications"]] == [ROSA_STATEMENT]
    assert {(c["channel"], c["granted"]) for c in exported["consents"]} == {("email", True), ("phone", True)}


def test_export_contains_nobody_elses_data(rosa: Member, eamon: Member) -> None:
    with travel(ERASED_ON):
        serialised = json.dumps(selectors.export_member_data(rosa))

    for value in [*EAMON.values(), "eamon", "Quigley", "900999", "Cowley", "50.00"]:
        assert value not in serialised


def test_recording_an_export_writes_an_audit_entry(rosa: Member) -> None:
    services.record_data_exported(actor=rosa.user, member=rosa)

    entry = AuditEntry.objects.get(action="member.data_exported")
    assert (entry.actor, entry.target_id) == (rosa.user, str(rosa.pk))


# Erasure ----------------------------------------------------------------------------------------
def erase(member: Member, actor: Any, reason: str = "Erasure request of 28 May") -> Member:
    with travel(ERASED_ON):
        return services.erase_member(actor=actor, member=member, reason=reason)


def everything_stored_about(member: Member) -> str:
    """The member's rows and everything hanging off them, serialised as the database holds them."""
    member = reload(member)
    objects: list[Any] = [
        member,
        member.user,
        *EmailAddress.objects.filter(user=member.user),
        *member.status_changes.all(),
        *member.applications.all(),
        *member.payments.all(),
        *Consent.objects.filter(member=member),
        *member.lapse_warnings.all(),
        *AuditEntry.objects.filter(target_type__model="member", target_id=str(member.pk)),
        *OutboundMessage.objects.filter(to__iexact=member.user.email),
        *OutboundMessage.objects.filter(to__iexact=ROSA_EMAIL),
    ]
    return serializers.serialize("json", objects)


def test_everything_stored_about_the_member_names_them_before_erasure(rosa: Member) -> None:
    # The control for the test below: the strings it looks for really are there to find.
    stored = everything_stored_about(rosa)

    for value in rosas_strings():
        assert value in stored, value


def test_erasure_leaves_nothing_personal(rosa: Member, national_office: Any) -> None:
    erase(rosa, national_office)

    stored = everything_stored_about(rosa)
    for value in rosas_strings():
        assert value not in stored, value
    assert ROSA_REASON not in stored
    assert ROSA_STATEMENT not in stored
    erased = reload(rosa)
    assert erased.erased_at is not None
    assert erased.full_name == f"Erased member {rosa.pk}"
    assert erased.union_role == ""
    assert not Consent.objects.filter(member=rosa).exists()
    assert not EmailAddress.objects.filter(user=rosa.user).exists()


def test_erasure_keeps_the_totals(rosa: Member, eamon: Member, national_office: Any) -> None:
    past = dt.date(2024, 3, 1)
    before = {
        "members": Member.objects.count(),
        "payments": Payment.objects.count(),
        "paid": Payment.objects.aggregate(total=Sum("amount"))["total"],
        "status_changes": StatusChange.objects.count(),
        "good_standing_in_the_past": Member.objects.in_good_standing(past).count(),
    }
    assert before["paid"] == Decimal("230.00")
    assert before["good_standing_in_the_past"] == 2

    erase(rosa, national_office)

    after = {
        "members": Member.objects.count(),
        "payments": Payment.objects.count(),
        "paid": Payment.objects.aggregate(total=Sum("amount"))["total"],
        "status_changes": StatusChange.objects.count(),
        "good_standing_in_the_past": Member.objects.in_good_standing(past).count(),
    }
    assert after == before
    assert [c.status for c in rosa.status_changes.all()] == ["applicant", "member", "suspended", "member"]


def test_erased_person_cannot_log_in(rosa: Member, national_office: Any) -> None:
    assert Client().login(username=rosa.user.username, password=PASSWORD)

    erase(rosa, national_office)

    user = User.objects.get(pk=rosa.user_id)
    assert not user.is_active
    assert not user.has_usable_password()
    assert not Client().login(username=user.username, password=PASSWORD)
    assert not Client().login(username="rozzy", password=PASSWORD)


def test_erasure_writes_an_audit_entry_with_the_actor(rosa: Member, national_office: Any) -> None:
    erase(rosa, national_office)

    entry = AuditEntry.objects.get(action="member.erased")
    assert (entry.actor, entry.target_id) == (national_office, str(rosa.pk))
    assert entry.detail["reason"] == "Erasure request of 28 May"
    assert entry.detail["counts"]["member"] == 1


@pytest.mark.parametrize("who", ["london_organiser", "treasurer", "self", "outsider"])
def test_only_the_national_office_may_erase(rosa: Member, request: pytest.FixtureRequest, who: str) -> None:
    actor = rosa.user if who == "self" else request.getfixturevalue(who)

    with pytest.raises(MembershipError, match="national office"):
        erase(rosa, actor)

    assert reload(rosa).full_name == ROSA["full_name"]
    assert not AuditEntry.objects.filter(action="member.erased").exists()


def test_erasure_needs_a_reason(rosa: Member, national_office: Any) -> None:
    with pytest.raises(MembershipError, match="why"):
        erase(rosa, national_office, reason="  ")

    assert reload(rosa).erased_at is None


def test_erasure_refuses_a_person_who_still_holds_a_role(rosa: Member, national_office: Any) -> None:
    make_officer(Role.BRANCH_ORGANISER, rosa.branch, user=rosa.user)

    with pytest.raises(MembershipError, match="roles"):
        erase(rosa, national_office)

    assert reload(rosa).erased_at is None


def test_erasure_is_done_once(rosa: Member, national_office: Any) -> None:
    erase(rosa, national_office)

    with pytest.raises(MembershipError, match="already"):
        erase(rosa, national_office)

    assert AuditEntry.objects.filter(action="member.erased").count() == 1
