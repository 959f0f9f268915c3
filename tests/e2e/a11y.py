"""The accessibility check the journeys run on every page: axe-core, WCAG 2.1 A and AA.

``PageWatch.attach(context)`` makes the check automatic for every page of a
browser context:

* Each top-level document the context loads announces itself to Python as
  it is created, runs axe on itself once it has loaded, and sends Python
  the result (init scripts and exposed bindings: they are outside the
  site's Content-Security-Policy, which stays enforced).
* A document left before it has loaded runs axe as it is left (its
  ``beforeunload``), on what it shows once its HTML is parsed. It has to:
  when a page starts a navigation itself (a link, a form), Chromium stops
  loading it, so a script or image still on its way never arrives and
  ``load`` never comes.
* Before the browser may leave a document (a link, a form, ``goto``: any
  top-level navigation request), the watch holds the request until that
  document's result has come, so a journey can never outrun the check.
  The hold is bounded by ``report_timeout_s``, well inside the journeys'
  action timeout: a document that sends no result by then is recorded as a
  failure naming its address, and the navigation goes on, so the journey
  fails on that page rather than on the click that left it.
* ``finish()`` waits for the documents the journey ended on, then raises
  ``AccessibilityError`` if any page had a violation of impact "serious" or
  "critical", or if a page the browser loaded or that announced itself
  never sent a result (so a broken check fails loudly rather than passing
  everything).

(Running axe from Python as the browser leaves a page is not possible:
Chromium answers no evaluation while a navigation request is held.)

``axe_violations(page)`` runs the same check on demand, on the page as it
is now: after a dialog opens, say, or on content set with ``set_content``.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Error, Page, Request, Route

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
# How long a page may take to report; axe needs well under a second for any page here on a quiet
# machine, but several seconds when the machine is saturated by the parallel suite. It must stay
# well inside the journeys' action timeout (conftest.TIMEOUT_MS): a click waits for the navigation it
# starts, and so for the hold, which must give up first for the failure to name the page.
REPORT_TIMEOUT_S = 12.0
# The pages a journey ends on may still be loading: finish() waits for loading and checking both, this
# many times as long (no action is waiting then).
_END_WAIT_FACTOR = 3
DID_NOT_REPORT = "axe-did-not-report"
_POLL_MS = 20
# Requests the watch holds: everything but static files, which never navigate
# (and would each cost a round trip to Python).
_ROUTED = re.compile(r"^(?!https?://[^/]+/static/)")

# A function of the WCAG tags, resolving to the violations as plain data.
_RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((node) => node.target.join(" ")),
  }));
}"""

# Runs in every top-level document of a watched context, after axe itself: the check runs once, when
# the document has loaded or when it is left, whichever comes first (see the module docstring).
_AUTORUN = """(() => {
  if (window !== window.top || location.protocol === "about:") return;
  const key = `${location.href} ${performance.timeOrigin}`;
  const runAxe = __RUN_AXE__;
  let started = false;
  let done;
  window.__awlA11yDone = new Promise((resolve) => { done = resolve; });
  const check = async () => {
    if (started) return;
    started = true;
    let report;
    try {
      report = {violations: await runAxe(__TAGS__)};
    } catch (error) {
      report = {error: String(error)};
    }
    window.__awlA11yReport(key, location.href, report);
    done();
  };
  // Left before it has loaded: check what it shows, once its HTML is parsed (or the browser
  // has stopped parsing it, which makes it "complete" without a load event).
  const checkOnceParsed = () => {
    if (document.readyState === "loading") document.addEventListener("readystatechange", check);
    else check();
  };
  window.__awlA11yBegin(key, location.href);
  addEventListener("load", check);
  addEventListener("beforeunload", checkOnceParsed);
})();""".replace("__RUN_AXE__", _RUN_AXE).replace("__TAGS__", json.dumps(list(WCAG_TAGS)))

# On demand: after the automatic run, if any (axe runs one check at a time).
_CHECK_NOW = """async (tags) => {
  await window.__awlA11yDone;
  return await (__RUN_AXE__)(tags);
}""".replace("__RUN_AXE__", _RUN_AXE)


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on one page, with the elements that break it."""

    url: str
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    @classmethod
    def from_axe(cls, url: str, item: dict[str, Any]) -> Violation:
        return cls(
            url=url,
            rule=item["rule"],
            impact=item["impact"],
            help=item["help"],
            targets=tuple(item["targets"]),
        )

    def __str__(self) -> str:
        where = ", ".join(self.targets[:5]) + (" ..." if len(self.targets) > 5 else "")
        return f"{self.url}: [{self.impact}] {self.rule}: {self.help} ({where})"


class AccessibilityError(AssertionError):
    """Serious or critical WCAG 2.1 A/AA violations were found."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        lines = "\n".join(f"  {v}" for v in violations)
        super().__init__(f"{len(violations)} serious or critical accessibility violation(s):\n{lines}")


def _blocking(url: str, found: list[dict[str, Any]]) -> list[Violation]:
    return [Violation.from_axe(url, item) for item in found if item["impact"] in BLOCKING_IMPACTS]


def axe_violations(page: Page) -> list[Violation]:
    """The serious and critical WCAG 2.1 A/AA violations on the page as it is now (axe must be loaded)."""
    return _blocking(page.url, page.evaluate(_CHECK_NOW, list(WCAG_TAGS)))


