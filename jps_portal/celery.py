"""The Celery application. Configuration is read from Django settings (``CELERY_*``)."""

import logging
import os
from collections.abc import Callable

import celery
from celery import Celery
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps_portal.settings")

celery_app = Celery("jps_portal")
celery_app.config_from_object("django.conf:settings", namespace="CELERY")
celery_app.autodiscover_tasks()
# Signal handlers: the request id carried into tasks, and task metrics.
from jps_portal import metrics as _metrics  # noqa: E402, F401
from jps_portal import request_id as _request_id  # noqa: E402, F401


def task_kind(name: str) -> str:
    """interactive, bulk or money: by the task's name in settings.CELERY_TASK_KINDS (or its module's)."""
    from django.conf import settings

    kinds = settings.CELERY_TASK_KINDS
    return kinds.get(name) or kinds.get(f"{name.rsplit('.', 1)[0]}.*") or "interactive"


def route_task(name: str, args: object, kwargs: object, options: dict, task: object = None, **kw: object) -> dict:
    """Celery router (settings.CELERY_TASK_ROUTES): each task to its kind's queue."""
    from django.conf import settings

    return {"queue": f"{settings.CELERY_QUEUE_PREFIX}{task_kind(name)}"}


def enqueue_on_commit(task: "celery.Task", *args: object, on_failure: Callable[[], None] | None = None) -> None:
    """Send ``task`` to the broker once the surrounding transaction commits.

    A broker outage must not fail the request that already committed its data: the error is
    logged and the row stays marked as pending, so the periodic sweep enqueues it again.
    ``on_failure`` (optional) runs when the broker refused the task, for callers that must say so."""
    from django.db import transaction

    transaction.on_commit(lambda: _publish(task, args, on_failure))


def _publish(task: "celery.Task", args: tuple[object, ...], on_failure: Callable[[], None] | None = None) -> None:
    try:
        task.apply_async(args=args)
    except (OperationalError, OSError):  # the broker is unreachable; anything else is a bug and raises
        logger.exception("Could not enqueue %s%r; the pending-work sweep will retry it", task.name, args)
        if on_failure is not None:
            on_failure()
