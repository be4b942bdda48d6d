"""Sending webhooks. A task takes ids and calls one service; running one twice sends nothing twice
(the service claims before it sends). The time limits leave room for a batch of slow receivers
(services.BATCH_SIZE × the connect and read timeouts)."""

from celery import shared_task

from webhooks import services


@shared_task(soft_time_limit=30, time_limit=45)
def deliver_webhook(delivery_id: int) -> bool:
    """Send one delivery if it is due; a failure is recorded and retried later by the sweep."""
    return services.delivery_send(delivery_id=delivery_id)


@shared_task(soft_time_limit=240, time_limit=270)
def deliver_webhook_batch(delivery_ids: list[int]) -> int:
    """Send deliveries the sweep claimed for this task."""
    return services.deliveries_send_claimed(delivery_ids=delivery_ids).delivered


@shared_task(soft_time_limit=60, time_limit=90)
def deliver_due_webhooks() -> int:
    """Hand every due delivery (never enqueued, waiting for its retry, let go) to the workers."""
    return services.deliveries_due_sweep()
