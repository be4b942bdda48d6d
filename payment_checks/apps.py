from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentChecksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payment_checks"
    verbose_name = _("Verifikasi pembayaran (cek bantuan)")

    def ready(self) -> None:
        from disbursements.signals import batches_reconciled
        from payment_checks.receivers import on_batches_reconciled

        batches_reconciled.connect(on_batches_reconciled, dispatch_uid="payment_checks.draw_on_reconciled")
