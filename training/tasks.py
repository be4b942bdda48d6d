"""Background work for training events. Tasks take ids and call one service; a second run sends nothing."""

from celery import shared_task

from training import services


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5, soft_time_limit=300, time_limit=330)
def send_invitations(event_id: int) -> int:
    """Queue the invitation of every invited group of the event not told yet; re-enqueues itself
    while more remain (a big event is sent in slices, each well inside the time limit)."""
    sent = services.invitations_send(event_id=event_id)
    if sent and services.invitations_pending(event_id=event_id):
        send_invitations.delay(event_id)
    return sent
