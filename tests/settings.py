"""Settings for the test suite: the real settings, fed test defaults.

Nothing from awl/settings.py is repeated here. This module fills in the
environment that awl/settings.py reads (only where the variable is not
already set), imports it, and then swaps in faster equivalents for pieces
whose speed, not behaviour, matters in tests.

The database is always PostgreSQL: an explicit DATABASE_URL wins (CI and
anyone with a server of their own); otherwise the first process of the run
starts a private embedded server (awl.embedded_db) in a temporary directory,
and stops and deletes it when it exits. Its URL is put in the environment,
so pytest-xdist's workers and every process a test starts (Celery workers,
gunicorn) use the same server; each xdist worker has its own test database
on it. AWL_TEST_DATABASE_NOTE says which was chosen; the pytest header
prints it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

# Files the code writes (mail, media, the beat schedule) go to a directory of
# their own, not the developer's var/; each xdist worker has its own beneath
# the run's, so that no two workers write the same file.
if "AWL_VAR_DIR" not in os.environ:
    _var_dir = tempfile.mkdtemp(prefix="awl-tests-")
    atexit.register(shutil.rmtree, _var_dir, ignore_errors=True)
    os.environ["AWL_VAR_DIR"] = _var_dir
    os.environ["AWL_TEST_RUN_VAR_DIR"] = _var_dir
if (
    os.environ.get("PYTEST_XDIST_WORKER")
    and os.environ.get("AWL_TEST_RUN_VAR_DIR") == os.environ["AWL_VAR_DIR"]
):
    os.environ["AWL_VAR_DIR"] = tempfile.mkdtemp(
        prefix=f"{os.environ['PYTEST_XDIST_WORKER']}-", dir=os.environ["AWL_TEST_RUN_VAR_DIR"]
    )

for _name, _value in {
    "SECRET_KEY": "test-only-secret-key-never-used-outside-the-test-suite-0123456789abcdef",
    "DEBUG": "false",
    "AWL_OFFICER_MFA_REQUIRED": "false",
    "EMAIL_URL": "memory://",  # dj-email-url: Django's locmem backend, read through mail.outbox
    "CELERY_BROKER_URL": "memory://",
    "CELERY_TASK_ALWAYS_EAGER": "true",
    "SECURE_SSL_REDIRECT": "false",
    # Every test client posts from 127.0.0.1, and the robustness tests post a form hundreds of times;
    # the tests of the limit itself (tests/dayschools/test_booking_pages.py) set a small one.
    "DAYSCHOOL_BOOKING_RATE": "100000/h",
    "AWL_DEMO": "true",  # the demo app, for seed_demo and the tests of the demo data
}.items():
    os.environ.setdefault(_name, _value)

if os.environ.get("AWL_TEST_EMBEDDED_DATABASE"):
    AWL_TEST_DATABASE_NOTE = "the run's embedded PostgreSQL server (DATABASE_URL was unset)"
elif os.environ.get("DATABASE_URL"):
    AWL_TEST_DATABASE_NOTE = "DATABASE_URL was set in the environment"
elif "pytest" not in sys.modules:
    # mypy's Django plugin and `makemigrations --check` read these settings too; they need no server.
    AWL_TEST_DATABASE_NOTE = "not under pytest, so no server was started"
else:
    from awl import embedded_db

    _server_dir = tempfile.mkdtemp(prefix="awl-tests-pg-")
    atexit.register(shutil.rmtree, _server_dir, ignore_errors=True)  # runs after discard (last in, first out)
    atexit.register(embedded_db.discard, Path(_server_dir))
    try:
        os.environ["DATABASE_URL"] = embedded_db.start(
            Path(_server_dir), options=embedded_db.THROWAWAY_OPTIONS
        )
    except embedded_db.EmbeddedDatabaseError as exc:
        raise SystemExit(f"embedded PostgreSQL for the tests: {exc}") from None
    os.environ["AWL_TEST_EMBEDDED_DATABASE"] = _server_dir
    # A run stopped with SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so the server is stopped.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    AWL_TEST_DATABASE_NOTE = "DATABASE_URL unset, so an embedded PostgreSQL server started for this run"

from awl.settings import *  # noqa: E402, F403  (the environment above must be in place first)
from awl.settings import STORAGES  # noqa: E402  (named for the overrides below)

# --- Faster equivalents -----------------------------------------------------------
# A deliberately weak hasher: the real one costs ~100 ms per password.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The manifest storage needs collectstatic first; the plain one serves the same files.
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
# allauth keeps its rate-limit counters in the cache; the limits stay on, in memory.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Static files come from the apps' folders through the finders, as with runserver,
# rather than from a collectstatic output the tests never build.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = Path(os.environ["AWL_VAR_DIR"]) / "static"
os.makedirs(STATIC_ROOT, exist_ok=True)
