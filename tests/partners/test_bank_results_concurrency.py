"""A bank's host retrying the same results while the first post is still running pays each tranche
once, with or without an Idempotency-Key: PostgreSQL, real threads, each with its own connection."""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from disbursements.models import LedgerEntry, Tranche
from partners import services
from partners.models import Scope
from tests.partners.conftest import make_client
from tests.partners.test_bank_results import paid

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
]
RETRIES = 4


@pytest.mark.parametrize("idempotency_key", [None, "bjb-retry"])
def test_concurrent_retries_pay_each_tranche_once(reference_data, portal_admin, money_world, idempotency_key):
    client = make_client(name="Bank BJB", scopes=[Scope.BANK_RESULTS_WRITE], provinces=["32"], by=portal_admin)
    key = services.api_key_issue(client=client, by=portal_admin).plaintext
    lines = [paid(line) for line in money_world["jabar_batch"].lines.order_by("pk")]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    if idempotency_key:
        headers["HTTP_IDEMPOTENCY_KEY"] = idempotency_key
    start = threading.Barrier(RETRIES)
    answers: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def retry() -> None:
        try:
            start.wait(timeout=10)
            response = APIClient().post("/api/v1/bank-results/", {"lines": lines}, format="json", **headers)
            with lock:
                answers.append((response.status_code, response.json()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=retry) for _ in range(RETRIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(answers) == RETRIES
    assert Tranche.objects.filter(status=Tranche.Status.PAID).count() == 2
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAID).count() == 2
    reports = [body for status, body in answers if status == 200]
    if idempotency_key is None:
        # One post applied both lines; every other found them applied.
        assert sorted(report["changed"] for report in reports) == [0] * (RETRIES - 1) + [2], answers
    else:
        # One post ran; the others were told to wait (409) or got its answer replayed.
        assert {status for status, _ in answers} <= {200, 409}, answers
        assert reports and all(report == reports[0] and report["changed"] == 2 for report in reports), answers
