"""The outbox: a message is stored with the event that caused it, delivered after commit, retried with
backoff while the mail server or SMS gateway is down, recorded attempt by attempt, and sent once."""

import datetime

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from notifications import services, sms
from notifications.models import Message, MessageAttempt
from notifications.services import MessageDraft, message_queue, messages_queue_bulk
from notifications.tasks import deliver_due_messages, deliver_message

pytestmark = pytest.mark.django_db


def _queue_code_sms(**overrides):
    arguments = {
        "channel": Message.Channel.SMS,
        "to": "0812-3456-7890",
        "template": "one_time_code",
        "context": {"code": "123456", "minutes": 10},
    }
    return message_queue(**(arguments | overrides))


def test_a_message_is_stored_at_once_and_sent_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = _queue_code_sms()
        assert sms.outbox == []  # nothing leaves before the transaction commits
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.sent_at is not None
    assert [(sent.to, sent.reference) for sent in sms.outbox] == [("+6281234567890", f"jps-{message.pk}")]
    assert "123456" in sms.outbox[0].body and "10 menit" in sms.outbox[0].body
    assert list(message.delivery_attempts.values_list("succeeded", flat=True)) == [True]


def test_a_rolled_back_event_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                _queue_code_sms()
                raise RuntimeError("the event failed")
        except RuntimeError:
            pass
    assert Message.objects.count() == 0 and sms.outbox == []


def test_the_same_dedupe_key_queues_and_sends_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _queue_code_sms(dedupe_key="tranche-paid:7")
        second = _queue_code_sms(dedupe_key="tranche-paid:7")
    assert first.pk == second.pk
    assert Message.objects.count() == 1 and len(sms.outbox) == 1
    assert deliver_message(first.pk) is False  # a late duplicate of the task sends nothing
    assert len(sms.outbox) == 1


def test_an_email_is_rendered_in_the_chosen_language(django_capture_on_commit_callbacks, applicant):
    context = {"user": applicant, "link": "https://jps.example.go.id/akun/aktifkan/x/y/", "valid_days": 3}
    with django_capture_on_commit_callbacks(execute=True):
        message_queue(channel="email", to="siti@example.id", template="account_verification", context=context)
        message_queue(
            channel="email", to="siti@example.id", template="account_verification", context=context, language="en"
        )
    indonesian, english = mail.outbox
    assert indonesian.subject == "Aktifkan akun Portal JPS Anda"
    assert english.subject == "Activate your JPS Portal account"
    assert "https://jps.example.go.id/akun/aktifkan/x/y/" in indonesian.body


def test_a_gateway_that_is_down_delays_the_message_and_the_sweep_sends_it_when_it_returns(
    monkeypatch, django_capture_on_commit_callbacks
):
    def gateway_down(self, *, to, body, reference):
        raise sms.SmsDeliveryError("503 Service Unavailable")

    monkeypatch.setattr(sms.LocmemBackend, "send", gateway_down)
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue_code_sms()
    message.refresh_from_db()
    assert message.status == Message.Status.PENDING and message.attempts == 1
    assert "503" in message.last_error
    assert message.next_attempt_at > timezone.now()  # backs off
    assert deliver_due_messages() == 0  # not due yet

    monkeypatch.undo()
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_due_messages() == 1
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.attempts == 2
    assert list(message.delivery_attempts.values_list("succeeded", flat=True)) == [False, True]
    assert len(sms.outbox) == 1


def test_backoff_doubles_and_is_capped(monkeypatch):
    monkeypatch.setattr(sms.LocmemBackend, "send", lambda self, **kwargs: (_ for _ in ()).throw(OSError("down")))
    message = _queue_code_sms()
    waits = []
    for _attempt in range(9):
        Message.objects.filter(pk=message.pk).update(next_attempt_at=None)
        before = timezone.now()
        services.message_deliver(message_id=message.pk)
        message.refresh_from_db()
        waits.append(round((message.next_attempt_at - before).total_seconds()))
    assert waits[:4] == [30, 60, 120, 240]
    assert waits[-1] == services.BACKOFF_CAP_SECONDS


