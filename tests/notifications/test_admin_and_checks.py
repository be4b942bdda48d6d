"""The outbox in the admin is read-only (the portal administrator may queue a failed message again),
and links in messages cannot be bare paths: a base URL without scheme and host fails the checks."""

import pytest
from django.urls import reverse

from accounts.models import Role
from notifications.checks import portal_base_url_is_absolute
from notifications.links import absolute_url
from notifications.models import Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("base", ["", "/", "jps.kemnaker.go.id", "ftp://jps.kemnaker.go.id"])
def test_a_base_url_that_is_not_absolute_fails_the_checks(settings, base):
    settings.PORTAL_BASE_URL = base
    assert [error.id for error in portal_base_url_is_absolute(None)] == ["notifications.E001"]


def test_links_are_absolute(settings):
    settings.PORTAL_BASE_URL = "https://jps.kemnaker.go.id/"
    assert absolute_url("/pengajuan/12/") == "https://jps.kemnaker.go.id/pengajuan/12/"
    assert absolute_url("https://elsewhere.example/x") == "https://elsewhere.example/x"


@pytest.fixture
def failed_message():
    return Message.objects.create(
        channel="email", to="siti@example.id", template="x", subject="S", body="B", status="failed"
    )


def test_the_administrator_reads_the_outbox_but_cannot_edit_it(client, failed_message):
    client.force_login(UserFactory(role=Role.ADMIN))
    change_url = reverse("admin:notifications_message_change", args=[failed_message.pk])
    page = client.get(change_url)
    assert page.status_code == 200 and b"siti@example.id" in page.content
    client.post(change_url, {"to": "mallory@example.id", "body": "changed"})
    failed_message.refresh_from_db()
    assert (failed_message.to, failed_message.body) == ("siti@example.id", "B")
    assert client.get(reverse("admin:notifications_message_add")).status_code == 403
    assert client.post(reverse("admin:notifications_message_delete", args=[failed_message.pk])).status_code == 403
    assert Message.objects.filter(pk=failed_message.pk).exists()


def test_the_administrator_queues_a_failed_message_again(client, failed_message, django_capture_on_commit_callbacks):
    from django.core import mail

    client.force_login(UserFactory(role=Role.ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:notifications_message_changelist"),
            {"action": "resend", "_selected_action": [failed_message.pk]},
        )
    failed_message.refresh_from_db()
    assert failed_message.status == "sent" and [m.subject for m in mail.outbox] == ["S"]


@pytest.mark.parametrize("role", [Role.VERIFIER, Role.APPROVER, Role.FINANCE, Role.DIRECTOR])
def test_other_staff_do_not_see_the_outbox(client, role, failed_message):
    client.force_login(UserFactory(role=role, scope_national=True))
    assert client.get(reverse("admin:notifications_message_changelist")).status_code == 403
