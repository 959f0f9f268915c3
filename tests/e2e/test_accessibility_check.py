"""The accessibility check itself: it finds serious violations, a journey that meets one fails,
a page that was never checked fails too, and a journey that leaves a page, loaded or not, waits
for its check but never past its own action timeout.

Without these the journeys' clean bill of health could mean that axe never
ran. The page below breaks four WCAG 2.1 A rules axe rates serious or
critical: no language, no title, an image without a text alternative and a
field without a label.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Error, Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from tests.e2e import conftest
from tests.e2e.a11y import (
    _AUTORUN,
    REPORT_TIMEOUT_S,
    AccessibilityError,
    PageWatch,
    Violation,
    axe_violations,
)

pytestmark = pytest.mark.e2e

INACCESSIBLE = '<!DOCTYPE html><html><body><img src="x.png"><input></body></html>'
BROKEN_RULES = {"html-has-lang", "document-title", "image-alt", "label"}
ACCESSIBLE = '<!DOCTYPE html><html lang="en"><title>Fine</title><main><h1>Fine</h1></main></html>'
# A made-up site, answered by the test itself: no live server needed.
ELSEWHERE = "http://a11y.test"
# A page the journey leaves by a link, as a person would.
NEXT_LINK = '<a href="/next">Next</a>'
# Takes the page's result from it: the page never reports.
SILENCING = "<script>window.__awlA11yReport = () => {};</script>"


def _serve(route: Route, body: str) -> None:
    route.fulfill(content_type="text/html", body=body)


def _did_not_report(violations: list[Violation]) -> list[str]:
    return [v.url for v in violations if v.rule == "axe-did-not-report"]


def test_axe_reports_the_serious_violations_of_an_inaccessible_page(browser: Browser) -> None:
    context = browser.new_context()
    context.add_init_script(path=conftest.AXE_JS)
    page = context.new_page()
    try:
        page.set_content(INACCESSIBLE)
        found = axe_violations(page)
    finally:
        context.close()

    assert {v.rule for v in found} == BROKEN_RULES
    assert {v.impact for v in found} <= {"serious", "critical"}


def test_a_journey_that_visits_an_inaccessible_page_fails(
    browse: Callable[..., Page], a11y: PageWatch, live_server: LiveServer
) -> None:
    page = browse()
    bad_url = f"{live_server.url}/inaccessible/"
    page.route(bad_url, lambda route: _serve(route, INACCESSIBLE))

    page.goto(bad_url)
    page.goto("/accounts/login/")  # leaving the bad page: the watch must have its result by now
    with pytest.raises(AccessibilityError) as failure:
        a11y.finish()

    assert a11y.checked == [bad_url, f"{live_server.url}/accounts/login/"]
    assert {(v.url, v.rule) for v in failure.value.violations} == {(bad_url, rule) for rule in BROKEN_RULES}
    # Seen and asserted: the test's own verdict (run after it returns) is on the real pages only.
    a11y.violations.clear()


@pytest.mark.parametrize(("tool", "named"), [("CHROMIUM", "Chromium"), ("AXE_JS", "axe-core")])
@pytest.mark.parametrize(("ci", "outcome"), [("", pytest.skip.Exception), ("true", pytest.fail.Exception)])
def test_a_missing_tool_is_named_and_skips_locally_but_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tool: str,
    named: str,
    ci: str,
    outcome: type[BaseException],
) -> None:
    monkeypatch.setattr(conftest, tool, tmp_path / "not-installed")
    monkeypatch.setenv("CI", ci)

    with pytest.raises(outcome, match=named):
        conftest.require_tools()


def test_a_page_whose_check_never_runs_fails_the_journey(browser: Browser) -> None:
    watch = PageWatch(
        axe_js=conftest.AXE_JS, autorun="/* the automatic check, broken */", report_timeout_s=0.5
    )
    context = browser.new_context()
    watch.attach(context)
    context.route(f"{ELSEWHERE}/**", lambda route: _serve(route, ACCESSIBLE))
    page = context.new_page()
    try:
        page.goto(f"{ELSEWHERE}/one")
        page.goto(f"{ELSEWHERE}/two")
        with pytest.raises(AccessibilityError) as failure:
            watch.finish()
    finally:
        context.close()

    assert sorted(_did_not_report(failure.value.violations)) == [f"{ELSEWHERE}/one", f"{ELSEWHERE}/two"]


def test_a_page_that_never_sends_its_result_fails_the_journey(browser: Browser) -> None:
    silencing = ACCESSIBLE.replace("</main>", f"</main>{SILENCING}")
    watch = PageWatch(axe_js=conftest.AXE_JS, report_timeout_s=0.5)
    context = browser.new_context()
    watch.attach(context)
    context.route(f"{ELSEWHERE}/**", lambda route: _serve(route, silencing))
    page = context.new_page()
    try:
        page.goto(f"{ELSEWHERE}/silent")
        with pytest.raises(AccessibilityError) as failure:
            watch.finish()
    finally:
        context.close()

    assert _did_not_report(failure.value.violations) == [f"{ELSEWHERE}/silent"]


def test_a_page_left_before_it_has_loaded_is_checked_as_it_is_left(browser: Browser) -> None:
    """A page that starts a navigation itself (a link, a form) is no longer loaded by Chromium, so its
    load event never comes: the watch must not wait for it, nor let the page go unchecked."""
    leaving = INACCESSIBLE.replace("<body>", f"<body>{NEXT_LINK}")  # its image never arrives
    watch = PageWatch(axe_js=conftest.AXE_JS)
    context = browser.new_context(base_url=ELSEWHERE)
    context.set_default_timeout(conftest.TIMEOUT_MS)
    context.route(f"{ELSEWHERE}/**", lambda route: _serve(route, ACCESSIBLE))
    context.route(f"{ELSEWHERE}/leaving", lambda route: _serve(route, leaving))
    never_answered: list[Route] = []
    context.route(f"{ELSEWHERE}/x.png", lambda route: never_answered.append(route))
    watch.attach(context)  # after the site's routes: Playwright asks the last added first
    page = context.new_page()
    try:
        page.goto("/leaving", wait_until="commit")
        page.get_by_role("link", name="Next").click()  # the navigation waits for the check, not for a load
        expect(page.get_by_role("heading", level=1, name="Fine")).to_be_visible()
        with pytest.raises(AccessibilityError) as failure:
            watch.finish()
    finally:
        for route in never_answered:
            with contextlib.suppress(Error):  # the browser may have dropped the request with the page
                route.abort()
        context.close()

    assert watch.loaded == [f"{ELSEWHERE}/next"]  # the page left never loaded ...
    assert watch.checked == [f"{ELSEWHERE}/leaving", f"{ELSEWHERE}/next"]  # ... and was checked all the same
    assert {(v.url, v.rule) for v in failure.value.violations} == {
        (f"{ELSEWHERE}/leaving", rule) for rule in BROKEN_RULES
    }


def test_leaving_a_page_that_never_reports_fails_on_that_page_not_on_the_click(browser: Browser) -> None:
    """The watch gives up on the page before the click that leaves it runs out of time, and names it."""
    assert REPORT_TIMEOUT_S * 1000 <= conftest.TIMEOUT_MS / 2
    silent = ACCESSIBLE.replace("</main>", f"{NEXT_LINK}</main>{SILENCING}")
    watch = PageWatch(axe_js=conftest.AXE_JS)  # the journeys' own timeouts
    context = browser.new_context(base_url=ELSEWHERE)
    context.set_default_timeout(conftest.TIMEOUT_MS)
    context.route(f"{ELSEWHERE}/**", lambda route: _serve(route, ACCESSIBLE))
    context.route(f"{ELSEWHERE}/silent", lambda route: _serve(route, silent))
    watch.attach(context)
    page = context.new_page()
    try:
        page.goto("/silent")
        page.get_by_role("link", name="Next").click()
        expect(page.get_by_role("heading", level=1, name="Fine")).to_be_visible()
        with pytest.raises(AccessibilityError) as failure:
            watch.finish()
    finally:
        context.close()

    [violation] = failure.value.violations
    assert (violation.url, violation.rule) == (f"{ELSEWHERE}/silent", "axe-did-not-report")
    assert "leaving it" in violation.help


def test_a_navigation_held_when_its_page_closes_leaves_nothing_behind(browser: Browser) -> None:
    """A journey that fails while the watch holds a navigation closes its pages; the hold ends with them,
    and no error of it reaches the next call (Playwright raises a callback's error in the next call)."""
    silent = ACCESSIBLE.replace("</main>", f"{NEXT_LINK}</main>{SILENCING}")
    watch = PageWatch(axe_js=conftest.AXE_JS, report_timeout_s=60)
    context = browser.new_context(base_url=ELSEWHERE)
    context.route(f"{ELSEWHERE}/**", lambda route: _serve(route, silent))
    watch.attach(context)
    page = context.new_page()
    try:
        page.goto("/silent")
        page.get_by_role("link", name="Next").click(no_wait_after=True)
        page.wait_for_timeout(300)  # the watch is holding the navigation now
    finally:
        context.close()

    browser.new_context().close()  # the next call: raises what a callback left, if anything
    assert watch.checked == []


def test_a_page_that_announces_itself_late_is_still_waited_for(browser: Browser) -> None:
    """A page's announcement comes by another path than the request leaving it, and can come after it;
    the watch knows from Playwright that a new page is there and waits for it all the same."""
    announce = "window.__awlA11yBegin(key, location.href);"
    assert announce in _AUTORUN
    late = _AUTORUN.replace(announce, f"setTimeout(() => {{ {announce} }}, 500);")
    watch = PageWatch(axe_js=conftest.AXE_JS, autorun=late)
    context = browser.new_context(base_url=ELSEWHERE)
    context.set_default_timeout(conftest.TIMEOUT_MS)
    context.route(f"{ELSEWHERE}/**", lambda route: _serve(route, ACCESSIBLE))
    watch.attach(context)
    page = context.new_page()
    try:
        page.goto("/one", wait_until="commit")
        page.goto("/two")  # before /one has announced itself, let alone been checked
        watch.finish()
    finally:
        context.close()

    assert watch.checked == [f"{ELSEWHERE}/one", f"{ELSEWHERE}/two"]
