"""Every write of the webhooks app: subscriptions and their secrets, the outbox, sending, redelivery.

The outbox: ``events_record`` runs inside the transaction of the service that published the events
(``jps_portal.events``) and writes one ``Event`` row and one ``Delivery`` per matching subscription,
so a rolled-back change sends nothing and a committed one cannot be lost. Sending happens after
commit, in workers (``webhooks.tasks``): a delivery is claimed first (a conditional UPDATE for one,
``SELECT … FOR UPDATE SKIP LOCKED`` for a batch), so running a task twice sends nothing twice.
"""

import datetime
import json
import logging
import os
import secrets
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import urllib3
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jps_portal import events
from jps_portal.celery import enqueue_on_commit
from regions.scope import RegionScope
from webhooks import signing
from webhooks.models import EVENT_SCOPE, Delivery, DeliveryAttempt, Event, Subscription

logger = logging.getLogger(__name__)

# A worker holds the deliveries it claimed this long; one that died lets them go again after it.
# Longer than a whole batch of slow receivers: BATCH_SIZE × (connect + read timeouts) + margin.
BATCH_SIZE = 25
CLAIM_SECONDS = 300
# At most this many deliveries a publish call hands to workers one by one; more go to the sweep.
DIRECT_ENQUEUE_LIMIT = 20
USER_AGENT = "JPS-Portal-Webhooks/1"


class WebhookError(Exception):
    """A refused subscription or delivery action (message for the officer)."""


@dataclass(frozen=True)
class IssuedSecret:
    """A signing secret as issued: shown once, on the page that answers the admin action."""

    subscription: Subscription
    secret: str


def backoff_seconds(attempts: int) -> int:
    """Wait after the ``attempts``-th failed try: 1 min, 2, 4, 8 … capped at WEBHOOK_BACKOFF_CAP_SECONDS."""
    return min(settings.WEBHOOK_BACKOFF_BASE_SECONDS * 2 ** (attempts - 1), settings.WEBHOOK_BACKOFF_CAP_SECONDS)


# --- subscriptions ------------------------------------------------------------------------------


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)  # 256 bits


@transaction.atomic
def subscription_save(*, subscription: Subscription, by: AbstractBaseUser | None) -> IssuedSecret | None:
    """Create or change a subscription; a new one gets its secret, returned (and shown) this once."""
    subscription.full_clean(exclude=["secret"])
    issued = None
    if subscription.pk is None:
        subscription.secret = _new_secret()
        subscription.secret_issued_at = timezone.now()
        subscription.created_by = by
        issued = IssuedSecret(subscription=subscription, secret=subscription.secret)
    subscription.save()
    return issued


@transaction.atomic
def subscription_secret_rotate(*, subscription: Subscription, by: AbstractBaseUser | None) -> IssuedSecret:
    """A new signing secret, in force for the next attempt (deliveries are signed when sent)."""
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    locked.secret = _new_secret()
    locked.secret_issued_at = timezone.now()
    locked.save(update_fields=["secret", "secret_issued_at"])
    logger.info("Webhook secret of subscription %s rotated by user %s", locked.pk, getattr(by, "pk", None))
    return IssuedSecret(subscription=locked, secret=locked.secret)


# --- the outbox ---------------------------------------------------------------------------------


def _listening(now: datetime.datetime) -> list[tuple[Subscription, RegionScope]]:
    """Active subscriptions of usable clients that may read applications, with their region scope
    (one query when there are none, three otherwise)."""
    rows = (
        Subscription.objects.filter(is_active=True, client__is_active=True, client__expires_at__gt=now)
        .select_related("client")
        .prefetch_related("client__scope_provinces", "client__scope_regencies")
    )
    result = []
    for subscription in rows:
        client = subscription.client
        if not client.has_scope(EVENT_SCOPE):
            continue
        scope = RegionScope(
            national=client.scope_national,
            province_codes=frozenset(p.code for p in client.scope_provinces.all()),
            regency_codes=frozenset(r.code for r in client.scope_regencies.all()),
        )
        result.append((subscription, scope))
    return result


def events_wanted(types: Iterable[str]) -> bool:
    """Whether any active subscription may want events of ``types`` (one indexed EXISTS query; the
    exact match, region included, is ``events_record``'s)."""
    del types  # subscriptions are few: any active one is reason enough to build the events
    return Subscription.objects.filter(is_active=True).exists()


