"""``manage.py count_election``: one JSON line per file in DESIGN.md's shape, an error line naming
the line of a bad file and on to the next, exit status 1 when any file failed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core import checks
from django.core.management import CommandError, ManagementUtility, call_command

from tests.conference.elections_data import MALFORMED, ROOT, elections_dir, official_sample

# Two seats, 101 papers: the election worked by hand in test_stv.py.
WARD = """4 2
30 1 2 0
15 1 3 0
6 1 0
12 2 0
18 3 4 0
10 4 3 0
10 4 0
0
"Ann"
"Bo"
"Cy"
"Di"
"Ward 7"
"""
TIED = '3 1\n5 1 0\n3 2 0\n3 3 0\n0\n"A"\n"B"\n"C"\n"Tied"\n'
FIVE_DECIMALS = re.compile(r"-?\d+\.\d{5}")


def run(*args: str) -> tuple[list[str], str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("count_election", *args, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(f"CommandError: {exc} (status {exc.returncode})")
    return out.getvalue().splitlines(), err.getvalue()


@pytest.fixture
def ward(tmp_path: Path) -> Path:
    path = tmp_path / "ward7.blt"
    path.write_text(WARD, encoding="utf-8")
    return path


def test_json_line_in_the_design_shape(ward: Path) -> None:
    lines, err = run(str(ward), "--json")
    assert err == ""
    (line,) = lines
    data: dict[str, Any] = json.loads(line)
    assert data["file"] == str(ward)
    assert data["method"] == "scottish-stv"
    assert data["seats"] == 2
    assert data["valid_papers"] == 101
    assert data["quota"] == "34.00000"
    assert data["elected"] == ["Ann", "Cy"]
    assert data["ties"] == []
    assert isinstance(data["seconds"], float) and data["seconds"] >= 0
    assert [s["stage"] for s in data["stages"]] == [1, 2, 3, 4]
    assert [s["action"] for s in data["stages"]] == ["first preferences", "surplus", "exclusion", "exclusion"]
    first, surplus = data["stages"][:2]
    assert first["candidate"] is None and first["elected"] == ["Ann"]
    assert surplus["candidate"] == "Ann"
    assert surplus["totals"] == {"Ann": "34.00000", "Bo": "21.99990", "Cy": "22.99995", "Di": "20.00000"}
    assert surplus["non_transferable"] == "1.99998" and surplus["loss"] == "0.00017"
    for stage in data["stages"]:
        assert set(stage) >= {
            "stage",
            "action",
            "candidate",
            "totals",
            "non_transferable",
            "loss",
            "elected",
            "excluded",
        }
        values = [*stage["totals"].values(), stage["non_transferable"], stage["loss"]]
        assert all(FIVE_DECIMALS.fullmatch(value) for value in values)


def test_a_bad_file_gives_an_error_line_naming_the_line_and_the_next_file_is_counted(
    tmp_path: Path, ward: Path
) -> None:
    bad = tmp_path / "bad.blt"
    bad.write_text("3 1\n1 1 0\n2 1 4 0\n0\nA\nB\nC\n", encoding="utf-8")
    lines, err = run(str(bad), str(ward), "--json")
    assert json.loads(lines[0]) == {
        "file": str(bad),
        "error": "line 3: preference 4 is not one of the 3 candidates",
    }
    assert json.loads(lines[1])["elected"] == ["Ann", "Cy"]
    assert "1 of 2 files could not be counted" in err and str(bad) in err and "(status 1)" in err


def test_a_file_that_is_not_utf8_or_missing(tmp_path: Path) -> None:
    latin = tmp_path / "latin.blt"
    latin.write_bytes(b'2 1\n1 1 0\n0\n"Jos\xe9"\n"B"\n"T"\n')
    missing = tmp_path / "missing.blt"
    lines, err = run(str(latin), str(missing), "--json")
    assert json.loads(lines[0]) == {"file": str(latin), "error": "line 4: the file is not UTF-8 text"}
    assert json.loads(lines[1])["error"].startswith("cannot be read")
    assert "2 of 2 files could not be counted" in err


def test_the_seed_decides_a_lot_and_is_reported(tmp_path: Path) -> None:
    tied = tmp_path / "tied.blt"
    tied.write_text(TIED, encoding="utf-8")
    results = {}
    for seed in ("1", "2", "3", "4", "5", "6"):
        (line,), _ = run(str(tied), "--json", "--seed", seed)
        data = json.loads(line)
        assert data["seed"] == int(seed)
        (tie,) = data["ties"]
        assert tie["between"] == ["B", "C"] and tie["decided_by"] == "lot" and tie["stage"] == 2
        results[seed] = data
        assert json.loads(run(str(tied), "--json", "--seed", seed)[0][0]) | {"seconds": 0} == data | {
            "seconds": 0
        }
    assert {r["ties"][0]["chosen"] for r in results.values()} == {"B", "C"}


def test_the_summary_reads_as_a_count(ward: Path) -> None:
    lines, err = run(str(ward))
    text = "\n".join(lines)
    assert err == ""
    assert "Scottish STV, 2 seats, 4 candidates, 101 valid papers, quota 34.00000" in text
    assert "stage 2: surplus of Ann (17.00000)" in text
    assert "stage 3: exclusion of Di" in text
    assert "stage 4: exclusion of Bo; elected Cy" in text
    assert "elected, in order: Ann, Cy" in text


def test_only_scottish_stv_is_offered(ward: Path) -> None:
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("count_election", str(ward), "--method", "meek", stdout=StringIO())


def test_the_exit_status_and_stderr_from_the_shell(tmp_path: Path, ward: Path) -> None:
    bad = tmp_path / "bad.blt"
    bad.write_text("3 1\n1 1 0\n2 2\n0\nA\nB\nC\n", encoding="utf-8")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    command = [sys.executable, "manage.py", "count_election", "--json", str(bad), str(ward)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    first, second = done.stdout.splitlines()
    assert json.loads(first) == {"file": str(bad), "error": "line 3: the ballot does not end with 0"}
    assert json.loads(second)["file"] == str(ward)
    assert f"1 of 2 files could not be counted: {bad}" in done.stderr


def test_real_files_give_the_official_winners_and_the_malformed_one_its_line() -> None:
    folder = elections_dir()
    sample = official_sample()
    keys = sorted(sample)[:3]
    lines, err = run(*(str(folder / key) for key in keys), str(folder / MALFORMED), "--json")
    for key, line in zip(keys, lines, strict=False):
        assert json.loads(line)["elected"] == sample[key]["official"]
    assert json.loads(lines[-1])["error"].startswith("line 1: ")
    assert "1 of 4 files could not be counted" in err


def test_it_counts_with_no_secret_key_and_no_database_reachable(tmp_path: Path, ward: Path) -> None:
    """Counting reads files only: no SECRET_KEY, DEBUG unset, and a DATABASE_URL no server answers.

    Any attempt to open the database (by the command, its system checks or start-up) fails on port 1.
    """
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "AWL_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "awl.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/nothing",
    }
    command = [sys.executable, "manage.py", "count_election", "--json", str(ward)]
    done = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120, check=False
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["elected"] == ["Ann", "Cy"]
    assert not (tmp_path / "var").exists(), "counting wrote under var/ (a development key?)"


def test_it_runs_no_system_checks(ward: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The project's checks say nothing about a BLT file, and a check may open the database (a
    GeneratedField's asks PostgreSQL for its version), so counting runs none of them."""
    ran: list[str] = []

    def probe(app_configs: Any, databases: Any = None, **kwargs: Any) -> list[Any]:
        ran.append("check")
        return []

    checks.register(probe)
    try:
        ManagementUtility(["manage.py", "count_election", str(ward)]).execute()
    finally:
        checks.registry.registry.registered_checks.discard(probe)

    assert ran == []
    assert "elected, in order: Ann, Cy" in capsys.readouterr().out
