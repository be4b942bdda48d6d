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
