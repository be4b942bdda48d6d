"""A worker node killed with kill -9 (main process and children at once): its unacknowledged tasks go
back to the queue after its kind's visibility timeout and another worker of that kind runs them.
Real Redis and PostgreSQL (make test-services); the timeout is shortened to 5 s for the test."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from jps_portal.celery import celery_app
from tests.applications.test_celery_worker import _database_url, _wait_for

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        settings.CELERY_BROKER_URL.startswith("memory:"), reason="needs CELERY_BROKER_URL (a real Redis)"
    ),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a worker process cannot see SQLite's test DB"),
]
ROOT = Path(__file__).resolve().parents[2]
VISIBILITY_TIMEOUT = 5


def _start_node(name: str, prefix: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jps_portal.settings",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_QUEUE_PREFIX": prefix,
        "CELERY_WORKER_KIND": "interactive",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "jps_portal", "worker", "--pool", "prefork", "--concurrency", "1",
         "--queues", f"{prefix}interactive", "--include", "tests.worker_probe", "--without-gossip",
         "--without-mingle", "--loglevel", "INFO", "-n", f"{name}@%h"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    assert _wait_for(lambda: "ready" in log.read_text(), 60), log.read_text()
    return process


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_a_killed_worker_nodes_task_is_run_by_another_node_within_its_visibility_timeout(tmp_path):
    prefix = f"test-{os.getpid()}-{time.monotonic_ns()}-"
    marker = tmp_path / "attempts.txt"
    nodes = [_start_node(name, prefix, tmp_path / f"{name}.log") for name in ("first", "second")]
    try:
        celery_app.send_task("tests.worker_probe.record_attempt", args=[str(marker), 120], queue=f"{prefix}interactive")
        assert _wait_for(marker.with_suffix(".pid").exists, 30), "the task never started"
        # The node running it, killed whole: no process of it is left to give the task back.
        group = os.getpgid(int(marker.with_suffix(".pid").read_text()))
        victim = next(node for node in nodes if node.pid == group)
        os.killpg(group, signal.SIGKILL)
        victim.wait(timeout=10)
        killed = time.monotonic()
        # The surviving node, already running, finds it in its periodic restore sweep.
        assert _wait_for(marker.with_suffix(".done").exists, VISIBILITY_TIMEOUT + 30), "the task was lost"
        print(f"task came back {time.monotonic() - killed:.1f} s after its worker node was killed")  # noqa: T201
        assert marker.with_suffix(".done").read_text() == "2"
    finally:
        for node in nodes:
            _stop(node)
