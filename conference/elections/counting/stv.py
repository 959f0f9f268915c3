"""Scottish STV: the count of the Scottish Local Government Elections Order 2007 (SSI 2007/42).

Schedule 1, rules 45 to 52 (carried over unchanged in substance into the 2011
Order, SSI 2011/399, where they are rules 46 to 53). Pure Python with no
Django, so that the count can be run, tested and checked on its own.

What the rules say, and how this module does it:

* **Rule 45, first stage.** Each valid ballot paper is credited to its first
  preference. A paper is valid when it gives a preference for at least one
  candidate (a withdrawn candidate counts as absent from every paper).
* **Rule 46, quota.** ``floor(valid papers / (seats + 1)) + 1`` whole votes.
* **Rule 47.** A candidate whose votes equal or exceed the quota at the end of
  a stage is elected. Candidates elected at the same stage are listed by their
  votes, highest first (equal votes: the higher at the most recent earlier
  stage where they differed, then ballot order; this only orders the list).
* **Rule 48, surplus.** *All* the papers the elected candidate holds are sorted
  by their next available preference (the inclusive Gregory method: not only
  the last parcel received). Each transferred paper gets the transfer value
  ``surplus x (value of the paper when received) / (candidate's total)``,
  worked to five decimal places, any remainder ignored -- per paper, so a
  group of ``n`` identical papers moves ``n x truncated value``. Papers with no
  next preference for a continuing candidate are non-transferable; the
  elected candidate is left with exactly the quota, and what the truncation
  lost (surplus minus what moved minus what became non-transferable) is
  recorded as ``loss``. A surplus of zero makes no stage.
* **Rule 49.** One surplus per stage, the largest first. Equal surpluses: the
  candidate with more votes at the most recent preceding stage at which their
  votes differed goes first; equal at every stage: by lot.
* **Rule 50, exclusion.** When no surplus is left to transfer, the continuing
  candidate with the fewest votes is excluded (one per stage) and each of their
  papers moves, at the value at which it was received, to its next available
  preference, or becomes non-transferable.
* **Rule 51.** Equal lowest: the one with fewer votes at the most recent
  preceding stage at which they differed is excluded; equal at every stage: by
  lot. With three or more tied, the rule is applied again among those still
  equal at that stage.
* **Rule 52.** When the continuing candidates are no more than the vacancies
  left, they are all elected and nothing more is transferred.

Transfers go only to continuing candidates: a candidate elected at an earlier
stage, or deemed elected at the end of the stage now being worked, receives
nothing more, and a candidate who passes the quota during a transfer receives
the whole of it (their excess is their surplus at a later stage).

Votes are integers in units of 0.00001 (``UNIT``), never floats. Ballots are
grouped: identical preference sequences always travel together, so each group
carries its holder, its position in the preference list and the value of one of
its papers, and the count is exact whatever the number of papers.

"By lot" uses ``random.Random(seed)``; without a seed, one is drawn from the
operating system the first time a lot is needed and recorded in the result, so
that any count can be repeated exactly.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

UNIT = 100_000  # one vote, in units of 0.00001
METHOD = "scottish-stv"

FIRST = "first preferences"
SURPLUS = "surplus"
EXCLUSION = "exclusion"


class CountError(ValueError):
    """The election cannot be counted as given (a bad ballot, no seats, ...)."""


def format_votes(units: int) -> str:
    """Votes as a fixed-point string with five decimals: 84300000 -> "843.00000"."""
    sign = "-" if units < 0 else ""
    whole, part = divmod(abs(units), UNIT)
    return f"{sign}{whole}.{part:05d}"


@dataclass(frozen=True)
class Stage:
    """One stage of the count, as a count sheet shows it."""

    number: int
    action: str  # FIRST, SURPLUS or EXCLUSION
    candidate: int | None  # whose surplus is transferred, or who is excluded
    totals: tuple[int, ...]  # each candidate's votes at the end of the stage (units)
    transfers: tuple[int, ...]  # units moved to each candidate at this stage (negative: the source)
    non_transferable: int  # cumulative, units
    loss: int  # cumulative truncation loss, units
    elected: tuple[int, ...] = ()  # deemed elected at the end of this stage, in order
    excluded: tuple[int, ...] = ()


@dataclass(frozen=True)
class Tie:
    """A choice the rules had to make between candidates with equal votes."""

    stage: int  # the stage the choice was made for
    between: tuple[int, ...]
    decided_by: str  # "stage N" or "lot"
    chosen: int  # the candidate excluded, or whose surplus went first


@dataclass(frozen=True)
class CountResult:
    """The outcome of a count and the whole count sheet."""

    candidates: tuple[str, ...]
    seats: int
    valid_papers: int
    quota: int  # units
    elected: tuple[int, ...]  # in order of election
    stages: tuple[Stage, ...]
    ties: tuple[Tie, ...]
    seed: int | None
    withdrawn: tuple[int, ...] = field(default=())

    @property
    def elected_names(self) -> tuple[str, ...]:
        return tuple(self.candidates[c] for c in self.elected)

    def as_dict(self, file: str | None = None) -> dict[str, Any]:
        """The count_election JSON shape (DESIGN.md): names, votes as "N.00000" strings."""
        names = self.candidates

        def by_name(values: Sequence[int]) -> dict[str, str]:
            return {names[c]: format_votes(v) for c, v in enumerate(values)}

        result: dict[str, Any] = {} if file is None else {"file": file}
        result.update(
            {
                "method": METHOD,
                "candidates": list(names),
                "withdrawn": [names[c] for c in self.withdrawn],
                "seats": self.seats,
                "valid_papers": self.valid_papers,
                "quota": format_votes(self.quota),
                "elected": [names[c] for c in self.elected],
                "stages": [
                    {
                        "stage": stage.number,
                        "action": stage.action,
                        "candidate": None if stage.candidate is None else names[stage.candidate],
                        "totals": by_name(stage.totals),
                        "transfers": by_name(stage.transfers),
                        "non_transferable": format_votes(stage.non_transferable),
                        "loss": format_votes(stage.loss),
                        "elected": [names[c] for c in stage.elected],
                        "excluded": [names[c] for c in stage.excluded],
                    }
                    for stage in self.stages
                ],
                "ties": [
                    {
                        "stage": tie.stage,
                        "between": [names[c] for c in tie.between],
                        "decided_by": tie.decided_by,
                        "chosen": names[tie.chosen],
                    }
                    for tie in self.ties
                ],
                "seed": self.seed,
            }
        )
        return result


def _groups(
    n: int, ballots: Iterable[tuple[Sequence[int], int]], withdrawn: frozenset[int]
) -> dict[tuple[int, ...], int]:
    """Identical preference sequences merged, withdrawn candidates left out, each ballot checked."""
    groups: dict[tuple[int, ...], int] = {}
    index = {c: c for c in range(n)}.__getitem__  # KeyError for anything but a candidate's index
    for number, (preferences, weight) in enumerate(ballots, start=1):
        try:
            kept = tuple(map(index, preferences))
        except (KeyError, TypeError):
            _bad_ballot(number, n, preferences, weight)
        if len(set(kept)) != len(kept) or type(weight) is not int or weight < 0:
            _bad_ballot(number, n, preferences, weight)
        if withdrawn:
            kept = tuple(c for c in kept if c not in withdrawn)
        if weight and kept:
            groups[kept] = groups.get(kept, 0) + weight
    return groups


def _bad_ballot(number: int, n: int, preferences: Sequence[int], weight: object) -> NoReturn:
    """Raise the CountError that says what is wrong with a ballot."""
    if isinstance(weight, bool) or not isinstance(weight, int) or weight < 0:
        raise CountError(f"ballot {number}: the number of papers must be a whole number >= 0")
    seen: set[object] = set()
    for candidate in preferences:
        if isinstance(candidate, bool) or not isinstance(candidate, int) or not 0 <= candidate < n:
            raise CountError(f"ballot {number}: {candidate!r} is not one of the {n} candidates")
        if candidate in seen:
            raise CountError(f"ballot {number}: candidate {candidate + 1} is ranked more than once")
        seen.add(candidate)
    raise CountError(f"ballot {number}: it cannot be read")


class _Count:
    """The state of one count: who holds which papers at what value, stage by stage."""

    def __init__(
        self,
        names: tuple[str, ...],
        seats: int,
        groups: dict[tuple[int, ...], int],
        withdrawn: frozenset[int],
        seed: int | None,
    ) -> None:
        self.names = names
        self.n = len(names)
        self.seats = seats
        self.withdrawn = withdrawn
        self.seed = seed
        self.rng: random.Random | None = None
        self.prefs = list(groups)
        self.papers = [groups[p] for p in self.prefs]
        self.valid = sum(self.papers)
        self.quota = (self.valid // (seats + 1) + 1) * UNIT
        self.position = [0] * len(self.prefs)  # index in prefs of the current holder
        self.value = [UNIT] * len(self.prefs)  # value of one paper of the group, units
        self.held: list[list[int]] = [[] for _ in names]
        self.totals = [0] * self.n
        self.continuing = [c not in withdrawn for c in range(self.n)]
        self.elected: list[int] = []
        self.surplus_done: set[int] = set()
        self.non_transferable = 0
        self.loss = 0
        self.stages: list[Stage] = []
        self.ties: list[Tie] = []

    # --- ties -----------------------------------------------------------------------------------
    def _lot(self, tied: list[int]) -> int:
        if self.rng is None:
            if self.seed is None:
                self.seed = secrets.randbelow(2**32)
            # Repeatable from the recorded seed, which (when not given) comes from secrets.
            self.rng = random.Random(self.seed)  # noqa: S311
        return self.rng.choice(sorted(tied))

    def _break_tie(self, tied: list[int], *, lowest: bool) -> int:
        """Rules 49(2)-(3) and 51(2): the most recent earlier stage at which they differed, then lot."""
        stage = len(self.stages) + 1
        remaining = sorted(tied)
        decided_by = "lot"
        for earlier in reversed(self.stages):
            values = [earlier.totals[c] for c in remaining]
            if len(set(values)) == 1:
                continue
            extreme = min(values) if lowest else max(values)
            remaining = [c for c, v in zip(remaining, values, strict=True) if v == extreme]
            if len(remaining) == 1:
                decided_by = f"stage {earlier.number}"
                break
        chosen = remaining[0] if len(remaining) == 1 else self._lot(remaining)
        self.ties.append(Tie(stage=stage, between=tuple(sorted(tied)), decided_by=decided_by, chosen=chosen))
        return chosen

    def _by_votes(self, candidates: list[int]) -> list[int]:
        """Most votes first; equal votes by the latest earlier stage where they differ, then ballot order."""

        def key(c: int) -> tuple[int, ...]:
            return (-self.totals[c], *(-s.totals[c] for s in reversed(self.stages)), c)

        return sorted(candidates, key=key)

    # --- moving papers --------------------------------------------------------------------------
    def _next_holder(self, group: int) -> int | None:
        """Advance the group to its next preference for a continuing candidate."""
        prefs, position, continuing = self.prefs[group], self.position[group] + 1, self.continuing
        while position < len(prefs):
            if continuing[prefs[position]]:
                self.position[group] = position
                return prefs[position]
            position += 1
        self.position[group] = position
        return None

    def _receive(self, candidate: int, group: int, value: int, transfers: list[int]) -> None:
        self.value[group] = value
        self.held[candidate].append(group)
        moved = value * self.papers[group]
        self.totals[candidate] += moved
        transfers[candidate] += moved

    # --- stages ---------------------------------------------------------------------------------
    def first_stage(self) -> None:
        held, totals = self.held, self.totals
        for group, (prefs, papers) in enumerate(zip(self.prefs, self.papers, strict=True)):
            held[prefs[0]].append(group)
            totals[prefs[0]] += papers * UNIT  # every paper starts at the value one (rule 48(4)(b)(i))
        self._end_stage(FIRST, None, [0] * self.n)

    def transfer_surplus(self, source: int) -> None:
        total = self.totals[source]
        surplus = total - self.quota
        transfers = [0] * self.n
        non_transferable = 0
        for group in self.held[source]:
            value = surplus * self.value[group] // total  # rule 48(3), remainder ignored
            if value == 0:
                continue  # nothing left on these papers: all of it is truncation loss
            receiver = self._next_holder(group)
            if receiver is None:
                non_transferable += value * self.papers[group]
            else:
                self._receive(receiver, group, value, transfers)
        self.held[source] = []
        self.surplus_done.add(source)
        moved = sum(transfers)
        self.totals[source] = self.quota
        transfers[source] = -surplus
        self.non_transferable += non_transferable
        self.loss += surplus - moved - non_transferable
        self._end_stage(SURPLUS, source, transfers)

    def exclude(self, excluded: int) -> None:
        self.continuing[excluded] = False
        transfers = [0] * self.n
        non_transferable = 0
        for group in self.held[excluded]:
            receiver = self._next_holder(group)
            if receiver is None:
                non_transferable += self.value[group] * self.papers[group]
            else:
                self._receive(receiver, group, self.value[group], transfers)
        self.held[excluded] = []
        transfers[excluded] = -self.totals[excluded]
        self.totals[excluded] = 0
        self.non_transferable += non_transferable
        self._end_stage(EXCLUSION, excluded, transfers)

    def _end_stage(self, action: str, candidate: int | None, transfers: list[int]) -> None:
        continuing = [c for c in range(self.n) if self.continuing[c]]
        reached = self._by_votes([c for c in continuing if self.totals[c] >= self.quota])  # rule 47
        vacancies = self.seats - len(self.elected) - len(reached)
        rest = [c for c in continuing if c not in reached]
        elected = reached + (self._by_votes(rest) if 0 < len(rest) <= vacancies else [])  # rule 52
        for c in elected:
            self.continuing[c] = False
        self.elected.extend(elected)
        self.stages.append(
            Stage(
                number=len(self.stages) + 1,
                action=action,
                candidate=candidate,
                totals=tuple(self.totals),
                transfers=tuple(transfers),
                non_transferable=self.non_transferable,
                loss=self.loss,
                elected=tuple(elected),
                excluded=(candidate,) if action == EXCLUSION and candidate is not None else (),
            )
        )

    def finished(self) -> bool:
        return len(self.elected) >= self.seats or not any(self.continuing)

    def next_stage(self) -> None:
        pending = [c for c in self.elected if c not in self.surplus_done and self.totals[c] > self.quota]
        if pending:
            largest = max(self.totals[c] for c in pending)
            tied = [c for c in pending if self.totals[c] == largest]
            self.transfer_surplus(tied[0] if len(tied) == 1 else self._break_tie(tied, lowest=False))
            return
        continuing = [c for c in range(self.n) if self.continuing[c]]
        fewest = min(self.totals[c] for c in continuing)
        tied = [c for c in continuing if self.totals[c] == fewest]
        self.exclude(tied[0] if len(tied) == 1 else self._break_tie(tied, lowest=True))

    def result(self) -> CountResult:
        return CountResult(
            candidates=self.names,
            seats=self.seats,
            valid_papers=self.valid,
            quota=self.quota,
            elected=tuple(self.elected),
            stages=tuple(self.stages),
            ties=tuple(self.ties),
            seed=self.seed,
            withdrawn=tuple(sorted(self.withdrawn)),
        )


def count(
    candidates: Sequence[str],
    seats: int,
    ballots: Iterable[tuple[Sequence[int], int]],
    *,
    seed: int | None = None,
    withdrawn: Collection[int] = (),
) -> CountResult:
    """Count an election by Scottish STV.

    ``ballots`` are ``(preferences, papers)`` pairs: the candidates' 0-based
    indices in order of preference, and how many identical papers there are.
    Raises ``CountError`` for a ballot naming an unknown candidate or the same
    candidate twice, fewer than one seat, duplicate candidate names, or an
    unknown withdrawn candidate. With fewer (non-withdrawn) candidates than
    seats, all of them are elected at the first stage.
    """
    names = tuple(candidates)
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 1:
        raise CountError("there must be at least one seat to fill")
    if not names:
        raise CountError("there are no candidates")
    if len(set(names)) != len(names):
        raise CountError("two candidates have the same name")
    out = frozenset(withdrawn)
    for c in out:
        if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c < len(names):
            raise CountError(f"withdrawn candidate {c!r} is not one of the {len(names)} candidates")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise CountError("the seed must be a whole number")
    state = _Count(names, seats, _groups(len(names), ballots, out), out, seed)
    state.first_stage()
    while not state.finished():
        state.next_stage()
    return state.result()
