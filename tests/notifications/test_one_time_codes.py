"""One-time SMS codes: hashed, expiring, single-use, attempt-limited, and throttled per phone and per
IP without telling anyone whether a phone is known."""

import datetime

import pytest
from django.utils import timezone

from notifications import sms
from notifications.models import Message, OneTimeCode
from notifications.services import CodeThrottledError, otp_check, otp_send

pytestmark = pytest.mark.django_db

PHONE = "0812-3456-7890"


def _send(phone=PHONE, purpose="password-reset", ip="203.0.113.7", **kwargs):
    otp_send(phone=phone, purpose=purpose, ip=ip, **kwargs)
    return sms.outbox[-1].body.split(": ")[1][:6] if sms.outbox else None


@pytest.fixture(autouse=True)
def _deliver_at_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        yield


def _code_of(body: str) -> str:
    return "".join(ch for ch in body.split(".")[0] if ch.isdigit())


def test_the_code_reaches_the_phone_and_only_its_hash_is_stored(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(phone=PHONE, purpose="password-reset", ip="203.0.113.7")
    [sent] = sms.outbox
    code = _code_of(sent.body)
    assert sent.to == "+6281234567890" and len(code) == 6
    row = OneTimeCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert code not in Message.objects.get().body  # the outbox keeps it hidden once delivered


def test_the_right_code_works_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(phone=PHONE, purpose="password-reset", ip=None)
    code = _code_of(sms.outbox[-1].body)
    assert otp_check(phone="+62 812 3456 7890", purpose="password-reset", code=code) is True
    assert otp_check(phone=PHONE, purpose="password-reset", code=code) is False


def test_a_code_is_bound_to_its_purpose_and_phone(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(phone=PHONE, purpose="password-reset", ip=None)
    code = _code_of(sms.outbox[-1].body)
    assert otp_check(phone=PHONE, purpose="status-lookup", code=code) is False
    assert otp_check(phone="081299998888", purpose="password-reset", code=code) is False
    assert otp_check(phone=PHONE, purpose="password-reset", code=code) is True


def test_an_expired_code_is_refused(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(phone=PHONE, purpose="password-reset", ip=None)
    code = _code_of(sms.outbox[-1].body)
    OneTimeCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert otp_check(phone=PHONE, purpose="password-reset", code=code) is False


def test_five_wrong_tries_kill_the_code(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(phone=PHONE, purpose="password-reset", ip=None)
    code = _code_of(sms.outbox[-1].body)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _try in range(5):
        assert otp_check(phone=PHONE, purpose="password-reset", code=wrong) is False
    assert otp_check(phone=PHONE, purpose="password-reset", code=code) is False


def test_a_new_code_replaces_the_old_one(django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        otp_send(phone=PHONE, purpose="password-reset", ip=None)
        otp_send(phone=PHONE, purpose="password-reset", ip=None)
    old, new = (_code_of(s.body) for s in sms.outbox)
    if old != new:
        assert otp_check(phone=PHONE, purpose="password-reset", code=old) is False
    assert otp_check(phone=PHONE, purpose="password-reset", code=new) is True


@pytest.mark.parametrize("garbage", ["", "abc", "12345", "1234567", "１２３４５６", "\x00" * 6, "x" * 10_000])
def test_bad_input_is_simply_false(garbage):
    otp_send(phone=PHONE, purpose="password-reset", ip=None)
    assert otp_check(phone=PHONE, purpose="password-reset", code=garbage) is False
    assert otp_check(phone="not a phone", purpose="password-reset", code="123456") is False


def test_a_phone_is_throttled_after_three_codes_with_a_retry_time(settings):
    for _n in range(3):
        otp_send(phone=PHONE, purpose="password-reset", ip=None)
    with pytest.raises(CodeThrottledError) as refused:
        otp_send(phone=PHONE, purpose="password-reset", ip=None)
    assert 0 < refused.value.retry_after <= settings.OTP_PHONE_WINDOW_SECONDS
    assert OneTimeCode.objects.count() == 3


def test_one_ip_asking_for_many_phones_is_throttled(settings):
    settings.OTP_IP_LIMIT = 4
    for n in range(4):
        otp_send(phone=f"08123456{n:04d}", purpose="status-lookup", ip="198.51.100.9")
    with pytest.raises(CodeThrottledError):
        otp_send(phone="081234569999", purpose="status-lookup", ip="198.51.100.9")
    otp_send(phone="081234569999", purpose="status-lookup", ip="198.51.100.10")  # another address is not held up


def test_an_unknown_phone_is_recorded_and_throttled_alike_but_gets_no_sms():
    for _n in range(3):
        otp_send(phone=PHONE, purpose="password-reset", ip=None, deliver=False)
    assert sms.outbox == [] and Message.objects.count() == 0
    with pytest.raises(CodeThrottledError):
        otp_send(phone=PHONE, purpose="password-reset", ip=None, deliver=False)


def test_a_masked_phone_reads_as_indonesians_write_it_whichever_form_was_stored():
    from notifications.phones import phone_masked

    assert phone_masked("+6281234567890") == phone_masked("081234567890") == "0812****890"
    assert phone_masked("12345") == "****"
