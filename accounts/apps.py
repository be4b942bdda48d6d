from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Akun dan peran"

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self)


def _sync_roles(**kwargs: object) -> None:
    # Permissions exist only after post_migrate created them, so roles are synced here.
    from accounts.roles import roles_sync

    roles_sync()
