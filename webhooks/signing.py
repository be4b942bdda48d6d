"""The signature on every webhook: HMAC-SHA256 over ``"<timestamp>.<body>"`` with the subscription's
secret, sent as ``X-JPS-Signature: t=<unix seconds>,v1=<hex digest>``. The timestamp is inside the
signed text, so a receiver that refuses old timestamps (docs/api.md: 5 minutes) refuses replays."""

import hashlib
import hmac

HEADER = "X-JPS-Signature"
TOLERANCE_SECONDS = 300


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def header_value(*, secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret=secret, timestamp=timestamp, body=body)}"


def verify(*, secret: str, header: str, body: bytes, now: int, tolerance: int = TOLERANCE_SECONDS) -> bool:
    """What a receiver does (the same check as the snippet in docs/api.md)."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected, parts.get("v1", ""))
