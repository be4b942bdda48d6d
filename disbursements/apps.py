from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisbursementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "disbursements"
    verbose_name = _("Penyaluran dana")
