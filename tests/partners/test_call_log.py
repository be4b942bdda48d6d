"""The call log's own transaction: on PostgreSQL its commit does not wait for the disk, and only
when the log opened that transaction itself."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from partners.models import ApiCall
from tests.partners.conftest import call

RELAXED = "SET LOCAL synchronous_commit TO OFF"


@pytest.mark.django_db(transaction=True)
def test_a_call_is_recorded_in_a_transaction_of_its_own(api, jabar_key):
    with CaptureQueriesContext(connection) as captured:
        assert call(api, "/api/v1/applications/", jabar_key).status_code == 200
    assert ApiCall.objects.filter(operation="application-list", status=200).count() == 1
    relaxed = [query["sql"] for query in captured.captured_queries if query["sql"] == RELAXED]
    assert len(relaxed) == (1 if connection.vendor == "postgresql" else 0)


@pytest.mark.django_db(transaction=True)
def test_a_transaction_someone_else_opened_keeps_its_durable_commit(api, jabar_key):
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        assert call(api, "/api/v1/applications/", jabar_key).status_code == 200
    assert ApiCall.objects.filter(operation="application-list").count() == 1
    assert not [query for query in captured.captured_queries if "synchronous_commit" in query["sql"]]
