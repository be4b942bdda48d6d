"""The activation link: shown as a page with a button (mail scanners open links), activates and logs
in on POST, works once; bad links get a friendly page with a resend form, never an error."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Role, User
from tests.accounts.test_register import registration
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def andi(client, django_capture_on_commit_callbacks):
    """Andi has just registered and has the activation e-mail in his inbox."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:register"), registration())
    return User.objects.get(email="andi.saputra@example.id")


def link_path(message) -> str:
    return re.search(r"http://testserver(/akun/verifikasi/\S+/)", message.body).group(1)


def test_posting_the_emailed_link_activates_the_account_and_logs_in(client, andi):
    response = client.post(link_path(mail.outbox[0]))

    assert response.status_code == 302
    assert response.url == "/"
    andi.refresh_from_db()
    assert andi.is_active
    assert client.session["_auth_user_id"] == str(andi.pk)


def test_opening_the_link_only_shows_the_activate_button(client, andi):
    page = client.get(link_path(mail.outbox[0]))

    assert page.status_code == 200
    assert "Aktifkan akun" in page.content.decode()
    andi.refresh_from_db()
    assert not andi.is_active
    assert "_auth_user_id" not in client.session


def test_the_link_works_only_once(client, andi):
    path = link_path(mail.outbox[0])
    client.post(path)
    client.post(reverse("accounts:logout"))

    again = client.post(path)

    assert again.status_code == 200
    assert "Tautan aktivasi tidak berlaku" in again.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_password_reset_token_does_not_activate_an_account(client, andi):
    uidb64 = urlsafe_base64_encode(force_bytes(andi.pk))
    path = reverse("accounts:verify", kwargs={"uidb64": uidb64, "token": default_token_generator.make_token(andi)})

    response = client.post(path)

    assert "Tautan aktivasi tidak berlaku" in response.content.decode()
    andi.refresh_from_db()
    assert not andi.is_active


def test_an_account_an_officer_switched_off_is_not_revived_by_its_old_link(client, andi):
    path = link_path(mail.outbox[0])
    # Andi was active and logged in once; then an officer switched the account off.
    User.objects.filter(pk=andi.pk).update(is_active=False, last_login="2026-01-05T10:00:00+07:00")

    response = client.post(path)

    assert "Tautan aktivasi tidak berlaku" in response.content.decode()
    andi.refresh_from_db()
    assert not andi.is_active


@pytest.mark.parametrize(
    ("uidb64", "token"),
    [
        ("!!!", "abc-def"),
        ("MQ", "abc-def"),  # a real-looking uid with a made-up token
        ("bm90LWEtbnVtYmVy", "abc-def"),  # "not-a-number"
        ("_w", "abc-def"),  # bytes that are not UTF-8
        (urlsafe_base64_encode(b"99999999999999999999999999999"), "abc-def"),  # beyond any integer column
        (urlsafe_base64_encode(b"-1"), "abc-def"),
        ("MQ", "x" * 5000),
        ("MQ", "zzzzzzzzzzzzzzzzzzzz-abc"),  # a timestamp too large to decode
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_link_gets_a_friendly_page_with_a_resend_form(client, andi, uidb64, token, method):
    response = getattr(client, method)(reverse("accounts:verify", kwargs={"uidb64": uidb64, "token": token}))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Tautan aktivasi tidak berlaku" in html
    assert reverse("accounts:verification_resend") in html
    andi.refresh_from_db()
    assert not andi.is_active


def test_an_expired_link_is_refused(client, andi, settings):
    path = link_path(mail.outbox[0])
    settings.PASSWORD_RESET_TIMEOUT = -1

    response = client.post(path)

    assert "Tautan aktivasi tidak berlaku" in response.content.decode()


def test_resending_mails_a_new_link_that_works(client, andi, django_capture_on_commit_callbacks):
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:verification_resend"), {"email": "ANDI.saputra@example.id"})

    assert response.status_code == 302
    [message] = mail.outbox
    client.post(link_path(message))
    andi.refresh_from_db()
    assert andi.is_active


@pytest.mark.parametrize("email", ["tidak.terdaftar@example.id", "siti@example.id"])
def test_resending_says_the_same_for_unknown_and_active_addresses_and_sends_nothing(
    client, applicant, email, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:verification_resend"), {"email": email}, follow=True)

    assert "Jika alamat itu terdaftar dan akunnya belum aktif" in response.content.decode()
    assert mail.outbox == []


def test_resending_refuses_a_malformed_address_with_a_message(client):
    response = client.post(reverse("accounts:verification_resend"), {"email": "bukan email"})

    assert response.status_code == 200
    assert response.context["form"].errors["email"]


def test_a_mail_server_failure_does_not_break_registration(client, django_capture_on_commit_callbacks, monkeypatch):
    from django.core.mail import EmailMessage

    from notifications.models import Message

    def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:register"), registration())

    # The account exists, and the ketua is on the page that offers to send the link again.
    assert response.status_code == 302
    assert User.objects.filter(email="andi.saputra@example.id").exists()
    # The activation mail waits in the outbox, to be retried when the mail server is back.
    message = Message.objects.get(to="andi.saputra@example.id", template="account_verification")
    assert (message.status, message.attempts, "SMTP down" in message.last_error) == ("pending", 1, True)


@pytest.mark.parametrize("role", [Role.VERIFIER, None])
def test_an_inactive_account_that_is_not_a_group_account_gets_no_link(client, role, django_capture_on_commit_callbacks):
    UserFactory(username="budi", email="budi@example.id", is_active=False, role=role)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:verification_resend"), {"email": "budi@example.id"})

    assert mail.outbox == []


def test_resending_again_at_once_sends_no_second_mail(client, andi, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:verification_resend"), {"email": "andi.saputra@example.id"})
        assert response.status_code == 302  # the same answer every time

    assert len(mail.outbox) == 1
