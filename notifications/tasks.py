"""Delivery of queued messages. A task takes an id and calls one service; running it twice sends
nothing twice (the service claims the message first)."""

from celery import shared_task

from notifications import services


@shared_task(soft_time_limit=60, time_limit=90)
def deliver_message(message_id: int) -> bool:
    """Try once to send one message; a failure is recorded and retried later by the sweep."""
    return services.message_deliver(message_id=message_id)


@shared_task(soft_time_limit=120, time_limit=150)
def deliver_due_messages() -> int:
    """Hand every due message (never enqueued, or waiting for its retry) to the workers."""
    return len(services.messages_due_sweep())
