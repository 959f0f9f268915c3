"""A real browser against a live server: Chromium, people who log in, and axe on every page.

``browse(viewport=...)`` opens a fresh browser context (its own cookies: one
person) on the live server and returns its page; ``log_in(role, ...)`` does
the same and logs in through the real login form as one of the named people
in tests/conftest.py. Every page those contexts show is checked with axe
(tests/e2e/a11y.py): it runs in the page once loaded, the browser is not let
go from a page until its result is in, and the verdict is given when the
test body returns, so a journey fails on a serious or critical WCAG 2.1
A/AA violation without asking for the check. The contexts do not bypass the
site's Content-Security-Policy: axe arrives by init script, which the policy
does not govern, so pages run as they do for a person.

Chromium is Debian's (/usr/bin/chromium); Playwright's own browser download
is never used. axe-core comes from npm (``make`` installs it into
node_modules/). When either is missing the tests skip and say which, except
in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from members.models import Application, Member
from tests.e2e.a11y import AccessibilityError, PageWatch
from tests.factories import PASSWORD

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
# The named people of tests/conftest.py (or of a journey module) a journey can log in as.
ROLES = (
    "member",
    "applicant",
    "outsider",
    "london_organiser",
    "leeds_organiser",
    "treasurer",
    "national_office",
    # Defined by the journey that uses them.
    "nc_secretary",  # test_committee_meeting.py
    "dayschool_door_organiser",  # test_dayschool_door.py
    "conference_desk",  # test_conference_desk.py
    "conference_rooms",  # test_conference_desk.py
    "motion_seconder",  # test_conference_business.py
)
# Long enough for a cold page on a two-core machine that also runs the rest of the suite (make test
# runs one xdist process more than the cores, each with its server and browser): at 10 s, two journeys
# in CI's clean run of 2026-12-07 timed out on steps that pass alone in well under a second. A broken
# step still fails, only later. The accessibility watch gives up on a page that never reports well
# before this (a11y.REPORT_TIMEOUT_S), so that a click leaving such a page does not time out first.
TIMEOUT_MS = 30_000
# Assertions (expect) wait as long as actions do, for the same reason.
expect.set_options(timeout=TIMEOUT_MS)

WATCH_KEY = pytest.StashKey[PageWatch]()


def missing_tools() -> list[str]:
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    if not AXE_JS.is_file():
        missing.append(f"axe-core at {AXE_JS} (`make node_modules/axe-core/axe.min.js` installs it from npm)")
    return missing


def require_tools() -> None:
    missing = missing_tools()
    if not missing:
        return
    message = "the browser tests need " + " and ".join(missing)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI=true, so this is a failure, not a skip", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One headless Chromium for all the browser tests, closed when they are done."""
    require_tools()
    # Playwright's synchronous API keeps an asyncio loop running on this
    # thread, and Django refuses ORM calls from a thread with a running loop.
    # The tests are synchronous code all the same, so the check is lifted for
    # exactly as long as the browser is open (package scope: not for the
    # tests outside tests/e2e that run after these).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _plain_http(settings: Settings) -> None:
    """The live server speaks http; Secure cookies (DEBUG off) would never come back."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """allauth counts logins and verification mails per address in the cache; each test starts at zero."""
    cache.clear()


@pytest.fixture
def a11y(request: pytest.FixtureRequest) -> PageWatch:
    """The accessibility watch over every page this test opens; its verdict comes after the test body."""
    watch = PageWatch(axe_js=AXE_JS)
    request.node.stash[WATCH_KEY] = watch
    return watch


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    """After a journey's body passes, check the pages it ended on and fail on any violation seen."""
    try:
        result = yield
    except BaseException as failure:
        watch = item.stash.get(WATCH_KEY, None)
        if watch is not None and watch.violations:
            failure.add_note(f"Also: {AccessibilityError(watch.violations)}")
        raise
    watch = item.stash.get(WATCH_KEY, None)
    if watch is not None:
        watch.finish()
    return result


@pytest.fixture
def browse(
    live_server: LiveServer, transactional_db: None, browser: Browser, a11y: PageWatch
) -> Iterator[Callable[..., Page]]:
    """Open a page for a new person (a fresh browser context) on the live server."""
    contexts: list[BrowserContext] = []

    def open_page(*, viewport: str = "desktop") -> Page:
        context = browser.new_context(base_url=live_server.url, **VIEWPORTS[viewport])
        context.set_default_timeout(TIMEOUT_MS)
        a11y.attach(context)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        # A route callback still holding a navigation (the journey failed mid-step) must not
        # outlive its test: Playwright would raise its error in the next test's first call.
        context.unroute_all(behavior="ignoreErrors")
        context.close()


def _user_of(person: Any) -> Any:
    if isinstance(person, Member):
        return person.user
    if isinstance(person, Application):
        return person.member.user
    return person


@pytest.fixture
def log_in(browse: Callable[..., Page], request: pytest.FixtureRequest) -> Callable[..., Page]:
    """Log in through the login form as a named person (``log_in("treasurer")``); returns their page."""

    def log_in_as(role: str, *, viewport: str = "desktop") -> Page:
        if role not in ROLES:
            raise ValueError(f"no named person {role!r}; choose one of {', '.join(ROLES)}")
        user = _user_of(request.getfixturevalue(role))
        page = browse(viewport=viewport)
        page.goto(reverse("account_login"))
        form = page.locator("main form")
        form.locator('input[name="login"]').fill(user.email)
        form.locator('input[name="password"]').fill(PASSWORD)
        form.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
        return page

    return log_in_as
