"""Logging in with the e-mail address or HP number, out by POST only, and django-axes throttling."""

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User
from tests.accounts.test_register import PASSWORD, registration

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")


@pytest.fixture
def siti(applicant):
    """Siti, ketua of a kelompok, registered with her HP number too."""
    applicant.phone = "081234567890"
    applicant.save(update_fields=["phone"])
    return applicant


@pytest.fixture
def andi(client, django_capture_on_commit_callbacks):
    """Andi has registered but has not opened the activation e-mail yet."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:register"), registration())
    mail.outbox.clear()
    return User.objects.get(email="andi.saputra@example.id")


def log_in(client, username: str, password: str = "rahasia-123", **extra: str):
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


def logged_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_the_login_page_asks_for_email_or_hp(client):
    page = client.get(LOGIN_URL)

    html = page.content.decode()
    assert "E-mail atau nomor HP" in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html


@pytest.mark.parametrize("login", ["siti@example.id", "SITI@Example.ID", "siti", "081234567890", "+62 812-3456-7890"])
def test_siti_logs_in_with_her_email_username_or_hp_in_any_spelling(client, siti, login):
    response = log_in(client, login)

    assert response.status_code == 302
    assert response.url == "/"
    assert logged_in_as(client) == str(siti.pk)


def test_a_login_goes_back_to_the_page_that_asked_for_it(client, siti):
    response = log_in(client, "siti@example.id", next="/kelompok/profil/")

    assert response.url == "/kelompok/profil/"


def test_a_login_never_goes_to_another_site(client, siti):
    response = log_in(client, "siti@example.id", next="https://phishing.example/")

    assert response.url == "/"


def test_a_wrong_password_is_refused_with_an_indonesian_message(client, siti):
    response = log_in(client, "siti@example.id", password="salah-sandi")

    assert response.status_code == 200
    assert "E-mail/nomor HP atau kata sandi salah" in response.content.decode()
    assert logged_in_as(client) is None


def test_an_unverified_account_is_told_to_verify_and_offered_a_new_link(
    client, andi, django_capture_on_commit_callbacks
):
    response = log_in(client, "+62 812 3456 7890", password=PASSWORD)

    html = response.content.decode()
    assert "Akun Anda belum diaktifkan" in html
    assert "Kirim ulang tautan aktivasi" in html
    assert logged_in_as(client) is None

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:verification_resend"), {"email": andi.email})
    assert len(mail.outbox) == 1


def test_an_unverified_account_with_a_wrong_password_learns_nothing_more(client, andi):
    response = log_in(client, "andi.saputra@example.id", password="salah-sandi")

    html = response.content.decode()
    assert "E-mail/nomor HP atau kata sandi salah" in html
    assert "belum diaktifkan" not in html


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"username": "siti@example.id"},
        {"password": "rahasia-123"},
        {"username": "٠٨١٢٣٤٥٦٧٨٩٠", "password": "rahasia-123"},
    ],
)
def test_bad_login_input_is_refused_not_an_error(client, siti, data):
    response = client.post(LOGIN_URL, data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert logged_in_as(client) is None


@pytest.mark.parametrize("login", ["x" * 255, "0" * 5000, "siti@example.id" + " " * 300 + "x"])
def test_a_login_longer_than_any_account_is_refused_as_malformed(client, siti, login):
    response = client.post(LOGIN_URL, {"username": login, "password": "rahasia-123"})

    assert response.status_code == 400
    assert "Login terlalu panjang: paling banyak 254 karakter." in response.content.decode()
    assert logged_in_as(client) is None


def test_a_nul_character_in_the_login_is_refused_before_any_query(client, siti):
    response = client.post(LOGIN_URL, {"username": "siti\x00", "password": "rahasia-123"})

    assert response.status_code == 400
    assert logged_in_as(client) is None


def test_logging_out_works_only_by_post(client, siti):
    client.force_login(siti)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert logged_in_as(client) == str(siti.pk)

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response.url == "/"
    assert logged_in_as(client) is None


def test_logging_in_needs_the_csrf_token(siti):
    response = log_in(Client(enforce_csrf_checks=True), "siti@example.id")

    assert response.status_code == 403


# The lockout template is named here too, so that these tests do not depend on settings_test.
@override_settings(AXES_ENABLED=True, AXES_LOCKOUT_TEMPLATE="accounts/lockout.html")
def test_after_five_wrong_passwords_the_login_is_locked_with_an_indonesian_page(client, siti):
    statuses = [log_in(client, "siti@example.id", password=f"salah-{n}").status_code for n in range(5)]
    # django-axes locks at the fifth failure itself: that answer is already the lockout page.
    assert statuses == [200, 200, 200, 200, 429]

    sixth = log_in(client, "siti@example.id")

    # Locked even with the right password: that is what stops guessing.
    assert sixth.status_code == 429
    assert "Terlalu banyak percobaan masuk" in sixth.content.decode()
    assert "15 menit" in sixth.content.decode()
    assert logged_in_as(client) is None


@override_settings(AXES_ENABLED=True, AXES_LOCKOUT_TEMPLATE="accounts/lockout.html")
def test_every_spelling_of_one_hp_number_counts_against_one_lockout(client, siti):
    spellings = ["+62 812-3456-7890", "0812 3456 7890", "6281234567890", "081234567890", "+6281234567890"]
    for spelling in spellings:
        log_in(client, spelling, password="salah")

    assert log_in(client, "0812-3456-7890").status_code == 429


@override_settings(AXES_ENABLED=True, AXES_LOCKOUT_TEMPLATE="accounts/lockout.html")
def test_a_lockout_of_one_login_leaves_other_logins_alone(client, siti, verifier):
    for n in range(6):
        log_in(client, "siti@example.id", password=f"salah-{n}")

    response = log_in(client, "budi")

    assert response.status_code == 302
    assert logged_in_as(client) == str(verifier.pk)


@override_settings(AXES_ENABLED=True, AXES_LOCKOUT_TEMPLATE="accounts/lockout.html")
def test_staff_admin_logins_are_throttled_with_a_cool_off_not_a_permanent_lockout(client, verifier):
    import datetime

    from axes.models import AccessAttempt
    from django.utils import timezone

    def admin_login(password: str) -> int:
        data = {"username": "budi", "password": password, "next": "/admin/"}
        return client.post("/admin/login/?next=/admin/", data).status_code

    assert [admin_login(f"salah-{n}") for n in range(5)] == [200, 200, 200, 200, 429]
    assert admin_login("rahasia-123") == 429

    # Fifteen minutes later (AXES_COOLOFF_TIME) the right password works again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert admin_login("rahasia-123") == 302
    assert logged_in_as(client) == str(verifier.pk)
