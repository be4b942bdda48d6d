"""The database as the last guard (issue 10): no ledger row may put a tranche's net paid amount (paid −
returned by the bank) above the tranche's amount. PostgreSQL refuses it with a constraint trigger,
whoever writes the row; the services refuse it on every database with ``OverpaymentError``. A tahap
returned by the bank, re-issued and paid is paid once, as before."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from disbursements import bankfiles, services
from disbursements.models import LedgerEntry, OverpaymentError, PaymentBatch, PaymentBatchLine, Tranche
from tests.corrections.helpers import account_fix
from tests.disbursements.conftest import failed_row, paid_row, result_file

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
TS = Tranche.Status


def _import(rows, by, name="hasil.csv"):  # noqa: ANN001, ANN202
    return services.bank_results_import(
        rows=bankfiles.read_bank_results(result_file(rows, name=name)), file_name=name, by=by
    )


def _net_paid(tranche: Tranche) -> int:
    return services.tranche_net_paid(tranche.pk)


@pytest.fixture
def paid_tranche(approve, finance) -> Tranche:
    approve()
    batch = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    _import([paid_row(batch.lines.get())], finance)
    tranche = Tranche.objects.get()
    assert tranche.status == TS.PAID and _net_paid(tranche) == tranche.amount
    return tranche


def _paid_row_sql(tranche: Tranche, amount: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LedgerEntry._meta.db_table} (tranche_id, kind, amount, payment_reference, "  # noqa: S608
            "bank_transaction_id, reason_code, note, created_at) VALUES (%s, 'paid', %s, '', '', '', '', %s)",
            [tranche.pk, amount, timezone.now()],
        )


def test_the_service_refuses_a_second_payment_of_a_paid_tahap(paid_tranche, finance):
    rows = LedgerEntry.objects.count()
    with pytest.raises(OverpaymentError, match="sudah dibayar menurut buku besar"):
        services.ledger_record(tranche=paid_tranche, kind=LedgerEntry.Kind.PAID, amount=1, by=finance)
    assert LedgerEntry.objects.count() == rows
    assert _net_paid(paid_tranche) == paid_tranche.amount


def test_the_service_refuses_one_payment_above_the_tranche_amount(approve, finance):
    tranche = approve().tranches.get()
    with pytest.raises(OverpaymentError):
        services.ledger_record(tranche=tranche, kind=LedgerEntry.Kind.PAID, amount=tranche.amount + 1, by=finance)
    entry = services.ledger_record(tranche=tranche, kind=LedgerEntry.Kind.PAID, amount=tranche.amount, by=finance)
    assert entry.pk and _net_paid(tranche) == tranche.amount


@postgresql_only
def test_postgresql_refuses_an_overpaying_row_written_around_the_services(paid_tranche):
    """The paths no service guards: the ORM's create and bulk_create, and raw SQL."""
    attempts = [
        lambda: LedgerEntry.objects.create(tranche=paid_tranche, kind=LedgerEntry.Kind.PAID, amount=1),
        lambda: LedgerEntry.objects.bulk_create(
            [LedgerEntry(tranche=paid_tranche, kind=LedgerEntry.Kind.PAID, amount=paid_tranche.amount)]
        ),
        lambda: _paid_row_sql(paid_tranche, paid_tranche.amount),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError, match="ledger_net_paid_within_tranche"), transaction.atomic():
            attempt()
    assert _net_paid(paid_tranche) == paid_tranche.amount


@postgresql_only
def test_postgresql_sums_the_rows_of_one_statement_together(approve):
    """Two half-over payments in one INSERT: each alone fits, together they overpay."""
    tranche = approve().tranches.get()
    half = tranche.amount // 2 + 1
    with pytest.raises(IntegrityError, match="ledger_net_paid_within_tranche"), transaction.atomic():
        LedgerEntry.objects.bulk_create(
            [LedgerEntry(tranche=tranche, kind=LedgerEntry.Kind.PAID, amount=half) for _ in range(2)]
        )
    assert _net_paid(tranche) == 0


@postgresql_only
def test_the_ledger_rows_that_move_no_money_are_not_checked(paid_tranche):
    LedgerEntry.objects.create(tranche=paid_tranche, kind=LedgerEntry.Kind.BATCHED, amount=0)
    LedgerEntry.objects.create(tranche=paid_tranche, kind=LedgerEntry.Kind.RETURNED_TO_TREASURY, amount=-5)
    assert _net_paid(paid_tranche) == paid_tranche.amount


def test_a_tahap_returned_by_the_bank_is_reissued_and_paid_once(approve, finance, verifier, second_verifier):
    """Sent → returned by the bank → account fixed → re-issued → paid: the database lets it through,
    and the ledger shows it paid exactly once."""
    approve()
    batch = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    _import([failed_row(batch.lines.get(), reason="account_closed", status="returned")], finance)
    tranche = Tranche.objects.get()
    assert tranche.status == TS.RETURNED and _net_paid(tranche) == 0
    account_fix(tranche.application.group, proposer=verifier, checker=second_verifier, account_number="1122334455")
    second = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    _import([paid_row(second.lines.get())], finance, name="hasil-2.csv")
    tranche.refresh_from_db()
    assert tranche.status == TS.PAID
    assert _net_paid(tranche) == tranche.amount
    kinds = list(tranche.ledger.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["scheduled", "batched", "returned", "reissued", "batched", "paid"]


def test_a_batch_refuses_a_tahap_the_ledger_counts_as_paid(paid_tranche, finance):
    """A paid tahap put back to "Terjadwal" by a path around the services (here a bulk update, as
    the admin's history revert did) is not batched: the batch is refused and says which tahap."""
    Tranche.objects.filter(pk=paid_tranche.pk).update(status=TS.SCHEDULED, paid_at=None)
    batches = PaymentBatch.objects.count()
    with pytest.raises(OverpaymentError, match=str(paid_tranche.application.reference)):
        services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    assert PaymentBatch.objects.count() == batches
    assert Tranche.objects.get(pk=paid_tranche.pk).status == TS.SCHEDULED


def test_a_bank_file_that_would_pay_a_paid_tahap_again_is_refused_whole(paid_tranche, approve, finance):
    """A pending line made around the services for a paid tahap (the day of issue 10): the import of
    a file crediting it is refused whole — the other tahap in the file is not paid either — and the
    officer reads why. PostgreSQL's trigger refuses it there, the service's check on SQLite."""
    other = approve().tranches.get()
    batch = services.payment_batch_create(tranches=Tranche.objects.filter(pk=other.pk), by=finance)
    Tranche.objects.filter(pk=paid_tranche.pk).update(status=TS.IN_BATCH, paid_at=None)
    forged = PaymentBatchLine.objects.create(
        batch=batch,
        tranche=paid_tranche,
        attempt=2,
        payment_reference=services.payment_reference_for(paid_tranche.pk, 2),
        amount=paid_tranche.amount,
        bank_code="002",
        account_number="1234567890",
        account_holder="X",
        description="forged",
    )
    ledger_before = LedgerEntry.objects.aggregate(s=Sum("amount"))["s"]
    with pytest.raises(OverpaymentError, match="sudah dibayar menurut buku besar"):
        _import([paid_row(batch.lines.get(tranche=other)), paid_row(forged)], finance)
    assert LedgerEntry.objects.aggregate(s=Sum("amount"))["s"] == ledger_before
    assert Tranche.objects.get(pk=other.pk).status == TS.IN_BATCH
    assert PaymentBatchLine.objects.get(pk=forged.pk).outcome == PaymentBatchLine.Outcome.PENDING
