"""What a bad-input corpus found at the login: over-long logins, timing that told which accounts exist,
and a lockout that a password sprayer from one address never met."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.accounts.test_login import log_in, logged_in_as
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")
THROTTLED = {"AXES_ENABLED": True, "AXES_LOCKOUT_TEMPLATE": "accounts/lockout.html"}


# --- over-long logins ------------------------------------------------------------------------------


@override_settings(**THROTTLED)
@pytest.mark.parametrize(
    ("url", "message"),
    [
        (LOGIN_URL, "Login terlalu panjang: paling banyak 254 karakter."),
        ("/admin/login/?next=/admin/", "Nama pengguna terlalu panjang: paling banyak 254 karakter."),
    ],
)
def test_a_login_over_254_characters_is_a_400_with_a_message_on_both_login_pages(client, url, message):
    """django-axes stores the attempted login in 255 characters: on PostgreSQL a longer one was a 500."""
    response = client.post(url, {"username": "a" * 300, "password": "x"})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AccessAttempt.objects.exists()  # refused before it was counted


@override_settings(**THROTTLED)
def test_a_254_character_login_is_still_an_ordinary_wrong_login(client):
    response = client.post(LOGIN_URL, {"username": "a" * 254, "password": "x"})

    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "a" * 254


# --- one password hash per attempt, whoever the login names ------------------------------------------


class CountingHasher(MD5PasswordHasher):
    """The test settings' fast hasher, counting how often a password is hashed."""

    calls = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.fixture
def hashes():
    with override_settings(PASSWORD_HASHERS=[f"{__name__}.CountingHasher"]):
        CountingHasher.calls = 0

        def taken() -> int:
            count, CountingHasher.calls = CountingHasher.calls, 0
            return count

        yield taken


@pytest.fixture
def accounts(applicant, verifier):
    """Siti (ketua), Budi (staff), an account awaiting verification and one with no usable password."""
    waiting = UserFactory(username="andi", email="andi@example.id", is_active=False)
    waiting.groups.add(*applicant.groups.all())
    UserFactory(username="tanpa-sandi", password=None)  # set_password(None): no usable password
    return applicant, verifier, waiting


@pytest.mark.parametrize(
    ("url", "login", "password"),
    [
        (LOGIN_URL, "tidak-ada@example.id", "rahasia-123"),
        (LOGIN_URL, "siti@example.id", "salah-sandi"),
        (LOGIN_URL, "siti@example.id", "rahasia-123"),
        (LOGIN_URL, "andi@example.id", "salah-sandi"),
        (LOGIN_URL, "andi@example.id", "rahasia-123"),
        (LOGIN_URL, "tanpa-sandi", "rahasia-123"),
        ("/admin/login/", "tidak-ada", "rahasia-123"),
        ("/admin/login/", "budi", "salah-sandi"),
        ("/admin/login/", "budi", "rahasia-123"),
    ],
)
def test_every_login_attempt_hashes_the_password_exactly_once(client, accounts, hashes, url, login, password):
    """The hasher is what a login's time is made of (~250 ms with PBKDF2): the same count for an
    unknown login, a wrong password, a right one, an unverified account and an unusable password
    means the answer's timing does not tell which accounts exist."""
    client.post(url, {"username": login, "password": password})

    assert hashes() == 1


def test_an_unverified_account_with_the_right_password_is_still_told_to_verify(client, accounts, hashes):
    response = log_in(client, "andi@example.id", password="rahasia-123")

    assert "Akun Anda belum diaktifkan" in response.content.decode()
    assert hashes() == 1


# --- lockout per login + address and per address ---------------------------------------------------


def spray(client, count: int, *, start: int = 0, address: str = "10.0.0.1") -> list[int]:
    """``count`` different logins, one wrong password each, from one address."""
    return [
        client.post(
            LOGIN_URL, {"username": f"warga{n}@example.id", "password": "Rahasia2020"}, REMOTE_ADDR=address
        ).status_code
        for n in range(start, start + count)
    ]


@override_settings(**THROTTLED, AXES_IP_FAILURE_LIMIT=10)
def test_spraying_many_logins_from_one_address_is_throttled(client, applicant):
    assert spray(client, 9) == [200] * 9

    locked = spray(client, 1, start=9)
    # Siti's own, right, password from that address waits too: the address is locked, not a login.
    siti = client.post(LOGIN_URL, {"username": "siti@example.id", "password": "rahasia-123"}, REMOTE_ADDR="10.0.0.1")

    assert locked == [429]
    assert siti.status_code == 429
    assert "dari jaringan Anda" in siti.content.decode()
    assert siti["Retry-After"] == "900"  # AXES_COOLOFF_TIME, 15 minutes
    assert logged_in_as(client) is None


@override_settings(**THROTTLED, AXES_IP_FAILURE_LIMIT=10)
def test_a_locked_address_leaves_other_addresses_alone_and_cools_off(client, applicant):
    spray(client, 10)

    elsewhere = client.post(
        LOGIN_URL, {"username": "siti@example.id", "password": "rahasia-123"}, REMOTE_ADDR="10.0.0.2"
    )
    assert elsewhere.status_code == 302

    client.logout()
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert spray(client, 1, start=50) == [200]


@override_settings(**THROTTLED, AXES_IP_FAILURE_LIMIT=10)
def test_a_working_account_does_not_reset_the_address_count(client, applicant):
    """axes would forgive every failure of the address on a successful login: one account of their
    own would let a sprayer start again at will."""
    spray(client, 8)
    ok = client.post(LOGIN_URL, {"username": "siti", "password": "rahasia-123"}, REMOTE_ADDR="10.0.0.1")
    assert ok.status_code == 302
    client.logout()

    assert spray(client, 2, start=8) == [200, 429]


@override_settings(**THROTTLED)
def test_a_locked_login_says_so_with_retry_after(client, applicant):
    for n in range(5):
        log_in(client, "siti@example.id", password=f"salah-{n}")

    response = log_in(client, "siti@example.id")

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "setelah 5 kali gagal" in response.content.decode()
