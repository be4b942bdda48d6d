"""E-mails to a group about its application. Sent by Celery tasks, at most once per status change."""

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import ApplicationStatusChange

# A send in progress holds its mark this long: a worker killed mid-send must not swallow the mail
# forever, and the broker redelivers its task only after the (longer) visibility timeout.
SENDING_SECONDS = 10 * 60
# Long enough to outlive every retry and redelivery of the task.
SENT_SECONDS = 30 * 24 * 3600


def status_email_key(change_id: int) -> str:
    return f"status-email-sent:{change_id}"


def status_email_send(*, change_id: int) -> bool:
    """E-mail the group's account about one status change. Returns whether a mail went out.

    ``cache.add`` is atomic, so of two deliveries of the same task only one sends; a failed send
    drops its mark so that the task's retry can send again."""
    change = (
        ApplicationStatusChange.objects.select_related("application__group__user", "application__scheme")
        .filter(pk=change_id, notification_due=True)
        .first()
    )
    if change is None:  # sent already, or nothing to send
        return False
    user = change.application.group.user
    if user is None or not user.email:
        _mark_done(change_id, sent=False)
        return False
    key = status_email_key(change_id)
    if not cache.add(key, "sending", timeout=SENDING_SECONDS):
        return False
    try:
        status_email_message(change, to=user.email).send()
    except BaseException:
        cache.delete(key)
        raise
    cache.set(key, "sent", timeout=SENT_SECONDS)
    _mark_done(change_id, sent=True)
    return True


def _mark_done(change_id: int, *, sent: bool) -> None:
    ApplicationStatusChange.objects.filter(pk=change_id).update(
        notification_due=False, notified_at=timezone.now() if sent else None
    )


def status_email_message(change: ApplicationStatusChange, *, to: str) -> EmailMessage:
    """The e-mail, in Indonesian whatever language the worker runs in."""
    application = change.application
    path = reverse("applications:detail", args=[application.pk])
    with translation.override("id"):
        context = {
            "change": change,
            "application": application,
            "status_label": change.get_to_status_display(),
            "url": f"{getattr(settings, 'PORTAL_BASE_URL', '').rstrip('/')}{path}",
        }
        subject = " ".join(render_to_string("email/status_change_subject.txt", context).split())
        body = render_to_string("email/status_change.txt", context)
    return EmailMessage(subject=subject, body=body, to=[to])
