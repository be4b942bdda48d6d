"""Background work for outcomes: schedule the monitoring rounds and remind the ketua of due ones."""

from celery import shared_task

from outcomes import services


# Idempotent: rounds already created are skipped, a round is reminded once (``reminded_at``).
@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3, soft_time_limit=240, time_limit=300)
def schedule_and_remind_rounds() -> tuple[int, int]:
    """Create the rounds of newly paid groups, then remind the ketua of each round now due; re-enqueues
    itself while more reminders remain (sent in slices, each well inside the time limit)."""
    created = services.rounds_schedule()
    reminded = services.rounds_remind()
    if reminded >= services.REMIND_BATCH:
        schedule_and_remind_rounds.delay()
    return created, reminded
