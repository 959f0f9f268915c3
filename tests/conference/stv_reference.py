"""A second Scottish STV count, written from the Order's text, to check conference/stv.py against.

Deliberately unlike ``conference.stv``: every ballot paper is its own object
(no grouping of identical ballots), values are ``fractions.Fraction`` with the
rule 48(3) truncation done explicitly (``floor(x * 100000) / 100000``), the
parcels are dicts of lists of papers, and the stages are built as plain
dicts. It is slow and only for tests.

The interpretation choices it shares with ``conference.stv`` (the Order is
silent on them): a paper with no preference for a non-withdrawn candidate is
not a valid paper; candidates elected at one stage are listed by votes (then
by the latest earlier stage at which they differed, then ballot order); with
three or more candidates tied, rules 49(2) and 51(2) are applied again among
those still equal at the stage that separated some of them; the lot is
``random.Random(seed).choice`` over the tied candidates in ballot order.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

ONE = Fraction(1)


def truncate(value: Fraction) -> Fraction:
    """Rule 48(3): 'the calculation being made to five decimal places (any remainder being ignored)'."""
    return Fraction(math.floor(value * 100_000), 100_000)


@dataclass
class Paper:
    preferences: tuple[int, ...]
    value: Fraction = ONE
    at: int = 0  # index into preferences of the candidate now holding the paper


@dataclass
class Reference:
    quota: int
    valid_papers: int
    elected: list[int] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)
    ties: list[tuple[int, tuple[int, ...], str, int]] = field(default_factory=list)


def reference_count(
    names: Sequence[str],
    seats: int,
    ballots: Sequence[tuple[Sequence[int], int]],
    *,
    seed: int,
    withdrawn: Sequence[int] = (),
) -> Reference:
    n = len(names)
    rng = random.Random(seed)  # noqa: S311  (the lot, repeatable from its seed)
    standing = [c for c in range(n) if c not in set(withdrawn)]
    papers: list[Paper] = []
    for preferences, copies in ballots:
        kept = tuple(c for c in preferences if c in standing)
        if kept:
            papers.extend(Paper(kept) for _ in range(copies))
    quota = len(papers) // (seats + 1) + 1  # rule 46
    out = Reference(quota=quota * 100_000, valid_papers=len(papers))

    continuing = set(standing)
    parcels: dict[int, list[Paper]] = {c: [] for c in range(n)}
    votes: dict[int, Fraction] = {c: Fraction(0) for c in range(n)}
    surplus_transferred: set[int] = set()
    totals_by_stage: list[dict[int, Fraction]] = []
    non_transferable = Fraction(0)
    loss = Fraction(0)

    def earlier_order(c: int) -> tuple[Any, ...]:
        return (-votes[c], *(-stage[c] for stage in reversed(totals_by_stage)), c)

    def tie(tied: list[int], prefer_lowest: bool) -> int:
        """Rules 49(2)-(3) and 51(2): the most recent preceding stage at which they were unequal, else lot."""
        stage_number = len(totals_by_stage) + 1
        left = sorted(tied)
        how = "lot"
        for number in range(len(totals_by_stage), 0, -1):
            then = totals_by_stage[number - 1]
            if len({then[c] for c in left}) > 1:
                pick = min if prefer_lowest else max
                target = pick(then[c] for c in left)
                left = [c for c in left if then[c] == target]
                if len(left) == 1:
                    how = f"stage {number}"
                    break
        chosen = left[0] if len(left) == 1 else rng.choice(sorted(left))
        out.ties.append((stage_number, tuple(sorted(tied)), how, chosen))
        return chosen

    def move_on(paper: Paper) -> int | None:
        """The next available preference for a continuing candidate, if any."""
        for at in range(paper.at + 1, len(paper.preferences)):
            if paper.preferences[at] in continuing:
                paper.at = at
                return paper.preferences[at]
        paper.at = len(paper.preferences)
        return None

    def end_stage(action: str, candidate: int | None, before: dict[int, Fraction]) -> None:
        # Rule 47: at quota -> elected; rule 52: as many continuing as vacancies -> elected.
        now_elected = sorted((c for c in continuing if votes[c] >= quota), key=earlier_order)
        for c in now_elected:
            continuing.discard(c)
        vacancies = seats - len(out.elected) - len(now_elected)
        if continuing and len(continuing) <= vacancies:
            rest = sorted(continuing, key=earlier_order)
            now_elected += rest
            continuing.clear()
        out.elected.extend(now_elected)
        totals_by_stage.append(dict(votes))
        out.stages.append(
            {
                "action": action,
                "candidate": candidate,
                "totals": [votes[c] * 100_000 for c in range(n)],
                "transfers": [(votes[c] - before[c]) * 100_000 for c in range(n)],
                "non_transferable": non_transferable * 100_000,
                "loss": loss * 100_000,
                "elected": now_elected,
            }
        )

    # Rule 45: the first stage.
    for paper in papers:
        parcels[paper.preferences[0]].append(paper)
        votes[paper.preferences[0]] += 1
    end_stage("first preferences", None, dict(votes))

    while len(out.elected) < seats and continuing:
        before = dict(votes)
        with_surplus = [c for c in out.elected if votes[c] > quota and c not in surplus_transferred]
        if with_surplus:
            # Rules 48 and 49: the highest surplus, all its papers, each at A / B truncated.
            highest = max(votes[c] for c in with_surplus)
            tied = [c for c in with_surplus if votes[c] == highest]
            source = tied[0] if len(tied) == 1 else tie(tied, prefer_lowest=False)
            total = votes[source]
            surplus = total - quota
            moved = Fraction(0)
            lost_here = Fraction(0)
            for paper in parcels[source]:
                transfer_value = truncate(surplus * paper.value / total)
                to = move_on(paper)
                if to is None:
                    lost_here += transfer_value
                    continue
                paper.value = transfer_value
                parcels[to].append(paper)
                votes[to] += transfer_value
                moved += transfer_value
            parcels[source] = []
            votes[source] = Fraction(quota)
            surplus_transferred.add(source)
            non_transferable += lost_here
            loss += surplus - moved - lost_here
            end_stage("surplus", source, before)
            continue
        # Rules 50 and 51: exclude the lowest; its papers move at the value they came at.
        lowest = min(votes[c] for c in continuing)
        tied = [c for c in continuing if votes[c] == lowest]
        excluded = tied[0] if len(tied) == 1 else tie(tied, prefer_lowest=True)
        continuing.discard(excluded)
        for paper in parcels[excluded]:
            to = move_on(paper)
            if to is None:
                non_transferable += paper.value
            else:
                parcels[to].append(paper)
                votes[to] += paper.value
        parcels[excluded] = []
        votes[excluded] = Fraction(0)
        end_stage("exclusion", excluded, before)
    return out
