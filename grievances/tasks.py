"""Periodic work on tickets. A task calls one service; running it twice on a day changes nothing more
(an escalated ticket is not overdue again until its new due date)."""

from celery import shared_task

from grievances import services


@shared_task(soft_time_limit=600, time_limit=660)
def escalate_overdue_tickets() -> int:
    """Open tickets past their working-day deadline go one level up, to an officer there."""
    return services.tickets_escalate_overdue()
