"""A member corrects their details and downloads everything held about them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import main_menu

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_a_member_edits_their_details_and_downloads_their_data(
    log_in: Callable[..., Page], viewport: str, tmp_path: Path
) -> None:
    page = log_in("member", viewport=viewport)

    main_menu(page).get_by_role("link", name="My membership").click()
    expect(page.get_by_role("heading", level=1, name="My membership")).to_be_visible()
    page.get_by_role("link", name="Edit my details").click()
    page.get_by_role("textbox", name="Full name").fill("Rosa Lund-Okafor")
    page.get_by_role("textbox", name="Phone").fill("07700 900456")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_have_text("Your details are saved.")
    details = page.get_by_role("region", name="My details")
    expect(details).to_contain_text("Rosa Lund-Okafor")
    expect(details).to_contain_text("07700 900456")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data (JSON)").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))["membership"]

    assert saved.name.startswith("awl-my-data-")
    assert data["account"]["email"] == "rosa@example.org"
    assert data["member"]["full_name"] == "Rosa Lund-Okafor"
    assert data["member"]["phone"] == "07700 900456"
