"""No user input may cause a server error: every portal URL, with garbage, as a ketua with a draft."""

import pytest
from django.urls import reverse

from applications.models import Application
from tests.factories import ApplicationFactory, GroupFactory, add_members

pytestmark = pytest.mark.django_db

GARBAGE = [
    {},
    {"x": "1"},
    {"nik": "🙂" * 40, "name": "<script>alert(1)</script>", "birth_date": "2020-02-30", "sex": "Z"},
    {"requested_amount": "9" * 400, "equipment_budget": "-1", "planned_days": "1e9", "scheme": "' OR 1=1 --"},
    {"members-TOTAL_FORMS": "99999999", "members-INITIAL_FORMS": "-3", "province": "\x00", "regency": "32.04"},
    {"kind": "proposal", "email": "a" * 5000, "phone": "+62" + "9" * 300, "data": "{" * 1000},
    {"data": '{"scheme": 1, "group": [], "members": {"a": 1}, "proposal": null}'},
    dict.fromkeys(("username", "password", "email", "phone", "nik", "name", "province", "data"), "08\x0012"),
]


@pytest.fixture
def ketua_with_draft(applicant):
    group = GroupFactory(user=applicant)
    add_members(group, 3)
    return ApplicationFactory(group=group, status=Application.Status.DRAFT)


def _urls(application: Application) -> list[str]:
    pk = application.pk
    document_pk = 10**9
    return [
        reverse("groups:profile"),
        reverse("groups:member_add"),
        reverse("groups:members_edit"),
        reverse("groups:member_edit", args=[application.group.members.first().pk]),
        reverse("groups:member_remove", args=[10**9]),
        reverse("groups:nik_check"),
        reverse("groups:regency_options"),
        reverse("applications:new"),
        reverse("applications:edit", args=[pk]),
        reverse("applications:documents", args=[pk]),
        reverse("applications:submit", args=[pk]),
        reverse("applications:document", args=[document_pk]),
        reverse("applications:document_delete", args=[document_pk]),
        reverse("applications:submit_complete"),
        reverse("applications:submit_queued"),
        reverse("accounts:register"),
        reverse("accounts:login"),
        reverse("accounts:verification_resend"),
        reverse("accounts:password_reset"),
        reverse("accounts:password_change"),
        "/akun/verifikasi/%%%/not-a-token/",
        "/akun/lupa-sandi/zz/zz/",
    ]


def test_garbage_posted_anywhere_never_causes_a_server_error(client, applicant, ketua_with_draft):
    client.force_login(applicant)
    for url in _urls(ketua_with_draft):
        for data in GARBAGE:
            response = client.post(url, data)
            assert response.status_code < 500, (url, data, response.status_code)
        for query in ({"province": "🙂" * 100}, {"nik": "x" * 10_000}, {"page": "-1"}):
            assert client.get(url, query).status_code < 500, (url, query)


def test_a_nul_character_anywhere_is_refused_with_a_message(client):
    response = client.post(reverse("accounts:login"), {"username": "0812\x003456", "password": "x"})
    assert response.status_code == 400
    assert "karakter yang tidak valid" in response.content.decode()
    assert client.get(reverse("groups:regency_options"), {"province": "3\x002"}).status_code == 400
