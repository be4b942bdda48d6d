"""Sending webhooks. A task takes ids and calls one service; running one twice sends nothing twice
(the service claims before it sends). The time limits leave room for a batch of slow receivers
(services.BATCH_SIZE × the connect and read timeouts)."""

from celery import shared_task

from jps_portal.celery import celery_app, enqueue_on_commit
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
    """Hand due deliveries (never enqueued, waiting for their retry, let go) to the workers; a full
    run queues the next one at once instead of waiting for beat."""
    handed = services.deliveries_due_sweep()
    if handed >= services.SWEEP_BATCHES * services.BATCH_SIZE and not celery_app.conf.task_always_eager:
        enqueue_on_commit(deliver_due_webhooks)
    return handed
