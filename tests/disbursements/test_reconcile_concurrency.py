"""Two imports of the same results at the same moment pay each tranche once: PostgreSQL, real
threads, each with its own connection."""

import threading

import pytest
from django.db import connection, connections

from disbursements import bankfiles, services
from disbursements.models import LedgerEntry, PaymentBatchLine, Tranche
from tests.conftest import restore_reference_data
from tests.disbursements.conftest import paid_row, result_file

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL"),
]
RACERS = 4
TRANCHES = 40


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    # A transactional test that ran before this one may have flushed regions, banks and roles away.
    restore_reference_data()


def test_concurrent_imports_of_overlapping_files_pay_each_tranche_once(approve, finance):
    for _ in range(TRANCHES):
        approve()
    batch = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    lines = list(batch.lines.order_by("pk"))
    # Every racer sends every line, in its own order, so their row locks cross.
    files = [[paid_row(line) for line in (lines if index % 2 == 0 else reversed(lines))] for index in range(RACERS)]
    start = threading.Barrier(RACERS)
    reports, errors = [], []
    lock = threading.Lock()

    def run(rows: list[dict]) -> None:
        try:
            parsed = bankfiles.read_bank_results(result_file(rows))
            start.wait()
            report = services.bank_results_import(rows=parsed, file_name="hasil.csv", by=finance)
            with lock:
                reports.append(report)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(rows,)) for rows in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sum(report.paid for report in reports) == TRANCHES
    assert sum(report.already_applied for report in reports) == TRANCHES * (RACERS - 1)
    assert Tranche.objects.filter(status=Tranche.Status.PAID).count() == TRANCHES
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAID).count() == TRANCHES
    assert PaymentBatchLine.objects.filter(outcome="paid").count() == TRANCHES


def test_the_database_refuses_to_rewrite_the_ledger(approve, finance):
    from django.db import DatabaseError, transaction

    approve()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE disbursements_ledgerentry SET note = 'x'")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM disbursements_ledgerentry")
