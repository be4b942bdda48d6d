"""Background work for applications. Each task takes ids, loads, calls one service; running a task
twice changes nothing the second time."""

import datetime

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from applications import intake, notifications, services

# One item of work: safe to retry, because running it twice changes nothing the second time.
RETRIED = {"retry_backoff": True, "max_retries": 5}
# A sweep looks for committed work that never reached a worker; it only enqueues.
SWEEP_LIMITS = {"soft_time_limit": 120, "time_limit": 150}


def _grace() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.PENDING_WORK_GRACE_SECONDS)


@shared_task(autoretry_for=(Exception,), soft_time_limit=60, time_limit=90, **RETRIED)
def recompute_group_checks(group_id: int) -> int:
    """Recompute one group's integrity flags. Returns the number of open flags."""
    return services.group_checks_run(group_id=group_id)


@shared_task(**SWEEP_LIMITS)
def sweep_pending_group_checks() -> int:
    """Re-enqueue group checks that were committed but never ran (broker down, worker lost)."""
    return len(services.pending_group_checks_sweep(older_than=_grace()))


@shared_task(**SWEEP_LIMITS)
def recheck_all_groups() -> int:
    """Nightly: mark every group for re-checking; the sweep works through them in chunks."""
    return services.all_groups_checks_request()


@shared_task(autoretry_for=(Exception,), soft_time_limit=60, time_limit=90, **RETRIED)
def send_status_email(change_id: int) -> bool:
    """E-mail the group about one status change; a second run sends nothing."""
    return notifications.status_email_send(change_id=change_id)


@shared_task(**SWEEP_LIMITS)
def sweep_pending_status_emails() -> int:
    """Re-enqueue status e-mails that were committed but never sent (broker down, worker lost)."""
    return len(services.pending_status_emails_sweep(older_than=_grace()))


@shared_task(autoretry_for=(OperationalError,), soft_time_limit=120, time_limit=150, **RETRIED)
def process_submission_intake(intake_id: int) -> str:
    """Turn one queued complete application into a group, members and a submitted application."""
    return intake.intake_process(intake_id=intake_id)


@shared_task(**SWEEP_LIMITS)
def sweep_waiting_intakes() -> int:
    """Re-enqueue queued applications that never reached a worker."""
    return len(intake.intakes_waiting_sweep(older_than=_grace()))


# A list of 100,000 rows takes well under a minute; the limits leave room on a busy worker.
MEMBER_LIST_LIMITS = {"soft_time_limit": 600, "time_limit": 660}


@shared_task(**MEMBER_LIST_LIMITS)
def validate_member_list(job_id: int) -> str:
    """Check one uploaded member list (the dry run). A second run leaves a checked job alone."""
    from applications import member_lists
    from applications.models import MemberListImport

    job = MemberListImport.objects.filter(pk=job_id).first()
    if job is None:
        return ""
    return member_lists.member_list_validate_or_fail(job=job).status


@shared_task(**MEMBER_LIST_LIMITS)
def import_member_list(job_id: int, user_id: int) -> str:
    """Write one validated member list. A second run leaves an imported job alone."""
    from django.contrib.auth import get_user_model

    from applications import member_lists
    from applications.models import MemberListImport

    job = MemberListImport.objects.filter(pk=job_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if job is None or user is None:
        return ""
    return member_lists.member_list_import_or_fail(job=job, by=user).status


@shared_task(**SWEEP_LIMITS)
def sweep_stalled_member_lists() -> int:
    """Re-enqueue member lists whose check or import never reached a worker."""
    from applications import member_lists

    return len(member_lists.member_lists_stalled_sweep(older_than=_grace()))
