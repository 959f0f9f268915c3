"""The CAC report and the order paper, built from the rulings, composites and the order of debate.

Both read a conference's whole business in a fixed number of queries (the
motions, their amendments, the composites' links), whatever its size. The
order paper numbers the business in debating order: motion 1, its amendments
1.1, 1.2, an amendment to amendment 1.1 as 1.1.1; the motion's text (and each
amendment's words) is printed as numbered lines, which the amendments name. The PDF is the order paper
page's content rendered by WeasyPrint from its own print template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone

from awl.permissions import has_rule
from conference.business.markdown import numbered_lines
from conference.models import (
    Amendment,
    BusinessRules,
    Conference,
    ItemStatus,
    Motion,
    Registration,
    RegistrationStatus,
    Ruling,
)
from conference.rules import READ_PROPOSAL, RUN


@dataclass
class ReportItem:
    """One line of the CAC report: a motion or amendment and what became of it."""

    kind: str  # "motion" or "amendment"
    item: Motion | Amendment
    fate: str
    reason: str = ""
    amendments: list[ReportItem] = field(default_factory=list)


@dataclass
class PaperAmendment:
    number: str
    amendment: Amendment
    subs: list[PaperAmendment] = field(default_factory=list)

    @property
    def lines(self) -> list[tuple[int, str]]:
        """Its words, numbered: an amendment to it refers to these lines."""
        return numbered_lines(self.amendment.words)


@dataclass
class PaperMotion:
    number: str
    motion: Motion
    replaces: list[Motion]
    amendments: list[PaperAmendment]

    @property
    def lines(self) -> list[tuple[int, str]]:
        """The motion's text, numbered as amendments refer to it."""
        return numbered_lines(self.motion.text)


def _motions(conference: Conference) -> list[Motion]:
    amendments = Amendment.objects.select_related("branch", "proposer", "seconder").order_by(
        "position", "submitted_at", "pk"
    )
    return list(
        Motion.objects.filter(conference=conference)
        .select_related("branch", "proposer", "seconder")
        .prefetch_related(
            Prefetch("amendments", queryset=amendments),
            Prefetch("composite_of", queryset=Motion.objects.order_by("pk")),
            Prefetch("composited_into", queryset=Motion.objects.order_by("pk")),
        )
        .order_by("pk")
    )


def composite_numbers(motions: list[Motion]) -> dict[int, int]:
    """Composites numbered 1, 2, ... in the order they were made."""
    made = [m.pk for m in motions if m.movers_agreed and m.composite_of.all()]
    return {pk: n for n, pk in enumerate(sorted(made), start=1)}


def _amendment_fate(amendment: Amendment) -> tuple[str, str]:
    if amendment.status == ItemStatus.WITHDRAWN:
        return "Withdrawn", ""
    if amendment.status == ItemStatus.AWAITING_SECONDER:
        return "Awaiting its seconder", ""
    if amendment.ruling == Ruling.OUT_OF_ORDER:
        return "Out of order", amendment.ruling_reason
    if amendment.ruling == Ruling.PENDING:
        return "Not yet ruled", ""
    if amendment.accepted is True:
        return "Amendment accepted", ""
    if amendment.accepted is False:
        return "Amendment not accepted", "To be voted on."
    return "Stands", "The mover has not yet answered it."


def _motion_fate(motion: Motion, numbers: dict[int, int]) -> tuple[str, str]:
    if motion.status == ItemStatus.WITHDRAWN:
        return "Withdrawn", ""
    if motion.status == ItemStatus.AWAITING_SECONDER:
        return "Awaiting its seconder", ""
    if motion.ruling == Ruling.COMPOSITED:
        into = [c for c in motion.composited_into.all() if c.pk in numbers]
        if into:
            return f"Composite {numbers[into[0].pk]}", f"Replaced by “{into[0].title}”."
        return "Composited", motion.ruling_reason
    if motion.ruling == Ruling.OUT_OF_ORDER:
        return "Out of order", motion.ruling_reason
    if motion.ruling == Ruling.PENDING:
        return "Not yet ruled", ""
    if motion.pk in numbers:
        replaced = ", ".join(f"“{m.title}”" for m in motion.composite_of.all())
        return f"Composite {numbers[motion.pk]}", f"Replaces {replaced}; the movers agreed."
    return "Stands", ""