def test_a_message_still_failing_after_the_give_up_time_is_marked_failed_and_can_be_resent(
    monkeypatch, django_capture_on_commit_callbacks, admin_user
):
    monkeypatch.setattr(EmailMessage, "send", lambda self: (_ for _ in ()).throw(OSError("SMTP down")))
    message = Message.objects.create(channel="email", to="siti@example.id", template="x", subject="S", body="B")
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - datetime.timedelta(hours=49))
    assert services.message_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.next_attempt_at is None

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.message_resend(message=message, by=admin_user)
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert [m.subject for m in mail.outbox] == ["S"]


def test_a_sent_message_cannot_be_resent(admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = _queue_code_sms()
    with pytest.raises(ValueError):
        services.message_resend(message=message, by=admin_user)


def test_two_workers_delivering_the_same_message_send_it_once():
    message = _queue_code_sms()
    assert services.message_deliver(message_id=message.pk) is True
    assert services.message_deliver(message_id=message.pk) is False
    assert len(sms.outbox) == 1


def test_a_message_claimed_by_a_worker_that_died_is_sent_after_the_claim_lapses():
    message = _queue_code_sms()
    Message.objects.filter(pk=message.pk).update(claimed_until=timezone.now() + datetime.timedelta(seconds=60))
    assert services.message_deliver(message_id=message.pk) is False  # another worker holds it
    Message.objects.filter(pk=message.pk).update(claimed_until=timezone.now() - datetime.timedelta(seconds=1))
    assert services.message_deliver(message_id=message.pk) is True


def test_a_code_message_that_expired_before_delivery_is_not_sent_and_its_code_is_hidden():
    message = _queue_code_sms(
        body_redacted="Kode sekali pakai (disembunyikan).", expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert services.message_deliver(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.status == Message.Status.EXPIRED and "123456" not in message.body
    assert sms.outbox == []


def test_a_delivered_code_message_keeps_no_readable_code():
    message = _queue_code_sms(body_redacted="Kode sekali pakai (disembunyikan).")
    services.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert "123456" in sms.outbox[0].body
    assert message.body == "Kode sekali pakai (disembunyikan)."


def test_bulk_queueing_is_one_insert_rendered_by_the_worker(
    django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    drafts = [
        MessageDraft(
            channel="sms",
            to=f"08123456{n:04d}",
            template="one_time_code",
            context={"code": f"{n:06d}", "minutes": 10},
            dedupe_key=f"bulk:{n}",
        )
        for n in range(50)
    ]
    with django_capture_on_commit_callbacks(execute=False):
        with django_assert_max_num_queries(3):
            assert messages_queue_bulk(drafts=drafts) == 50
        assert messages_queue_bulk(drafts=drafts) == 0  # queued already: nothing new
    assert Message.objects.filter(body="").count() == 50
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_due_messages() == 50
    assert len(sms.outbox) == 50
    assert "000007" in next(s.body for s in sms.outbox if s.to == "+6281234560007")


def test_an_unknown_phone_shape_is_refused_before_anything_is_stored():
    with pytest.raises(ValueError):
        _queue_code_sms(to="12")
    assert Message.objects.count() == 0


def test_the_http_gateway_posts_json_with_the_token(settings, monkeypatch):
    import json
    import urllib.request

    seen = {}

    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, size):
            return b'{"id": "gw-42"}'

    def fake_urlopen(request, timeout):
        seen.update(url=request.full_url, auth=request.headers["Authorization"], body=json.loads(request.data))
        return Answer()

    settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = "http://127.0.0.1:9/send", "t0ken"
    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    reference = sms.HttpGatewayBackend().send(to="+6281234567890", body="Halo", reference="jps-1")
    assert reference == "gw-42"
    assert seen == {
        "url": "http://127.0.0.1:9/send",
        "auth": "Bearer t0ken",
        "body": {"to": "+6281234567890", "message": "Halo", "sender": settings.SMS_SENDER_ID, "reference": "jps-1"},
    }


def test_the_http_gateway_refusing_is_a_delivery_error(settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"  # discard port: nothing listens
    with pytest.raises(sms.SmsDeliveryError):
        sms.HttpGatewayBackend().send(to="+6281234567890", body="Halo", reference="jps-1")


def test_every_attempt_is_recorded():
    message = _queue_code_sms()
    services.message_deliver(message_id=message.pk)
    assert MessageAttempt.objects.filter(message=message, succeeded=True).count() == 1
