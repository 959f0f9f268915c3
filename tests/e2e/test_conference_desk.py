"""The conference check-in desk on a phone: find a registered member, check her in, issue her credential.

A CAC member running the desk opens it on a phone, sees the live count,
finds Rhea by name and checks her in from the list, then issues her voting
credential: the short code and its QR code are shown. The count on the page
changes, and so does the count on a second phone at the desk, which polls
for it without a reload. The badge page shows what is printed.

The CAC member who handles accommodation (and no other needs) matches a
guest to a host, on a desktop and a phone, and takes the match back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from conference.models import Band, CacDuty, Conference, Credential, Duty, Registration
from conference.registration import services
from members.models import Branch, DuesRate, Role
from tests.conference.conftest import paid_up_member
from tests.conference.desk_objects import open_conference
from tests.e2e.pages import main_menu
from tests.factories import make_officer

pytestmark = pytest.mark.e2e


@pytest.fixture
def desk_conference(db: None) -> Conference:
    return open_conference(slug="2091", year=2091)


@pytest.fixture
def conference_desk(desk_conference: Conference) -> Any:
    """Cai, on the CAC, who runs the check-in desk."""
    user = make_officer(Role.CAC, email="cai.desk@example.org")
    CacDuty.objects.create(conference=desk_conference, user=user, duty=Duty.DESK)
    return user


@pytest.fixture
def rhea(desk_conference: Conference, london: Branch, dues_rates: dict[str, DuesRate]) -> Registration:
    """Rhea, a paid-up London member, registered; and Sol, registered too, not yet arrived."""
    services.register(
        member=paid_up_member(london, "Sol Later"), conference=desk_conference, fee_band=Band.WAGED
    )
    return services.register(
        member=paid_up_member(london, "Rhea Registered"), conference=desk_conference, fee_band=Band.WAGED
    )


def count(page: Page, name: str) -> Any:
    return page.locator(f'#desk-counts [data-count="{name}"]')


@pytest.mark.parametrize("viewport", ["phone"])
def test_the_desk_checks_a_member_in_and_issues_her_credential_on_a_phone(
    log_in: Callable[..., Page],
    conference_desk: Any,
    desk_conference: Conference,
    rhea: Registration,
    viewport: str,
) -> None:
    desk_url = reverse("conference:desk", args=[desk_conference.slug])
    # A second phone at the desk shows the count and is not touched again.
    watching = log_in("conference_desk", viewport=viewport)
    watching.goto(desk_url)
    expect(count(watching, "present")).to_have_text("0")

    page = log_in("conference_desk", viewport=viewport)
    main_menu(page).get_by_role("link", name="Conference").click()
    page.get_by_role("link", name=desk_conference.title).click()
    page.get_by_role("link", name="Check-in desk").click()
    expect(page.get_by_role("heading", level=1, name="Check-in desk")).to_be_visible()
    expect(count(page, "registered")).to_have_text("2")
    expect(count(page, "present")).to_have_text("0")

    page.get_by_label("Name or credential code").fill("rhea")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Check in Rhea Registered").click()

    expect(page.get_by_role("heading", level=1, name="Rhea Registered")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Rhea Registered checked in.")).to_be_visible()
    expect(count(page, "present")).to_have_text("1")
    expect(count(page, "entitled_present")).to_have_text("1")

    page.get_by_role("button", name="Issue the credential").click()
    credential = Credential.objects.get(registration=rhea)
    expect(page.get_by_role("status").filter(has_text=f"Credential {credential.code} issued")).to_be_visible()
    expect(page.get_by_role("heading", name="Voting credential")).to_be_visible()
    expect(page.get_by_text(credential.code, exact=True)).to_be_visible()
    expect(page.get_by_role("img", name=f"QR code of credential {credential.code}")).to_be_visible()

    # The other phone's count follows without a reload.
    expect(count(watching, "present")).to_have_text("1")
    expect(count(watching, "entitled_present")).to_have_text("1")

    page.get_by_role("link", name="Badge to print").click()
    badge = page.get_by_role("article", name="Badge")
    expect(badge).to_contain_text("Rhea Registered")
    expect(badge).to_contain_text("London")
    expect(badge).to_contain_text("Voting")
    expect(badge).to_contain_text(credential.code)
    expect(page.get_by_role("button", name="Print the badge")).to_be_visible()


@pytest.fixture
def conference_rooms(desk_conference: Conference) -> Any:
    """Ros, on the CAC, who handles accommodation (and nothing else)."""
    user = make_officer(Role.CAC, email="ros.rooms@example.org")
    CacDuty.objects.create(conference=desk_conference, user=user, duty=Duty.ACCOMMODATION)
    return user


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_accommodation_duty_matches_a_guest_to_a_host(
    log_in: Callable[..., Page],
    conference_rooms: Any,
    desk_conference: Conference,
    london: Branch,
    dues_rates: dict[str, DuesRate],
    viewport: str,
) -> None:
    for name, needs in (
        ("Hana Host", {"offers_beds": 2}),
        ("Gus Guest", {"needs_bed": True}),
    ):
        services.register(
            member=paid_up_member(london, name),
            conference=desk_conference,
            fee_band=Band.WAGED,
            consent_share_needs=True,
            **needs,
        )

    page = log_in("conference_rooms", viewport=viewport)
    main_menu(page).get_by_role("link", name="Conference").click()
    page.get_by_role("link", name=desk_conference.title).click()
    page.get_by_role("link", name="Conference arrangements").click()
    expect(page.get_by_role("heading", level=1, name="Conference arrangements")).to_be_visible()
    expect(page.get_by_role("link", name="Access needs")).to_have_count(0)
    page.get_by_role("link", name="Accommodation").click()

    page.get_by_label("Guest needing a bed").select_option(label="Gus Guest (London)")
    page.get_by_label("Host with a bed free").select_option(label="Hana Host (London), 2 free")
    page.get_by_role("button", name="Match").click()

    expect(page.get_by_role("status").filter(has_text="Gus Guest will stay with Hana Host.")).to_be_visible()
    guests = page.get_by_role("region", name="Needing a bed (1)")
    expect(guests.get_by_role("row", name="Gus Guest")).to_contain_text("Hana Host")
    hosts = page.get_by_role("region", name="Offering beds (1)")
    expect(hosts.get_by_role("row", name="Hana Host")).to_contain_text("1")
    guests.get_by_role("link", name="Unmatch Gus Guest").click()
    page.get_by_role("button", name="Unmatch Gus Guest").click()
    expect(page.get_by_role("status").filter(has_text="Gus Guest no longer has a bed")).to_be_visible()
    assert Registration.objects.get(member__full_name="Gus Guest").hosted_by is None
