"""Business actions of the notification layer: queue a message, deliver it, send and check one-time
codes. Every other app says *what* to tell a person through ``message_queue`` (or
``messages_queue_bulk`` on set-based paths); this module decides *how* and keeps trying."""

import datetime
import logging
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from jps_portal.celery import enqueue_on_commit
from notifications import sms
from notifications.models import Message, MessageAttempt, OneTimeCode
from notifications.phones import phone_normalise

logger = logging.getLogger(__name__)

# A worker that took a message and died lets it go after this long.
CLAIM_SECONDS = 120
# Retries wait 30 s, 1 min, 2 min … up to this long between tries.
BACKOFF_CAP_SECONDS = 30 * 60
# The sweep hands at most this many due messages to workers per run.
SWEEP_BATCH = 5_000


# --- queuing ----------------------------------------------------------------------------------


def message_queue(
    *,
    channel: str,
    to: str,
    template: str,
    context: dict,
    language: str = "id",
    dedupe_key: str | None = None,
    body_redacted: str = "",
    expires_at: datetime.datetime | None = None,
) -> Message:
    """Render ``templates/notifications/<template>…`` in ``language``, store the message in the
    caller's transaction and deliver it after commit. The same ``dedupe_key`` twice returns the
    first message and sends nothing more."""
    if dedupe_key is not None:
        existing = Message.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    subject, body = _render(channel=channel, template=template, context=context, language=language)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                channel=channel,
                to=_recipient(channel, to),
                template=template,
                language=language,
                subject=subject,
                body=body,
                body_redacted=body_redacted,
                dedupe_key=dedupe_key,
                expires_at=expires_at,
            )
    except IntegrityError:
        # Queued by a concurrent caller between our look and our insert: theirs stands.
        return Message.objects.get(dedupe_key=dedupe_key)
    _deliver_on_commit(message.pk)
    return message


@dataclass(frozen=True)
class MessageDraft:
    """A message for ``messages_queue_bulk``; rendered by the worker that delivers it, so queuing
    thousands of them costs one INSERT. ``context`` must hold JSON values only."""

    channel: str
    to: str
    template: str
    dedupe_key: str
    context: dict = field(default_factory=dict)
    language: str = "id"


