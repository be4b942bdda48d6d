"""Cek status without an account: the same answer for any pair, a code only for the registered phone,
clear refusals, 429 with Retry-After, and a status page that shows only that application's own data."""

import time

import pytest
from django.utils import timezone

from groups.models import Member
from notifications import sms
from notifications.models import Message, OneTimeCode
from notifications.services import messages_due_sweep
from statuscheck import services, views
from tests.statuscheck.conftest import CODE, LOOKUP, STATUS, ketua_phone, last_code, without_tokens
from tests.transparency.conftest import everyone_secret

pytestmark = pytest.mark.django_db

GROUP_PHONE_WRONG = "0857-1111-2222"


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST as a browser would, with what the request queued (the SMS) run after its commit."""

    def _post(url, data, *, on=client, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return on.post(url, data, **extra)

    return _post


def _ask(post, reference, phone, **kwargs):
    return post(LOOKUP, {"reference": reference, "phone": phone}, **kwargs)


def _proved(client, post, siti):
    _ask(post, siti.reference, ketua_phone(siti))
    return post(CODE, {"code": last_code()})


# --- no enumeration ---------------------------------------------------------------------------------


def test_an_unknown_number_a_wrong_phone_and_the_right_pair_get_the_same_answer(
    siti, django_capture_on_commit_callbacks
):
    from django.test import Client

    right_phone = ketua_phone(siti)
    pairs = {
        "unknown number": ("JPS-2020-TKM-32-999999", right_phone),
        "wrong phone": (siti.reference, right_phone[:-4] + "9999"),
        "right pair": (siti.reference, right_phone),
    }
    answers = {}
    for name, (reference, phone) in pairs.items():
        browser = Client()
        with django_capture_on_commit_callbacks(execute=True):
            asked = browser.post(LOOKUP, {"reference": reference, "phone": phone})
        page = browser.get(CODE)
        masked = views.phone_masked(services.phone_normalise(phone))
        answers[name] = (
            asked.status_code,
            asked["Location"],
            page.status_code,
            without_tokens(page.content.decode()).replace(masked, "…"),
        )

    assert answers["unknown number"] == answers["wrong phone"] == answers["right pair"]
    assert answers["right pair"][:3] == (302, CODE, 200)
    assert "Jika data cocok, kode 6 angka dikirim" in answers["right pair"][3]
    # The same work behind each answer: a code row per lookup, but an SMS only for the right pair.
    assert OneTimeCode.objects.filter(purpose=services.OTP_PURPOSE).count() == 3
    assert [message.to for message in sms.outbox] == [services.phone_normalise(right_phone)]


def test_the_group_contact_phone_also_receives_the_code(siti, post):
    _ask(post, siti.reference.lower().replace("-", "- "), siti.group.phone)
    assert [message.to for message in sms.outbox] == [services.phone_normalise(siti.group.phone)]


def test_a_member_who_is_not_the_ketua_gets_no_code(siti, post):
    member = Member.objects.filter(group=siti.group, role=Member.Role.ANGGOTA).first()
    response = _ask(post, siti.reference, member.phone)
    assert response.status_code == 302 and sms.outbox == []


def test_a_malformed_number_or_phone_is_told_how_to_write_it_and_nothing_is_sent(siti, post):
    response = _ask(post, "12345", "abc")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nomor pendaftaran ditulis seperti JPS-2020-TKM-32-000123." in body
    assert "Nomor HP tidak valid" in body
    assert not OneTimeCode.objects.exists() and sms.outbox == []


# --- the code ---------------------------------------------------------------------------------------


def test_the_right_code_opens_the_status_page_for_fifteen_minutes(client, post, siti, monkeypatch):
    response = _proved(client, post, siti)
    assert response.status_code == 302 and response["Location"] == STATUS
    page = client.get(STATUS)
    assert page.status_code == 200 and "JPS-2020-TKM-32-000123" in page.content.decode()
    assert {"private", "no-store"} <= {part.strip() for part in page["Cache-Control"].split(",")}

    later = time.time() + services.ACCESS_SECONDS + 1
    monkeypatch.setattr(views.time, "time", lambda: later)
    expired = client.get(STATUS, follow=True)
    assert expired.redirect_chain == [(LOOKUP, 302)]
    assert "Waktu melihat status sudah habis (15 menit)" in expired.content.decode()
    monkeypatch.undo()
    assert client.get(STATUS)["Location"] == LOOKUP  # gone for good, not only while the clock is late


def test_the_status_page_needs_a_proved_phone(client):
    assert client.get(STATUS)["Location"] == LOOKUP
    assert client.get(CODE)["Location"] == LOOKUP


def test_a_code_for_an_unmatched_pair_never_opens_anything(client, post, siti):
    _ask(post, siti.reference, GROUP_PHONE_WRONG)
    # The code was never sent; whatever is typed is refused.
    response = post(CODE, {"code": "000000"})
    assert response.status_code == 200 and "Kode salah" in response.content.decode()
    assert client.get(STATUS)["Location"] == LOOKUP


def test_a_wrong_code_says_how_many_tries_are_left_and_five_kill_it(client, post, siti):
    _ask(post, siti.reference, ketua_phone(siti))
    right = last_code()
    wrong = "000000" if right != "000000" else "111111"
    first = post(CODE, {"code": wrong}).content.decode()
    assert "Kode salah. Sisa percobaan: 4." in first
    for _try in range(4):
        last = post(CODE, {"code": wrong}).content.decode()
    assert "terlalu sering salah dimasukkan" in last
    refused = post(CODE, {"code": right})
    assert refused.status_code == 200 and "terlalu sering salah dimasukkan" in refused.content.decode()
    assert client.get(STATUS)["Location"] == LOOKUP


def test_an_expired_code_is_refused_and_says_so(client, post, siti):
    _ask(post, siti.reference, ketua_phone(siti))
    OneTimeCode.objects.update(expires_at=timezone.now())
    response = post(CODE, {"code": last_code()})
    assert "Kode sudah kedaluwarsa atau sudah dipakai. Minta kode baru." in response.content.decode()
    assert client.get(STATUS)["Location"] == LOOKUP


# --- limits -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("matched", [True, False])
def test_too_many_lookups_for_one_phone_are_429_with_retry_after_whether_or_not_it_matches(
    siti, post, settings, matched
):
    phone = ketua_phone(siti) if matched else GROUP_PHONE_WRONG
    for _try in range(settings.OTP_PHONE_LIMIT):
        assert _ask(post, siti.reference, phone).status_code == 302
    response = _ask(post, siti.reference, phone)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.OTP_PHONE_WINDOW_SECONDS
    assert "Terlalu banyak permintaan. Coba lagi dalam 15 menit." in response.content.decode()


def test_too_many_code_tries_from_one_address_are_429_with_retry_after(siti, post, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "status-check-code": (2, 900)}
    _ask(post, siti.reference, ketua_phone(siti))
    for _try in range(2):
        assert post(CODE, {"code": "123"}).status_code == 200
    response = post(CODE, {"code": last_code()})
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 900


# --- what the status page shows ---------------------------------------------------------------------


def test_the_status_page_shows_the_history_the_tahap_and_the_groups_own_open_tickets(client, post, siti, tickets):
    _proved(client, post, siti)
    page = client.get(STATUS).content.decode()

    assert "Kelompok Tani Mekar Sari" in page and "Dalam penyaluran" in page
    for day in ["1 Juli 2020", "11 Juli 2020", "21 Juli 2020", "31 Juli 2020"]:
        assert day in page
    assert "Rp\xa016.000.000" in page or "Rp 16.000.000" in page or "16.000.000" in page
    assert "24.000.000" in page and "14 Agustus 2020" in page
    for shown in ["objection", "payment", "pungli_by_ketua"]:
        assert tickets[shown].number in page
    for hidden in ["pungli_by_other", "closed", "other_group"]:
        assert tickets[hidden].number not in page


def test_the_status_page_never_shows_nik_names_phones_account_numbers_or_notes(client, post, siti, tickets):
    _proved(client, post, siti)
    page = client.get(STATUS).content.decode()
    secrets = everyone_secret({"siti": [siti]})
    assert secrets and not [secret for secret in secrets if secret in page]
    assert "Catatan internal petugas" not in page and "Pak Camat" not in page
    assert "Uraian pengaduan" not in page  # ticket texts stay on their own tracking pages


def test_the_status_page_answers_in_english_when_asked(client, post, siti):
    _proved(client, post, siti)
    client.cookies["django_language"] = "en"
    page = client.get(STATUS).content.decode()
    assert "Application status" in page and "Payment tranches" in page


# --- the SMS gateway down ---------------------------------------------------------------------------


def test_a_gateway_that_is_down_keeps_the_code_in_the_outbox_and_the_page_answers_the_same(
    client, post, siti, monkeypatch, django_capture_on_commit_callbacks
):
    def gateway_down(self, *, to, body, reference):
        raise sms.SmsDeliveryError("503 Service Unavailable")

    monkeypatch.setattr(sms.LocmemBackend, "send", gateway_down)
    response = _ask(post, siti.reference, ketua_phone(siti))
    assert response.status_code == 302 and response["Location"] == CODE
    waiting = Message.objects.get()
    assert waiting.status == Message.Status.PENDING and waiting.attempts == 1 and "503" in waiting.last_error
    assert client.get(CODE).status_code == 200

    monkeypatch.undo()  # the gateway is back; the sweep hands the waiting message over
    Message.objects.update(next_attempt_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        messages_due_sweep()
    assert Message.objects.get().status == Message.Status.SENT
    assert post(CODE, {"code": last_code()})["Location"] == STATUS


def test_the_status_report_costs_four_queries_however_long_the_history(siti, tickets, django_assert_num_queries):
    phone = services.phone_normalise(ketua_phone(siti))
    with django_assert_num_queries(4):
        report = services.status_report(application_id=siti.pk, phone=phone)
        [ticket.category.name for ticket in report.tickets]
        [change.get_to_status_display() for change in report.history]
