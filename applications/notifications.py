"""Messages to a group about its application: one per status change, put in the outbox
(``notifications``) by a Celery task. The status change itself only marks a message as owed
(``notification_due``), which keeps the set-based paths (a bank reconciliation) to one INSERT; the
task turns the mark into an outbox message, at most once."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import ApplicationStatusChange
from notifications.links import absolute_url
from notifications.models import Message
from notifications.services import message_queue


def status_email_send(*, change_id: int) -> bool:
    """Queue the message about one status change to the group's account: by e-mail, or by SMS for an
    account with a phone number only. Returns whether a message was queued; a second run queues
    nothing (the change is locked and its mark cleared in the same transaction)."""
    with transaction.atomic():
        change = (
            ApplicationStatusChange.objects.select_for_update(of=("self",))
            .select_related("application__group__user", "application__scheme")
            .filter(pk=change_id, notification_due=True)
            .first()
        )
        if change is None:  # queued already, or nothing to send
            return False
        channel, to = contact_of(change.application.group.user)
        if channel is not None:
            message_queue(
                channel=channel,
                to=to,
                template="application_status_changed",
                context=status_message_context(change),
                dedupe_key=f"application-status-change:{change_id}",
            )
        ApplicationStatusChange.objects.filter(pk=change_id).update(
            notification_due=False, notified_at=timezone.now() if channel is not None else None
        )
    return channel is not None


def contact_of(user: object) -> tuple[str | None, str]:
    """Where the group hears from us: its e-mail address, else its phone number."""
    if user is None:
        return None, ""
    if user.email:
        return Message.Channel.EMAIL, user.email
    if user.phone:
        return Message.Channel.SMS, user.phone
    return None, ""


def status_message_context(change: ApplicationStatusChange) -> dict:
    """What the templates need, with the labels in Indonesian whatever language the worker runs in."""
    application = change.application
    with translation.override("id"):
        return {
            "change": change,
            "application": application,
            "status_label": change.get_to_status_display(),
            "url": absolute_url(reverse("applications:detail", args=[application.pk])),
        }
