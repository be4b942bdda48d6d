"""A request id on every log line of a request and of the Celery tasks it enqueued.

The id comes from the ``X-Request-ID`` header when the load balancer set one (HAProxy's ``unique-id``,
deploy/haproxy.cfg), else a new one; it is sent back in the response header. Publishing a task copies
it into the message headers, and the worker puts it back in place while the task runs, so one grep
follows a submission from the web node through its intake, integrity checks and e-mail.
"""

import contextvars
import logging
import re
import time
import uuid
from collections.abc import Callable

from celery import signals
from django.conf import settings
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
request_logger = logging.getLogger("jps_portal.requests")


def current_request_id() -> str:
    return _current.get()


class RequestIdMiddleware:
    """Set the request id (and, with LOG_REQUESTS, log one line per request with its status and time)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get(HEADER, "")
        request_id = offered if _VALID.match(offered) else uuid.uuid4().hex
        token = _current.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            if settings.LOG_REQUESTS:
                request_logger.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            _current.reset(token)


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get() or "-"
        return True


@signals.before_task_publish.connect
def _copy_request_id_into_the_message(headers: dict | None = None, **kwargs: object) -> None:
    request_id = _current.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


_task_tokens: dict[str, contextvars.Token] = {}


@signals.task_prerun.connect
def _restore_request_id_in_the_worker(task_id: str | None = None, task: object = None, **kwargs: object) -> None:
    request = getattr(task, "request", None)
    request_id = getattr(request, TASK_HEADER, None) or (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    if request_id and task_id:
        _task_tokens[task_id] = _current.set(str(request_id))


@signals.task_postrun.connect
def _forget_request_id(task_id: str | None = None, **kwargs: object) -> None:
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        _current.reset(token)
