"""Issue 11 §1: a phone-only account resets its password with a one-time code by SMS, from the same
"Lupa kata sandi" page; the page never tells which numbers are registered."""

import datetime
import re

import pytest
from django.contrib.auth import authenticate
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from notifications import sms
from notifications.models import OneTimeCode
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

RESET_URL = reverse("accounts:password_reset")
CODE_URL = reverse("accounts:password_reset_code")
NEW_PASSWORD = "Sawah-Hijau-2026"


@pytest.fixture
def ujang(db):
    """Ujang, ketua of a kelompok tani, with a phone number and no e-mail address."""
    return UserFactory(username="hp-081234567890", email="", phone="081234567890", role=Role.GROUP)


def _ask(client, number: str = "0812-3456-7890", **kwargs):
    return client.post(RESET_URL, {"email": number}, **kwargs)


def _code() -> str:
    return re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)


def _enter(client, code: str, password: str = NEW_PASSWORD):
    return client.post(CODE_URL, {"code": code, "new_password1": password, "new_password2": password})


def test_a_phone_only_ketua_gets_a_code_by_sms_and_sets_a_new_password(
    client, ujang, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client)
    assert response.status_code == 302 and response.url == CODE_URL
    [text] = sms.outbox
    assert text.to == "+6281234567890" and "Kode JPS Kemnaker Anda" in text.body
    page = client.get(CODE_URL).content.decode()
    assert "0812****890" in page and "Masukkan kode dari SMS" in page
    response = _enter(client, _code())
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_complete")
    assert authenticate(username="081234567890", password=NEW_PASSWORD) is not None
    code_row = OneTimeCode.objects.get()
    assert code_row.code_hash and _code() not in code_row.code_hash  # stored hashed


def test_an_unknown_number_gets_the_same_answer_and_no_sms(client, ujang, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = _ask(client)
        known_page = client.get(CODE_URL).content.decode()
    other = client.__class__()
    with django_capture_on_commit_callbacks(execute=True):
        unknown = _ask(other, "0813-9999-0000")
        unknown_page = other.get(CODE_URL).content.decode()
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    strip = lambda html: re.sub(r'value="[^"]*"|08\d\d\*+\d{3}', "", html)  # noqa: E731
    assert strip(known_page) == strip(unknown_page)
    assert len(sms.outbox) == 1  # only the registered number got one
    assert _enter(other, "123456").status_code == 200  # and no code works for the unknown number


def test_a_wrong_code_is_refused_and_the_password_stays(client, ujang, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    right = _code()
    wrong = "000000" if right != "000000" else "111111"
    response = _enter(client, wrong)
    assert response.status_code == 200
    assert "Kode salah, sudah kedaluwarsa, atau sudah terlalu sering dicoba." in response.content.decode()
    assert authenticate(username="081234567890", password=NEW_PASSWORD) is None
    assert _enter(client, right).status_code == 302  # one wrong try does not kill the code


def test_an_expired_code_is_refused(client, ujang, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    OneTimeCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = _enter(client, _code())
    assert response.status_code == 200 and "sudah kedaluwarsa" in response.content.decode()
    assert authenticate(username="081234567890", password=NEW_PASSWORD) is None


def test_five_wrong_tries_kill_the_code(client, ujang, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    right = _code()
    wrong = "000000" if right != "000000" else "111111"
    for _try in range(5):
        _enter(client, wrong)
    assert _enter(client, right).status_code == 200  # even the right code no longer works
    assert authenticate(username="081234567890", password=NEW_PASSWORD) is None


def test_a_code_works_once(client, ujang, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    code = _code()
    assert _enter(client, code).status_code == 302
    _ask(client)  # a second visit to the code page, with the old code
    assert _enter(client, code, password="Another-Password-99").status_code == 200


def test_asking_for_codes_too_often_is_refused_in_indonesian(client, ujang, settings):
    settings.OTP_PHONE_LIMIT = 2
    _ask(client)
    _ask(client)
    response = _ask(client)
    assert response.status_code == 429 and response["Retry-After"]
    assert "Terlalu banyak permintaan kode. Coba lagi dalam" in response.content.decode()


def test_code_tries_are_limited_per_ip_address(client, ujang, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "password-reset-code": (3, 900)}
    _ask(client)
    for _try in range(3):
        assert _enter(client, "999999").status_code == 200
    response = _enter(client, "999999")
    assert response.status_code == 429 and "Terlalu banyak permintaan kode" in response.content.decode()


def test_the_code_page_needs_a_number_asked_for_first(client):
    response = client.get(CODE_URL)
    assert response.status_code == 302 and response.url == RESET_URL


def test_the_new_password_must_pass_the_rules_before_the_code_is_spent(
    client, ujang, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    response = _enter(client, _code(), password="123")
    assert response.status_code == 200 and response.context["form"].errors["new_password1"]
    assert OneTimeCode.objects.get().consumed_at is None  # still usable with a good password
    assert _enter(client, _code()).status_code == 302


def test_a_malformed_number_is_refused_with_a_hint(client):
    response = _ask(client, "12ab")
    assert response.status_code == 200 and "Nomor HP tidak valid" in response.content.decode()


def test_an_email_address_still_gets_a_link(client, applicant, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, "siti@example.id")
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1 and not sms.outbox
