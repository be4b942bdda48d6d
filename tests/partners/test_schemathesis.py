"""Schemathesis fuzzes every operation of the live schema (/api/v1/schema/), with valid and invalid
input, as a client holding every scope: no answer may be a 5xx, and every answer must match the
schema (status code, content type, headers, body). Examples are bounded so the whole module runs in
well under two minutes on two cores; ``derandomize`` makes a failure repeat on the next run.

The calls go through the real WSGI application (middleware, authentication, throttle, call log) to
the test database, which holds rows in two provinces, a tally snapshot and a public list."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from applications.models import Application
from dashboards.services import tallies_recompute
from partners import services
from partners.models import Scope
from tests.factories import ApplicationFactory, GroupFactory, add_members
from tests.partners.conftest import make_client

pytestmark = pytest.mark.django_db
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 30


def _live_schema():  # noqa: ANN202
    """The schema as the running application serves it (read at collection: no database needed)."""
    from jps_portal.wsgi import application

    loaded = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    loaded.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    return loaded


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The real WSGI handler closes the database connection after each request (as in production);
    that would close the test's transaction on PostgreSQL. Django's own test client detaches the same
    handler; so does this fixture, for the length of one test."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def every_scope_key(portal_admin) -> str:
    """A national client with every scope, a rate limit no fuzzing run reaches, and data to read."""
    for regency in ("32.04", "35.78"):
        application = ApplicationFactory(group=GroupFactory(regency_id=regency), status=Application.Status.SUBMITTED)
        add_members(application.group, 2)
    tallies_recompute()
    client = make_client(
        name="Fuzzer", scopes=list(Scope.values), national=True, rate_limit_per_minute=1_000_000, by=portal_admin
    )
    return services.api_key_issue(client=client, by=portal_admin).plaintext


schema = _live_schema()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_generated_input_gets_a_5xx_or_an_answer_outside_the_schema(case, every_scope_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {every_scope_key}"}, checks=CHECKS)
