"""Read settings from the environment, refusing values that make no sense.

Each helper raises ImproperlyConfigured naming the variable, so a malformed
value stops start-up with a message instead of a surprise later.
"""

from __future__ import annotations

import os
from typing import Any

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of true/false/1/0/yes/no/on/off, not {value!r}")


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def envfloat(name: str, default: float, *, minimum: float | None = None) -> float:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None
    if number != number or (minimum is not None and number < minimum):  # NaN, or too small
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value!r}")
    return number


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def envdatabase(name: str, default: str) -> dict[str, Any]:
    value = os.environ.get(name) or default
    try:
        config = dict(dj_database_url.parse(value, conn_max_age=60, conn_health_checks=True))
    except Exception as exc:  # the parser raises several types for bad URLs
        raise ImproperlyConfigured(f"{name} is not a database URL we understand: {exc}") from None
    if config.get("ENGINE") != "django.db.backends.postgresql":
        scheme = value.split("://", 1)[0] if "://" in value else value
        raise ImproperlyConfigured(
            f"{name} must point to PostgreSQL (postgres://...): this system requires PostgreSQL, "
            f"and {scheme!r} is not it"
        )
    return config


def envemail(name: str, default: str, *, file_path: str) -> dict[str, Any]:
    """Parse an e-mail URL into a ``MAILERS`` entry (Django 6.1's mail configuration)."""
    value = os.environ.get(name) or default
    try:
        config = dj_email_url.parse(value)
    except Exception as exc:
        raise ImproperlyConfigured(f"{name} is not an e-mail URL we understand: {exc}") from None
    backend = config.get("EMAIL_BACKEND")
    if not backend:
        raise ImproperlyConfigured(f"{name} has an unknown scheme: {value!r}")
    options: dict[str, Any] = {}
    if backend.endswith("smtp.EmailBackend"):
        if not config.get("EMAIL_HOST"):
            raise ImproperlyConfigured(f"{name} must name the SMTP host: {value!r}")
        options = {
            "host": config["EMAIL_HOST"],
            "port": config.get("EMAIL_PORT") or 25,
            "username": config.get("EMAIL_HOST_USER") or None,
            "password": config.get("EMAIL_HOST_PASSWORD") or None,
            "use_tls": bool(config.get("EMAIL_USE_TLS")),
            "use_ssl": bool(config.get("EMAIL_USE_SSL")),
            "timeout": config.get("EMAIL_TIMEOUT") or 30,
        }
    elif backend.endswith("filebased.EmailBackend"):
        options = {"file_path": config.get("EMAIL_FILE_PATH") or file_path}
    return {"BACKEND": backend, "OPTIONS": options}


def envbroker(name: str, default: str) -> str:
    value = os.environ.get(name) or default
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in {"redis", "rediss", "amqp", "amqps", "filesystem", "memory"}:
        raise ImproperlyConfigured(f"{name} must be a redis://, amqp:// or filesystem:// URL, not {value!r}")
    return value


def envcache(name: str) -> dict[str, dict[str, str]]:
    """Django's CACHES from a URL: redis:// (shared by every process) or, unset, memory in each process.

    Rate limits (allauth's, the day-school booking form's) count in this cache,
    so production sets a shared one: with memory only, each web process counts
    on its own.
    """
    value = os.environ.get(name, "").strip()
    if not value or value == "locmem://":
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if scheme not in {"redis", "rediss"}:
        raise ImproperlyConfigured(f"{name} must be a redis:// URL (or unset), not {value!r}")
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": value}}


_RATE_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(value: str) -> tuple[int, int]:
    """A rate such as ``"10/h"`` or ``"5/15m"`` as (requests, seconds); ValueError when malformed."""
    count, _, period = value.strip().partition("/")
    unit = period[-1:]
    length = period[:-1] or "1"
    if not (count.isdigit() and length.isdigit() and unit in _RATE_PERIODS):
        raise ValueError(f"not a rate like 10/h or 5/15m: {value!r}")
    requests, seconds = int(count), int(length) * _RATE_PERIODS[unit]
    if requests < 1 or seconds < 1:
        raise ValueError(f"a rate needs at least one request in a period of at least a second: {value!r}")
    return requests, seconds


def envrate(name: str, default: str) -> str:
    """A request rate (``"10/h"``: ten an hour; ``"5/15m"``: five in fifteen minutes), checked."""
    value = (os.environ.get(name) or default).strip()
    try:
        parse_rate(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a rate such as 10/h or 5/15m: {exc}") from None
    return value
