"""One call for the portal's outgoing messages to a person (e-mail, SMS), whoever sends them.

The ``notifications`` app (an outbox with delivery, retries and dedupe keys) is the real sender:
``message_send`` hands the message to ``notifications.services.message_queue`` when that app is
installed. Until it is, e-mail goes through Django's mail backend after commit and SMS is only logged,
from the same templates (``templates/notifications/<template>.subject.txt``, ``.txt``, ``.sms.txt``),
so callers never change when the outbox arrives."""

import logging

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)


def absolute(path: str) -> str:
    """A link a message may carry: messages are read outside the portal, so links are absolute."""
    return f"{getattr(settings, 'PORTAL_BASE_URL', '').rstrip('/')}{path}"


def message_send(*, channel: str, to: str, template: str, context: dict, key: str, language: str = "id") -> None:
    """Send ``template`` to ``to`` on ``channel`` ("email" or "sms"), once per ``key``."""
    context = {**context, "url": absolute(context.get("path", "/"))}
    if apps.is_installed("notifications"):
        from notifications.models import Message  # type: ignore[import-not-found]
        from notifications.services import message_queue  # type: ignore[import-not-found]

        message_queue(
            channel=Message.Channel(channel),
            to=to,
            template=template,
            context=context,
            language=language,
            dedupe_key=f"{key}:{channel}",
        )
        return
    with translation.override(language):
        if channel == "sms":
            body = render_to_string(f"notifications/{template}.sms.txt", context).strip()
            transaction.on_commit(lambda: logger.info("SMS to %s: %s", to, body))
            return
        subject = " ".join(render_to_string(f"notifications/{template}.subject.txt", context).split())
        body = render_to_string(f"notifications/{template}.txt", context)
    transaction.on_commit(lambda: EmailMessage(subject=subject, body=body, to=[to]).send())
