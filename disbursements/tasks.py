"""Background work for disbursements. Each task calls one service; running it twice changes nothing
the second time."""

from celery import shared_task

from disbursements import notifications


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5, soft_time_limit=540, time_limit=600)
def queue_paid_tranche_notices() -> int:
    """The owed "your money arrived" messages into the outbox (after a reconciliation, and every
    minute from beat for any whose task was lost). Returns how many tahap were announced."""
    return notifications.paid_tranche_notices_queue()
