from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Akun dan peran")

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self)


def _sync_roles(**kwargs: object) -> None:
    # Permissions exist only after post_migrate created them, so roles are synced here.
    from accounts.roles import roles_sync

    roles_sync()
