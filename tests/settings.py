"""Settings for the test suite: the real settings, fed test defaults.

Nothing from awl/settings.py is repeated here. This module fills in the
environment that awl/settings.py reads (only where the variable is not
already set), imports it, and then swaps in faster equivalents for pieces
whose speed, not behaviour, matters in tests.

The database: an explicit DATABASE_URL wins; otherwise PostgreSQL on
127.0.0.1:5432 if it answers; otherwise SQLite in a temporary directory,
which CI refuses (CI=true must test on PostgreSQL, never fall back).
AWL_TEST_DATABASE_NOTE says which was chosen and why; the pytest header
prints it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

LOCAL_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/awl"


def _answers(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def mask_password(url: str) -> str:
    """The URL with any password replaced by ***, fit for logs and errors."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}"
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


# Files the code writes (mail, media, the beat schedule, the SQLite fallback)
# go to a directory of their own, not the developer's var/.
if "AWL_VAR_DIR" not in os.environ:
    _var_dir = tempfile.mkdtemp(prefix="awl-tests-")
    atexit.register(shutil.rmtree, _var_dir, ignore_errors=True)
    os.environ["AWL_VAR_DIR"] = _var_dir

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
}.items():
    os.environ.setdefault(_name, _value)

if os.environ.get("DATABASE_URL"):
    AWL_TEST_DATABASE_NOTE = "DATABASE_URL was set in the environment"
elif _answers("127.0.0.1", 5432):
    os.environ["DATABASE_URL"] = LOCAL_POSTGRES_URL
    AWL_TEST_DATABASE_NOTE = "DATABASE_URL unset; PostgreSQL answered on 127.0.0.1:5432"
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{os.path.join(os.environ['AWL_VAR_DIR'], 'tests.sqlite3')}"
    AWL_TEST_DATABASE_NOTE = (
        "DATABASE_URL unset and nothing answered on 127.0.0.1:5432, so SQLite; "
        "tests of locking and concurrency need PostgreSQL"
    )

from awl.settings import *  # noqa: E402, F403  (the environment above must be in place first)
from awl.settings import DATABASES, STORAGES  # noqa: E402  (named for the checks and overrides below)

if os.environ.get("CI", "").lower() == "true" and DATABASES["default"]["ENGINE"] != (
    "django.db.backends.postgresql"
):
    raise RuntimeError(
        f"CI must run the tests on PostgreSQL; DATABASE_URL={mask_password(os.environ['DATABASE_URL'])}"
    )

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
