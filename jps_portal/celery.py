"""The Celery application. Configuration is read from Django settings (``CELERY_*``)."""

import logging
import os
import threading
from collections.abc import Callable

import celery
from celery import Celery
from kombu.exceptions import OperationalError
from kombu.pools import ProducerPool

from jps_portal.breaker import CircuitBreaker

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

    A broker outage must not fail, nor slow down, the request that already committed its data: the
    publish has short timeouts, a failure opens this process's breaker (``broker_breaker``) so later
    publishes skip the broker at once for ``CELERY_PUBLISH_BREAKER_SECONDS``, and the row stays marked
    as pending, so the periodic sweep enqueues it again. ``on_failure`` (optional) runs when the task
    was not sent (broker refused, or skipped while the breaker is open), for callers that must say so."""
    from django.db import transaction

    transaction.on_commit(lambda: _publish(task, args, on_failure))


_breaker: CircuitBreaker | None = None
_pool: ProducerPool | None = None
_pool_lock = threading.Lock()


def broker_breaker() -> CircuitBreaker:
    """This process's breaker for publishing to the broker."""
    global _breaker
    if _breaker is None:
        from django.conf import settings

        _breaker = CircuitBreaker("broker", seconds=settings.CELERY_PUBLISH_BREAKER_SECONDS)
    return _breaker


def _producer_pool() -> ProducerPool:
    """Producers on connections of their own, made for a request that must not wait: one connection
    attempt (no kombu retry loop, whose first pause alone is 2 s) with short socket timeouts. Workers'
    own connections keep the patient settings (CELERY_BROKER_TRANSPORT_OPTIONS)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            from django.conf import settings

            options = {
                **(celery_app.conf.broker_transport_options or {}),
                "socket_connect_timeout": settings.CELERY_PUBLISH_CONNECT_TIMEOUT,
                "socket_timeout": settings.CELERY_PUBLISH_SOCKET_TIMEOUT,
                "max_retries": 0,
            }
            connection = celery_app.connection_for_write(
                connect_timeout=settings.CELERY_PUBLISH_CONNECT_TIMEOUT, transport_options=options
            )
            limit = celery_app.conf.broker_pool_limit or 10
            _pool = ProducerPool(connection.Pool(limit), limit=limit)
        return _pool


def _drop_producer_pool() -> None:
    """After a failure: connections that saw the broker go away are not reused."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        try:
            pool.force_close_all()
        except Exception:  # closing what is already broken may fail too; nothing is left to close
            logger.debug("Closing the broken producer pool failed", exc_info=True)


# A forked child (gunicorn worker, Celery pool process) starts without the parent's sockets or state.
os.register_at_fork(after_in_child=lambda: globals().update(_pool=None, _breaker=None))


def _publish(task: "celery.Task", args: tuple[object, ...], on_failure: Callable[[], None] | None = None) -> None:
    breaker = broker_breaker()
    if not breaker.allow():
        logger.info("Broker unavailable (breaker open): %s%r left for the pending-work sweep", task.name, args)
        if on_failure is not None:
            on_failure()
        return
    try:
        if celery_app.conf.task_always_eager:  # the embedded default: runs here, no broker involved
            task.apply_async(args=args)
        else:
            with _producer_pool().acquire(block=True) as producer:
                task.apply_async(args=args, producer=producer)
    except (OperationalError, OSError) as error:  # the broker is unreachable; anything else is a bug
        _drop_producer_pool()
        breaker.failure()
        logger.error(
            "Could not enqueue %s%r (%s); publishing paused for %.0f s, the pending-work sweep will retry it",
            task.name, args, error, breaker.seconds,
        )  # fmt: skip
        if on_failure is not None:
            on_failure()
        return
    except BaseException:
        breaker.abandon()
        raise
    if breaker.success():
        logger.warning("Broker reachable again: publishing resumed")
