"""`make run` with no database configured: it serves, refuses a second copy, and stops everything.

This runs scripts/run-dev (what `make run` runs once the virtualenv exists)
as a new user would, with nothing in the environment but PATH, HOME, PORT
and a var directory of its own: no DATABASE_URL, so the embedded PostgreSQL
under the var directory, the filesystem broker, a worker, beat and
runserver. It takes about a minute, most of it migrating and seeding the demo.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from awl import embedded_db

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
READY_WITHIN_S = 300
# Stopping is a warm worker shutdown (up to 10 s), then the database's shutdown checkpoint: on a
# machine busy with the rest of the suite that has taken over a minute, so the bound is generous.
STOP_WITHIN_S = 180


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  (our own server)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class Run:
    def __init__(self, tmp_path: Path) -> None:
        self.var_dir = tmp_path / "var"
        self.port = free_port()
        self.log = tmp_path / "run.log"
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "LANG": "C.UTF-8",
            "PORT": str(self.port),
            "AWL_VAR_DIR": str(self.var_dir),
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> subprocess.Popen[bytes]:
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                ["scripts/run-dev"],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, as a terminal gives it
            )
        return self.process

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def wait_until_serving(self) -> tuple[int, str]:
        assert self.process is not None
        deadline = time.monotonic() + READY_WITHIN_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"make run exited with {self.process.returncode}:\n{self.output()}")
            try:
                return get(f"http://127.0.0.1:{self.port}/healthz")
            except OSError:
                time.sleep(0.5)
        pytest.fail(f"make run did not serve within {READY_WITHIN_S} s:\n{self.output()}")

    def stop(self, how: str) -> int:
        """Ctrl-C as a terminal sends it (SIGINT to the process group), or SIGTERM to the script alone."""
        assert self.process is not None
        if how == "ctrl-c":
            os.killpg(self.process.pid, signal.SIGINT)
        else:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_WITHIN_S)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"make run did not stop within {STOP_WITHIN_S} s of {how}; its output ends:\n{self.output()}"
            )

    def group_alive(self) -> bool:
        assert self.process is not None
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Run]:
    run = Run(tmp_path)
    try:
        yield run
    finally:
        run.kill()
        embedded_db.discard(run.var_dir)


@pytest.mark.parametrize("how", ["ctrl-c"])
def test_make_run_serves_on_the_embedded_database_refuses_a_second_run_and_stops_it_all(
    run: Run, how: str
) -> None:
    run.start()

    status, body = run.wait_until_serving()

    assert (status, json.loads(body)) == (200, {"status": "ok", "database": True, "broker": True})
    assert (embedded_db.data_dir(run.var_dir) / "postmaster.pid").exists()
    status, page = get(f"http://127.0.0.1:{run.port}/accounts/login/")
    assert status == 200 and "password" in page.lower()

    second = subprocess.run(
        ["scripts/run-dev"], cwd=ROOT, env=run.env, capture_output=True, text=True, timeout=60, check=False
    )
    assert second.returncode == 1
    assert "already running in this checkout" in second.stderr
    assert get(f"http://127.0.0.1:{run.port}/healthz")[0] == 200  # the first is untouched

    run.stop(how)

    deadline = time.monotonic() + STOP_WITHIN_S
    while run.group_alive() and time.monotonic() < deadline:  # the worker, beat and runserver
        time.sleep(0.2)
    assert not run.group_alive(), run.output()
    assert not (embedded_db.data_dir(run.var_dir) / "postmaster.pid").exists(), run.output()
    with pytest.raises(OSError):
        get(f"http://127.0.0.1:{run.port}/healthz")
