"""Periodic work on tickets. A task calls one service; running it twice on a day changes nothing more
(an escalated ticket is not overdue again until its new due date)."""

from celery import shared_task
from django.db import OperationalError

from grievances import services


# The sweep waits for rows officers hold rather than skipping them; an officer's action that locks
# several tickets in another order can make PostgreSQL abort one side as a deadlock. The sweep is
# idempotent, so it simply runs again.
@shared_task(soft_time_limit=600, time_limit=660, autoretry_for=(OperationalError,), retry_backoff=30, max_retries=3)
def escalate_overdue_tickets() -> int:
    """Open tickets past their working-day deadline go one level up, to an officer there."""
    return services.tickets_escalate_overdue()
