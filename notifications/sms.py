"""SMS backends, chosen by ``settings.SMS_BACKEND`` (WhatsApp uses ``WHATSAPP_BACKEND``, same interface).

- ``ConsoleBackend``: development; the message is printed where ``make run`` runs.
- ``LocmemBackend``: tests; messages land in ``notifications.sms.outbox``.
- ``HttpGatewayBackend``: production; a generic HTTP gateway configured by the environment
  (``SMS_GATEWAY_URL``, ``SMS_GATEWAY_TOKEN``, ``SMS_SENDER_ID``, ``SMS_GATEWAY_TIMEOUT``).
"""

import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class SmsDeliveryError(Exception):
    """The gateway did not take the message; the outbox will try again later."""


@dataclass(frozen=True)
class SentSms:
    to: str
    body: str
    reference: str


# What LocmemBackend sent, like django.core.mail.outbox. Tests empty it.
outbox: list[SentSms] = []


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str, reference: str) -> str:
        """Hand one message to the gateway; return the gateway's id for it (may be empty)."""


class ConsoleBackend:
    def send(self, *, to: str, body: str, reference: str) -> str:
        sys.stdout.write(f"--- SMS to {to} (ref {reference}) ---\n{body}\n---\n")
        sys.stdout.flush()
        return ""


class LocmemBackend:
    def send(self, *, to: str, body: str, reference: str) -> str:
        outbox.append(SentSms(to=to, body=body, reference=reference))
        return f"locmem-{len(outbox)}"


class HttpGatewayBackend:
    """POSTs ``{"to", "message", "sender", "reference"}`` as JSON with a bearer token.

    Most Indonesian SMS aggregators take this shape or one close to it; ``reference`` is our message
    id, so a gateway that deduplicates on it never sends a retried message twice. Any answer but a
    2xx is a failure to be retried."""

    def send(self, *, to: str, body: str, reference: str) -> str:
        payload = {"to": to, "message": body, "sender": settings.SMS_SENDER_ID, "reference": reference}
        request = urllib.request.Request(
            settings.SMS_GATEWAY_URL,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as response:  # noqa: S310
                answer = response.read(4096)
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise SmsDeliveryError(f"gateway unreachable or refused: {error}") from error
        return _gateway_id(answer)


def _gateway_id(answer: bytes) -> str:
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        return ""
    return str(data.get("id", ""))[:100] if isinstance(data, dict) else ""


def backend_for(channel: str) -> SmsBackend:
    """The configured backend for SMS or WhatsApp."""
    path = settings.WHATSAPP_BACKEND if channel == "whatsapp" else settings.SMS_BACKEND
    return import_string(path)()
