"""Batches, the transfer file and the bank's results: paid once, failures queued for re-issue,
everything odd in the exception queue, a repeated file changes nothing."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from applications.models import Application
from disbursements import bankfiles, services
from disbursements.models import LedgerEntry, PaymentBatch, PaymentBatchLine, ReconciliationException, Tranche
from tests.disbursements.conftest import failed_row, paid_row, result_file

pytestmark = pytest.mark.django_db
TS = Tranche.Status
Kind = ReconciliationException.Kind


def _import(rows, by, name="hasil.csv"):
    parsed = bankfiles.read_bank_results(result_file(rows, name=name))
    return services.bank_results_import(rows=parsed, file_name=name, by=by)


def _state() -> tuple:
    """Everything a reconciliation may change, to prove a second import changed nothing."""
    return (
        list(Tranche.objects.order_by("pk").values_list("pk", "status", "paid_at")),
        list(PaymentBatchLine.objects.order_by("pk").values_list("pk", "outcome", "bank_transaction_id", "settled_at")),
        LedgerEntry.objects.count(),
        ReconciliationException.objects.count(),
        list(Application.objects.order_by("pk").values_list("pk", "status")),
        list(PaymentBatch.objects.order_by("pk").values_list("pk", "status")),
    )


@pytest.fixture
def batch(approve, finance):
    for _ in range(3):
        approve(plan=[100])
    batch = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    return services.payment_batch_export(batch=batch, by=finance)


def test_it_puts_payable_tranches_in_a_batch_with_count_and_total(approve, finance):
    first, second = approve(plan=[70, 30], amount=10_000_001), approve(plan=[100], amount=5_000_000)

    batch = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)

    totals = PaymentBatch.objects.with_totals().get(pk=batch.pk)
    assert (totals.line_count, totals.total_amount, totals.open_amount) == (2, 7_000_000 + 5_000_000, 12_000_000)
    assert set(batch.lines.values_list("tranche__application", flat=True)) == {first.pk, second.pk}
    assert first.tranches.get(number=2).status == TS.LOCKED  # the locked tahap stayed out
    assert Tranche.objects.filter(status=TS.IN_BATCH).count() == 2
    assert batch.lines.first().payment_reference.startswith("JPS-PAY-")


def test_a_tranche_already_in_a_batch_is_not_batched_again(batch, finance):
    with pytest.raises(ValidationError, match="siap dibayar"):
        services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)


def test_the_database_refuses_a_second_pending_line_for_a_tranche(batch):
    line = batch.lines.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentBatchLine.objects.create(
            batch=batch,
            tranche=line.tranche,
            attempt=9,
            payment_reference="JPS-PAY-X",
            amount=1,
            bank_code="002",
            account_number="1234567",
            account_holder="x",
            description="x",
        )


def test_it_refuses_a_batch_from_someone_without_the_permission(approve, verifier):
    approve()
    with pytest.raises(services.PermissionDenied):
        services.payment_batch_create(tranches=Tranche.objects.all(), by=verifier)


def test_the_transfer_file_lists_every_line_and_escapes_formulas(approve, finance, django_assert_num_queries):
    application = approve()
    application.group.account_holder = '=HYPERLINK("http://x")'
    application.group.save()
    batch = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)

    with django_assert_num_queries(1):
        text = "".join(bankfiles.transfer_csv_stream(services.payment_batch_transfer_lines(batch)))

    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == bankfiles.TRANSFER_COLUMNS
    line = batch.lines.get()
    assert rows[1] == [
        line.payment_reference,
        "002",
        line.account_number,
        '\'=HYPERLINK("http://x")',
        "40000000",
        line.description,
    ]


def test_a_result_file_pays_and_fails_lines_and_moves_the_application(batch, finance):
    paid, failed, returned = batch.lines.order_by("pk")

    report = _import([paid_row(paid), failed_row(failed), failed_row(returned, status="returned", reason="")], finance)

    assert (report.paid, report.failed, report.returned, report.exceptions) == (1, 1, 1, 0)
    statuses = dict(Tranche.objects.values_list("pk", "status"))
    assert statuses == {paid.tranche_id: TS.PAID, failed.tranche_id: TS.FAILED, returned.tranche_id: TS.RETURNED}
    application = paid.tranche.application
    application.refresh_from_db()
    # One tranche, paid in full: approved → reporting, one status change.
    assert application.status == Application.Status.REPORTING
    assert list(application.status_changes.order_by("pk").values_list("from_status", "to_status"))[-1] == (
        Application.Status.APPROVED,
        Application.Status.REPORTING,
    )
    assert not application.status_changes.filter(to_status=Application.Status.IN_DISBURSEMENT).exists()
    assert failed.tranche.application.status == Application.Status.APPROVED
    ledger = LedgerEntry.objects.filter(tranche=paid.tranche, kind=LedgerEntry.Kind.PAID).get()
    assert ledger.amount == paid.amount and ledger.bank_transaction_id == f"TX{paid.pk:010d}"
    totals = PaymentBatch.objects.with_totals().get(pk=batch.pk)
    assert (totals.paid_amount, totals.failed_amount, totals.open_amount) == (paid.amount, 2 * paid.amount, 0)
    assert totals.paid_amount + totals.failed_amount + totals.open_amount == totals.total_amount
    assert totals.status == PaymentBatch.Status.RECONCILED


def test_a_first_tahap_paid_of_two_leaves_the_application_in_disbursement(approve, finance):
    application = approve(plan=[70, 30])
    batch = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    _import([paid_row(batch.lines.get())], finance)
    application.refresh_from_db()
    assert application.status == Application.Status.IN_DISBURSEMENT


def test_a_grant_paid_in_full_at_once_owes_one_status_email(batch, finance):
    line = batch.lines.order_by("pk").first()
    _import([paid_row(line)], finance)
    changes = line.tranche.application.status_changes.order_by("pk")
    assert list(changes.values_list("from_status", "to_status", "notification_due"))[-1:] == [
        (Application.Status.APPROVED, Application.Status.REPORTING, True),
    ]


def test_it_owes_a_status_email_when_a_first_tahap_of_two_is_paid(approve, finance):
    application = approve(plan=[70, 30])
    batch = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    _import([paid_row(batch.lines.get())], finance)
    last = application.status_changes.order_by("pk").last()
    assert (last.to_status, last.notification_due) == (Application.Status.IN_DISBURSEMENT, True)
    assert application.status_changes.filter(to_status=Application.Status.REPORTING).count() == 0


def test_importing_the_same_file_twice_changes_nothing_the_second_time(batch, finance):
    paid, failed, _open = batch.lines.order_by("pk")
    unknown = {**paid_row(paid, txn="TX-OTHER"), "payment_reference": "NOPE"}
    rows = [paid_row(paid), failed_row(failed), paid_row(paid), unknown]
    first = _import(rows, finance)
    assert (first.paid, first.failed, first.exceptions_new) == (1, 1, 2)
    before = _state()

    again = _import(rows, finance, name="hasil-lagi.csv")

    assert _state() == before
    assert (again.paid, again.failed, again.exceptions_new, again.already_applied) == (0, 0, 0, 2)


def test_two_files_sharing_a_line_apply_it_once(batch, finance):
    first, second, _third = batch.lines.order_by("pk")
    _import([paid_row(first)], finance, name="a.csv")

    report = _import([paid_row(first), paid_row(second)], finance, name="b.csv")

    assert (report.paid, report.already_applied) == (1, 1)
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAID, tranche=first.tranche).count() == 1


def test_odd_lines_go_to_the_exception_queue_never_applied(batch, finance):
    one, two, three = batch.lines.order_by("pk")
    rows = [
        paid_row(one, amount=one.amount - 1),  # amount mismatch
        {**paid_row(two), "payment_reference": "JPS-PAY-99999999-01"},  # unknown
        paid_row(three),
        paid_row(three),  # a duplicate copy: the first applies, the copy is queued
    ]

    report = _import(rows, finance)

    kinds = sorted(ReconciliationException.objects.values_list("kind", flat=True))
    assert kinds == sorted([Kind.AMOUNT_MISMATCH, Kind.UNKNOWN_REFERENCE, Kind.DUPLICATE_LINE])
    assert report.paid == 1
    assert Tranche.objects.get(pk=one.tranche_id).status == TS.IN_BATCH


def test_a_paid_tranche_never_moves_again(batch, finance):
    line = batch.lines.first()
    _import([paid_row(line)], finance)

    report = _import([failed_row(line)], finance, name="kemudian.csv")

    assert Tranche.objects.get(pk=line.tranche_id).status == TS.PAID
    assert report.exceptions == 1
    assert ReconciliationException.objects.get().kind == Kind.ALREADY_SETTLED


def test_contradicting_lines_in_one_file_are_all_queued(batch, finance):
    line = batch.lines.first()
    _import([paid_row(line), failed_row(line)], finance)
    assert Tranche.objects.get(pk=line.tranche_id).status == TS.IN_BATCH
    assert ReconciliationException.objects.filter(kind=Kind.CONFLICTING_LINES).count() == 2


def test_a_bank_transaction_id_used_by_another_line_is_queued(batch, finance):
    one, two, _three = batch.lines.order_by("pk")
    _import([paid_row(one, txn="TX-SAME")], finance)
    _import([paid_row(two, txn="TX-SAME")], finance, name="b.csv")
    assert Tranche.objects.get(pk=two.tranche_id).status == TS.IN_BATCH
    assert ReconciliationException.objects.get().kind == Kind.TRANSACTION_REUSED


def test_an_exception_is_resolved_with_a_note(batch, finance):
    _import([{**paid_row(batch.lines.first()), "payment_reference": "X-1"}], finance)
    exception = ReconciliationException.objects.get()
    with pytest.raises(ValidationError):
        services.reconciliation_exception_resolve(exception=exception, by=finance, note=" ")
    services.reconciliation_exception_resolve(exception=exception, by=finance, note="Salah ketik bank, dikonfirmasi.")
    exception.refresh_from_db()
    assert exception.status == ReconciliationException.Status.RESOLVED and exception.resolved_by == finance


def test_the_ledger_refuses_updates_and_deletes(batch):
    entry = LedgerEntry.objects.first()
    entry.note = "diubah"
    with pytest.raises(Exception, match="hanya dapat ditambah"):
        entry.save()
    with pytest.raises(Exception, match="hanya dapat ditambah"):
        entry.delete()
    with pytest.raises(Exception, match="hanya dapat ditambah"):
        LedgerEntry.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(Exception, match="hanya dapat ditambah"):
        LedgerEntry.objects.all().delete()


def test_the_database_refuses_a_paid_ledger_row_without_money(batch):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(tranche=Tranche.objects.first(), kind=LedgerEntry.Kind.PAID, amount=0)


def test_a_treasury_return_is_recorded_as_negative_money(batch, finance):
    entry = services.ledger_record(
        tranche=Tranche.objects.first(), kind=LedgerEntry.Kind.RETURNED_TO_TREASURY, amount=-1_500_000, by=finance
    )
    assert entry.amount == -1_500_000
