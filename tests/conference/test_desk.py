"""The check-in desk: find by name or credential code, check in (once), issue the credential (once, and
only to the entitled), the QR code, the badge, and the live count."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from awl.models import AuditEntry
from conference.models import Band, Conference, Credential, Registration
from conference.registration import services
from members.models import Branch, DuesRate, Member
from tests.conference.conftest import paid_up_member, the_next_conference
from tests.factories import UserFactory, make_member, pay


def register(member: Member, conference: Conference, **needs: Any) -> Registration:
    return services.register(member=member, conference=conference, fee_band=Band.WAGED, **needs)


def lapsed_on_cutoff(branch: Branch, name: str) -> Member:
    """A member who paid one month in November 2026: out of good standing by the 1 March 2027 cut-off."""
    username = name.lower().replace(" ", ".")
    member = make_member(
        branch,
        joined_on=dt.date(2026, 11, 2),
        full_name=name,
        user=UserFactory(username=username, email=f"{username}@example.org"),
    )
    pay(member, "10.00", paid_on=dt.date(2026, 11, 2))
    return member


@pytest.fixture
def dora(conference: Conference, delegate: Member, registering: Any) -> Registration:
    return register(delegate, conference)


@pytest.fixture
def desk(client: Client, cac: Any, registering: Any) -> Client:
    """The CAC member at the desk, logged in at the time the tests stand at (sessions expire)."""
    client.force_login(cac)
    return client


def person_url(registration: Registration) -> str:
    return reverse("conference:desk_person", args=[registration.conference.slug, registration.pk])


def desk_url(conference: Conference) -> str:
    return reverse("conference:desk", args=[conference.slug])


def counts_url(conference: Conference) -> str:
    return reverse("conference:desk_counts", args=[conference.slug])


# Finding people -----------------------------------------------------------------------------------
def test_the_desk_finds_someone_by_any_part_of_their_name(desk: Client, dora: Registration) -> None:
    page = desk.get(desk_url(dora.conference), {"q": "dora DEL"}).content.decode()

    assert "Dora Delegate" in page
    assert person_url(dora) in page
    assert "Not checked in" in page


def test_the_desk_finds_someone_by_their_credential_code_typed_loosely(
    desk: Client, cac: Any, dora: Registration
) -> None:
    services.check_in(actor=cac, registration=dora)
    code = services.issue_credential(actor=cac, registration=dora).code

    page = desk.get(desk_url(dora.conference), {"q": f" {code[:4].lower()}-{code[4:]} "}).content.decode()

    assert f"Credential {code}" in page
    assert "Dora Delegate" in page


def test_a_search_that_finds_nobody_says_so(desk: Client, dora: Registration) -> None:
    page = desk.get(desk_url(dora.conference), {"q": "Nobody Here"}).content.decode()

    assert "Nobody called “Nobody Here”" in page
    assert "Dora Delegate" not in page


def test_a_cancelled_registration_is_found_and_cannot_be_checked_in(
    desk: Client, dora: Registration, delegate: Member
) -> None:
    services.cancel_registration(actor=delegate.user, registration=dora)

    found = desk.get(desk_url(dora.conference), {"q": "Dora"}).content.decode()
    refused = desk.post(person_url(dora), {"action": "check_in"})

    assert "Cancelled their registration" in found
    assert refused.status_code == 409
    assert "cancelled" in refused.content.decode()
    dora.refresh_from_db()
    assert dora.checked_in_at is None


# Checking in and the credential -------------------------------------------------------------------
def test_the_desk_checks_someone_in_from_the_list_then_issues_their_credential(
    desk: Client, dora: Registration
) -> None:
    checked = desk.post(person_url(dora), {"action": "check_in"})
    assert checked.status_code == 302 and checked["Location"] == person_url(dora)
    page = desk.get(person_url(dora)).content.decode()
    assert "Dora Delegate checked in." in page
    assert "Issue the credential" in page

    issued = desk.post(person_url(dora), {"action": "credential"}, follow=True)

    credential = Credential.objects.get(registration=dora)
    page = issued.content.decode()
    assert f"Credential {credential.code} issued to Dora Delegate." in page
    assert f'<p class="awl-credential-code fs-1 fw-bold mb-2">{credential.code}</p>' in page
    assert re.search(
        rf'<img class="awl-qr" src="data:image/svg\+xml[^"]+"[^>]*'
        rf'alt="QR code of credential {credential.code}"',
        page,
    )
    assert "style=" not in page


def test_check_in_and_issue_in_one_tap(desk: Client, dora: Registration) -> None:
    response = desk.post(person_url(dora), {"action": "check_in_credential"})

    assert response.status_code == 302
    dora.refresh_from_db()
    assert dora.checked_in_at is not None
    assert Credential.objects.filter(registration=dora).count() == 1


def test_two_posts_issue_one_credential(desk: Client, dora: Registration) -> None:
    desk.post(person_url(dora), {"action": "check_in"})

    first = desk.post(person_url(dora), {"action": "credential"}, follow=True)
    second = desk.post(person_url(dora), {"action": "credential"}, follow=True)

    credential = Credential.objects.get(registration=dora)
    assert first.status_code == second.status_code == 200
    assert f"already has credential {credential.code}; no new one was made" in second.content.decode()
    assert AuditEntry.objects.filter(action="conference.credential_issued").count() == 1


def test_checking_in_twice_keeps_the_first_time(desk: Client, dora: Registration) -> None:
    desk.post(person_url(dora), {"action": "check_in"})
    dora.refresh_from_db()
    first = dora.checked_in_at

    again = desk.post(person_url(dora), {"action": "check_in"}, follow=True)

    dora.refresh_from_db()
    assert dora.checked_in_at == first
    assert "Dora Delegate was already checked in at" in again.content.decode()
    assert AuditEntry.objects.filter(action="conference.checked_in").count() == 1


def test_an_unentitled_member_is_refused_a_credential_with_the_reason_and_nothing_is_written(
    desk: Client, conference: Conference, london: Branch, dues_rates: dict[str, DuesRate], registering: Any
) -> None:
    lapsed = register(lapsed_on_cutoff(london, "Lou Lapsed"), conference)
    assert not lapsed.entitled

    page = desk.get(person_url(lapsed)).content.decode()
    both = desk.post(person_url(lapsed), {"action": "check_in_credential"})

    assert "Non-voting: Dues not paid up on the cut-off date" in page
    assert "Issue the credential" not in page and "Check in and issue" not in page
    assert both.status_code == 409
    assert "Lou Lapsed is not entitled to vote: Dues not paid up" in both.content.decode()
    lapsed.refresh_from_db()
    assert lapsed.checked_in_at is None  # all or nothing
    assert not Credential.objects.exists()


def test_a_hostile_action_is_refused_and_writes_nothing(desk: Client, dora: Registration) -> None:
    response = desk.post(person_url(dora), {"action": "<script>alert(1)</script>"})

    assert response.status_code == 400
    dora.refresh_from_db()
    assert dora.checked_in_at is None


# The badge and the count --------------------------------------------------------------------------
def test_the_badge_shows_name_branch_vote_and_the_credential(
    desk: Client, cac: Any, dora: Registration
) -> None:
    services.check_in(actor=cac, registration=dora)
    code = services.issue_credential(actor=cac, registration=dora).code

    page = desk.get(reverse("conference:desk_badge", args=[dora.conference.slug, dora.pk])).content.decode()

    assert '<p class="awl-badge-name">Dora Delegate</p>' in page
    assert '<p class="awl-badge-branch">London</p>' in page
    assert '<p class="awl-badge-vote">Voting</p>' in page
    assert f'<p class="awl-badge-code">{code}</p>' in page
    assert f'alt="QR code of credential {code}"' in page


def test_the_live_count_changes_as_people_arrive(
    desk: Client, cac: Any, dora: Registration, london: Branch, dues_rates: dict[str, DuesRate]
) -> None:
    lapsed = register(lapsed_on_cutoff(london, "Lou Lapsed"), dora.conference)
    before = desk.get(counts_url(dora.conference)).json()

    desk.post(person_url(dora), {"action": "check_in"})
    desk.post(person_url(lapsed), {"action": "check_in"})
    after = desk.get(counts_url(dora.conference))

    assert before["registered"] == 2 and before["present"] == 0 and before["entitled_present"] == 0
    assert after.json()["present"] == 2 and after.json()["entitled_present"] == 1
    assert "no-store" in after["Cache-Control"].split(", ")
    page = desk.get(desk_url(dora.conference)).content.decode()
    assert '<dd class="fs-3 fw-semibold mb-0" data-count="present">2</dd>' in page  # without JavaScript too


# Who may use the desk ---------------------------------------------------------------------------
def test_a_member_cannot_use_the_desk(client: Client, member: Member, dora: Registration) -> None:
    client.force_login(member.user)

    for url in (desk_url(dora.conference), counts_url(dora.conference), person_url(dora)):
        assert client.get(url).status_code == 403
    assert client.post(person_url(dora), {"action": "check_in"}).status_code == 403
    dora.refresh_from_db()
    assert dora.checked_in_at is None


def test_a_registration_of_another_conference_is_not_found(
    desk: Client, dora: Registration, conference: Conference
) -> None:
    other = the_next_conference(conference)

    url = reverse("conference:desk_person", args=[other.slug, dora.pk])

    assert desk.get(url).status_code == 404
    assert desk.post(url, {"action": "check_in"}).status_code == 404


def test_the_desk_search_takes_the_same_queries_for_many_people(
    desk: Client,
    conference: Conference,
    london: Branch,
    dues_rates: dict[str, DuesRate],
    registering: Any,
    cac: Any,
    django_assert_max_num_queries: Any,
) -> None:
    def found(n: int) -> int:
        with django_assert_max_num_queries(12) as captured:
            page = desk.get(desk_url(conference), {"q": "Pat"}).content.decode()
        assert page.count("awl-desk-row") == n
        return len(captured)

    first = register(paid_up_member(london, "Pat One"), conference)
    services.check_in(actor=cac, registration=first)
    services.issue_credential(actor=cac, registration=first)
    few = found(1)
    for n in range(2, 7):
        register(paid_up_member(london, f"Pat Number {n}"), conference)
    many = found(6)

    assert few == many
