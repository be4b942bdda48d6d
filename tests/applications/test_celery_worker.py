"""Real Celery workers against the real Redis and PostgreSQL (run by `make test-services` in CI)."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from applications import services
from applications.models import Flag
from groups.models import Group
from jps_portal.celery import celery_app
from tests.factories import ApplicationFactory, GroupFactory, add_members

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        settings.CELERY_BROKER_URL.startswith("memory:"), reason="needs CELERY_BROKER_URL (a real Redis)"
    ),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a worker process cannot see SQLite's test DB"),
]
ROOT = Path(__file__).resolve().parents[2]


def _wait_for(condition: Callable[[], object], seconds: float) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    return None


def _database_url(db: dict) -> str:
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'])}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path, settings) -> Iterator[subprocess.Popen]:
    """A prefork worker with one child, on the test database, with the probe task loaded."""
    celery_app.conf.task_always_eager = False
    db = connection.settings_dict
    # Private queues, so that tasks left over from another run cannot reach this worker.
    prefix = f"test-{os.getpid()}-{time.monotonic_ns()}-"
    settings.CELERY_QUEUE_PREFIX = prefix
    queue = f"{prefix}interactive"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jps_portal.settings",
        "DATABASE_URL": _database_url(db),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_QUEUE_PREFIX": prefix,
    }
    celery_app.conf.task_default_queue = queue
    log = (tmp_path / "worker.log").open("w")
    queues = ",".join(f"{prefix}{kind}" for kind in settings.CELERY_QUEUE_KINDS)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "jps_portal", "worker", "--pool", "prefork", "--concurrency", "1",
         "--queues", queues, "--include", "tests.worker_probe", "--without-gossip", "--without-mingle",
         "--loglevel", "INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    ready = _wait_for(lambda: "ready" in (tmp_path / "worker.log").read_text(), 60)
    assert ready, (tmp_path / "worker.log").read_text()
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_default_queue = "interactive"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_a_submitted_groups_checks_run_on_a_real_worker(worker):
    group = GroupFactory()
    add_members(group, 20)
    member = group.members.filter(role="anggota", sex="L").first()
    member.sex = "P"  # typed as a woman, but the NIK says a man
    member.save()
    application = ApplicationFactory(group=group)
    services.group_checks_request(group=application.group)  # autocommit: enqueued at once

    def checks_done() -> bool:
        return Group.objects.filter(pk=group.pk, checks_requested_at__isnull=True).exists()

    assert _wait_for(checks_done, 30), "the worker never ran the group's checks"
    assert list(Flag.objects.filter(group=group).values_list("member_id", "rule")) == [(member.pk, "nik_sex")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_a_task_whose_worker_process_is_killed_comes_back(worker, tmp_path):
    marker = tmp_path / "attempts.txt"
    celery_app.send_task(
        "tests.worker_probe.record_attempt", args=[str(marker), 60], queue=celery_app.conf.task_default_queue
    )
    assert _wait_for(marker.with_suffix(".pid").exists, 30), "the task never started"
    os.kill(int(marker.with_suffix(".pid").read_text()), signal.SIGKILL)
    started = time.monotonic()
    assert _wait_for(marker.with_suffix(".done").exists, 45), "the task was lost with its worker"
    print(f"task came back {time.monotonic() - started:.1f} s after its worker process was killed")  # noqa: T201 — shown with -s, reported in CI
    assert marker.with_suffix(".done").read_text() == "2"
