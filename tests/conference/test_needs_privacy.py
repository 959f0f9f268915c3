"""Needs data (access, diet, crèche, accommodation) is shown only to the CAC members who handle it.

Each list and each CSV is refused, with a page that says nothing of the data,
to ordinary members, to CAC members without that duty (including those with
another duty, and those with the duty for another conference); the duty
holder sees it, and only for those who consented to share their needs;
every view and export is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from awl.models import AuditEntry
from conference.models import Band, CacDuty, Conference, Duty, Registration
from conference.registration import services
from members.models import Branch, DuesRate, Member, Role
from tests.conference.conftest import paid_up_member, the_next_conference
from tests.factories import make_officer

# url name → (the duty that opens it, words only the consenting person's needs hold, words only the
# person who did not consent gave).
LISTS = {
    "cac_access": (Duty.ACCESS, "Step-free access", "Hearing loop"),
    "cac_diet": (Duty.DIET, "Vegan", "No nuts"),
    "cac_creche": (Duty.CRECHE, "3 and 6", "7 and 11"),
    "cac_accommodation": (Duty.ACCOMMODATION, "sam.shared@example.org", "pat.private@example.org"),
}
URLS = [*LISTS, *(f"{name}_csv" for name in LISTS)]
NAMES_FOR_DUTY = {duty: [name, f"{name}_csv"] for name, (duty, _, _) in LISTS.items()}


def register(member: Member, conference: Conference, **needs: Any) -> Registration:
    return services.register(member=member, conference=conference, fee_band=Band.WAGED, **needs)


@pytest.fixture
def people(conference: Conference, london: Branch, dues_rates: dict[str, DuesRate], registering: Any) -> None:
    """Sam shared their needs; Pat gave theirs but did not consent to share them."""
    register(
        paid_up_member(london, "Sam Shared"),
        conference,
        access_needs="Step-free access",
        dietary_needs="Vegan",
        children=2,
        children_ages="3 and 6",
        needs_bed=True,
        consent_share_needs=True,
    )
    register(
        paid_up_member(london, "Pat Private"),
        conference,
        access_needs="Hearing loop",
        dietary_needs="No nuts",
        children=2,
        children_ages="7 and 11",
        needs_bed=True,
        consent_share_needs=False,
    )


def cac_with(conference: Conference, *duties: str, email: str = "duty@example.org") -> Any:
    user = make_officer(Role.CAC, email=email)
    for duty in duties:
        CacDuty.objects.create(conference=conference, user=user, duty=duty)
    return user


def get(client: Client, user: Any, conference: Conference, name: str) -> Any:
    client.force_login(user)
    return client.get(reverse(f"conference:{name}", args=[conference.slug]))


def assert_refused_without_the_data(response: Any, *secrets: str) -> None:
    body = response.content.decode()
    assert response.status_code == 403
    assert "You cannot see this page" in body
    for secret in (*secrets, "Sam Shared", "Pat Private"):
        assert secret not in body


@pytest.mark.parametrize("name", URLS)
def test_an_ordinary_member_is_refused_every_needs_list_and_csv(
    client: Client, conference: Conference, member: Member, people: None, name: str
) -> None:
    _, shared, private = LISTS[name.removesuffix("_csv")]
    audit = AuditEntry.objects.count()

    assert_refused_without_the_data(get(client, member.user, conference, name), shared, private)
    assert AuditEntry.objects.count() == audit


@pytest.mark.parametrize("name", URLS)
def test_a_cac_member_without_the_duty_is_refused_even_with_every_other_duty(
    client: Client, conference: Conference, people: None, name: str
) -> None:
    duty, shared, private = LISTS[name.removesuffix("_csv")]
    others = [d for d in Duty.values if d != duty]
    no_duty = cac_with(conference, email="none@example.org")
    other_duties = cac_with(conference, *others, email="others@example.org")

    for user in (no_duty, other_duties):
        assert_refused_without_the_data(get(client, user, conference, name), shared, private)
    assert not AuditEntry.objects.filter(action__startswith="conference.needs.").exists()


@pytest.mark.parametrize("name", URLS)
def test_the_duty_for_another_conference_opens_nothing_here(
    client: Client, conference: Conference, people: None, name: str
) -> None:
    duty, shared, private = LISTS[name.removesuffix("_csv")]
    next_year = the_next_conference(conference, a_year_on=True)
    user = cac_with(next_year, duty)

    assert_refused_without_the_data(get(client, user, conference, name), shared, private)


@pytest.mark.parametrize("name", URLS)
def test_the_duty_holder_sees_the_needs_of_those_who_consented_only_and_is_audited(
    client: Client, conference: Conference, people: None, name: str
) -> None:
    kind = name.removesuffix("_csv")
    duty, shared, private = LISTS[kind]
    user = cac_with(conference, duty)

    response = get(client, user, conference, name)

    body = response.content.decode()
    assert response.status_code == 200
    assert shared in body
    assert private not in body
    assert "Pat Private" in body and "Did not consent to share their needs" in body
    entry = AuditEntry.objects.get(action__startswith="conference.needs.")
    exported = name.endswith("_csv")
    list_kind = kind.removeprefix("cac_")
    assert entry.action == f"conference.needs.{list_kind}.{'exported' if exported else 'viewed'}"
    assert entry.actor == user
    assert entry.detail["list"] == kind.removeprefix("cac_")
    if exported:
        assert response["Content-Type"].startswith("text/csv")


def test_the_national_office_sees_every_list(
    client: Client, conference: Conference, national_office: Any, people: None
) -> None:
    for name in URLS:
        assert get(client, national_office, conference, name).status_code == 200
    assert AuditEntry.objects.filter(action__startswith="conference.needs.").count() == len(URLS)


def test_the_cac_overview_links_only_the_lists_the_member_handles(
    client: Client, conference: Conference, people: None
) -> None:
    user = cac_with(conference, Duty.DIET)

    page = get(client, user, conference, "cac").content.decode()

    assert reverse("conference:cac_diet", args=[conference.slug]) in page
    for other in ("cac_access", "cac_creche", "cac_accommodation"):
        assert reverse(f"conference:{other}", args=[conference.slug]) not in page
    assert "Vegan" not in page and "Step-free" not in page


def test_a_cac_member_whose_role_has_ended_loses_the_list(
    client: Client, conference: Conference, people: None
) -> None:
    user = cac_with(conference, Duty.ACCESS)
    user.roles.update(ends_on=dt.date(2027, 3, 1))

    assert_refused_without_the_data(get(client, user, conference, "cac_access"), "Step-free access")


def test_a_cac_member_cannot_give_themselves_a_duty(
    client: Client, conference: Conference, people: None
) -> None:
    user = cac_with(conference)
    client.force_login(user)

    page = client.get(reverse("conference:cac_duties", args=[conference.slug]))
    posted = client.post(
        reverse("conference:cac_duties", args=[conference.slug]), {"user": user.pk, "duty": Duty.ACCESS}
    )

    assert page.status_code == 200 and 'name="duty"' not in page.content.decode()
    assert posted.status_code == 403
    assert not CacDuty.objects.exists()
