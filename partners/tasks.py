"""Background work for the partner API: each task calls one service; running it twice changes nothing."""

from celery import shared_task

from partners import idempotency


@shared_task(soft_time_limit=120, time_limit=150)
def purge_idempotency_keys() -> int:
    """Forget ``Idempotency-Key`` answers older than a week (``idempotency.KEPT_FOR``)."""
    return idempotency.idempotency_keys_purge()
