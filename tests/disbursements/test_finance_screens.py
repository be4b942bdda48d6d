"""Finance's screens are complete (issue 11 §2): the tranche list names the group and where the money
goes, a batch is made after a confirmation that says what is left out and why, the batch page lists
its lines with their total, the import page explains the file and reports every problem at once, and a
read-only tahap page offers no "Simpan"."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from disbursements import bankfiles
from disbursements.models import PaymentBatch, Tranche
from groups.accounts import account_number_masked
from tests.disbursements.conftest import failed_row, paid_row, result_file

pytestmark = pytest.mark.django_db
TRANCHES = reverse("admin:disbursements_tranche_changelist")
IMPORT = reverse("admin:disbursements_paymentbatch_import")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _select_all(client: Client, **extra: object):
    ids = list(Tranche.objects.values_list("pk", flat=True))
    return client.post(TRANCHES, {"action": "batch_selected", "_selected_action": ids, **extra})


def test_the_tranche_list_shows_the_group_and_its_full_account_to_finance(finance, approve):
    application = approve()
    group = application.group

    page = _client(finance).get(TRANCHES, {"status__exact": "semua"}).content.decode()

    assert group.name in page and group.account_number in page and "a.n. " + group.account_holder in page
    assert "Bank Rakyat Indonesia" in page


def test_the_director_reads_only_the_last_four_digits_of_an_account(director, approve):
    group = approve().group

    page = _client(director).get(TRANCHES, {"status__exact": "semua"}).content.decode()
    detail = _client(director).get(reverse("admin:disbursements_tranche_change", args=[Tranche.objects.get().pk]))

    assert group.account_number not in page and account_number_masked(group.account_number) in page
    assert group.account_number not in detail.content.decode() and group.name in detail.content.decode()


def test_making_a_batch_asks_first_and_says_how_many_and_how_much(finance, approve):
    approve()
    approve(amount=20_000_000)

    confirm = _select_all(_client(finance))

    assert confirm.status_code == 200 and not PaymentBatch.objects.exists()
    page = confirm.content.decode()
    assert "Batch baru akan berisi 2 tahap" in page and "Rp60.000.000" in page and "Ya, buat batch" in page
    done = _select_all(_client(finance), confirm="yes")
    assert done.status_code == 302 and PaymentBatch.objects.get().lines.count() == 2


def test_a_refused_batch_says_that_tahap_2_waits_for_the_tahap_1_report(finance, approve):
    application = approve(plan=[70, 30])
    client = _client(finance)
    _select_all(client, confirm="yes")  # tahap 1 goes in a batch; tahap 2 stays locked
    tahap_2 = application.tranches.get(number=2)

    confirm = client.post(TRANCHES, {"action": "batch_selected", "_selected_action": [tahap_2.pk]})
    refused = client.post(
        TRANCHES, {"action": "batch_selected", "_selected_action": [tahap_2.pk], "confirm": "yes"}, follow=True
    )

    assert "menunggu laporan tahap 1 diterima" in confirm.content.decode()
    assert "Ya, buat batch" not in confirm.content.decode()
    message = refused.content.decode()
    assert "Tidak ada tahap yang siap dibayar" in message and f"{tahap_2} menunggu laporan tahap 1" in message
    assert PaymentBatch.objects.count() == 1


def test_the_batch_page_lists_its_lines_with_their_total(finance, approve):
    first, second = approve(), approve(amount=20_000_000)
    _select_all(_client(finance), confirm="yes")
    batch = PaymentBatch.objects.get()

    page = _client(finance).get(reverse("admin:disbursements_paymentbatch_change", args=[batch.pk])).content.decode()

    for line in batch.lines.all():
        assert line.payment_reference in page and line.account_number in page
    assert first.group.name in page and second.group.name in page
    assert "Jumlah 2 baris" in page and "Rp60.000.000" in page


def test_the_import_page_explains_the_values_and_offers_a_template(finance):
    client = _client(finance)
    page = client.get(IMPORT).content.decode()

    for text in ("paid", "failed", "returned", "invalid_account", "dormant", "2026-12-04", "40000000"):
        assert text in page
    template = client.get(reverse("admin:disbursements_paymentbatch_import_template"))
    rows = list(csv.reader(io.StringIO(template.content.decode().lstrip("\ufeff"))))
    assert rows[0] == bankfiles.RESULT_COLUMNS and {row[1] for row in rows[1:]} == {"paid", "failed", "returned"}


def test_the_template_itself_reads_as_a_valid_result_file(finance):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = bankfiles.read_bank_results(SimpleUploadedFile("contoh.csv", bankfiles.result_template_csv().encode()))
    assert [row.outcome for row in rows] == ["paid", "failed", "returned"]


def test_every_problem_of_a_bad_file_is_shown_at_once_grouped_by_kind(finance, approve):
    for _ in range(3):
        approve()
    _select_all(_client(finance), confirm="yes")
    lines = list(PaymentBatch.objects.get().lines.order_by("pk"))
    rows = [
        {**paid_row(lines[0]), "status": "sukses"},
        {**paid_row(lines[1]), "status": "ok"},
        {**paid_row(lines[2]), "transfer_date": "15/10/2020"},
        {**failed_row(lines[0]), "reason_code": ""},
    ]

    page = _client(finance).post(IMPORT, {"file": result_file(rows)}).content.decode()

    assert "4 dari 4 baris bermasalah (3 jenis masalah)" in page
    assert "Baris 2, 3: status tidak dikenal" in page and "“ok”" in page and "“sukses”" in page
    assert "Baris 4: tanggal transfer harus berformat TTTT-BB-HH" in page
    assert "Baris 5: transfer gagal tanpa kode alasan" in page
    assert not Tranche.objects.filter(status=Tranche.Status.PAID).exists()


def test_a_paid_tahap_page_offers_no_save_and_a_posted_save_writes_no_history(finance, approve):
    approve()
    client = _client(finance)
    _select_all(client, confirm="yes")
    batch = PaymentBatch.objects.get()
    client.post(IMPORT, {"file": result_file([paid_row(line) for line in batch.lines.all()])})
    tranche = Tranche.objects.get(status=Tranche.Status.PAID)
    url = reverse("admin:disbursements_tranche_change", args=[tranche.pk])
    versions = tranche.history.count()

    page = client.get(url).content.decode()
    response = client.post(url, {"_save": "Simpan"}, follow=True)

    assert 'name="_save"' not in page and 'name="_continue"' not in page
    assert "berhasil diubah" not in response.content.decode()
    assert tranche.history.count() == versions
