"""/healthz answers 200 only when the database and the broker both answer."""

from __future__ import annotations

import os
import socket

import pytest

from awl.celery import app as celery_app


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture
def broker_url():
    """Point the Celery app at another broker for one test, then restore it."""
    saved = celery_app.conf.broker_write_url

    def use(url: str) -> None:
        celery_app.conf.broker_write_url = url

    yield use
    celery_app.conf.broker_write_url = saved


@pytest.mark.django_db
def test_healthz_is_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "broker": True}


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_does_not_answer(client, broker_url):
    broker_url("redis://127.0.0.1:1/0")  # nothing listens on port 1

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"] is False
    assert response.json()["database"] is True


@pytest.mark.django_db
def test_healthz_checks_a_real_redis_broker(client, broker_url):
    redis_url = os.environ.get("REDIS_URL") or (
        "redis://127.0.0.1:6379/0" if _answers("127.0.0.1", 6379) else ""
    )
    if not redis_url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must provide REDIS_URL (see .ci/run)")
        pytest.skip("REDIS_URL is not set: no Redis to check against (.ci/run sets it)")
    broker_url(redis_url)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"] is True


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise OSError("database unavailable")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] is False