@dataclass
class PageWatch:
    """Checks every document the attached contexts show; the verdict comes from ``finish()``."""

    axe_js: Path
    autorun: str = _AUTORUN
    report_timeout_s: float = REPORT_TIMEOUT_S
    violations: list[Violation] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # URLs, in the order their results came
    loaded: list[str] = field(default_factory=list)  # URLs, as the browser finished loading them
    _contexts: list[BrowserContext] = field(default_factory=list)
    _current: dict[Page, str] = field(default_factory=dict)  # page → key of the document it shows
    _begun: dict[str, str] = field(default_factory=dict)  # key → URL, of every document that announced itself
    _reported: set[str] = field(default_factory=set)
    _given_up: set[str] = field(default_factory=set)  # keys (or page/document numbers) already failed
    _committed: Counter[Page] = field(
        default_factory=Counter
    )  # page → documents committed (Playwright's count)
    _announced: Counter[Page] = field(default_factory=Counter)  # page → documents that announced themselves

    def attach(self, context: BrowserContext) -> None:
        """Check every page of ``context``; call before the context opens a page."""
        self._contexts.append(context)
        context.expose_binding("__awlA11yBegin", self._begin)
        context.expose_binding("__awlA11yReport", self._report)
        context.add_init_script(path=self.axe_js)
        context.add_init_script(script=self.autorun)
        context.route(_ROUTED, self._before_request)
        context.on("page", self._watch)

    def _watch(self, page: Page) -> None:
        page.on("load", self._loaded)
        # Playwright's own word that the page committed a new document (its frame's "navigated"
        # event with newDocument; the public "framenavigated" fires within a document too). It
        # reaches Python before the action that caused it returns. The document's announcement
        # comes from the page's process by another path, and may reach Python after the request
        # of the next navigation: the hold compares the two counts, so it never mistakes the
        # document being left for the one before it.
        frame = page.main_frame._impl_obj
        frame._event_emitter.on("navigated", lambda event: self._navigated(page, event))

    def _navigated(self, page: Page, event: dict[str, Any]) -> None:
        if event.get("newDocument") and not event.get("error") and not event["url"].startswith("about:"):
            self._committed[page] += 1

    def _loaded(self, page: Page) -> None:
        if page.url.startswith(("http://", "https://")):
            self.loaded.append(page.url)

    def _begin(self, source: dict[str, Any], key: str, url: str) -> None:
        self._current[source["page"]] = key
        self._announced[source["page"]] += 1
        self._begun[key] = url

    def _report(self, source: dict[str, Any], key: str, url: str, report: dict[str, Any]) -> None:
        self._reported.add(key)
        self.checked.append(url)
        if "error" in report:
            self.violations.append(
                Violation(url=url, rule="axe-error", impact="critical", help=report["error"], targets=())
            )
        else:
            self.violations.extend(_blocking(url, report["violations"]))

    def _before_request(self, route: Route, request: Request) -> None:
        """Hold a top-level navigation until the document it leaves has sent its result."""
        try:
            if request.is_navigation_request() and request.frame.parent_frame is None:
                self._wait_for_report(request.frame.page, leaving=True)
        finally:
            # Always let the request go on, or the browser would wait for it forever.
            route.fallback()

    def _wait_for_report(self, page: Page, *, leaving: bool = False) -> None:
        """Wait a while for the document ``page`` shows to report; if it does not, record the failure."""
        timeout_s = self.report_timeout_s * (1 if leaving else _END_WAIT_FACTOR)
        deadline = time.monotonic() + timeout_s
        while True:
            announced = self._announced[page] >= self._committed[page]
            key = self._current.get(page)
            if announced and (key is None or key in self._reported or key in self._given_up):
                return
            if page.is_closed():
                return  # closed at the journey's end (or failure): nothing waits for it
            if time.monotonic() >= deadline:
                when = "the journey leaving it" if leaving else "the journey's end"
                if announced and key is not None:
                    self._did_not_report(
                        key, f"axe sent no result for the page within {timeout_s:g} s of {when}"
                    )
                else:
                    unannounced = f"{id(page)} {self._committed[page]}"
                    if unannounced not in self._given_up:
                        self._given_up.add(unannounced)
                        why = (
                            f"the page did not announce itself to the check within {timeout_s:g} s of {when}"
                        )
                        self.violations.append(
                            Violation(
                                url=page.url, rule=DID_NOT_REPORT, impact="critical", help=why, targets=()
                            )
                        )
                return
            try:
                page.wait_for_timeout(_POLL_MS)  # the browser's results are delivered meanwhile
            except Error:
                # A timer fails only when its page, context or browser has closed. The journey
                # is over then (or failed): the failure belongs to it, not to this callback,
                # which Playwright would otherwise raise in the next test's first call.
                return

    def _did_not_report(self, key: str, why: str) -> None:
        if key in self._given_up:
            return
        self._given_up.add(key)
        url = self._begun.get(key, key)
        self.violations.append(
            Violation(url=url, rule=DID_NOT_REPORT, impact="critical", help=why, targets=())
        )

    def finish(self) -> None:
        """Wait for the pages the journey ended on, then fail if any page had violations or went unchecked."""
        for context in self._contexts:
            for page in context.pages:
                self._wait_for_report(page)
        for key in self._begun:
            if key not in self._reported:
                self._did_not_report(key, "the page announced itself, but axe sent no result for it")
        # The browser's own count of loaded pages keeps the check honest: a page
        # that loaded but never reported (a broken init script, a hung axe) fails.
        named = Counter(v.url for v in self.violations if v.rule == DID_NOT_REPORT)
        for url in (Counter(self.loaded) - Counter(self.checked) - named).elements():
            self.violations.append(
                Violation(
                    url=url,
                    rule=DID_NOT_REPORT,
                    impact="critical",
                    help="the page loaded but sent no accessibility result",
                    targets=(),
                )
            )
        if self.violations:
            raise AccessibilityError(self.violations)
