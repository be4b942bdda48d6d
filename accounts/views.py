"""The ketua's account pages: register, verify the e-mail address, log in and out, reset a password.

Views parse the request, call one service and render; the rules live in accounts.services."""

import math

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_http_methods
from django.views.generic import FormView, TemplateView

from accounts import services
from accounts.backends import EmailOrPhoneBackend
from accounts.forms import LoginForm, PasswordResetCodeForm, PasswordResetForm, RegisterForm, VerificationResendForm
from jps_portal.ratelimit import seconds_to_wait
from notifications.phones import phone_masked
from notifications.services import CodeThrottledError

# Remembers, for the "check your e-mail" page, which address this browser just registered.
REGISTERED_EMAIL_SESSION_KEY = "accounts_registered_email"
# The phone number a reset code was asked for, for the page where the code is entered.
RESET_PHONE_SESSION_KEY = "accounts_reset_phone"
LOGIN_BACKEND = f"{EmailOrPhoneBackend.__module__}.{EmailOrPhoneBackend.__qualname__}"
RESEND_SENT_MESSAGE = gettext_lazy(
    "Jika alamat itu terdaftar dan akunnya belum aktif, kami sudah mengirim tautan aktivasi baru ke sana. "
    "Periksa kotak masuk dan folder spam."
)


class RegisterView(FormView):
    form_class = RegisterForm
    template_name = "accounts/register.html"

    def form_valid(self, form: RegisterForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            user = services.user_register(
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                password=data["password1"],
                absolute_url=self.request.build_absolute_uri,
            )
        except ValidationError as refusal:
            _form_refuse(form, refusal)
            return self.form_invalid(form)
        if user.is_active:  # registered by phone only: nothing to verify
            login(self.request, user, backend="accounts.backends.EmailOrPhoneBackend")
            messages.success(self.request, _("Akun dibuat. Sekarang isi profil kelompok Anda."))
            return redirect("groups:profile")
        self.request.session[REGISTERED_EMAIL_SESSION_KEY] = user.email
        return redirect("accounts:verification_sent")


class VerificationSentView(TemplateView):
    template_name = "accounts/verification_sent.html"

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        email = self.request.session.get(REGISTERED_EMAIL_SESSION_KEY, "")
        return super().get_context_data(email=email, form=VerificationResendForm(initial={"email": email}), **kwargs)


class VerificationResendView(FormView):
    form_class = VerificationResendForm
    template_name = "accounts/verification_resend.html"

    def get_initial(self) -> dict[str, str]:
        return {"email": self.request.GET.get("email", "")[:254]}

    def form_valid(self, form: VerificationResendForm) -> HttpResponse:
        services.user_verification_resend(
            email=form.cleaned_data["email"], absolute_url=self.request.build_absolute_uri
        )
        # The same words whether or not the address has an account.
        messages.info(self.request, RESEND_SENT_MESSAGE)
        return redirect("accounts:verification_sent")


class VerifyView(View):
    """GET only shows an "activate" button: mail scanners open links, and must not activate them."""

    def get(self, request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
        if services.user_verification_check(uidb64=uidb64, token=token) is None:
            return self._invalid(request)
        return render(request, "accounts/verify_confirm.html")

    def post(self, request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
        user = services.user_verification_check(uidb64=uidb64, token=token)
        if user is None:
            return self._invalid(request)
        user = services.user_activate(user=user)
        login(request, user, backend=LOGIN_BACKEND)
        request.session.pop(REGISTERED_EMAIL_SESSION_KEY, None)
        messages.success(request, _("Akun Anda sudah aktif. Selamat datang di Portal JPS!"))
        return redirect(settings.LOGIN_REDIRECT_URL)

    def _invalid(self, request: HttpRequest) -> HttpResponse:
        return render(request, "accounts/verify_invalid.html", {"form": VerificationResendForm()})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: LoginForm) -> HttpResponse:
        return _malformed_login_is_400(super().form_invalid(form))


def staff_login(request: HttpRequest) -> HttpResponse:
    """The admin's own login page (``admin.site.login``, with ``StaffLoginForm``), answering 400 like
    the portal's when the input is malformed rather than a wrong password."""
    return _malformed_login_is_400(admin.site.login(request))


def _malformed_login_is_400(response: HttpResponse) -> HttpResponse:
    form = (getattr(response, "context_data", None) or {}).get("form")
    if form is not None and form.is_bound and form.has_malformed_input():
        response.status_code = 400
    return response


class PasswordResetView(auth_views.PasswordResetView):
    """An e-mail address gets a link (Django's flow); a phone number gets a code by SMS, entered on
    the next page. Known and unknown addresses and numbers get the same answer."""

    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        if form.phone is None:
            return super().form_valid(form)
        try:
            services.password_reset_code_send(phone=form.phone, ip=client_ip(self.request))
        except CodeThrottledError as error:
            form.add_error(None, _too_many_codes(error.retry_after))
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(error.retry_after)
            return response
        self.request.session[RESET_PHONE_SESSION_KEY] = form.phone
        return redirect("accounts:password_reset_code")


def _too_many_codes(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return _("Terlalu banyak permintaan kode. Coba lagi dalam %(minutes)d menit.") % {"minutes": minutes}


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@require_http_methods(["GET", "POST"])
def password_reset_code(request: HttpRequest) -> HttpResponse:
    """Enter the code from the SMS and a new password. The number comes from this browser's session
    (the page before), never from the form, so the page cannot be pointed at another number."""
    phone = request.session.get(RESET_PHONE_SESSION_KEY)
    if not phone:
        messages.info(request, _("Tulis dulu e-mail atau nomor HP akun Anda."))
        return redirect("accounts:password_reset")
    form = PasswordResetCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        wait = seconds_to_wait("password-reset-code", client_ip(request) or "-")
        if wait:
            form.is_valid()
            form.add_error(None, _too_many_codes(wait))
            status = 429
        elif form.is_valid():
            user = services.password_reset_with_code(
                phone=phone, code=form.cleaned_data["code"], password=form.cleaned_data["new_password1"]
            )
            if user is not None:
                del request.session[RESET_PHONE_SESSION_KEY]
                return redirect("accounts:password_reset_complete")
            form.add_error(
                "code",
                _(
                    "Kode salah, sudah kedaluwarsa, atau sudah terlalu sering dicoba. "
                    "Periksa SMS terakhir, atau minta kode baru."
                ),
            )
    context = {"form": form, "phone": phone_masked(phone), "minutes": settings.OTP_TTL_SECONDS // 60}
    return render(request, "accounts/password_reset_code.html", context, status=status)


def _form_refuse(form: RegisterForm, refusal: ValidationError) -> None:
    """Show a service's refusal on the field it names, or above the form if the form has no such field."""
    by_field = refusal.error_dict if hasattr(refusal, "error_dict") else {None: refusal.error_list}
    for field, errors in by_field.items():
        form.add_error(field if field in form.fields else None, errors)
