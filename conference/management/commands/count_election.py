"""Count elections from BLT ballot files by Scottish STV (conference/stv.py, conference/blt.py).

``count_election FILE.blt [FILE.blt ...] [--method scottish-stv] [--seed N] [--json]``

With ``--json``, one JSON object per file per line on stdout, in the shape
DESIGN.md gives (``CountResult.as_dict`` plus ``"seconds"``: reading and
counting that file), or ``{"file": ..., "error": "line N: ..."}`` for a file
that cannot be read or counted; the command then goes on to the next file.
It needs no database and no SECRET_KEY, and opens neither.
Without it, a short summary per file: the quota, each stage and who was
elected or excluded at it, the ties and how they were decided.

The exit status is 0 when every file was counted and 1 when any was not; the
files that failed are named on stderr at the end, after all the output.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from conference.elections.counting import stv
from conference.elections.counting.blt import BltError, read_blt


class Command(BaseCommand):
    help = (
        "Count elections from BLT files by Scottish STV (SSI 2007/42 schedule 1, rules 45-52): "
        "a summary per file, or with --json one JSON object per file per line. "
        "Exit status 1 if any file could not be read or counted."
    )
    # Counting reads files only; it runs with no database and no SECRET_KEY (awl/settings.py's
    # _OFFLINE_COMMANDS). The system checks say nothing about a BLT file, and they are given every
    # database to consult (a GeneratedField's check asks PostgreSQL its version), so none run.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE.blt", help="BLT ballot files to count")
        parser.add_argument(
            "--method", default=stv.METHOD, choices=[stv.METHOD], help="counting rules (default: %(default)s)"
        )
        parser.add_argument(
            "--seed", type=int, help="seed for ties decided by lot (default: drawn and reported)"
        )
        parser.add_argument("--json", action="store_true", help="one JSON object per file per line")

    def handle(self, *args: Any, **options: Any) -> None:
        failed: list[str] = []
        for path in options["files"]:
            try:
                result, seconds = count_file(path, seed=options["seed"])
            except (BltError, stv.CountError) as exc:
                failed.append(path)
                if options["json"]:
                    self.stdout.write(json.dumps({"file": path, "error": str(exc)}))
                else:
                    self.stdout.write(f"{path}: cannot be counted: {exc}")
                continue
            if options["json"]:
                line = result.as_dict(file=path)
                line["seconds"] = round(seconds, 4)
                self.stdout.write(json.dumps(line))
            else:
                self.stdout.write(summary(path, result))
        if failed:
            total = len(options["files"])
            raise CommandError(
                f"{len(failed)} of {total} files could not be counted: {', '.join(failed)}", returncode=1
            )


def count_file(path: str, *, seed: int | None) -> tuple[stv.CountResult, float]:
    """Read and count one BLT file: the result and the seconds taken; BltError or CountError if not."""
    started = time.perf_counter()
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise BltError(None, f"cannot be read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BltError(raw[: exc.start].count(b"\n") + 1, "the file is not UTF-8 text") from None
    election = read_blt(text)
    result = stv.count(
        election.candidates, election.seats, election.ballots, withdrawn=election.withdrawn, seed=seed
    )
    return result, time.perf_counter() - started


def summary(path: str, result: stv.CountResult) -> str:
    """A readable account of one count: quota, stages, ties, the elected in order."""
    names = result.candidates
    lines = [
        f"{path}: Scottish STV, {result.seats} seat{'s' if result.seats != 1 else ''}, "
        f"{len(names)} candidates, {result.valid_papers} valid papers, quota {stv.format_votes(result.quota)}"
    ]
    if result.withdrawn:
        lines.append("  withdrawn: " + ", ".join(names[c] for c in result.withdrawn))
    for stage in result.stages:
        if stage.action == stv.FIRST:
            what = "first preferences"
        elif stage.action == stv.SURPLUS and stage.candidate is not None:
            what = (
                f"surplus of {names[stage.candidate]} ({stv.format_votes(-stage.transfers[stage.candidate])})"
            )
        else:
            what = f"exclusion of {names[stage.candidate]}" if stage.candidate is not None else stage.action
        outcome = ""
        if stage.elected:
            outcome = "; elected " + ", ".join(names[c] for c in stage.elected)
        lines.append(
            f"  stage {stage.number}: {what}{outcome}"
            f" (non-transferable {stv.format_votes(stage.non_transferable)},"
            f" loss {stv.format_votes(stage.loss)})"
        )
    for tie in result.ties:
        lines.append(
            f"  tie at stage {tie.stage} between {', '.join(names[c] for c in tie.between)}: "
            f"decided by {tie.decided_by}, {names[tie.chosen]} chosen"
        )
    if any(tie.decided_by == "lot" for tie in result.ties):
        lines.append(f"  lot seed: {result.seed}")
    lines.append("  elected, in order: " + ", ".join(names[c] for c in result.elected))
    return "\n".join(lines)
