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


# --- NUL characters (PostgreSQL refuses them in any text parameter) ------------------------------------

NUL_VALUES = ["\x00", "Siti\x00Aminah", "3204\x00124508900001"]


@pytest.mark.parametrize("value", NUL_VALUES)
def test_a_nul_in_any_portal_form_field_is_a_400_in_indonesian(client, applicant, ketua_with_draft, value):
    client.force_login(applicant)
    for url in _form_urls(ketua_with_draft):
        for field in FIELDS:
            response = client.post(url, {field: value})
            assert response.status_code == 400, (url, field, response.status_code)
            assert response.content.decode() == "Isian berisi karakter yang tidak valid."
    assert ketua_with_draft.group.members.count() == 3


@pytest.mark.parametrize("value", NUL_VALUES)
def test_a_nul_in_a_login_form_is_a_400_not_a_server_error(client, value, settings):
    settings.AXES_ENABLED = True
    for url in (reverse("accounts:login"), "/admin/login/"):
        for field in ("username", "password"):
            data = {"username": "budi", "password": "x", field: value}
            assert client.post(url, data).status_code == 400, (url, field)


def _query_urls(application: Application) -> list[str]:
    return [
        "/",
        reverse("groups:members"),
        reverse("groups:nik_check"),
        reverse("groups:regency_options"),
        reverse("applications:list"),
        reverse("applications:detail", args=[application.pk]),
        "/dasbor/",
        "/admin/",
        "/admin/applications/application/",
        "/admin/groups/group/",
        "/admin/groups/member/",
        "/akun/masuk/",
    ]


@pytest.mark.parametrize("user_fixture", ["applicant", "portal_admin"])
@pytest.mark.parametrize("key", ["q", "nik", "province", "status__exact", "tahun", "next", "p", "o", "\x00"])
def test_a_nul_in_any_querystring_is_never_a_server_error(request, client, ketua_with_draft, user_fixture, key):
    client.force_login(request.getfixturevalue(user_fixture))
    for url in _query_urls(ketua_with_draft):
        response = client.get(url, {key: "32\x0004"})
        assert response.status_code == 400, (url, key, response.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/dasbor/provinsi/3\x002/",
        "/dasbor/kabupaten/32.0\x004/",
        "/dasbor/ekspor/provinsi/3\x002.csv",
        "/akun/verifikasi/MQ\x00/abc-123/",
        "/admin/groups/group/1\x00/change/",
        "/admin/regions/province/3\x002/change/",
    ],
)
def test_a_nul_in_the_path_is_never_a_server_error(client, portal_admin, path):
    client.force_login(portal_admin)

    assert client.get(path).status_code == 400


def test_a_nul_in_the_session_cookie_is_never_a_server_error(client, applicant):
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnopqrstuvwxyz012345"

    assert client.get("/").status_code < 500
    assert client.get(reverse("groups:members")).status_code < 500


def test_a_nul_in_an_uploaded_file_name_is_never_a_server_error(client, applicant, ketua_with_draft):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(applicant)
    upload = SimpleUploadedFile("proposal\x00.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")

    response = client.post(
        reverse("applications:documents", args=[ketua_with_draft.pk]), {"kind": "proposal", "file": upload}
    )

    assert response.status_code < 500