def _seen(user: Any, item: Motion | Amendment) -> bool:
    return user is None or has_rule(user, READ_PROPOSAL, item)


def cac_report(conference: Conference, *, user: Any = None) -> list[ReportItem]:
    """Every motion (in order of submission) with its amendments, each with its fate.

    Given a ``user``, items awaiting their seconder are left out unless the user may see them (the
    CAC, their proposer or seconder): until seconded they are not yet conference business."""
    motions = [m for m in _motions(conference) if _seen(user, m)]
    numbers = composite_numbers(motions)
    report = []
    for motion in motions:
        fate, reason = _motion_fate(motion, numbers)
        entry = ReportItem("motion", motion, fate, reason)
        for amendment in (a for a in motion.amendments.all() if _seen(user, a)):
            a_fate, a_reason = _amendment_fate(amendment)
            entry.amendments.append(ReportItem("amendment", amendment, a_fate, a_reason))
        report.append(entry)
    return report


def _debated(item: Motion | Amendment) -> bool:
    return item.ruling == Ruling.IN_ORDER and item.status == ItemStatus.SUBMITTED


def _numbered(
    children: dict[int | None, list[Amendment]], parent: int | None, prefix: str, depth: int = 0
) -> list[PaperAmendment]:
    """Amendments numbered under their motion (1.1, 1.2), amendments to them under theirs (1.1.1)."""
    found = []
    for n, amendment in enumerate(children.get(parent, []), start=1):
        label = f"{prefix}.{n}"
        subs = _numbered(children, amendment.pk, label, depth + 1) if depth < 5 else []
        found.append(PaperAmendment(label, amendment, subs))
    return found


def order_paper(conference: Conference) -> list[PaperMotion]:
    """The motions on the order paper in debating order, each with its amendments numbered."""
    motions = [m for m in _motions(conference) if m.position is not None and _debated(m)]
    motions.sort(key=lambda m: (m.position or 0, m.pk))
    paper = []
    for number, motion in enumerate(motions, start=1):
        standing = [a for a in motion.amendments.all() if _debated(a)]
        children: dict[int | None, list[Amendment]] = {}
        for amendment in standing:
            children.setdefault(amendment.parent_id, []).append(amendment)

        paper.append(
            PaperMotion(
                str(number), motion, list(motion.composite_of.all()), _numbered(children, None, str(number))
            )
        )
    return paper


# Who may read them -------------------------------------------------------------------------------
def rules_of(conference: Conference) -> BusinessRules | None:
    return BusinessRules.objects.filter(conference=conference).first()


def readable(user: Any, conference: Conference, published_at: Any) -> bool:
    """The CAC always; after publication, members registered for the conference."""
    if has_rule(user, RUN, conference):
        return True
    if published_at is None or published_at > timezone.now():
        return False
    return Registration.objects.filter(
        conference=conference, status=RegistrationStatus.REGISTERED, member__user_id=user.pk
    ).exists()


def conference_readable(user: Any, slug: str, which: str) -> tuple[Conference, BusinessRules | None]:
    """The conference whose order paper (``which="order_paper"``) or CAC report the user may read;
    404 otherwise, so an unpublished paper's existence is not shown."""
    conference = Conference.objects.filter(slug=slug).first()
    if conference is None:
        raise Http404("No such conference.")
    rules = rules_of(conference)
    published = getattr(rules, f"{which}_published_at", None) if rules else None
    if not readable(user, conference, published):
        raise Http404("Not published.")
    return conference, rules


# The PDF ------------------------------------------------------------------------------------------
def order_paper_pdf(conference: Conference, base_url: str = "") -> bytes:
    """The order paper as a printable PDF (A4), rendered by WeasyPrint from a print template."""
    from weasyprint import HTML

    html = render_to_string(
        "conference/order_paper_print.html",
        {"conference": conference, "paper": order_paper(conference), "printed_at": timezone.now()},
    )
    return bytes(HTML(string=html, base_url=base_url or None).write_pdf() or b"")
