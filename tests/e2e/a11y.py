"""The accessibility check the journeys run on every page: axe-core, WCAG 2.1 A and AA.

``PageWatch.attach(context)`` makes the check automatic for every page of a
browser context:

* Each top-level document the context loads announces itself to Python as
  it is created, runs axe on itself once it has loaded, and sends Python
  the result (init scripts and exposed bindings: they are outside the
  site's Content-Security-Policy, which stays enforced).
* Before the browser may leave a document (a link, a form, ``goto``: any
  navigation request), the watch holds the request until that document's
  result has come, so a journey can never outrun the check.
* ``finish()`` waits for the documents the journey ended on, then raises
  ``AccessibilityError`` if any page had a violation of impact "serious" or
  "critical", or if a page the browser loaded never sent a result (so a
  broken check fails loudly rather than passing everything).

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

from playwright.sync_api import BrowserContext, Page, Request, Route

WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
# How long a page may take to report; axe needs well under a second for any page here.
REPORT_TIMEOUT_S = 15.0
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

# Runs in every top-level document of a watched context, after axe itself.
_AUTORUN = """(() => {
  if (window !== window.top || location.protocol === "about:") return;
  const key = `${location.href} ${performance.timeOrigin}`;
  const runAxe = __RUN_AXE__;
  window.__awlA11yBegin(key);
  window.__awlA11yDone = new Promise((resolve) => addEventListener("load", async () => {
    let report;
    try {
      report = {violations: await runAxe(__TAGS__)};
    } catch (error) {
      report = {error: String(error)};
    }
    window.__awlA11yReport(key, location.href, report);
    resolve();
  }));
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
    _reported: set[str] = field(default_factory=set)

    def attach(self, context: BrowserContext) -> None:
        """Check every page of ``context``; call before the context opens a page."""
        self._contexts.append(context)
        context.expose_binding("__awlA11yBegin", self._begin)
        context.expose_binding("__awlA11yReport", self._report)
        context.add_init_script(path=self.axe_js)
        context.add_init_script(script=self.autorun)
        context.route(_ROUTED, self._before_request)
        context.on("page", lambda page: page.on("load", self._loaded))

    def _loaded(self, page: Page) -> None:
        if page.url.startswith(("http://", "https://")):
            self.loaded.append(page.url)

    def _begin(self, source: dict[str, Any], key: str) -> None:
        self._current[source["page"]] = key

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
        try:
            if request.is_navigation_request() and request.frame.parent_frame is None:
                self._wait_for_report(request.frame.page)
        finally:
            # Always let the request go on, or the browser would wait for it forever.
            route.fallback()

    def _wait_for_report(self, page: Page) -> None:
        """Wait a while for the document ``page`` shows to report; ``finish()`` names any that never do."""
        key = self._current.get(page)
        deadline = time.monotonic() + self.report_timeout_s
        while key is not None and key not in self._reported and time.monotonic() < deadline:
            if page.is_closed():
                return
            page.wait_for_timeout(_POLL_MS)  # the browser's results are delivered meanwhile

    def finish(self) -> None:
        """Wait for the pages the journey ended on, then fail if any page had violations or went unchecked."""
        for context in self._contexts:
            for page in context.pages:
                self._wait_for_report(page)
        # The browser's own count of loaded pages keeps the check honest: a page
        # that loaded but never reported (a broken init script, a hung axe) fails.
        for url in (Counter(self.loaded) - Counter(self.checked)).elements():
            self.violations.append(
                Violation(
                    url=url,
                    rule="axe-did-not-report",
                    impact="critical",
                    help=f"the page loaded but sent no accessibility result in {self.report_timeout_s:g} s",
                    targets=(),
                )
            )
        if self.violations:
            raise AccessibilityError(self.violations)
