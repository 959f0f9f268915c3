"""Small moves every journey makes, written once."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


def main_menu(page: Page) -> Locator:
    """The site's main menu, unfolded first on a phone, where it hides behind a button."""
    # Until the style sheets are in, the button shows on any screen.
    page.wait_for_load_state("load")
    toggler = page.get_by_role("button", name="Show or hide the menu")
    if toggler.is_visible():
        toggler.click()
    menu = page.get_by_role("navigation", name="Main")
    expect(menu.locator("#site-nav")).to_be_visible()
    return menu
