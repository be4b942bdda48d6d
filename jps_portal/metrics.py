"""Prometheus metrics: ``/metrics`` on every web node, and a small exporter in every Celery worker node.

- Requests: django-prometheus's middleware (latency histogram per view and method, status codes).
- Tasks: duration histogram per task and outcome, failures and retries (Celery signals below).
- Portal state, read at scrape time: queue depth per queue, tasks delivered but not acknowledged,
  the intake backlog, replica lag, open reconciliation exceptions.

Several processes per node (gunicorn workers, Celery prefork children) share their figures through
prometheus-client's multiprocess mode when ``PROMETHEUS_MULTIPROC_DIR`` is set (deploy/ sets one folder
per node, emptied at start). ``/metrics`` answers only requests from ``METRICS_ALLOWED_IPS`` (loopback
by default: Prometheus scrapes each node directly); HAProxy refuses the path from outside as well.
"""

import logging
import os
import time
from collections.abc import Iterator

import redis
from celery import signals
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

TASK_DURATION = Histogram(
    "jps_celery_task_duration_seconds",
    "Time a Celery task ran, by task and outcome (SUCCESS, FAILURE, RETRY).",
    ["task", "state"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
)
TASK_FAILURES = Counter("jps_celery_task_failures_total", "Celery tasks that raised.", ["task"])
TASK_RETRIES = Counter("jps_celery_task_retries_total", "Celery tasks sent back for a retry.", ["task"])


def _multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def process_registry() -> CollectorRegistry:
    """This node's own figures: all its processes in multiprocess mode, else this process."""
    if not _multiprocess():
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


class PortalStateCollector(Collector):
    """Shared state, read when Prometheus scrapes. Each part fails on its own: an unreachable Redis
    still leaves the database figures (and ``jps_metrics_scrape_errors`` says what failed)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        errors = GaugeMetricFamily("jps_metrics_scrape_errors", "Parts of this scrape that failed.", labels=["part"])
        for part, collect in (
            ("queues", self._queues),
            ("intake", self._intake_backlog),
            ("replica", self._replica),
            ("reconciliation", self._reconciliation_exceptions),
        ):
            try:
                yield from collect()
            except Exception:  # noqa: BLE001 - a scrape reports what it can
                logger.warning("metrics: %s unavailable", part, exc_info=True)
                errors.add_metric([part], 1)
        yield errors

    def _queues(self) -> Iterator[GaugeMetricFamily]:
        url = settings.CELERY_BROKER_URL
        if settings.CELERY_TASK_ALWAYS_EAGER or not url.startswith(("redis://", "rediss://")):
            return
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
        try:
            depth = GaugeMetricFamily("jps_celery_queue_length", "Tasks waiting in each queue.", labels=["queue"])
            for queue in settings.CELERY_QUEUE_NAMES:
                depth.add_metric([queue], client.llen(queue))
            yield depth
            unacked = GaugeMetricFamily(
                "jps_celery_unacked", "Tasks delivered to a worker and not yet acknowledged, by key.", labels=["key"]
            )
            for key in sorted({settings.CELERY_BROKER_TRANSPORT_OPTIONS["unacked_key"], *settings.CELERY_UNACKED_KEYS}):
                unacked.add_metric([key], client.hlen(key))
            yield unacked
        finally:
            client.close()

    def _intake_backlog(self) -> Iterator[GaugeMetricFamily]:
        from applications.models import SubmissionIntake

        waiting = SubmissionIntake.objects.filter(status=SubmissionIntake.Status.RECEIVED)
        oldest = waiting.order_by("received_at").values_list("received_at", flat=True).first()
        yield GaugeMetricFamily("jps_intake_backlog", "Queued submissions not processed yet.", value=waiting.count())
        age = (time.time() - oldest.timestamp()) if oldest else 0.0
        yield GaugeMetricFamily("jps_intake_oldest_waiting_seconds", "Age of the oldest queued submission.", value=age)

    def _replica(self) -> Iterator[GaugeMetricFamily]:
        from jps_portal import replica

        status = replica.replica_status()
        if not status.configured:
            return
        yield GaugeMetricFamily("jps_replica_usable", "1 when reads may go to the replica.", value=int(status.usable))
        if status.lag_seconds is not None:
            yield GaugeMetricFamily("jps_replica_lag_seconds", "Replay lag of the replica.", value=status.lag_seconds)

    def _reconciliation_exceptions(self) -> Iterator[GaugeMetricFamily]:
        from disbursements.models import ReconciliationException

        open_count = ReconciliationException.objects.filter(status=ReconciliationException.Status.OPEN).count()
        yield GaugeMetricFamily(
            "jps_reconciliation_exceptions_open", "Bank-result lines waiting for finance.", value=open_count
        )


_portal_registry = CollectorRegistry(auto_describe=False)
_portal_registry.register(PortalStateCollector())


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def metrics_view(request: HttpRequest) -> HttpResponse:
    if _client_ip(request) not in settings.METRICS_ALLOWED_IPS:
        raise Http404
    body = generate_latest(process_registry()) + generate_latest(_portal_registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


# --- Celery: task durations, failures, retries ----------------------------------------------------

_started: dict[str, float] = {}


@signals.task_prerun.connect
def _task_started(task_id: str | None = None, **kwargs: object) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _task_finished(task_id: str | None = None, task: object = None, state: str | None = None, **kwargs: object) -> None:
    started = _started.pop(task_id, None) if task_id else None
    if started is not None and task is not None:
        TASK_DURATION.labels(task=task.name, state=state or "UNKNOWN").observe(time.perf_counter() - started)


@signals.task_failure.connect
def _task_failed(sender: object = None, **kwargs: object) -> None:
    TASK_FAILURES.labels(task=getattr(sender, "name", "unknown")).inc()


@signals.task_retry.connect
def _task_retried(sender: object = None, **kwargs: object) -> None:
    TASK_RETRIES.labels(task=getattr(sender, "name", "unknown")).inc()


@signals.worker_ready.connect
def _serve_worker_metrics(**kwargs: object) -> None:
    """A worker node serves its figures on WORKER_METRICS_PORT (loopback), when set."""
    port = os.environ.get("WORKER_METRICS_PORT")
    if not port:
        return
    from prometheus_client import start_http_server

    start_http_server(int(port), addr=os.environ.get("WORKER_METRICS_ADDR", "127.0.0.1"), registry=process_registry())


@signals.worker_process_shutdown.connect
def _forget_dead_child(pid: int | None = None, **kwargs: object) -> None:
    if _multiprocess() and pid:
        multiprocess.mark_process_dead(pid)
