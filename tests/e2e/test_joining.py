"""A newcomer signs up, verifies their address, applies, and their branch organiser admits them."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from members.models import Member, MemberStatus
from tests.e2e.pages import main_menu

pytestmark = pytest.mark.e2e

NEWCOMER = "kim.newcomer@example.org"
NEWCOMER_PASSWORD = "a-long-and-unusual-passphrase-42"


def verification_path(address: str) -> str:
    """The path of the link in the last e-mail sent to ``address`` (the live server sends in this
    process); the link itself is on SITE_URL, not on the live server's port."""
    to_them = [message for message in mail.outbox if address in message.to]
    assert to_them, f"no e-mail was sent to {address}"
    body = str(to_them[-1].body)
    match = re.search(r"https?://\S+/accounts/confirm-email/\S+", body)
    assert match, f"no verification link in:\n{body}"
    return urlsplit(match.group(0)).path


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_newcomer_joins_and_the_branch_organiser_admits_them(
    browse: Callable[..., Page], log_in: Callable[..., Page], london_organiser: object, viewport: str
) -> None:
    newcomer = browse(viewport=viewport)
    newcomer.goto("/")
    main_menu(newcomer).get_by_role("link", name="Sign up").click()
    signup = newcomer.locator("main form")
    signup.locator('input[name="email"]').fill(NEWCOMER)
    signup.locator('input[name="password1"]').fill(NEWCOMER_PASSWORD)
    signup.locator('input[name="password2"]').fill(NEWCOMER_PASSWORD)
    newcomer.get_by_role("button", name="Sign up").click()
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")

    newcomer.goto(verification_path(NEWCOMER))
    newcomer.get_by_role("button", name="Confirm").click()
    expect(newcomer.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()

    newcomer.get_by_role("link", name="Apply to join").click()
    newcomer.get_by_label("Branch").select_option(label="London")
    newcomer.get_by_role("textbox", name="Full name").fill("Kim Newcomer")
    newcomer.get_by_role("textbox", name="Workplace").fill("Stratford bus garage")
    newcomer.get_by_label("Why do you want to join?").fill("To organise the garage.")
    newcomer.get_by_label("I agree with the aims of the organisation").check()
    newcomer.get_by_role("button", name="Send my application").click()
    expect(newcomer.get_by_role("status")).to_contain_text("your application has been sent")
    expect(newcomer.get_by_role("region", name="Standing")).to_contain_text("Applicant")

    organiser = log_in("london_organiser", viewport=viewport)
    main_menu(organiser).get_by_role("link", name="Applications").click()
    organiser.get_by_role("link", name="Kim Newcomer").click()
    expect(organiser.get_by_role("region", name="The applicant")).to_contain_text("Stratford bus garage")
    organiser.get_by_role("button", name="Approve").click()
    expect(organiser.get_by_role("status")).to_contain_text("approved")
    expect(organiser.get_by_text("No applications are waiting.")).to_be_visible()

    newcomer.reload()
    standing = newcomer.get_by_role("region", name="Standing")
    expect(standing).to_contain_text("Member")
    expect(standing).not_to_contain_text("Applicant")
    assert Member.objects.get(user__email=NEWCOMER).status == MemberStatus.MEMBER
