"""The webhooks admin: national staff only; a new subscription's secret is shown once, on the page
that answers the save; the delivery log lists without a query per row; redelivery is an action."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from accounts.models import Role
from partners.models import Scope
from tests.factories import ApplicationFactory, GroupFactory, UserFactory
from tests.partners.conftest import make_client
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(jabar_subscription, verifier, django_capture_on_commit_callbacks) -> Delivery:
    from applications import services as application_services
    from applications.models import Application

    application = ApplicationFactory(group=GroupFactory(regency_id="32.04"), status=Application.Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        application_services.application_verify(application=application, by=verifier)
    return Delivery.objects.get()


def test_a_provincial_admin_sees_no_webhook_pages(client, delivered):
    asep = UserFactory(username="asep", role=Role.ADMIN)
    asep.scope_provinces.add("32")
    client.force_login(asep)
    assert client.get(reverse("admin:webhooks_subscription_changelist")).status_code == 403
    assert client.get(reverse("admin:webhooks_delivery_changelist")).status_code == 403


def test_a_new_subscription_shows_its_secret_once(client, portal_admin, receiver):
    partner = make_client(name="SIAPkerja", scopes=[Scope.APPLICATIONS_READ], national=True, by=portal_admin)
    client.force_login(portal_admin)

    response = client.post(
        reverse("admin:webhooks_subscription_add"),
        {"client": partner.pk, "target_url": receiver.url, "events": ["tranche.paid"], "is_active": "on"},
    )

    subscription = Subscription.objects.get()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert subscription.secret.startswith("whsec_") and subscription.secret in response.content.decode()
    assert subscription.created_by == portal_admin
    change_page = client.get(reverse("admin:webhooks_subscription_change", args=[subscription.pk]))
    assert subscription.secret not in change_page.content.decode()


def test_a_client_without_applications_read_cannot_subscribe(client, portal_admin, receiver):
    bi = make_client(name="BI", scopes=[Scope.TALLIES_READ], national=True, by=portal_admin)
    client.force_login(portal_admin)
    response = client.post(
        reverse("admin:webhooks_subscription_add"),
        {"client": bi.pk, "target_url": receiver.url, "events": ["tranche.paid"], "is_active": "on"},
    )
    assert response.status_code == 200 and not Subscription.objects.exists()
    assert "applications:read" in response.content.decode()


def test_the_delivery_log_lists_without_a_query_per_row(client, portal_admin, delivered, django_assert_max_num_queries):
    client.force_login(portal_admin)
    url = reverse("admin:webhooks_delivery_changelist") + f"?subscription__id__exact={delivered.subscription_id}"
    client.get(url)  # warm the session and permission caches
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200 and "Status pengajuan berubah" in response.content.decode()
    detail = client.get(reverse("admin:webhooks_delivery_change", args=[delivered.pk]))
    assert detail.status_code == 200 and str(delivered.event_id) in detail.content.decode()


def test_an_admin_redelivers_from_the_log(
    client, portal_admin, delivered, receiver, django_capture_on_commit_callbacks
):
    client.force_login(portal_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:webhooks_delivery_changelist"),
            {"action": "redeliver", ACTION_CHECKBOX_NAME: [delivered.pk]},
            follow=True,
        )
    assert "1 pengiriman dijadwalkan ulang." in response.content.decode()
    delivered.refresh_from_db()
    assert delivered.redelivered_by == portal_admin and delivered.status == Delivery.Status.DELIVERED
    assert len(receiver.requests) == 2
