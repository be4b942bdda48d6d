"""Forms for the ketua's account. They parse and check what was typed; accounts.services acts on it."""

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import User


class TelInput(forms.TextInput):
    input_type = "tel"


def _email_field(**kwargs: Any) -> forms.EmailField:
    return forms.EmailField(
        label=_("Alamat e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"}),
        **kwargs,
    )


class RegisterForm(forms.Form):
    full_name = forms.CharField(
        label=_("Nama lengkap ketua kelompok"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
    )
    email = _email_field(
        required=False,
        help_text=_(
            "Boleh dikosongkan jika tidak punya e-mail: masuk dengan nomor HP. Jika diisi, kami mengirim "
            "tautan aktivasi ke alamat ini."
        ),
    )
    phone = forms.CharField(
        label=_("Nomor HP"),
        # Room for "+62 812-3456-7890-123" and the like; the digits are checked in clean_phone.
        max_length=32,
        help_text=_("Contoh: 0812-3456-7890 atau +62 812 3456 7890."),
        widget=TelInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per form, not at import, so it is in the language of the request.
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean_phone(self) -> str:
        return services.phone_normalise(raw=self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", ValidationError(_("Kedua kata sandi tidak sama."), code="password_mismatch"))
        elif password1:
            # The similarity check needs the name and address the password must not resemble.
            email = cleaned.get("email", "")
            someone = User(username=email, email=email, first_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, user=someone)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(auth_forms.AuthenticationForm):
    username = auth_forms.UsernameField(
        label=_("E-mail atau nomor HP"),
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("E-mail/nomor HP atau kata sandi salah. Periksa lagi, lalu coba kembali."),
        "inactive": _("Akun ini tidak aktif. Hubungi Disnaker setempat."),
        "unverified": _(
            "Akun Anda belum diaktifkan. Buka tautan aktivasi yang kami kirim ke e-mail Anda, "
            "atau minta tautan baru di bawah ini."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Logins are e-mail addresses too, which may be longer than a username.
        self.fields["username"].max_length = 254
        self.fields["username"].widget.attrs["maxlength"] = 254
        self.unverified_user: User | None = None

    def clean_username(self) -> str:
        # Before authenticate(), so "+62 812-…" finds the account stored as "0812…" and django-axes
        # counts every spelling of one login against the same lockout.
        return services.login_normalise(login=self.cleaned_data["username"])

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError as refusal:
            if refusal.code != "invalid_login" or getattr(self.request, "axes_locked_out", False):
                raise
            self.unverified_user = services.user_awaiting_verification(
                login=self.cleaned_data["username"], password=self.cleaned_data["password"]
            )
            if self.unverified_user is None:
                raise
            raise ValidationError(self.error_messages["unverified"], code="unverified") from None


class VerificationResendForm(forms.Form):
    email = _email_field()


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = _email_field(help_text=_("Alamat e-mail yang Anda pakai saat mendaftar."))