def events_record(batch: Sequence[events.Event]) -> int:
    """The ``jps_portal.events`` listener: write each event once, with a delivery per subscription
    that wants its type and whose client's region scope covers where it happened (the same rule as
    the API's reads: a Jawa Barat client hears nothing of Jawa Tengah). Returns deliveries written."""
    listening = _listening(timezone.now())
    if not listening:
        return 0
    event_rows: list[Event] = []
    deliveries: list[Delivery] = []
    for event in batch:
        targets = [
            subscription
            for subscription, scope in listening
            if event.type in subscription.events
            and scope.covers(province_code=event.province_code, regency_code=event.regency_code)
        ]
        if not targets:
            continue
        row = Event(
            id=uuid.uuid4(),
            type=event.type,
            occurred_at=event.occurred_at,
            data=event.data,
            province_code=event.province_code,
            regency_code=event.regency_code,
        )
        event_rows.append(row)
        deliveries.extend(Delivery(event_id=row.id, subscription_id=subscription.pk) for subscription in targets)
    if not deliveries:
        return 0
    Event.objects.bulk_create(event_rows, batch_size=2_000)
    Delivery.objects.bulk_create(deliveries, batch_size=2_000)
    _enqueue(deliveries)
    return len(deliveries)


def _enqueue(deliveries: list[Delivery]) -> None:
    from webhooks.tasks import deliver_due_webhooks, deliver_webhook

    if len(deliveries) <= DIRECT_ENQUEUE_LIMIT and all(d.pk for d in deliveries):
        for delivery in deliveries:
            enqueue_on_commit(deliver_webhook, delivery.pk)
    else:  # many at once (a reconciliation): the sweep claims them in batches
        enqueue_on_commit(deliver_due_webhooks)


# --- sending ------------------------------------------------------------------------------------


def _due(now: datetime.datetime) -> Q:
    return (
        Q(status=Delivery.Status.PENDING)
        & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    )


def deliveries_claim_due(*, limit: int = BATCH_SIZE, now: datetime.datetime | None = None) -> list[int]:
    """Take up to ``limit`` due deliveries for this worker. ``SKIP LOCKED`` lets many workers claim
    at once, each its own rows, without waiting on each other (PostgreSQL; SQLite has one writer)."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(_due(now))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(claimed_until=now + datetime.timedelta(seconds=CLAIM_SECONDS))
    return ids


def delivery_send(*, delivery_id: int) -> bool:
    """Claim one due delivery and send it once. False when it was not due (sent, claimed, waiting)."""
    now = timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id)
        .filter(_due(now))
        .update(claimed_until=now + datetime.timedelta(seconds=CLAIM_SECONDS))
    )
    if not claimed:
        return False
    return deliveries_send_claimed(delivery_ids=[delivery_id]).delivered == 1


@dataclass
class SendReport:
    delivered: int = 0
    failed: int = 0


_pool: urllib3.PoolManager | None = None
_pool_lock = threading.Lock()


def http_pool() -> urllib3.PoolManager:
    """This process's connection pool: keep-alive connections per receiver host, reused across
    deliveries; no retries or redirects of its own (the outbox retries)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = urllib3.PoolManager(num_pools=50, maxsize=8, retries=False, headers={"User-Agent": USER_AGENT})
        return _pool


os.register_at_fork(after_in_child=lambda: globals().update(_pool=None))


def body_of(event: Event) -> bytes:
    """The JSON body receivers get: the event's id, type, time and data."""
    payload = {"id": str(event.id), "type": event.type, "occurred_at": event.occurred_at, "data": event.data}
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False).encode()


def _post(pool: urllib3.PoolManager, delivery: Delivery) -> tuple[int | None, str]:
    """POST the delivery; (HTTP status or None, error text). Short timeouts: a slow receiver costs a
    worker a few seconds, never a request of the portal."""
    body = body_of(delivery.event)
    headers = {
        "Content-Type": "application/json",
        "X-JPS-Event-Id": str(delivery.event_id),
        "X-JPS-Event-Type": delivery.event.type,
        "X-JPS-Delivery-Id": str(delivery.pk),
        signing.HEADER: signing.header_value(
            secret=delivery.subscription.secret, timestamp=int(time.time()), body=body
        ),
    }
    timeout = urllib3.Timeout(connect=settings.WEBHOOK_CONNECT_TIMEOUT, read=settings.WEBHOOK_READ_TIMEOUT)
    try:
        response = pool.request(
            "POST", delivery.subscription.target_url, body=body, headers=headers, timeout=timeout,
            retries=False, redirect=False, preload_content=False,
        )  # fmt: skip
        response.drain_conn()  # the body is not read, the connection goes back to the pool
        response.release_conn()
    except Exception as error:  # any network failure of the receiver's side: recorded, retried later
        return None, (str(error) or error.__class__.__name__)[:500]
    if 200 <= response.status < 300:
        return response.status, ""
    return response.status, _("Penerima menjawab HTTP %(status)d.") % {"status": response.status}


