"""Queues by kind of work, time limits that fit each kind's visibility timeout."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from jps_portal.celery import celery_app, task_kind

PROJECT_APPS = ("applications.", "dashboards.", "disbursements.", "groups.", "accounts.", "notifications.", "audit.")


def _project_tasks() -> list:
    celery_app.loader.import_default_modules()
    return [task for name, task in sorted(celery_app.tasks.items()) if name.startswith(PROJECT_APPS)]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("applications.tasks.process_submission_intake", "interactive"),
        ("applications.tasks.send_status_email", "interactive"),
        ("applications.tasks.import_member_list", "bulk"),
        ("applications.tasks.sweep_waiting_intakes", "bulk"),
        ("dashboards.tasks.recompute_tallies", "bulk"),
        ("disbursements.tasks.anything_new", "money"),
    ],
)
def test_each_task_goes_to_the_queue_of_its_kind(name, kind):
    assert task_kind(name) == kind
    assert celery_app.amqp.router.route({}, name, (), {})["queue"].name == kind


def test_every_task_has_a_hard_time_limit_shorter_than_its_kinds_visibility_timeout():
    tasks = _project_tasks()
    assert tasks, "no project task found"
    for task in tasks:
        timeout = settings.CELERY_VISIBILITY_TIMEOUTS[task_kind(task.name)]
        limit = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        assert limit < timeout, f"{task.name}: time limit {limit} s, visibility timeout {timeout} s"
        assert (task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT) < limit, task.name


def test_a_worker_of_one_kind_keeps_its_unacknowledged_tasks_apart():
    code = "from django.conf import settings; o = settings.CELERY_BROKER_TRANSPORT_OPTIONS; "
    code += "print(o['visibility_timeout'], o['unacked_key'], o['unacked_index_key'])"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jps_portal.settings", "CELERY_WORKER_KIND": "interactive"}
    env.pop("CELERY_VISIBILITY_TIMEOUT", None)
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR,
    ).stdout.split()  # fmt: skip
    assert out == ["180", "unacked:interactive", "unacked:interactive_index"]