def messages_queue_bulk(*, drafts: list[MessageDraft]) -> int:
    """Queue many messages in one statement (set-based paths such as a bank reconciliation). Drafts
    whose ``dedupe_key`` is queued already are skipped. Returns how many were new."""
    if not drafts:
        return 0
    keys = [draft.dedupe_key for draft in drafts]
    known = set(Message.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    rows = [
        Message(
            channel=draft.channel,
            to=_recipient(draft.channel, draft.to),
            template=draft.template,
            language=draft.language,
            context=draft.context,
            body="",
            dedupe_key=draft.dedupe_key,
        )
        for draft in drafts
        if draft.dedupe_key not in known
    ]
    Message.objects.bulk_create(rows, batch_size=2_000, ignore_conflicts=True)
    if rows:
        from notifications.tasks import deliver_due_messages

        enqueue_on_commit(deliver_due_messages)
    return len(rows)


def _recipient(channel: str, to: str) -> str:
    return to.strip() if channel == Message.Channel.EMAIL else phone_normalise(to)


def _render(*, channel: str, template: str, context: dict, language: str) -> tuple[str, str]:
    """(subject, body) of a message, in the recipient's language."""
    base = f"notifications/{template}"
    with translation.override(language):
        if channel == Message.Channel.EMAIL:
            subject = " ".join(render_to_string(f"{base}.subject.txt", context).split())
            return subject, render_to_string(f"{base}.txt", context).strip() + "\n"
        return "", " ".join(render_to_string(f"{base}.sms.txt", context).split())


def _deliver_on_commit(message_id: int) -> None:
    from notifications.tasks import deliver_message

    enqueue_on_commit(deliver_message, message_id)


# --- delivery ---------------------------------------------------------------------------------


def message_deliver(*, message_id: int) -> bool:
    """Try once to hand one due message to the mail server or SMS gateway. Returns whether it went.

    Safe to run twice at once: a message is claimed by one conditional UPDATE before it is sent."""
    now = timezone.now()
    claimed = (
        Message.objects.filter(pk=message_id, status=Message.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + datetime.timedelta(seconds=CLAIM_SECONDS))
    )
    if not claimed:
        return False
    message = Message.objects.get(pk=message_id)
    if message.expires_at is not None and message.expires_at <= now:
        _finish(message, status=Message.Status.EXPIRED, error=_("Kedaluwarsa sebelum terkirim."))
        return False
    try:
        reference = _hand_over(message)
    except Exception as error:  # any failure of the mail server or gateway: record it, try later
        logger.warning("Message %s not delivered (attempt %s): %s", message.pk, message.attempts + 1, error)
        _record_failure(message, error=str(error) or error.__class__.__name__)
        return False
    _record_success(message, reference=reference)
    return True


def _hand_over(message: Message) -> str:
    if not message.body:  # queued in bulk: rendered here, by the worker
        message.subject, message.body = _render(
            channel=message.channel, template=message.template, context=message.context, language=message.language
        )
        Message.objects.filter(pk=message.pk).update(subject=message.subject, body=message.body)
    if message.channel == Message.Channel.EMAIL:
        EmailMessage(subject=message.subject, body=message.body, to=[message.to]).send()
        return ""
    return sms.backend_for(message.channel).send(to=message.to, body=message.body, reference=f"jps-{message.pk}")


def _record_success(message: Message, *, reference: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.SENT,
            sent_at=now,
            attempts=F("attempts") + 1,
            provider_reference=reference[:100],
            claimed_until=None,
            last_error="",
            **_redacted(message),
        )
        MessageAttempt.objects.create(message=message, succeeded=True, provider_reference=reference[:100])


def _record_failure(message: Message, *, error: str) -> None:
    now = timezone.now()
    attempts = message.attempts + 1
    give_up = now >= message.created_at + datetime.timedelta(hours=settings.NOTIFICATION_GIVE_UP_HOURS)
    wait = min(30 * 2 ** (attempts - 1), BACKOFF_CAP_SECONDS)
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(
            status=Message.Status.FAILED if give_up else Message.Status.PENDING,
            attempts=attempts,
            last_error=error[:2000],
            next_attempt_at=None if give_up else now + datetime.timedelta(seconds=wait),
            claimed_until=None,
            **(_redacted(message) if give_up else {}),
        )
        MessageAttempt.objects.create(message=message, succeeded=False, error=error[:2000])


def _finish(message: Message, *, status: str, error: str) -> None:
    Message.objects.filter(pk=message.pk).update(
        status=status, claimed_until=None, last_error=error, **_redacted(message)
    )


def _redacted(message: Message) -> dict:
    return {"body": message.body_redacted} if message.body_redacted else {}


def messages_due_sweep(*, limit: int = SWEEP_BATCH) -> list[int]:
    """Hand due messages to workers: never enqueued (broker down at commit), or waiting for a retry."""
    from notifications.tasks import deliver_message

    now = timezone.now()
    due = list(
        Message.objects.filter(status=Message.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    for message_id in due:
        enqueue_on_commit(deliver_message, message_id)
    return due


def message_resend(*, message: Message, by: object) -> Message:
    """An officer queues a message that gave up (FAILED) once more."""
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        if Message.Status.PENDING not in Message.TRANSITIONS[locked.status]:
            raise ValueError(_("Hanya pesan yang gagal yang dapat dikirim ulang."))
        if locked.body_redacted and locked.body == locked.body_redacted:
            raise ValueError(_("Pesan berisi kode rahasia tidak dapat dikirim ulang; minta kode baru."))
        locked.status = Message.Status.PENDING
        locked.next_attempt_at = None
        locked.created_at = timezone.now()  # the give-up clock starts again
        locked.save(update_fields=["status", "next_attempt_at", "created_at"])
        logger.info("Message %s queued again by user %s", locked.pk, getattr(by, "pk", None))
        _deliver_on_commit(locked.pk)
    return locked


# --- one-time codes ---------------------------------------------------------------------------

OTP_LENGTH = 6
OTP_MAX_FAILED = 5


class CodeThrottledError(Exception):
    """Too many codes asked for; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = max(1, int(retry_after))


def otp_send(*, phone: str, purpose: str, ip: str | None, deliver: bool = True) -> None:
    """Issue a one-time code for (phone, purpose) and send it by SMS.

    Rate-limited per phone and per IP (``CodeThrottledError``). ``deliver=False`` records the request —
    so throttling, timing and the answer are the same — without sending: callers use it for a phone
    they do not know, so their answer never tells which phones are registered."""
    e164 = phone_normalise(phone)
    now = timezone.now()
    with transaction.atomic():
        _otp_throttle(phone=e164, ip=ip, now=now)
        OneTimeCode.objects.filter(phone=e164, purpose=purpose, consumed_at__isnull=True).update(consumed_at=now)
        code = "".join(secrets.choice("0123456789") for _digit in range(OTP_LENGTH))
        expires_at = now + datetime.timedelta(seconds=settings.OTP_TTL_SECONDS)
        OneTimeCode.objects.create(
            phone=e164,
            purpose=purpose,
            code_hash=_otp_hash(e164, purpose, code),
            expires_at=expires_at,
            requested_ip=ip,
        )
        if deliver:
            minutes = settings.OTP_TTL_SECONDS // 60
            message_queue(
                channel=Message.Channel.SMS,
                to=e164,
                template="one_time_code",
                context={"code": code, "minutes": minutes},
                body_redacted=_("Kode sekali pakai (disembunyikan)."),
                expires_at=expires_at,
            )


def _otp_throttle(*, phone: str, ip: str | None, now: datetime.datetime) -> None:
    """Counted from the code rows themselves, so the limit holds without Redis and across nodes."""
    limits = [(OneTimeCode.objects.filter(phone=phone), settings.OTP_PHONE_LIMIT, settings.OTP_PHONE_WINDOW_SECONDS)]
    if ip is not None:
        limits.append(
            (OneTimeCode.objects.filter(requested_ip=ip), settings.OTP_IP_LIMIT, settings.OTP_IP_WINDOW_SECONDS)
        )
    for rows, limit, window in limits:
        since = now - datetime.timedelta(seconds=window)
        recent = list(
            rows.filter(created_at__gte=since).order_by("-created_at").values_list("created_at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            retry_at = recent[-1] + datetime.timedelta(seconds=window)
            raise CodeThrottledError(retry_after=(retry_at - now).total_seconds())


def otp_check(*, phone: str, purpose: str, code: str) -> bool:
    """True once for the right, unexpired code of (phone, purpose); then it is used up. Every wrong
    try counts, and after ``OTP_MAX_FAILED`` the code is dead. Bad input is simply False."""
    try:
        e164 = phone_normalise(phone)
    except ValueError:
        return False
    code = "".join(ch for ch in str(code) if ch.isascii() and ch.isdigit())[:OTP_LENGTH]
    now = timezone.now()
    with transaction.atomic():
        current = (
            OneTimeCode.objects.select_for_update()
            .filter(phone=e164, purpose=purpose, consumed_at__isnull=True, expires_at__gt=now)
            .filter(failed_attempts__lt=OTP_MAX_FAILED)
            .order_by("-created_at")
            .first()
        )
        if current is None:
            return False
        if len(code) == OTP_LENGTH and constant_time_compare(current.code_hash, _otp_hash(e164, purpose, code)):
            current.consumed_at = now
            current.save(update_fields=["consumed_at"])
            return True
        current.failed_attempts += 1
        current.save(update_fields=["failed_attempts"])
        return False


def _otp_hash(phone: str, purpose: str, code: str) -> str:
    """Keyed (SECRET_KEY) hash: a leaked table of six-digit codes cannot be brute-forced offline."""
    return salted_hmac("notifications.otp", f"{phone}|{purpose}|{code}", algorithm="sha256").hexdigest()
