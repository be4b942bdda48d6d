"""Webhooks from the outbox: written with the event, sent after commit, signed, retried with backoff,
abandoned after the limit, sent again by hand, and kept inside the client's region."""

import datetime
import re
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from applications import services as application_services
from applications.models import Application
from jps_portal import events
from partners.models import Scope
from tests.factories import ApplicationFactory, GroupFactory, UserFactory
from tests.partners.conftest import make_client
from tests.webhooks.conftest import subscribe
from webhooks import services, signing
from webhooks.models import Delivery, DeliveryAttempt, Event

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def _documented_check():  # noqa: ANN202
    """The receiver's signature check exactly as docs/api.md prints it."""
    text = DOCS.read_text()
    snippet = re.search(r"<!-- webhook-signature-check -->\s*```python\n(.*?)```", text, re.S)
    assert snippet, "docs/api.md lost its webhook signature snippet"
    namespace: dict = {}
    exec(snippet.group(1), namespace)  # noqa: S102  (our own documentation, under test)
    return namespace["jps_signature_valid"]


def _submitted(regency: str = "32.04") -> Application:
    return ApplicationFactory(group=GroupFactory(regency_id=regency), status=Application.Status.SUBMITTED)


def _verify(application: Application, verifier) -> None:  # noqa: ANN001
    application_services.application_verify(application=application, by=verifier)


def _make_due(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


def test_a_status_change_is_delivered_after_commit_signed_as_documented(
    jabar_subscription, receiver, verifier, django_capture_on_commit_callbacks
):
    subscription, secret = jabar_subscription
    application = _submitted()

    with django_capture_on_commit_callbacks(execute=True):
        _verify(application, verifier)
        assert Delivery.objects.get().status == Delivery.Status.PENDING  # written with the change…
        assert receiver.requests == []  # …and nothing sent inside the transaction

    [request] = receiver.requests
    body = request["body"]
    assert _documented_check()(secret, request["headers"]["X-JPS-Signature"], body)
    assert not _documented_check()(secret, request["headers"]["X-JPS-Signature"], body + b" ")
    payload = receiver.events()[0]
    assert payload["type"] == "application.status_changed"
    assert payload["data"] | {"changed_at": None} == {
        "application_id": application.pk,
        "reference": application.reference,
        "group_id": application.group_id,
        "from_status": "submitted",
        "to_status": "verified",
        "changed_at": None,
        "reason_codes": [],
    }
    assert request["headers"]["X-JPS-Event-Id"] == payload["id"] == str(Event.objects.get().pk)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (Delivery.Status.DELIVERED, 1, 200)
    assert DeliveryAttempt.objects.get().succeeded


def test_an_old_signature_is_refused_by_the_documented_check():
    check = _documented_check()
    old = int(timezone.now().timestamp()) - 301
    header = signing.header_value(secret="whsec_x", timestamp=old, body=b"{}")
    assert not check("whsec_x", header, b"{}")
    assert not signing.verify(secret="whsec_x", header=header, body=b"{}", now=old + 301)
    assert signing.verify(secret="whsec_x", header=header, body=b"{}", now=old + 5)


def test_a_rolled_back_change_writes_and_sends_nothing(jabar_subscription, receiver, verifier):
    application = _submitted()

    with pytest.raises(RuntimeError), transaction.atomic():
        _verify(application, verifier)
        assert Delivery.objects.count() == 1
        raise RuntimeError("the caller fails after the change")

    assert (Event.objects.count(), Delivery.objects.count(), receiver.requests) == (0, 0, [])


def test_an_event_in_jawa_tengah_never_reaches_a_jawa_barat_client(
    jabar_subscription, receiver, portal_admin, django_capture_on_commit_callbacks
):
    national = make_client(name="SIAPkerja", scopes=[Scope.APPLICATIONS_READ], national=True, by=portal_admin)
    national_subscription, _secret = subscribe(national, receiver.url + "?national", by=portal_admin)
    semarang = _submitted("33.74")

    sari = UserFactory(username="sari", first_name="Sari", role=Role.VERIFIER, scope_national=True)
    with django_capture_on_commit_callbacks(execute=True):
        _verify(semarang, sari)

    assert list(Delivery.objects.values_list("subscription", flat=True)) == [national_subscription.pk]
    assert [request["path"] for request in receiver.requests] == ["/hooks/jps?national"]
    assert receiver.events()[0]["data"]["application_id"] == semarang.pk


def test_a_client_without_applications_read_or_inactive_gets_nothing(
    jabar_subscription, receiver, verifier, django_capture_on_commit_callbacks
):
    subscription, _secret = jabar_subscription
    subscription.client.is_active = False
    subscription.client.save(update_fields=["is_active"])

    with django_capture_on_commit_callbacks(execute=True):
        _verify(_submitted(), verifier)

    assert (Delivery.objects.count(), receiver.requests) == (0, [])


def test_the_retry_schedule_doubles_from_a_minute_and_is_capped(settings):
    settings.WEBHOOK_BACKOFF_BASE_SECONDS, settings.WEBHOOK_BACKOFF_CAP_SECONDS = 60, 6 * 3600
    assert [services.backoff_seconds(n) for n in range(1, 12)] == [
        60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600, 21600,
    ]  # fmt: skip


def test_a_failing_receiver_is_retried_with_backoff_then_given_up(
    jabar_subscription, receiver, verifier, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.status = 500
    with django_capture_on_commit_callbacks(execute=True):
        _verify(_submitted(), verifier)
    delivery = Delivery.objects.get()
    waits = []
    for _round in range(5):  # bounded: more rounds than the limit allows
        delivery.refresh_from_db()
        if delivery.status != Delivery.Status.PENDING:
            break
        waits.append(round((delivery.next_attempt_at - DeliveryAttempt.objects.last().attempted_at).total_seconds()))
        assert services.delivery_send(delivery_id=delivery.pk) is False  # not due yet: nothing sent
        _make_due(delivery)
        services.delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert waits == [60, 120]
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (Delivery.Status.FAILED, 3, None)
    assert delivery.last_error == "Penerima menjawab HTTP 500."
    assert len(receiver.requests) == 3 == DeliveryAttempt.objects.filter(succeeded=False).count()


def test_a_receiver_down_for_an_hour_gets_everything_once_it_is_back(
    jabar_subscription, receiver, verifier, django_capture_on_commit_callbacks
):
    receiver.status = 503  # down
    with django_capture_on_commit_callbacks(execute=True):
        for application in (_submitted(), _submitted()):
            _verify(application, verifier)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.PENDING}

    receiver.status = 200  # back an hour later: every retry that was due by then goes out
    an_hour_later = timezone.now() + datetime.timedelta(hours=1)
    claimed = services.deliveries_claim_due(now=an_hour_later)
    services.deliveries_send_claimed(delivery_ids=claimed)

    assert sorted(claimed) == sorted(Delivery.objects.values_list("pk", flat=True))
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.DELIVERED}
    assert len({e["id"] for e in receiver.events()}) == 2


