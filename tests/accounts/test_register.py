"""A ketua registers with name, e-mail, HP and password, and gets an inactive account and an
activation e-mail; an address or number already in use is refused and nothing is created."""

import re

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Role, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Sawah-Hijau-2020"


def registration(**changes: str) -> dict[str, str]:
    """What Andi, ketua of a new kelompok, types into the registration form."""
    return {
        "full_name": "Andi Saputra",
        "email": "andi.saputra@example.id",
        "phone": "+62 812-3456-7890",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **changes,
    }


def register(client, django_capture_on_commit_callbacks, **changes: str):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("accounts:register"), registration(**changes))


def test_registering_creates_an_inactive_group_account_and_mails_an_activation_link(
    client, django_capture_on_commit_callbacks
):
    response = register(client, django_capture_on_commit_callbacks, email="Andi.Saputra@Example.ID")

    assert response.status_code == 302
    assert response.url == reverse("accounts:verification_sent")
    andi = User.objects.get()
    assert (andi.username, andi.email, andi.phone) == ("andi.saputra@example.id",) * 2 + ("081234567890",)
    assert andi.first_name == "Andi Saputra"
    assert not andi.is_active
    assert andi.check_password(PASSWORD)
    assert andi.has_role(Role.GROUP)
    [message] = mail.outbox
    assert message.to == ["andi.saputra@example.id"]
    assert "Aktifkan akun" in message.subject
    assert re.search(r"http://testserver/akun/verifikasi/[\w-]+/[\w-]+/", message.body)


def test_the_page_after_registering_says_to_check_the_email_and_offers_to_resend(
    client, django_capture_on_commit_callbacks
):
    register(client, django_capture_on_commit_callbacks)

    page = client.get(reverse("accounts:verification_sent"))

    assert "Periksa e-mail Anda" in page.content.decode()
    assert "andi.saputra@example.id" in page.content.decode()
    assert reverse("accounts:verification_resend") in page.content.decode()


def test_the_email_is_sent_only_after_the_account_is_committed(client):
    # Without the on-commit callbacks running, nothing has been sent yet.
    client.post(reverse("accounts:register"), registration())

    assert User.objects.exists()
    assert mail.outbox == []


def test_an_email_in_use_in_another_case_is_refused_and_nothing_is_created(client, django_capture_on_commit_callbacks):
    UserFactory(username="andi", email="andi.saputra@example.id")

    response = register(client, django_capture_on_commit_callbacks, email="ANDI.Saputra@example.ID")

    assert response.status_code == 200
    assert "Alamat e-mail ini sudah dipakai akun lain" in response.content.decode()
    assert User.objects.count() == 1
    assert mail.outbox == []


def test_a_phone_in_use_in_another_format_is_refused_and_nothing_is_created(client, django_capture_on_commit_callbacks):
    UserFactory(username="budi", phone="081234567890")

    response = register(client, django_capture_on_commit_callbacks, phone="0812 3456 7890")

    assert response.status_code == 200
    assert "Nomor HP ini sudah dipakai akun lain" in response.content.decode()
    assert User.objects.count() == 1
    assert mail.outbox == []


