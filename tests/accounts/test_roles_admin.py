"""The portal administrator role: everything in the portal's own apps, nothing of Django's internals."""

import pytest
from django.contrib.auth.models import Group as AuthGroup

from accounts.models import Role
from accounts.roles import roles_sync
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_role_can_manage_schemes_quotas_and_users_but_not_sessions():
    roles_sync()
    admin = UserFactory(role=Role.ADMIN, scope_national=True)
    assert admin.has_perm("applications.change_scheme")
    assert admin.has_perm("applications.change_schemequota")
    assert admin.has_perm("accounts.change_user")
    assert admin.has_perm("dashboards.view_dashboard")  # the dashboard is "also for admins"
    assert not admin.has_perm("sessions.view_session")
    assert not admin.has_perm("auth.change_permission")


def test_every_role_is_an_auth_group_after_sync():
    roles_sync()
    assert set(AuthGroup.objects.values_list("name", flat=True)) >= set(Role.values)


def test_a_portal_administrator_cannot_make_anyone_superuser(client):
    from django.urls import reverse

    roles_sync()
    administrator = UserFactory(role=Role.ADMIN, scope_national=True)
    officer = UserFactory(username="officer")
    client.force_login(administrator)
    url = reverse("admin:accounts_user_change", args=[officer.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()