def test_an_unreachable_receiver_is_recorded_and_retried(portal_admin, verifier, django_capture_on_commit_callbacks):
    client = make_client(name="Mati", scopes=[Scope.APPLICATIONS_READ], provinces=["32"], by=portal_admin)
    subscribe(client, "http://127.0.0.1:9/nobody-listens", by=portal_admin)
    with django_capture_on_commit_callbacks(execute=True):
        _verify(_submitted(), verifier)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (Delivery.Status.PENDING, 1, None)
    assert delivery.last_error and delivery.next_attempt_at > timezone.now()


def test_a_lost_task_is_picked_up_by_the_sweep(
    jabar_subscription, receiver, verifier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the broker lost the message
        _verify(_submitted(), verifier)
    assert receiver.requests == []

    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_due_sweep() == 1

    assert Delivery.objects.get().status == Delivery.Status.DELIVERED
    assert len(receiver.requests) == 1


def test_sending_a_delivery_twice_sends_it_once(
    jabar_subscription, receiver, verifier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _verify(_submitted(), verifier)
    delivery = Delivery.objects.get()

    assert services.delivery_send(delivery_id=delivery.pk) is False
    assert services.deliveries_claim_due() == []
    assert len(receiver.requests) == 1


def test_a_redelivery_sends_the_same_event_again(
    jabar_subscription, receiver, verifier, portal_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _verify(_submitted(), verifier)
    delivery = Delivery.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_redeliver(delivery=delivery, by=portal_admin)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.redelivered_by) == (
        Delivery.Status.DELIVERED, 1, portal_admin,
    )  # fmt: skip
    first, second = receiver.requests
    assert first["headers"]["X-JPS-Event-Id"] == second["headers"]["X-JPS-Event-Id"]
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 2


def test_a_pending_delivery_cannot_be_redelivered(
    jabar_subscription, verifier, portal_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        _verify(_submitted(), verifier)
    with pytest.raises(services.WebhookError):
        services.delivery_redeliver(delivery=Delivery.objects.get(), by=portal_admin)


def test_an_unknown_event_type_is_refused():
    with pytest.raises(ValueError, match="Unknown"):
        events.publish([events.Event(type="application.deleted", data={}, province_code="32")])
