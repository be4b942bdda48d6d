"""A bad-input corpus, run on PostgreSQL too (``make test-services``): what SQLite stores without a
word — a string longer than its column — PostgreSQL refuses, and a refusal deep in a query is a 500.
Each must be refused with an Indonesian message (a 400 or a form error) and change nothing."""

import pytest
from django.urls import reverse

from applications.models import Application
from tests.factories import ApplicationFactory, GroupFactory, add_members

pytestmark = pytest.mark.django_db

# --- over-long values ----------------------------------------------------------------------------------

FIELDS = [
    "username", "password", "email", "phone", "full_name", "password1", "password2", "old_password",
    "new_password1", "new_password2", "name", "nik", "province", "regency", "village", "address", "bank",
    "account_number", "account_holder", "sk_number", "business_type", "business_plan", "work_site",
    "work_plan", "requested_amount", "equipment_budget", "materials_budget", "kind", "data", "birth_date",
    "sex", "role", "employment_status",
]  # fmt: skip


@pytest.fixture
def ketua_with_draft(applicant):
    group = GroupFactory(user=applicant)
    add_members(group, 3)
    return ApplicationFactory(group=group, status=Application.Status.DRAFT)


def _form_urls(application: Application) -> list[str]:
    member = application.group.members.first()
    return [
        reverse("groups:profile"),
        reverse("groups:member_add"),
        reverse("groups:members_edit"),
        reverse("groups:member_edit", args=[member.pk]),
        reverse("applications:new"),
        reverse("applications:edit", args=[application.pk]),
        reverse("applications:documents", args=[application.pk]),
        reverse("accounts:register"),
        reverse("accounts:verification_resend"),
        reverse("accounts:password_reset"),
        reverse("accounts:password_change"),
        reverse("corrections:account_fix"),
    ]


@pytest.mark.parametrize("length", [255, 301, 5000])
def test_an_over_long_value_in_any_portal_field_is_refused_never_a_server_error(
    client, applicant, ketua_with_draft, length
):
    client.force_login(applicant)
    for url in _form_urls(ketua_with_draft):
        for field in FIELDS:
            response = client.post(url, {field: "7" * length})
            assert response.status_code < 500, (url, field, response.status_code)
    assert ketua_with_draft.group.members.count() == 3


@pytest.mark.parametrize("url", [reverse("accounts:login"), "/admin/login/"])
@pytest.mark.parametrize("field", ["username", "password"])
def test_an_over_long_login_or_password_is_never_a_server_error(client, url, field, settings):
    settings.AXES_ENABLED = True
    data = {"username": "budi", "password": "x", field: "w" * 5000}

    assert client.post(url, data).status_code in (200, 400)
