from django.apps import AppConfig


class DisbursementsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "disbursements"
