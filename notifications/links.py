"""Absolute links for messages: a link in an e-mail or SMS is opened outside the portal, so a bare
path (``/pengajuan/12/``) is useless there."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """``/pengajuan/12/`` → ``https://jps.kemnaker.go.id/pengajuan/12/`` (``PORTAL_BASE_URL``)."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}/{path.lstrip('/')}"
