"""The personal-data registry: every app says what it holds about a person.

Membership of a political organisation is special category data, so the
three things a data-protection officer asks of the system go through one
place, and a new app cannot forget them:

- **export** (subject access): every holding contributes its part of a
  person's JSON export;
- **erasure**: every holding anonymises what must stay countable
  (attendance, votes cast, payments) and deletes the rest, all in the
  caller's transaction;
- **retention**: every holding registers the rules that anonymise what is
  due without anyone asking, run by a periodic task.

A *person* is a member (their member row and their account), a contact,
or a guest known only by an e-mail address. ``awl`` knows no app, so a
:class:`Person` carries ids and addresses; the members app builds one
(``members.personal_data.person_for_*``) and the apps built on it read the
ids they know.

``covers`` names every model a holding answers for, with what happens to
its rows on erasure; ``tests/test_personal_data.py`` fails when a model
holding a person's data is covered by no holding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from awl.audit import log_action


@dataclass(frozen=True)
class Person:
    """Whom an export or an erasure is about."""

    kind: str  # "member", "contact" or "guest"
    label: str  # how the audit and the pages name them ("Rosa Luxemburg", "guest rosa@example.org")
    emails: frozenset[str] = frozenset()  # lower-cased addresses the person is known by
    member_id: int | None = None
    user_id: int | None = None
    contact_ids: frozenset[int] = frozenset()
    # (app_label.model, pk) of the rows that stand for the person (their member
    # row, their contact rows): the audit trail's entries about them.
    targets: frozenset[tuple[str, str]] = frozenset()

    def by_address(self, *lookups: str) -> Q:
        """Rows where any of ``lookups`` (``"to__iexact"``, ``"content__icontains"``) matches one of the
        person's addresses; matches nothing when they have none."""
        query = Q(pk__in=[])
        for email in sorted(self.emails):
            for lookup in lookups:
                query |= Q(**{lookup: email})
        return query

    @property
    def key(self) -> str:
        """Stable key for holds and links: ``member:12``, ``contact:3``, ``guest:a@b.org``."""
        if self.member_id is not None:
            return f"member:{self.member_id}"
        if self.kind == "contact" and self.contact_ids:
            return f"contact:{min(self.contact_ids)}"
        return f"guest:{min(self.emails)}" if self.emails else "guest:"


@dataclass
class Erasure:
    """One erasure in progress: holdings read the person and record what they did."""

    person: Person
    placeholder: str  # what an anonymised name becomes ("Erased member 12")
    at: dt.datetime
    erased_email: str  # what an anonymised address becomes (never deliverable)
    counts: dict[str, int] = field(default_factory=dict)
    # (app_label.model, pk) of every row that stood for the person, so the audit
    # trail's entries about them lose the name they were written under.
    targets: set[tuple[str, str]] = field(default_factory=set)

    def count(self, what: str, n: int) -> None:
        if n:
            self.counts[what] = self.counts.get(what, 0) + n

    def target(self, label: str, pk: Any) -> None:
        self.targets.add((label.lower(), str(pk)))


Exporter = Callable[[Person], Any]
Eraser = Callable[[Erasure], None]


@dataclass(frozen=True)
class Holding:
    """What one app holds about people."""

    name: str  # the export's section ("dayschools")
    covers: Mapping[str, str]  # "app_label.Model" -> what erasure does to its rows
    export: Exporter
    erase: Eraser
    order: int = 100  # erasure order; the holding that looks people up by account runs last


@dataclass(frozen=True)
class RetentionRule:
    """Something that becomes due for anonymising after a time, with no one asking."""

    key: str  # "conference.needs"
    label: str  # "Access, dietary and childcare needs, after the conference ends"
    days: Callable[[], int]  # read from settings when the job runs, so tests can change it
    run: Callable[[dt.datetime, int], int]  # (now, days) -> rows anonymised or deleted


@dataclass(frozen=True)
class ReviewCandidate:
    """Someone a person should decide about: erase, or keep with a reason until a date."""

    key: str  # Person.key
    kind: str  # "member", "contact", "guest", "applicant"
    label: str
    why: str  # "lapsed 2023-04-01", "last booking 2023-03-02"
    last_active: dt.date | None = None
    detail_url: str = ""


ReviewProvider = Callable[[dt.date], list[ReviewCandidate]]

_holdings: dict[str, Holding] = {}
_retention: dict[str, RetentionRule] = {}
_review: list[ReviewProvider] = []


def register_holding(holding: Holding) -> Holding:
    _holdings[holding.name] = holding
    return holding


def register_retention(rule: RetentionRule) -> RetentionRule:
    _retention[rule.key] = rule
    return rule


def register_review(provider: ReviewProvider) -> ReviewProvider:
    if provider not in _review:
        _review.append(provider)
    return provider


def holdings() -> list[Holding]:
    return sorted(_holdings.values(), key=lambda h: (h.order, h.name))


def retention_rules() -> list[RetentionRule]:
    return sorted(_retention.values(), key=lambda r: r.key)


def covered_models() -> dict[str, str]:
    """Every model some holding answers for (lower-cased label) -> the holding's name."""
    return {label.lower(): h.name for h in holdings() for label in h.covers}


def export_person(person: Person) -> dict[str, Any]:
    """Everything held about one person, one section per holding."""
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "person": {"kind": person.kind, "name": person.label, "emails": sorted(person.emails)},
    }
    for holding in holdings():
        data[holding.name] = holding.export(person)
    return data


def erase_person(person: Person, *, placeholder: str, erased_email: str) -> Erasure:
    """Run every holding's erasure; the caller holds the transaction and writes the audit entry."""
    erasure = Erasure(
        person=person,
        placeholder=placeholder,
        at=timezone.now(),
        erased_email=erased_email,
        targets=set(person.targets),
    )
    with transaction.atomic():
        for holding in holdings():
            holding.erase(erasure)
    return erasure


def review_candidates(today: dt.date) -> list[ReviewCandidate]:
    candidates = [c for provider in _review for c in provider(today)]
    return sorted(candidates, key=lambda c: (c.kind, c.label.lower(), c.key))


@transaction.atomic
def run_retention(now: dt.datetime | None = None) -> dict[str, int]:
    """Anonymise everything that is due under every rule; one audit entry per run, with counts."""
    now = now or timezone.now()
    counts = {rule.key: rule.run(now, rule.days()) for rule in retention_rules()}
    log_action(actor=None, action="retention.run", detail={"at": now.isoformat(), "counts": counts})
    return counts
