"""/healthz and /readyz for the load balancer."""

import pytest
from django.core.files.storage import default_storage
from django.db import OperationalError

from jps_portal import health

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")


def test_readyz_is_ready_with_the_database_and_the_storage(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert body["checks"]["database"]["ok"] and body["checks"]["storage"]["ok"]
    assert body["checks"]["replica"] == {"ok": True, "detail": "none configured"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_is_503_without_the_database(client, monkeypatch):
    def database_down() -> str:
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_database", database_down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError: connection refused"}


def test_readyz_is_503_without_the_storage(client, monkeypatch):
    def bucket_unreachable(name: str) -> bool:
        raise OSError("connect timeout")

    monkeypatch.setattr(default_storage, "exists", bucket_unreachable)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["ok"] is False


def test_a_broker_outage_is_reported_but_keeps_the_node_in_rotation(client, settings):
    # The portal keeps taking applications while Redis is down; every node failing readiness at once
    # for it would be an outage instead.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["ok"] is False
