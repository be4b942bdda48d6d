"""The permissions each role holds. Synced into Django auth groups after every migrate."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission

from accounts.models import Role

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.GROUP: [],
    Role.VERIFIER: [
        "applications.view_application",
        "applications.change_application",
        "applications.verify_application",
        "applications.view_scheme",
        "applications.view_flag",
        "applications.change_flag",
        "applications.view_applicationdocument",
        "applications.view_applicationstatuschange",
        "groups.view_group",
        "groups.change_group",
        "groups.view_member",
        "groups.change_member",
        "groups.view_bank",
        "regions.view_province",
        "regions.view_regency",
    ],
    Role.APPROVER: [
        "applications.view_application",
        "applications.change_application",
        "applications.approve_application",
        "applications.view_scheme",
        "applications.view_schemequota",
        "applications.view_flag",
        "applications.view_applicationdocument",
        "applications.view_applicationstatuschange",
        "groups.view_group",
        "groups.view_member",
        "regions.view_province",
        "regions.view_regency",
    ],
    Role.FINANCE: [
        "applications.view_application",
        "applications.view_scheme",
        "groups.view_group",
        "groups.view_bank",
        "disbursements.view_tranche",
        "disbursements.change_tranche",
    ],
    Role.DIRECTOR: [
        "applications.view_application",
        "applications.view_scheme",
        "applications.view_schemequota",
        "groups.view_group",
        "disbursements.view_tranche",
        "dashboards.view_dashboard",
    ],
}


def roles_sync() -> None:
    """Create one auth group per role and give it exactly the permissions listed above."""
    # post_migrate reaches apps one by one; make sure every app's permissions exist already.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    for role, codenames in ROLE_PERMISSIONS.items():
        auth_group, _created = AuthGroup.objects.get_or_create(name=role.value)
        permissions = [_permission(codename) for codename in codenames]
        auth_group.permissions.set([p for p in permissions if p is not None])


def _permission(dotted: str) -> Permission | None:
    app_label, codename = dotted.split(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
