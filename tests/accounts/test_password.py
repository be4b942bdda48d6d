"""A forgotten password is reset by e-mail, without revealing which addresses have accounts; a logged-in
ketua can change theirs."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.accounts.test_register import PASSWORD

pytestmark = pytest.mark.django_db

RESET_URL = reverse("accounts:password_reset")


def reset_link_path(message) -> str:
    return re.search(r"http://testserver(/akun/lupa-sandi/\S+/)", message.body).group(1)


def without_csrf_tokens(html: bytes) -> bytes:
    # Every page carries freshly masked CSRF tokens; everything else must be the same.
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", html)


def test_the_reset_page_is_indonesian(client):
    html = client.get(RESET_URL).content.decode()

    assert "Lupa kata sandi" in html
    assert "E-mail atau nomor HP" in html and 'autocomplete="username"' in html


def test_a_known_address_gets_an_indonesian_reset_email(client, applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET_URL, {"email": "SITI@example.id"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    [message] = mail.outbox
    assert message.to == ["siti@example.id"]
    assert message.subject == "Atur ulang kata sandi Portal JPS"
    assert "Halo Siti" in message.body
    assert reset_link_path(message)


def test_an_unknown_address_gets_the_same_page_and_no_email(client, applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(RESET_URL, {"email": "siti@example.id"}, follow=True)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(RESET_URL, {"email": "tidak.ada@example.id"}, follow=True)

    assert unknown.redirect_chain == known.redirect_chain
    assert without_csrf_tokens(unknown.content) == without_csrf_tokens(known.content)
    assert mail.outbox == []


def test_the_request_does_the_same_work_for_a_known_and_an_unknown_address(
    client, applicant, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """Nothing in the request looks the address up or talks to the mail server (that would make
    a known address slower): both publish one task with the typed address, and the worker sends."""
    for address in ("siti@example.id", "tidak.ada@example.id"):
        with django_assert_num_queries(0), django_capture_on_commit_callbacks() as published:
            client.post(RESET_URL, {"email": address})
        assert len(published) == 1
    assert mail.outbox == []

    published[0]()  # the worker's part, for the unknown address: still nothing sent
    assert mail.outbox == []


def test_the_emailed_link_sets_a_new_password(client, applicant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESET_URL, {"email": "siti@example.id"})
    form_page = client.get(reset_link_path(mail.outbox[0]), follow=True)
    assert "Buat kata sandi baru" in form_page.content.decode()

    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert done.url == reverse("accounts:password_reset_complete")
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)


@pytest.mark.parametrize(("uidb64", "token"), [("!!!", "x"), ("MQ", "abc-def"), ("_w", "y" * 5000)])
def test_a_bad_reset_link_gets_a_friendly_page(client, applicant, uidb64, token):
    response = client.get(reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token}))

    assert response.status_code == 200
    assert "Tautan tidak berlaku" in response.content.decode()


def test_a_malformed_address_is_refused_with_a_message(client):
    response = client.post(RESET_URL, {"email": "bukan-email"})

    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert mail.outbox == []


def test_a_logged_in_ketua_changes_her_password(client, applicant):
    client.force_login(applicant)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "rahasia-123", "new_password1": PASSWORD, "new_password2": PASSWORD},
    )

    assert response.url == reverse("accounts:password_change_done")
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)
    # Still logged in: Django keeps the session valid for the new password.
    assert client.get(reverse("accounts:password_change_done")).status_code == 200


def test_changing_a_password_needs_the_old_one(client, applicant):
    client.force_login(applicant)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "salah", "new_password1": PASSWORD, "new_password2": PASSWORD},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    applicant.refresh_from_db()
    assert applicant.check_password("rahasia-123")


def test_changing_a_password_needs_a_login(client):
    response = client.get(reverse("accounts:password_change"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
