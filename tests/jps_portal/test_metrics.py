"""Prometheus metrics at /metrics: request latency per view, task figures and the portal's state."""

import pytest
from django.utils import timezone

from applications.models import SubmissionIntake
from applications.tasks import sweep_waiting_intakes
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _sample(text: str, name: str) -> float:
    """The value of the first sample line starting with ``name`` (labels included)."""
    for line in text.splitlines():
        if line.startswith(name):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the metrics")


def test_request_latency_is_recorded_per_view(client):
    client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert 'django_http_requests_latency_seconds_by_view_method_count{method="GET",view="healthz"}' in text


def test_the_intake_backlog_and_reconciliation_exceptions_are_reported(client):
    before = _sample(client.get("/metrics").content.decode(), "jps_intake_backlog")
    SubmissionIntake.objects.create(user=UserFactory(), payload={}, received_at=timezone.now())
    text = client.get("/metrics").content.decode()
    assert _sample(text, "jps_intake_backlog") == before + 1
    assert _sample(text, "jps_intake_oldest_waiting_seconds") >= 0
    assert _sample(text, "jps_reconciliation_exceptions_open") == 0
    assert "jps_metrics_scrape_errors" in text


def test_task_durations_are_recorded_by_task_and_outcome(client):
    name = 'jps_celery_task_duration_seconds_count{state="SUCCESS",task="applications.tasks.sweep_waiting_intakes"}'
    text = client.get("/metrics").content.decode()
    before = _sample(text, name) if name in text else 0
    sweep_waiting_intakes.delay()  # eager in tests: runs here, through the same signals
    assert _sample(client.get("/metrics").content.decode(), name) == before + 1


def test_metrics_are_not_served_to_other_addresses(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 404
