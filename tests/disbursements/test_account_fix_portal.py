"""The group's side of a failed transfer: it sees the bank's reason and proposes a working account; an
officer confirms it (maker–checker, issue 10), and only then is the tahap paid again."""

import pytest
from django.urls import reverse

from corrections.models import Correction
from corrections.services import correction_confirm
from disbursements import bankfiles, services
from disbursements.models import Tranche
from tests.disbursements.conftest import failed_row, result_file

pytestmark = pytest.mark.django_db
FIX = reverse("corrections:account_fix")
NEW_ACCOUNT = {"bank": "008", "account_number": "1230004560", "account_holder": "KUB Maju"}


@pytest.fixture
def siti_failed(approve, finance, applicant, client):
    application = approve()
    application.group.user = applicant
    application.group.save(update_fields=["user"])
    batch = services.payment_batch_create(tranches=Tranche.objects.all(), by=finance)
    rows = bankfiles.read_bank_results(result_file([failed_row(batch.lines.get(), reason="account_closed")]))
    services.bank_results_import(rows=rows, file_name="hasil.csv", by=finance)
    client.force_login(applicant)
    return application


def test_the_status_page_says_the_bank_refused_and_why(siti_failed, client):
    html = client.get(reverse("applications:detail", args=[siti_failed.pk])).content.decode()
    assert "Pembayaran ditolak bank" in html
    assert "Rekening sudah ditutup" in html
    assert FIX in html


def test_the_same_account_again_is_refused_and_changes_nothing(siti_failed, client):
    group = siti_failed.group
    data = {"bank": group.bank_id, "account_number": group.account_number, "account_holder": group.account_holder}
    response = client.post(FIX, data)
    assert response.status_code == 400
    assert "Rekening baru sama dengan rekening sekarang" in response.content.decode()
    assert siti_failed.tranches.get().status == Tranche.Status.FAILED
    assert not Correction.objects.exists()


def test_bad_input_is_refused_with_a_message(siti_failed, client):
    response = client.post(FIX, {"bank": "002", "account_number": "12ab", "account_holder": ""})
    assert response.status_code == 400
    assert "Nomor rekening harus 6–20 angka" in response.content.decode()
    assert siti_failed.tranches.get().status == Tranche.Status.FAILED


def test_a_new_account_is_a_proposal_until_an_officer_confirms_it(siti_failed, client, applicant, verifier):
    response = client.post(FIX, NEW_ACCOUNT, follow=True)
    assert "dikirim untuk diperiksa petugas" in response.content.decode()
    group = siti_failed.group
    group.refresh_from_db()
    assert group.account_number != "1230004560"  # nothing changed yet
    assert siti_failed.tranches.get().status == Tranche.Status.FAILED
    correction = Correction.objects.get()
    assert (correction.proposed_by, correction.new_values["account_number"]) == (applicant, "1230004560")
    assert "Rekening sudah ditutup" in correction.reason

    page = client.get(FIX).content.decode()
    assert "sedang diperiksa petugas" in page and 'name="account_number"' not in page
    client.post(FIX, {**NEW_ACCOUNT, "account_number": "9990004560"})
    assert Correction.objects.count() == 1

    correction_confirm(correction=correction, by=verifier)
    assert siti_failed.tranches.get().status == Tranche.Status.SCHEDULED
    group.refresh_from_db()
    assert group.account_number == "1230004560"
    assert group.history.latest().history_user == verifier


def test_a_group_without_a_failed_transfer_cannot_change_its_funded_account(approve, applicant, client):
    application = approve()
    application.group.user = applicant
    application.group.save(update_fields=["user"])
    client.force_login(applicant)
    assert client.get(FIX).status_code == 302
    client.post(FIX, NEW_ACCOUNT)
    application.group.refresh_from_db()
    assert application.group.account_number != "1230004560"
    assert not Correction.objects.exists()
