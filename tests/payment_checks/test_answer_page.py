"""/cek-bantuan/<token>/: a sampled group's ketua or bendahara answers without an account; a
discrepancy opens one payment complaint on the tranche; bad links get a clear page, never a 500."""

import datetime

import pytest
from django.core import signing
from django.urls import reverse

from grievances.models import Ticket
from payment_checks import services
from payment_checks.models import Respondent, SampledPayment, SampleStatusChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def ketua(small_plan, reconciled_batch) -> Respondent:
    reconciled_batch({"32.04": 2})
    return Respondent.objects.filter(role="ketua").select_related("sample").order_by("pk").first()


def _url(respondent: Respondent) -> str:
    return reverse("payment_checks:answer", args=[services.respondent_token(respondent.pk)])


def test_the_page_shows_the_payment_in_indonesian(client, ketua):
    response = client.get(_url(ketua))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cek bantuan JPS" in page
    assert "Apakah dana bantuan ini sudah diterima kelompok Anda?" in page
    assert "Diterima penuh" in page and "Diterima sebagian" in page and "Tidak diterima" in page
    assert ketua.sample.group.name in page


def test_received_in_full_confirms_the_sample_and_opens_no_ticket(client, ketua):
    response = client.post(_url(ketua), {"answer": "full"})
    assert response.status_code == 200
    assert "Terima kasih" in response.content.decode()
    sample = SampledPayment.objects.get(pk=ketua.sample_id)
    assert sample.status == "confirmed" and sample.amount_received == sample.amount
    assert sample.answered_via == "sms_link"
    assert not Ticket.objects.exists()
    change = SampleStatusChange.objects.get(sample=sample)
    assert (change.from_status, change.to_status) == ("awaiting", "confirmed")


def test_not_received_opens_one_payment_ticket_on_the_tranche(client, ketua):
    client.post(_url(ketua), {"answer": "none"})
    client.post(_url(ketua), {"answer": "none"})
    sample = SampledPayment.objects.get(pk=ketua.sample_id)
    ticket = Ticket.objects.get()
    assert sample.status == "discrepancy" and sample.ticket == ticket
    assert ticket.category.code == "pembayaran"
    assert ticket.application_id == sample.tranche.application_id and ticket.group_id == sample.group_id
    assert f"tahap {sample.tranche.number}" in ticket.description
    # The bendahara says the same: still one ticket.
    bendahara = Respondent.objects.get(sample=sample, role="bendahara")
    client.post(_url(bendahara), {"answer": "none"})
    assert Ticket.objects.count() == 1


def test_a_partial_amount_is_recorded_and_opens_the_ticket(client, ketua):
    amount = ketua.sample.amount
    response = client.post(_url(ketua), {"answer": "partial", "amount": "15.000.000"})
    assert response.status_code == 200
    ketua.refresh_from_db()
    assert ketua.answer == "partial" and ketua.amount_received == 15_000_000 < amount
    sample = SampledPayment.objects.get(pk=ketua.sample_id)
    assert sample.status == "discrepancy" and sample.amount_received == 15_000_000
    assert Ticket.objects.count() == 1
    assert "Pengaduan nomor ADU-" in response.content.decode()


def test_a_partial_answer_above_the_transfer_or_without_an_amount_is_refused(client, ketua):
    amount = ketua.sample.amount
    too_much = client.post(_url(ketua), {"answer": "partial", "amount": str(amount + 1)})
    assert too_much.status_code == 400
    assert "Nilai harus antara Rp0 dan" in too_much.content.decode()
    missing = client.post(_url(ketua), {"answer": "partial", "amount": ""})
    assert missing.status_code == 400
    assert "Tuliskan berapa rupiah yang diterima." in missing.content.decode()
    words = client.post(_url(ketua), {"answer": "partial", "amount": "lima juta"})
    assert words.status_code == 400
    ketua.refresh_from_db()
    assert ketua.answer == "" and not Ticket.objects.exists()


def test_a_second_answer_changes_nothing(client, ketua):
    client.post(_url(ketua), {"answer": "full"})
    response = client.post(_url(ketua), {"answer": "none"})
    assert "Jawaban Anda sudah tercatat sebelumnya" in response.content.decode()
    ketua.refresh_from_db()
    assert ketua.answer == "full"
    assert SampledPayment.objects.get(pk=ketua.sample_id).status == "confirmed"
    assert not Ticket.objects.exists()


def test_a_forged_link_is_a_clear_page(client, ketua):
    forged = services.respondent_token(ketua.pk)[:-3] + "abc"
    response = client.get(reverse("payment_checks:answer", args=[forged]))
    assert response.status_code == 404
    assert "Tautan ini tidak valid" in response.content.decode()
    other_salt = signing.dumps(ketua.pk, salt="something.else")
    assert client.post(reverse("payment_checks:answer", args=[other_salt]), {"answer": "none"}).status_code == 404
    assert not Ticket.objects.exists()


def test_an_expired_link_says_so(client, ketua, monkeypatch):
    token = services.respondent_token(ketua.pk)
    later = datetime.datetime.now().timestamp() + 31 * 86400
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = client.post(reverse("payment_checks:answer", args=[token]), {"answer": "none"})
    assert response.status_code == 404
    assert "sudah kedaluwarsa" in response.content.decode()
    ketua.refresh_from_db()
    assert ketua.answer == ""


def test_answers_are_rate_limited_per_address(client, ketua, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "payment-check-answer": (1, 900)}
    client.post(_url(ketua), {"answer": "partial", "amount": ""})
    response = client.post(_url(ketua), {"answer": "full"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    ketua.refresh_from_db()
    assert ketua.answer == ""