def test_a_registration_racing_another_is_refused_with_the_same_message(monkeypatch):
    # Andi's twin registers the same address between Andi's check and Andi's insert: the
    # database constraint refuses the insert, and Andi sees the usual message.
    real_check, checks = services._contact_ensure_free, []

    def check_too_early(**contact: str) -> None:
        checks.append(contact)
        if len(checks) > 1:
            real_check(**contact)

    monkeypatch.setattr(services, "_contact_ensure_free", check_too_early)
    UserFactory(username="kembar", email="andi.saputra@example.id")

    with pytest.raises(ValidationError) as refused:
        services.user_register(
            full_name="Andi",
            email="andi.saputra@example.id",
            phone="081234567890",
            password=PASSWORD,
            absolute_url=lambda path: f"http://testserver{path}",
        )

    assert "sudah dipakai akun lain" in str(refused.value.message_dict["email"])
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "Bidang ini tidak boleh kosong"),
        ({"email": "andi-at-example.id"}, "email", "alamat email yang valid"),
        ({"phone": "021-555-1234"}, "phone", "Nomor HP tidak valid"),
        ({"phone": "٠٨١٢٣٤٥٦٧٨٩٠"}, "phone", "Nomor HP tidak valid"),
        ({"phone": "0" * 5000}, "phone", "paling banyak 32 karakter"),
        ({"password2": "Sawah-Hijau-2021"}, "password2", "Kedua kata sandi tidak sama"),
        ({"password1": "rahasia", "password2": "rahasia"}, "password1", "terlalu pendek"),
        ({"password1": "andisaputra", "password2": "andisaputra"}, "password1", "terlalu mirip"),
    ],
)
def test_bad_input_is_refused_with_a_message_on_its_field_and_changes_nothing(
    client, django_capture_on_commit_callbacks, changes, field, message
):
    response = register(client, django_capture_on_commit_callbacks, **changes)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not User.objects.exists()
    assert mail.outbox == []


def test_a_post_missing_every_field_is_refused_not_an_error(client):
    response = client.post(reverse("accounts:register"), {})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"full_name", "phone", "password1", "password2"}
    assert not User.objects.exists()


def test_an_email_too_long_for_a_username_gets_a_generated_one(client, django_capture_on_commit_callbacks):
    long_email = f"{'a' * 160}@example.id"

    register(client, django_capture_on_commit_callbacks, email=long_email)

    andi = User.objects.get()
    assert andi.email == long_email
    assert andi.username.startswith("kelompok-")


def test_registering_needs_the_csrf_token():
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:register"), registration())

    assert response.status_code == 403
    assert not User.objects.exists()


def test_the_form_is_accessible_on_a_phone(client):
    page = client.post(reverse("accounts:register"), registration(phone="12"))
    html = page.content.decode()

    for name in ("full_name", "email", "phone", "password1", "password2"):
        assert f'<label for="id_{name}">' in html
    phone_input = re.search(r"<input[^>]*name=\"phone\"[^>]*>", html).group(0)
    for attribute in ('type="tel"', 'inputmode="tel"', 'autocomplete="tel"', 'aria-invalid="true"'):
        assert attribute in phone_input
    assert 'aria-describedby="id_phone_helptext id_phone_error"' in phone_input
    assert 'id="id_phone_error"' in html
    assert 'autocomplete="email"' in html
    assert 'autocomplete="name"' in html
    assert html.count('autocomplete="new-password"') == 2


def test_the_group_role_exists_even_on_a_fresh_database(client, django_capture_on_commit_callbacks):
    AuthGroup.objects.filter(name=Role.GROUP.value).delete()

    register(client, django_capture_on_commit_callbacks)

    assert User.objects.get().has_role(Role.GROUP)


def test_a_ketua_without_email_registers_by_phone_and_starts_at_once(client, django_capture_on_commit_callbacks):
    response = register(client, django_capture_on_commit_callbacks, email="", phone="+62 813-1111-2222")

    assert response.status_code == 302 and response.url == reverse("groups:profile")
    user = User.objects.get(phone="081311112222")
    assert user.is_active and user.email == "" and user.groups.filter(name="kelompok").exists()
    assert not mail.outbox  # nothing to verify by e-mail
    assert client.get(reverse("groups:profile")).status_code == 200  # logged in
    client.post(reverse("accounts:logout"))
    assert client.login(username="081311112222", password=PASSWORD) is True


def test_two_phone_only_accounts_do_not_clash_on_their_empty_email(client, django_capture_on_commit_callbacks):
    register(client, django_capture_on_commit_callbacks, email="", phone="081311112222")
    client.post(reverse("accounts:logout"))
    register(client, django_capture_on_commit_callbacks, email="", phone="081311113333")

    assert User.objects.filter(email="").count() == 2
