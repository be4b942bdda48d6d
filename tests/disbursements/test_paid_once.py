"""Issue 10's story: tahap 1 (Rp28.000.000 of a Rp40.000.000 grant, plan 70/30) is paid through the real
admin path — batch from the tranche list, transfer file exported, the bank's result file imported.
Then every route back to "payable" is tried: simple-history's revert (officers and a superuser, with
and without the button), the change form, the re-issue action, hand-made POSTs to the batch action, to
a batch line and to the ledger, a confirmed correction of the group's account followed by a re-issue,
and a paid ledger row through the service (refused by the net-paid guard). Then finance batches and
imports again, as on the day it went wrong.
The tahap is paid once, and the ledger ties to the tranches."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from disbursements import services
from disbursements.models import LedgerEntry, OverpaymentError, PaymentBatch, PaymentBatchLine, Tranche
from tests.corrections.helpers import account_fix
from tests.disbursements.conftest import paid_row, result_file

pytestmark = pytest.mark.django_db
TRANCHES = reverse("admin:disbursements_tranche_changelist")
IMPORT = reverse("admin:disbursements_paymentbatch_import")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _batch_export_import(finance_client: Client, *, file_name: str) -> PaymentBatch | None:
    """What finance does: select every tahap in the list, "Buat batch", export the CSV, import the
    bank's answer (every transfer credited). None when no batch was made."""
    ids = list(Tranche.objects.values_list("pk", flat=True))
    before = PaymentBatch.objects.count()
    finance_client.post(TRANCHES, {"action": "batch_selected", "_selected_action": ids, "confirm": "yes"})
    if PaymentBatch.objects.count() == before:
        return None
    batch = PaymentBatch.objects.order_by("-pk").first()
    exported = finance_client.post(reverse("admin:disbursements_paymentbatch_export", args=[batch.pk, "csv"]))
    transfer_file = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert len(transfer_file) == batch.lines.count()
    lines = batch.lines.order_by("pk")
    response = finance_client.post(IMPORT, {"file": result_file([paid_row(line) for line in lines], name=file_name)})
    assert response.status_code == 302
    return batch


def _ledger_paid(tranche: Tranche) -> int:
    return LedgerEntry.objects.filter(tranche=tranche, kind=LedgerEntry.Kind.PAID).aggregate(s=Sum("amount"))["s"] or 0


def test_a_paid_tahap_is_paid_once_whatever_route_back_is_tried(
    approve, finance, verifier, director, portal_admin, admin_user
):
    application = approve(plan=[70, 30])
    tahap_1 = application.tranches.get(number=1)
    assert tahap_1.amount == 28_000_000
    finance_client = _client(finance)
    assert _batch_export_import(finance_client, file_name="hasil-1.csv") is not None
    tahap_1.refresh_from_db()
    assert tahap_1.status == Tranche.Status.PAID and _ledger_paid(tahap_1) == 28_000_000
    first_version = tahap_1.history.order_by("history_date", "history_id").first()
    assert first_version.status == Tranche.Status.SCHEDULED  # what the revert of issue 10 went back to
    revert_url = reverse("admin:disbursements_tranche_simple_history", args=[tahap_1.pk, first_version.history_id])
    change_url = reverse("admin:disbursements_tranche_change", args=[tahap_1.pk])

    # 1. simple-history's revert, by every officer (button or not) and by a superuser.
    for user in (finance, verifier, director, portal_admin, admin_user):
        client = _client(user)
        client.get(revert_url)
        client.post(revert_url, {"status": "scheduled", "_save": "Kembalikan"})
    # 2. the change form, with the status and the paid date typed in.
    for user in (finance, portal_admin, admin_user):
        _client(user).post(change_url, {"status": "scheduled", "paid_at": "", "amount": "1", "_save": "Simpan"})
    # 3. the re-issue action on a paid tahap, and a hand-made batch action naming it.
    finance_client.post(TRANCHES, {"action": "reissue_selected", "_selected_action": [tahap_1.pk]})
    finance_client.post(TRANCHES, {"action": "batch_selected", "_selected_action": [tahap_1.pk], "confirm": "yes"})
    # 4. the batch line back to pending, the ledger's paid row deleted, the batch deleted.
    line = PaymentBatchLine.objects.get(tranche=tahap_1)
    paid_entry = LedgerEntry.objects.get(tranche=tahap_1, kind=LedgerEntry.Kind.PAID)
    for user in (finance, admin_user):
        client = _client(user)
        client.post(reverse("admin:disbursements_paymentbatchline_change", args=[line.pk]), {"outcome": "pending"})
        client.post(reverse("admin:disbursements_ledgerentry_delete", args=[paid_entry.pk]), {"post": "yes"})
        client.post(reverse("admin:disbursements_paymentbatch_delete", args=[line.batch_id]), {"post": "yes"})

    # 5. a confirmed correction of the group's account (the re-issue path after a failure), then the
    #    re-issue action again, and a paid ledger row written through the service.
    account_fix(application.group, proposer=verifier, checker=portal_admin, account_number="9998887776")
    finance_client.post(TRANCHES, {"action": "reissue_selected", "_selected_action": [tahap_1.pk]})
    with pytest.raises(OverpaymentError):
        services.ledger_record(tranche=tahap_1, kind=LedgerEntry.Kind.PAID, amount=tahap_1.amount, by=finance)

    tahap_1.refresh_from_db()
    assert tahap_1.status == Tranche.Status.PAID

    # The next day's work: a batch of whatever is payable (nothing: tahap 2 waits for the report) and
    # the same bank file imported again, and once more with the bank's transaction id changed.
    assert _batch_export_import(finance_client, file_name="hasil-2.csv") is None
    finance_client.post(IMPORT, {"file": result_file([paid_row(line)], name="hasil-1.csv")})
    finance_client.post(IMPORT, {"file": result_file([paid_row(line, txn="TXLAGI")], name="hasil-1b.csv")})

    tahap_1.refresh_from_db()
    assert tahap_1.status == Tranche.Status.PAID
    assert PaymentBatchLine.objects.filter(tranche=tahap_1, outcome=PaymentBatchLine.Outcome.PAID).count() == 1
    assert _ledger_paid(tahap_1) == tahap_1.amount == 28_000_000
    paid_tranches = Tranche.objects.filter(status=Tranche.Status.PAID).aggregate(s=Sum("amount"))["s"]
    ledger_net = LedgerEntry.objects.aggregate(s=Sum("amount"))["s"]
    assert ledger_net == paid_tranches == 28_000_000


def test_a_forged_bank_file_cannot_pay_a_paid_tahap_again(approve, finance):
    application = approve()
    finance_client = _client(finance)
    _batch_export_import(finance_client, file_name="hasil-1.csv")
    line = PaymentBatchLine.objects.get()
    upload = SimpleUploadedFile(
        "hasil-palsu.csv",
        (
            "payment_reference,status,reason_code,transfer_date,bank_transaction_id,amount\n"
            f"{line.payment_reference},paid,,2020-10-16,TXPALSU,{line.amount}\n"
        ).encode(),
    )
    response = finance_client.post(IMPORT, {"file": upload}, follow=True)
    assert "1 ke antrean pengecualian" in response.content.decode()
    assert _ledger_paid(application.tranches.get()) == line.amount
