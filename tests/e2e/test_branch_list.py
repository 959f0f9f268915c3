"""A branch organiser finds a member in the branch list, exports what they found and opens the record."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from members.models import Branch, Member
from tests.e2e.pages import main_menu
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_an_organiser_searches_the_branch_list_exports_the_result_and_opens_the_record(
    log_in: Callable[..., Page], member: Member, london: Branch, viewport: str, tmp_path: Path
) -> None:
    make_member(
        london,
        user=UserFactory(email="sam@example.org"),
        full_name="Sam Postal",
        workplace="Mount Pleasant sorting office",
    )
    page = log_in("london_organiser", viewport=viewport)

    menu = main_menu(page)
    menu.get_by_role("button", name="Branches").click()
    menu.get_by_role("link", name="London").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("London members")
    expect(page.get_by_text("2 members found.")).to_be_visible()

    page.get_by_role("searchbox", name="Search name, e-mail, workplace or union").fill("whipps")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 member found.")).to_be_visible()
    table = page.get_by_role("table", name="Members of London branch")
    expect(table.get_by_role("link", name="Rosa Lund")).to_be_visible()
    expect(table).not_to_contain_text("Sam Postal")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as CSV").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    with saved.open(newline="", encoding="utf-8") as exported:
        rows = list(csv.DictReader(exported))

    assert saved.name.startswith("london-members-")
    assert [(row["name"], row["email"], row["phone"]) for row in rows] == [
        ("Rosa Lund", "rosa@example.org", "07700 900123")
    ]

    table.get_by_role("link", name="Rosa Lund").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rosa Lund")
    expect(page.get_by_role("table", name="Dues payments, newest first")).to_contain_text("130.00")
