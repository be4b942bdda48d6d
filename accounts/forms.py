"""Forms for the ketua's account. They parse and check what was typed; accounts.services acts on it."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.backends import PASSWORD_RIGHT_BUT_INACTIVE
from accounts.models import User
from groups.names import TypedTextFormField


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
    full_name = TypedTextFormField(
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


# The longest login anyone can have: an e-mail address (RFC 5321). django-axes stores what was typed
# in a 255-character column, so anything longer is refused before it is counted (PostgreSQL would
# refuse to store it: a server error instead of a message).
LOGIN_MAX_LENGTH = 254


class LoginInputMixin:
    """What both login forms (the ketua's and the admin's) share: a login longer than any account's
    is refused as malformed (the view answers 400), and after a refused password the form asks the
    backend, not the hasher again, whether the password was right for an account awaiting
    verification."""

    too_long_message = _("Login terlalu panjang: paling banyak %(limit_value)d karakter.")

    def _limit_login_length(self) -> None:
        field = self.fields["username"]
        field.max_length = LOGIN_MAX_LENGTH
        field.widget.attrs["maxlength"] = LOGIN_MAX_LENGTH
        # Setting max_length after construction adds no validator (Django's AuthenticationForm
        # relies on the widget alone): this one refuses what a script sends past the widget.
        field.validators.append(MaxLengthValidator(LOGIN_MAX_LENGTH, message=self.too_long_message))

    def has_malformed_input(self) -> bool:
        """True when a field was refused for its shape, not for a wrong password: answered with 400."""
        return any(error.code == "max_length" for error in self.errors.as_data().get("username", []))


class LoginForm(LoginInputMixin, auth_forms.AuthenticationForm):
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
        self._limit_login_length()
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
            # The backend marks the request when the password was right but the account inactive.
            user = getattr(self.request, PASSWORD_RIGHT_BUT_INACTIVE, None)
            if user is None or not services.user_is_awaiting_verification(user=user):
                raise
            self.unverified_user = user
            raise ValidationError(self.error_messages["unverified"], code="unverified") from None


class StaffLoginForm(LoginInputMixin, AdminAuthenticationForm):
    """The admin's login form with the same length limit as the ketua's."""

    too_long_message = _("Nama pengguna terlalu panjang: paling banyak %(limit_value)d karakter.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limit_login_length()


class VerificationResendForm(forms.Form):
    email = _email_field()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """The account's e-mail address (a link is mailed) or phone number (a code is texted)."""

    email = forms.CharField(
        label=_("E-mail atau nomor HP"),
        max_length=254,
        help_text=_("Yang Anda pakai saat mendaftar, mis. nama@contoh.id atau 0812-3456-7890."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )

    def clean_email(self) -> str:
        value = self.cleaned_data["email"].strip()
        if "@" in value:
            return forms.EmailField().clean(value).lower()
        return services.phone_normalise(raw=value)

    @property
    def phone(self) -> str | None:
        """The phone number asked for, or None when it was an e-mail address."""
        value = self.cleaned_data.get("email", "")
        return None if "@" in value else value

    def save(self, *, request: Any = None, use_https: bool = False, **kwargs: Any) -> None:
        # Never finds or mails the accounts in the request: see accounts.services.password_reset_request.
        services.password_reset_request(
            email=self.cleaned_data["email"],
            protocol="https" if use_https else "http",
            domain=request.get_host(),
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )


class PasswordResetCodeForm(forms.Form):
    """The code from the SMS and the new password."""

    code = forms.CharField(
        label=_("Kode dari SMS"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    new_password1 = forms.CharField(
        label=_("Kata sandi baru"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label=_("Ulangi kata sandi baru"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("Kedua kata sandi tidak sama."))
        elif first:
            # Checked without the account (user=None): a rule that depends on it ("too similar to
            # the name") would tell a stranger that the number has an account.
            try:
                password_validation.validate_password(first)
            except ValidationError as error:
                self.add_error("new_password1", error)
        return cleaned
