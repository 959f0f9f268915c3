"""Settings from the environment: bad values stop start-up with a message naming the variable."""

from __future__ import annotations

import importlib.util
import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from django.core.exceptions import ImproperlyConfigured

from awl import env

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("helper", "value"),
    [
        (lambda: env.envbool("AWL_TEST_VALUE", False), "maybe"),
        (lambda: env.envint("AWL_TEST_VALUE", 10), "ten"),
        (lambda: env.envint("AWL_TEST_VALUE", 10, minimum=1), "0"),
        (lambda: env.envdatabase("AWL_TEST_VALUE", "postgres:///awl"), "mysql://user:pw@db.example/awl"),
        (lambda: env.envbroker("AWL_TEST_VALUE", "memory://"), "http://x"),
        (lambda: env.envcache("AWL_TEST_VALUE"), "memcached://cache:11211"),
        (
            lambda: env.envemail("AWL_TEST_VALUE", "console://", file_path="/nonexistent"),
            "carrier-pigeon://loft",
        ),
    ],
    ids=["bool", "int", "int-minimum", "database", "broker", "cache", "email"],
)
def test_env_helpers_refuse_bad_values_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, helper: Callable[[], object], value: str
) -> None:
    monkeypatch.setenv("AWL_TEST_VALUE", value)

    with pytest.raises(ImproperlyConfigured, match="AWL_TEST_VALUE"):
        helper()


@pytest.mark.parametrize(
    "value", ["mysql://awl@db.example/awl", "oracle://awl@db.example/awl", "mssql://awl@db.example/awl"]
)
def test_a_database_other_than_postgresql_is_refused_saying_postgresql_is_required(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", value)

    with pytest.raises(
        ImproperlyConfigured, match=r"DATABASE_URL must point to PostgreSQL.*requires PostgreSQL"
    ):
        env.envdatabase("DATABASE_URL", "postgres:///awl")


@pytest.mark.slow
def test_start_up_with_a_database_other_than_postgresql_stops_with_the_reason(tmp_path: Path) -> None:
    result = manage(tmp_path, "check", DEBUG="true", DATABASE_URL="mysql://awl@127.0.0.1:3306/awl")

    assert result.returncode != 0
    assert "requires PostgreSQL" in result.stderr


def test_env_helpers_read_good_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWL_TEST_BOOL", "Yes")
    monkeypatch.setenv("AWL_TEST_INT", "42")
    monkeypatch.setenv("AWL_TEST_LIST", "awl.example, www.awl.example,")
    monkeypatch.setenv("AWL_TEST_DB", "postgres://awl:pw@db.example:5432/awl")
    monkeypatch.setenv("AWL_TEST_BROKER", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("AWL_TEST_UNSET", raising=False)

    assert env.envbool("AWL_TEST_BOOL", False) is True
    assert env.envbool("AWL_TEST_UNSET", True) is True
    assert env.envint("AWL_TEST_INT", 1, minimum=1) == 42
    assert env.envlist("AWL_TEST_LIST", []) == ["awl.example", "www.awl.example"]
    database = env.envdatabase("AWL_TEST_DB", "postgres:///unused")
    assert (database["ENGINE"], database["HOST"], database["NAME"]) == (
        "django.db.backends.postgresql",
        "db.example",
        "awl",
    )
    assert env.envbroker("AWL_TEST_BROKER", "memory://") == "redis://127.0.0.1:6379/0"
    monkeypatch.setenv("AWL_TEST_CACHE", "redis://127.0.0.1:6379/1")
    assert env.envcache("AWL_TEST_CACHE")["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/1",
    }
    assert env.envcache("AWL_TEST_UNSET")["default"]["BACKEND"].endswith("LocMemCache")


def manage(tmp_path: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run manage.py in a clean environment holding only ``variables`` (and what a shell needs)."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "AWL_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "awl.settings",
        **variables,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_production_settings_pass_the_deployment_checks(tmp_path: Path) -> None:
    result = manage(
        tmp_path,
        "check",
        "--deploy",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="awl.example",
        DATABASE_URL="postgres://awl@db.awl.example:5432/awl",  # the checks need no connection
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        EMAIL_URL="submission://awl:mail-password@smtp.awl.example:587",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


@pytest.mark.slow
def test_start_up_without_a_secret_key_fails_when_debug_is_off(tmp_path: Path) -> None:
    result = manage(tmp_path, "check", DEBUG="false", ALLOWED_HOSTS="awl.example")

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_migration_checks_run_without_a_secret_key(tmp_path: Path) -> None:
    """makemigrations signs nothing, so a checkout can check its migrations with no key set."""
    result = manage(tmp_path, "makemigrations", "--check", "--dry-run", DEBUG="false")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


@pytest.mark.slow
def test_start_up_with_a_malformed_debug_flag_names_the_variable(tmp_path: Path) -> None:
    result = manage(tmp_path, "check", DEBUG="perhaps", SECRET_KEY=secrets.token_urlsafe(60))

    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG" in result.stderr


def load_settings(monkeypatch: pytest.MonkeyPatch, **variables: str) -> ModuleType:
    """awl/settings.py executed afresh with ``variables`` set and the site's variables otherwise unset."""
    for name in ("PORT", "SITE_URL", "AWL_ORGANISATION_NAME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("awl_settings_under_test", BASE_DIR / "awl" / "settings.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_site_url_follows_the_port_being_served(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(monkeypatch, PORT="8123").SITE_URL == "http://127.0.0.1:8123"
    assert load_settings(monkeypatch).SITE_URL == "http://127.0.0.1:8000"


def test_an_explicit_site_url_wins_over_the_port(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load_settings(monkeypatch, PORT="8123", SITE_URL="https://members.awl.example/")

    assert loaded.SITE_URL == "https://members.awl.example"


def test_a_port_that_is_not_a_number_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ImproperlyConfigured, match="PORT"):
        load_settings(monkeypatch, PORT="eighty")


def test_the_organisation_name_has_a_default_and_can_be_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(monkeypatch).AWL_ORGANISATION_NAME == "AWL"
    named = load_settings(monkeypatch, AWL_ORGANISATION_NAME=" Workers' Liberty ")
    assert named.AWL_ORGANISATION_NAME == "Workers' Liberty"


def test_an_organisation_name_too_long_for_the_sites_record_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(ImproperlyConfigured, match="AWL_ORGANISATION_NAME"):
        load_settings(monkeypatch, AWL_ORGANISATION_NAME="x" * 51)
