"""What the console shows: a refused page is one line, a server error keeps its traceback."""

import io
import logging
import sys

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def console():
    """What the console handler of settings.LOGGING writes (the request_id filter, the plain format)."""
    from django.conf import settings

    from jps_portal.request_id import RequestIdLogFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    handler.addFilter(RequestIdLogFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)


def test_a_403_is_logged_in_one_line_without_a_traceback(client, applicant, console):
    client.force_login(applicant)  # a ketua opening the directors' dashboard
    assert client.get(reverse("dashboards:national")).status_code == 403

    lines = [line for line in console.getvalue().splitlines() if line.strip()]
    forbidden = [line for line in lines if "Forbidden" in line]
    assert len(forbidden) == 1 and "/dasbor/" in forbidden[0] and "WARNING django.request" in forbidden[0]
    assert "Traceback" not in console.getvalue()
    assert len(lines) == 1, lines


def test_other_errors_keep_their_traceback():
    from jps_portal.logging_filters import OneLineForbidden

    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), None)
        record.exc_info = sys.exc_info()
    record.status_code = 500
    assert OneLineForbidden().filter(record) and record.exc_info is not None
