"""Every admin page an officer can open renders, with a query count that does not grow with rows."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import Application
from tests.factories import ApplicationFactory, GroupFactory, add_members

pytestmark = pytest.mark.django_db


@pytest.fixture
def some_applications():
    for _ in range(3):
        group = GroupFactory()
        add_members(group, 3)
        ApplicationFactory(group=group, status=Application.Status.SUBMITTED)


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda model: model._meta.label)
def test_every_changelist_renders(admin_client, some_applications, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200


def test_an_application_change_page_shows_its_history(admin_client, some_applications):
    application = Application.objects.first()
    response = admin_client.get(reverse("admin:applications_application_change", args=[application.pk]))
    assert response.status_code == 200
    assert application.reference.encode() in response.content


@pytest.mark.parametrize("model_name", ["applications_application", "groups_group", "groups_member"])
def test_changelist_queries_do_not_grow_with_rows(admin_client, model_name):
    url = reverse(f"admin:{model_name}_changelist")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return len(captured)

    for _ in range(2):
        ApplicationFactory(group=add_members(GroupFactory(), 3)[0].group)
    few = queries()
    for _ in range(8):
        ApplicationFactory(group=add_members(GroupFactory(), 3)[0].group)
    assert queries() == few


def test_the_amounts_are_shown_in_rupiah(admin_client, some_applications):
    response = admin_client.get(reverse("admin:applications_application_changelist"))
    assert b"Rp40.000.000" in response.content


def test_status_cannot_be_edited_by_hand(admin_client, some_applications):
    application = Application.objects.first()
    response = admin_client.get(reverse("admin:applications_application_change", args=[application.pk]))
    assert b'name="status"' not in response.content


def test_a_queued_submission_shows_its_documents_without_their_bytes(admin_client, applicant):
    from django.utils import timezone

    from applications.models import SubmissionIntake, SubmissionIntakeDocument

    intake = SubmissionIntake.objects.create(user=applicant, payload={"scheme": 1}, received_at=timezone.now())
    SubmissionIntakeDocument.objects.create(intake=intake, kind="proposal", name="proposal.pdf", content=b"%PDF-1.4")
    response = admin_client.get(reverse("admin:applications_submissionintake_change", args=[intake.pk]))
    assert response.status_code == 200
    assert b"proposal.pdf" in response.content and b"%PDF-1.4" not in response.content
