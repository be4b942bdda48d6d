"""System checks: links in messages need an absolute base URL."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register


@register()
def portal_base_url_is_absolute(app_configs: object, **kwargs: object) -> list[Error]:
    """Every link in every message is built on PORTAL_BASE_URL; without a scheme and host the links
    would be bare paths nobody can open from a phone's SMS or mail app."""
    parts = urlsplit(settings.PORTAL_BASE_URL)
    if parts.scheme in ("http", "https") and parts.netloc:
        return []
    return [
        Error(
            "PORTAL_BASE_URL must be an absolute http(s) URL, e.g. https://jps.kemnaker.go.id",
            hint="Set PORTAL_BASE_URL in the environment (.env.example lists it).",
            id="notifications.E001",
        )
    ]
