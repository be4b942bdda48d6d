"""``Idempotency-Key`` for the write endpoints: a retry with the same key and the same body gets the
first answer again, never a second write; the same key with a different body is refused.

The key is claimed by inserting its row *before* the write runs (its own short transaction, so a
concurrent retry sees it at once): the unique constraint on (client, key) lets exactly one request
through, the other answers "in progress" (409) or, once the first is done, the stored answer. Only a
successful answer is kept; a refused request releases its key, so the partner can correct the body
and send it again with the same key."""

import datetime
import hashlib
import re
from collections.abc import Callable, Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Client, IdempotencyKey
from partners.problems import Problem

HEADER = "Idempotency-Key"
KEY_SHAPE = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces: a UUID fits
# A claim whose answer never came (the process died mid-write) may be taken over after this long.
STALE_AFTER = datetime.timedelta(minutes=5)

Answer = tuple[int, dict]


def request_hash(parts: Iterable[bytes]) -> str:
    """SHA-256 over the request's parts, each length-prefixed so that no two splits hash alike."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def key_from_header(value: str | None, *, required: bool) -> str | None:
    if value is None or value == "":
        if required:
            raise Problem(
                status=400,
                slug="invalid-request",
                detail=_("Sertakan header Idempotency-Key (mis. sebuah UUID) agar pengiriman ulang aman."),
            )
        return None
    if not KEY_SHAPE.fullmatch(value):
        raise Problem(
            status=400,
            slug="invalid-request",
            detail=_("Header Idempotency-Key harus 1–255 karakter ASCII tanpa spasi."),
        )
    return value


def idempotency_claim(*, client: Client, key: str, operation: str, fingerprint: str) -> tuple[IdempotencyKey, bool]:
    """The key's row and whether this call claimed it (``True``: run the write). ``False``: the
    stored answer is to be replayed. Raises a 422 problem for another body, 409 while in progress."""
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                client=client, key=key, operation=operation, request_hash=fingerprint, created_at=timezone.now()
            )
        return record, True
    except IntegrityError:
        record = IdempotencyKey.objects.filter(client=client, key=key).first()
    if record is None:  # released between our insert and our read: the other request was refused
        raise _in_progress()
    if record.operation != operation or record.request_hash != fingerprint:
        raise Problem(
            status=422,
            slug="idempotency-key-reused",
            detail=_("Kunci idempotensi ini sudah dipakai untuk permintaan dengan isi lain. Pakai kunci baru."),
        )
    if record.response_status is not None:
        return record, False
    if _take_over_stale(record):
        return record, True
    raise _in_progress()


def _take_over_stale(record: IdempotencyKey) -> bool:
    # One conditional UPDATE: of two retries finding the same stale claim, one takes it over.
    now = timezone.now()
    taken = IdempotencyKey.objects.filter(
        pk=record.pk, response_status__isnull=True, created_at__lt=now - STALE_AFTER
    ).update(created_at=now)
    return taken == 1


def _in_progress() -> Problem:
    return Problem(
        status=409,
        slug="idempotency-key-in-progress",
        detail=_("Permintaan dengan kunci idempotensi ini sedang diproses. Coba lagi sebentar lagi."),
        headers={"Retry-After": "2"},
    )


def idempotency_answer(*, record: IdempotencyKey, status: int, body: dict) -> None:
    record.response_status, record.response_body = status, body
    record.save(update_fields=["response_status", "response_body"])


def idempotency_release(*, record: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=record.pk, response_status__isnull=True).delete()


def idempotent_call(
    *, client: Client, key: str | None, operation: str, fingerprint: str, perform: Callable[[], Answer]
) -> tuple[Answer, bool]:
    """Run ``perform`` once per (client, key): returns the answer and whether it is a replay. Without
    a key the write simply runs. A refusal (any exception) releases the key and propagates."""
    if key is None:
        return perform(), False
    record, claimed = idempotency_claim(client=client, key=key, operation=operation, fingerprint=fingerprint)
    if not claimed:
        return (record.response_status, record.response_body), True
    try:
        status, body = perform()
    except BaseException:
        idempotency_release(record=record)
        raise
    idempotency_answer(record=record, status=status, body=body)
    return (status, body), False


# How long a stored answer is replayed. A partner's retries come within minutes or, after an outage,
# hours; a week covers both, and the table stays small.
KEPT_FOR = datetime.timedelta(days=7)


def idempotency_keys_purge(*, older_than: datetime.timedelta = KEPT_FOR) -> int:
    """Delete keys claimed more than ``older_than`` ago (a retry after that is a new request).
    Returns how many were deleted; running it twice deletes nothing the second time."""
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted
