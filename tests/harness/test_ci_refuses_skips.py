"""The harness itself: under CI=true a skipped test fails the run (root conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SKIPPING_TEST = """
import pytest

def test_needs_something_missing():
    pytest.skip("no such service here")
"""


def _run(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    test_file = tmp_path / "test_skips.py"
    test_file.write_text(SKIPPING_TEST)
    env = {**os.environ, "CI": ci}
    return subprocess.run(
        # The repository's root conftest.py, loaded as a plugin, run on a file outside the tree.
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:django",
            "-p",
            "conftest",
            "--rootdir",
            str(tmp_path),
            str(test_file),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_skip_is_a_failure_under_ci(tmp_path):
    result = _run(tmp_path, "true")

    assert result.returncode == 1, result.stdout
    assert "skipped under CI=true" in result.stdout
    assert "no such service here" in result.stdout


def test_a_skip_stays_a_skip_locally(tmp_path):
    result = _run(tmp_path, "")

    assert result.returncode == 0, result.stdout
    assert "1 skipped" in result.stdout
