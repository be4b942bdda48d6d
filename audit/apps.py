from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The audit trail ("Jejak audit"): django-simple-history's records, read-only in the admin."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = _("Jejak audit")
