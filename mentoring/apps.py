from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mentoring"
    verbose_name = _("Pendampingan")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_save

        user_model = get_user_model()
        # A mentor deactivated, given a new password or another role: their kept work list (and the
        # access remembered with it) is stale, so their next request checks everything again.
        post_save.connect(_user_changed, sender=user_model, dispatch_uid="mentoring.worklist.user_saved")
        m2m_changed.connect(
            _user_changed_roles, sender=user_model.groups.through, dispatch_uid="mentoring.worklist.user_roles"
        )


def _user_changed(sender: type, instance: object, **kwargs: object) -> None:
    from mentoring.worklist import worklist_changed

    worklist_changed([instance.pk])


def _user_changed_roles(sender: type, instance: object, action: str, reverse: bool, pk_set: set | None,
                        **kwargs: object) -> None:  # fmt: skip
    from mentoring.worklist import worklist_changed

    if not action.startswith("post_"):
        return
    if not reverse:
        worklist_changed([instance.pk])  # from a user's side: that user
    else:
        worklist_changed(pk_set or None)  # from a role's side: the users added or removed (all when cleared)
