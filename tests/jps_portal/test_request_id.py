"""A request id on the response, on every log line, and in the messages of the tasks a request enqueues."""

import io
import json
import logging
import uuid

import pytest
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from jps_portal import request_id

pytestmark = pytest.mark.django_db


def test_each_response_carries_a_new_request_id(client):
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert first != second
    assert uuid.UUID(first)


def test_the_load_balancers_request_id_is_kept_and_a_malformed_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="7F000001:B3A2_0A1B")["X-Request-ID"] == "7F000001:B3A2_0A1B"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


def test_a_published_task_carries_the_request_id(monkeypatch):
    token = request_id._current.set("req-123")
    try:
        headers = {}
        request_id._copy_request_id_into_the_message(headers=headers)
    finally:
        request_id._current.reset(token)
    assert headers == {"request_id": "req-123"}


def test_the_worker_logs_under_the_request_id_of_the_message():
    class Task:
        class request:  # noqa: N801 - shaped like celery's task.request
            request_id = "req-456"

    request_id._restore_request_id_in_the_worker(task_id="t1", task=Task)
    assert request_id.current_request_id() == "req-456"
    request_id._forget_request_id(task_id="t1")
    assert request_id.current_request_id() == ""


def test_json_log_lines_carry_the_request_id():
    options = {key: value for key, value in settings.LOGGING["formatters"]["json"].items() if key != "()"}
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(**options))
    handler.addFilter(request_id.RequestIdLogFilter())
    logger = logging.getLogger("tests.request_id")
    logger.addHandler(handler)
    token = request_id._current.set("req-789")
    try:
        logger.warning("intake %s refused", 42)
    finally:
        request_id._current.reset(token)
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert (line["message"], line["request_id"], line["level"]) == ("intake 42 refused", "req-789", "WARNING")
