"""Where the real Scottish council ballots are: AWL_ELECTIONS_DIR, by default ../shared/elections.

The tests that need them skip, saying why, when the directory is missing
(under CI=true a skip fails the run, and CI's machine has the directory).
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
MALFORMED = "scot-elex/5_cands/perth_kinross_2016_by_election_ward9.blt"
FILES = 1100


def elections_dir() -> Path:
    """The data directory, or skip the test with the reason."""
    folder = Path(os.environ.get("AWL_ELECTIONS_DIR") or ROOT.parent / "shared" / "elections")
    if not (folder / "scot-elex").is_dir():
        pytest.skip(f"the Scottish election ballots are not at {folder} (set AWL_ELECTIONS_DIR)")
    return folder


@cache
def _official(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "sample-official-2017.json").read_text(encoding="utf-8"))
    return data


def official_sample() -> dict[str, Any]:
    return _official(elections_dir())
