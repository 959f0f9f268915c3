"""Cross-check conference/stv.py against an independent Scottish STV count: pref_voting's stv_scottish.

    .venv/bin/python tools/crosscheck_stv.py [--elections 1000] [--seed 1] [--real] [--install]

pref_voting (https://pypi.org/project/pref-voting/, MIT licence, by Wes Holliday
and Eric Pacuit) implements Scottish STV (SSI 2007/42) in
``pref_voting.proportional_methods.stv_scottish``, independently of this
project: floating-point ballot "pieces" with per-paper truncation to five
decimals. It brings numpy, numba, matplotlib, networkx and more (about 700 MB),
which the project does not need, so it is kept out of requirements.txt: this
script installs the pinned version with ``pip install --target
var/crosscheck/pref_voting`` (git-ignored) the first time, and imports it
from there.

It counts seeded random elections (3 to 12 candidates, 1 to 5 seats, ranked
by popularity with varied lengths, no blank papers) with both, and with
``--real`` also every readable BLT file under AWL_ELECTIONS_DIR (default
../shared/elections), and compares the sets of candidates elected
(stv_scottish returns them sorted, without the order of election). Elections
where our count needed a lot are compared too but do not count as
disagreements, since the two draw lots differently. One JSON line on stdout; exit status 1 on any
disagreement.

Known differences that cannot change who is elected: pref_voting's floats
(within 1e-12), it still transfers surpluses when rule 52 has filled the last
seats, and it counts blank papers as valid (so none are generated).

Last run (2026-11-30, pref-voting 1.18.2, ``--elections 2000 --seed 1 --real``,
337 s on a busy machine): of 2,000 generated elections, all 1,706 counted
without a lot agreed, and so did the 294 where our count drew one; all 1,099
readable real files agreed (the malformed one unreadable, as it should be).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conference.elections.counting.blt import BltError, read_blt  # noqa: E402
from conference.elections.counting.stv import count  # noqa: E402

PACKAGE = "pref-voting==1.18.2"
TARGET = ROOT / "var" / "crosscheck" / "pref_voting"


def log(message: str) -> None:
    print(f"crosscheck: {message}", file=sys.stderr, flush=True)


def load_pref_voting(install: bool) -> Any:
    """pref_voting's stv_scottish and ProfileWithTies from var/, installed there if missing."""
    if install or not (TARGET / "pref_voting").is_dir():
        log(f"installing {PACKAGE} into {TARGET.relative_to(ROOT)} (not into the project's virtualenv)")
        subprocess.run(  # noqa: S603  (our own interpreter, a pinned package)
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--upgrade", "--target", str(TARGET), PACKAGE],
            check=True,
        )  # fmt: skip
    sys.path.append(str(TARGET))  # after the project's own packages: ours win any clash
    from pref_voting.profiles_with_ties import ProfileWithTies
    from pref_voting.proportional_methods import stv_scottish

    return stv_scottish, ProfileWithTies


def generated(rng: random.Random) -> tuple[int, int, list[tuple[tuple[int, ...], int]]]:
    n = rng.randint(3, 12)
    seats = rng.randint(1, min(5, n - 1))
    popularity = [rng.paretovariate(1.2) for _ in range(n)]
    ballots: dict[tuple[int, ...], int] = {}
    for _ in range(rng.randint(5, 60)):
        order = sorted(range(n), key=lambda c: rng.expovariate(popularity[c]))
        length = min(n, max(1, round(rng.lognormvariate(math.log(3), 0.7))))
        key = tuple(order[:length])
        ballots[key] = ballots.get(key, 0) + rng.randint(1, 200)
    return n, seats, list(ballots.items())


def theirs(stv_scottish: Any, profile_class: Any, n: int, seats: int, ballots: list[Any]) -> set[int]:
    rankings = [{c: rank for rank, c in enumerate(preferences, start=1)} for preferences, _ in ballots]
    profile = profile_class(rankings, rcounts=[papers for _, papers in ballots], candidates=list(range(n)))
    return set(stv_scottish(profile, num_seats=seats, rng=random.Random(0)))  # noqa: S311


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elections", type=int, default=1000, help="generated elections (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="seed for the generated elections")
    parser.add_argument(
        "--real", action="store_true", help="also every real BLT file under AWL_ELECTIONS_DIR"
    )
    parser.add_argument("--install", action="store_true", help="(re)install pref-voting into var/ first")
    args = parser.parse_args(argv)
    stv_scottish, profile_class = load_pref_voting(args.install)

    report: dict[str, Any] = {"package": PACKAGE}
    disagreements: list[dict[str, Any]] = []

    def compare(label: str, n: int, seats: int, ballots: list[Any], names: list[str] | None = None) -> str:
        ours = count(names or [str(c) for c in range(n)], seats, ballots, seed=0)
        other = theirs(stv_scottish, profile_class, n, seats, ballots)
        if any(tie.decided_by == "lot" for tie in ours.ties):
            return "lot, agreed anyway" if set(ours.elected) == other else "lot, differed"
        if set(ours.elected) != other:
            disagreements.append({"election": label, "ours": sorted(ours.elected), "theirs": sorted(other)})
            return "disagreed"
        return "agreed"

    started = time.perf_counter()
    rng = random.Random(args.seed)  # noqa: S311  (test data, repeatable from its seed)
    outcomes: dict[str, int] = {"agreed": 0, "disagreed": 0, "lot, agreed anyway": 0, "lot, differed": 0}
    for number in range(args.elections):
        n, seats, ballots = generated(rng)
        outcomes[compare(f"generated {number} (seed {args.seed})", n, seats, ballots)] += 1
    report["generated"] = outcomes

    if args.real:
        folder = Path(os.environ.get("AWL_ELECTIONS_DIR") or ROOT.parent / "shared" / "elections")
        real: dict[str, int] = {
            "agreed": 0, "disagreed": 0, "lot, agreed anyway": 0, "lot, differed": 0, "unreadable": 0
        }  # fmt: skip
        for path in sorted(folder.glob("**/*.blt")):
            try:
                election = read_blt(path.read_text(encoding="utf-8"))
            except BltError:
                real["unreadable"] += 1
                continue
            ballots = [(p, k) for p, k in election.ballots if p and k]
            n = len(election.candidates)
            real[
                compare(str(path.relative_to(folder)), n, election.seats, ballots, list(election.candidates))
            ] += 1
        report["real"] = real
    report["disagreements"] = disagreements[:20]
    report["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report))
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