def deliveries_send_claimed(*, delivery_ids: Sequence[int], pool: urllib3.PoolManager | None = None) -> SendReport:
    """Send deliveries this worker has claimed, one POST each, and record every outcome (in bulk:
    a batch costs one read and a few writes, whatever its size)."""
    pool = pool or http_pool()
    report = SendReport()
    rows = Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.PENDING).select_related(
        "event", "subscription__client"
    )
    now = timezone.now()
    attempts: list[DeliveryAttempt] = []
    delivered_by_code: dict[int, list[int]] = defaultdict(list)
    for delivery in rows:
        subscription = delivery.subscription
        started = time.perf_counter()
        if not subscription.is_active or not subscription.client.is_usable(now=now):
            status, error = None, _("Langganan atau klien tidak aktif lagi.")
            give_up = True
        else:
            status, error = _post(pool, delivery)
            give_up = False
        attempted_at = timezone.now()
        duration = round((time.perf_counter() - started) * 1000)
        attempts.append(
            DeliveryAttempt(
                delivery_id=delivery.pk,
                attempted_at=attempted_at,
                status_code=status,
                succeeded=not error,
                error=error,
                duration_ms=duration,
            )
        )
        if not error:
            delivered_by_code[status].append(delivery.pk)
            report.delivered += 1
        else:
            _record_failure(delivery, status=status, error=error, now=attempted_at, give_up=give_up)
            report.failed += 1
    with transaction.atomic():
        for code, ids in delivered_by_code.items():
            Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING).update(
                status=Delivery.Status.DELIVERED,
                delivered_at=now,
                attempts=F("attempts") + 1,
                last_status_code=code,
                last_error="",
                claimed_until=None,
                next_attempt_at=None,
            )
        DeliveryAttempt.objects.bulk_create(attempts)
    return report


def _record_failure(
    delivery: Delivery, *, status: int | None, error: str, now: datetime.datetime, give_up: bool
) -> None:
    attempts = delivery.attempts + 1
    give_up = give_up or attempts >= settings.WEBHOOK_MAX_ATTEMPTS
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.FAILED if give_up else Delivery.Status.PENDING,
        attempts=attempts,
        last_status_code=status,
        last_error=error[:500],
        next_attempt_at=None if give_up else now + datetime.timedelta(seconds=backoff_seconds(attempts)),
        claimed_until=None,
    )
    logger.info("Webhook delivery %s failed (attempt %s%s): %s", delivery.pk, attempts, ", gave up" * give_up, error)


SWEEP_BATCHES = 200


def deliveries_due_sweep(*, batches: int = SWEEP_BATCHES) -> int:
    """Hand due deliveries to workers in claimed batches: the ones never enqueued (broker down at
    commit), waiting for their retry, or let go by a worker that died. Bounded per run (the task runs
    again at once when this run was full: a reconciliation's 100,000 deliveries do not wait for beat)."""
    from webhooks.tasks import deliver_webhook_batch

    handed = 0
    for _round in range(batches):
        ids = deliveries_claim_due(limit=BATCH_SIZE)
        if not ids:
            break
        enqueue_on_commit(deliver_webhook_batch, ids)
        handed += len(ids)
    return handed


# --- redelivery ---------------------------------------------------------------------------------


def delivery_redeliver(*, delivery: Delivery, by: AbstractBaseUser | None) -> Delivery:
    """Send a delivered or abandoned delivery again (same event id: the receiver can dedupe), with
    a fresh retry budget."""
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if Delivery.Status.PENDING not in Delivery.TRANSITIONS[locked.status]:
            raise WebhookError(_("Pengiriman ini masih menunggu dikirim."))
        locked.status = Delivery.Status.PENDING
        locked.attempts = 0
        locked.next_attempt_at = None
        locked.claimed_until = None
        locked.delivered_at = None
        locked.redelivered_at = timezone.now()
        locked.redelivered_by = by
        locked.save(
            update_fields=[
                "status", "attempts", "next_attempt_at", "claimed_until", "delivered_at",
                "redelivered_at", "redelivered_by",
            ]
        )  # fmt: skip
        from webhooks.tasks import deliver_webhook

        enqueue_on_commit(deliver_webhook, locked.pk)
    return locked
