from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = _("Webhook mitra")

    def ready(self) -> None:
        from jps_portal import events
        from webhooks import services

        # The outbox is written in the transaction of each published event (jps_portal.events).
        events.listen(services.events_record, wants=services.events_wanted)
