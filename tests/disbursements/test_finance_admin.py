"""Finance works the money path in the admin: batch from the tranche list, export, import results,
resolve exceptions; the ledger is read-only; everything region-scoped."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from disbursements.models import LedgerEntry, PaymentBatch, ReconciliationException, Tranche
from groups.models import Group
from tests.disbursements.conftest import failed_row, paid_row, result_file
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TRANCHES = reverse("admin:disbursements_tranche_changelist")
BATCHES = reverse("admin:disbursements_paymentbatch_changelist")
IMPORT = reverse("admin:disbursements_paymentbatch_import")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def west_and_central(approve):
    return approve(regency_id="32.04"), approve(regency_id="33.74")


def _batch_all(client: Client, query: str = "") -> object:
    ids = Tranche.objects.values_list("pk", flat=True)
    return client.post(TRANCHES + query, {"action": "batch_selected", "_selected_action": list(ids), "confirm": "yes"})


def test_finance_batches_the_filtered_payable_tranches_and_sees_count_and_total(finance, west_and_central):
    client = _client(finance)
    response = _batch_all(client, "?application__province__code__exact=32")

    batch = PaymentBatch.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/{batch.pk}/change/")
    assert batch.province_id == "32" and batch.lines.count() == 1
    page = client.get(response.url).content.decode()
    assert "Rp40.000.000" in page and batch.reference in page
    assert "Ekspor berkas transfer (CSV)" in page


def test_the_tranche_list_filters_by_scheme_province_bank_and_status(finance, west_and_central, approve):
    approve(year=2021)  # a second scheme, and below a second bank: a filter with one choice is hidden
    Group.objects.filter(pk=west_and_central[0].group_id).update(bank_id="008")
    page = _client(finance).get(TRANCHES, {"status__exact": "semua"}).content.decode()
    for parameter in (
        "status__exact",
        "application__scheme__id__exact",
        "application__province__code__exact",
        "application__group__bank__code__exact",
    ):
        assert parameter in page


def test_exporting_locks_the_batch_and_streams_the_transfer_file(finance, west_and_central):
    client = _client(finance)
    _batch_all(client)
    batch = PaymentBatch.objects.get()

    response = client.post(reverse("admin:disbursements_paymentbatch_export", args=[batch.pk, "csv"]))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert len(rows) == 3 and rows[0][0] == "payment_reference"
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.EXPORTED and batch.exported_by == finance
    xlsx = client.post(reverse("admin:disbursements_paymentbatch_export", args=[batch.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(values_only=True)][1:] == [rows[1][0], rows[2][0]]


def test_finance_imports_results_and_sees_the_summary(finance, west_and_central):
    client = _client(finance)
    _batch_all(client)
    paid, failed = PaymentBatch.objects.get().lines.order_by("pk")

    response = client.post(IMPORT, {"file": result_file([paid_row(paid), failed_row(failed)])}, follow=True)

    page = response.content.decode()
    assert "1 dibayar" in page and "1 gagal" in page
    assert Tranche.objects.get(pk=paid.tranche_id).status == Tranche.Status.PAID


def test_a_bad_file_is_refused_on_the_page_and_changes_nothing(finance, west_and_central):
    client = _client(finance)
    _batch_all(client)
    line = PaymentBatch.objects.get().lines.first()

    response = client.post(IMPORT, {"file": result_file([{**paid_row(line), "amount": "-5"}])})

    assert response.status_code == 200
    assert "tidak boleh negatif" in response.content.decode()
    assert not Tranche.objects.filter(status=Tranche.Status.PAID).exists()
    response = client.post(IMPORT, {"file": SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad")})
    assert response.status_code == 200 and "UTF-8" in response.content.decode()


def test_finance_resolves_an_exception_with_a_note(finance, west_and_central):
    client = _client(finance)
    _batch_all(client)
    line = PaymentBatch.objects.get().lines.first()
    client.post(IMPORT, {"file": result_file([paid_row(line, amount=1)])})
    exception = ReconciliationException.objects.get()
    changelist = reverse("admin:disbursements_reconciliationexception_changelist")

    confirm = client.post(changelist, {"action": "resolve_selected", "_selected_action": [exception.pk]})
    assert confirm.status_code == 200 and "Catatan penyelesaian" in confirm.content.decode()
    client.post(
        changelist,
        {
            "action": "resolve_selected",
            "_selected_action": [exception.pk],
            "confirm": "yes",
            "note": "Bank mengoreksi nilai.",
        },
    )

    exception.refresh_from_db()
    assert exception.status == ReconciliationException.Status.RESOLVED


def test_the_ledger_is_read_only_in_the_admin(finance, west_and_central):
    client = _client(finance)
    entry = LedgerEntry.objects.first()
    assert client.get(reverse("admin:disbursements_ledgerentry_changelist")).status_code == 200
    response = client.post(reverse("admin:disbursements_ledgerentry_change", args=[entry.pk]), {"note": "x"})
    assert response.status_code == 403
    assert client.post(reverse("admin:disbursements_ledgerentry_delete", args=[entry.pk])).status_code == 403


def test_a_west_java_finance_officer_sees_and_batches_only_west_java(west_and_central):
    officer = UserFactory(username="ayu", role=Role.FINANCE)
    officer.scope_provinces.add("32")
    west, central = west_and_central
    client = _client(officer)

    page = client.get(TRANCHES, {"status__exact": "semua"}).content.decode()
    assert west.reference in page and central.reference not in page
    _batch_all(client)  # posts every tranche id, including Central Java's
    assert set(PaymentBatch.objects.get().lines.values_list("tranche__application", flat=True)) == {west.pk}
    ledger = client.get(reverse("admin:disbursements_ledgerentry_changelist")).content.decode()
    assert central.reference not in ledger


def test_the_director_sees_batches_but_cannot_export_or_import(director, finance, west_and_central):
    _batch_all(_client(finance))
    batch = PaymentBatch.objects.get()
    client = _client(director)
    assert client.get(BATCHES).status_code == 200
    assert client.post(reverse("admin:disbursements_paymentbatch_export", args=[batch.pk, "csv"])).status_code == 403
    assert client.get(IMPORT).status_code == 403
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.OPEN


def test_the_batch_list_runs_a_fixed_number_of_queries(finance, approve, django_assert_max_num_queries):
    client = _client(finance)
    for _ in range(3):
        approve()
        _batch_all(client)
    with django_assert_max_num_queries(12):
        assert client.get(BATCHES, {"status__exact": "semua"}).status_code == 200
