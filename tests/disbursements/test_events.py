"""What the money side tells partners (jps_portal.events): a reconciliation publishes tranche.paid,
tranche.failed and the applications it moved, in its own transaction."""

import pytest

from applications.models import Application
from disbursements import bankfiles, services
from disbursements.models import Tranche
from jps_portal import events
from tests.disbursements.conftest import failed_row, paid_row, result_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(monkeypatch) -> list[events.Event]:
    """Every event published during the test (beside the real listeners)."""
    seen: list[events.Event] = []
    monkeypatch.setattr(events, "_listeners", [*events._listeners, seen.extend])
    return seen


def test_a_reconciliation_publishes_each_settled_tranche_and_each_application_it_moved(approve, finance, published):
    paid_app, failed_app = approve(plan=[100]), approve(plan=[100], regency_id="33.74")
    batch = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    batch = services.payment_batch_export(batch=batch, by=finance)
    paid_line = batch.lines.get(tranche__application=paid_app)
    failed_line = batch.lines.get(tranche__application=failed_app)
    published.clear()  # approval events are not this test's business

    rows = bankfiles.read_bank_results(result_file([paid_row(paid_line), failed_row(failed_line)]))
    services.bank_results_import(rows=rows, file_name="hasil.csv", by=finance)

    by_type = {(event.type, event.data.get("application_id")): event for event in published}
    paid = by_type[(events.TRANCHE_PAID, paid_app.pk)]
    assert (paid.province_code, paid.regency_code, paid.data["amount"]) == ("32", "32.04", paid_line.amount)
    failed = by_type[(events.TRANCHE_FAILED, failed_app.pk)]
    assert (failed.province_code, failed.data["status"], failed.data["reason_code"]) == (
        "33", "failed", "invalid_account",
    )  # fmt: skip
    moved = by_type[(events.APPLICATION_STATUS_CHANGED, paid_app.pk)]
    assert (moved.data["from_status"], moved.data["to_status"]) == (
        Application.Status.APPROVED, Application.Status.REPORTING,
    )  # fmt: skip
    assert len(published) == 3


def test_the_same_file_again_publishes_nothing(approve, finance, published):
    approve(plan=[100])
    batch = services.payment_batch_export(
        batch=services.payment_batch_create(tranches=Tranche.objects.all(), by=finance), by=finance
    )
    rows = bankfiles.read_bank_results(result_file([paid_row(line) for line in batch.lines.all()]))
    services.bank_results_import(rows=rows, file_name="hasil.csv", by=finance)
    published.clear()

    services.bank_results_import(rows=rows, file_name="hasil.csv", by=finance)

    assert published == []
