"""The STV count benches: ``python -m bench.stv [--only stv_count|stv_scotland]``.

``stv_count``: one Scottish STV count (``conference.stv``) of 50,000 ballots,
40 candidates, 15 seats, generated from a fixed seed (``generate``): each
voter ranks a few candidates (1 to 40, most between 3 and 12), drawn by
popularity without replacement (a Plackett-Luce draw), so the count has
surpluses, exclusions and mostly distinct ballots. The metric is the median
wall time of ``COUNT_RUNS`` counts, the ballots already in memory.

``stv_scotland``: every BLT file of the Scottish council elections
(``AWL_ELECTIONS_DIR``, by default ``../shared/elections`` beside the
checkout) read and counted in one process, as ``count_election`` does;
metrics the total seconds and the number of files handled (1,100: the
malformed one is read and rejected, as count_election rejects it, and 1,099
are counted). Without the directory, both figures are null and the reason
goes to stderr.

Needs no database or server; one JSON line per figure on stdout, as
``bench.run`` prints them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

from conference.elections.counting.blt import BltError, read_blt
from conference.elections.counting.stv import count

ROOT = Path(__file__).resolve().parent.parent
COUNT = "stv_count"
SCOTLAND = "stv_scotland"
BALLOTS = 50_000
CANDIDATES = 40
SEATS = 15
SEED = 20_070_042  # SSI 2007/42
COUNT_RUNS = 3


def log(message: str) -> None:
    print(f"bench: stv: {message}", file=sys.stderr, flush=True)


def emit(bench: str, metric: str, value: float | int | None, unit: str) -> None:
    print(json.dumps({"bench": bench, "metric": metric, "value": value, "unit": unit}), flush=True)


def elections_dir() -> Path:
    return Path(os.environ.get("AWL_ELECTIONS_DIR") or ROOT.parent / "shared" / "elections")


def generate(
    ballots: int = BALLOTS, candidates: int = CANDIDATES, seed: int = SEED
) -> list[tuple[tuple[int, ...], int]]:
    """Seeded ranked ballots: popularity-weighted draws without replacement, of varied length."""
    rng = random.Random(seed)  # noqa: S311  (test data, repeatable from its seed)
    popularity = [rng.paretovariate(1.5) for _ in range(candidates)]
    result: list[tuple[tuple[int, ...], int]] = []
    for _ in range(ballots):
        length = min(candidates, max(1, round(rng.lognormvariate(math.log(6), 0.6))))
        keys = sorted(range(candidates), key=lambda c: rng.expovariate(popularity[c]))
        result.append((tuple(keys[:length]), 1))
    return result


def stv_count() -> None:
    ballots = generate()
    names = [f"Candidate {c + 1}" for c in range(CANDIDATES)]
    times = []
    for _ in range(COUNT_RUNS):
        started = time.perf_counter()
        result = count(names, SEATS, ballots, seed=SEED)
        times.append(time.perf_counter() - started)
    log(f"{COUNT}: {len(result.stages)} stages, {len(result.elected)} elected, runs {times}")
    emit(COUNT, "seconds", round(statistics.median(times), 3), "s")


def stv_scotland() -> None:
    folder = elections_dir()
    files = sorted(folder.glob("**/*.blt"))
    if not files:
        log(f"{SCOTLAND}: no BLT files under {folder} (set AWL_ELECTIONS_DIR)")
        emit(SCOTLAND, "seconds", None, "s")
        emit(SCOTLAND, "files", None, "count")
        return
    counted, rejected = 0, 0
    started = time.perf_counter()
    for path in files:
        try:
            election = read_blt(path.read_text(encoding="utf-8"))
        except (BltError, UnicodeDecodeError):
            rejected += 1
            continue
        count(election.candidates, election.seats, election.ballots, withdrawn=election.withdrawn, seed=0)
        counted += 1
    seconds = time.perf_counter() - started
    log(f"{SCOTLAND}: {counted} files counted, {rejected} rejected, under {folder}")
    emit(SCOTLAND, "seconds", round(seconds, 2), "s")
    emit(SCOTLAND, "files", counted + rejected, "count")


BENCHES = {COUNT: stv_count, SCOTLAND: stv_scotland}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stv", description="The STV count benches.")
    parser.add_argument("--only", action="append", choices=sorted(BENCHES), metavar="NAME")
    args = parser.parse_args(argv)
    for name in args.only or list(BENCHES):
        BENCHES[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
