"""Business actions on portal accounts: registering a ketua, verifying the e-mail address, finding
the account behind a login. Views and the login backend call these; they call the models."""

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Q, QuerySet, When
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import Role, User
from groups.names import typed_text_clean
from jps_portal.celery import enqueue_on_commit

logger = logging.getLogger(__name__)

# Turns a site path into an absolute link; views pass ``request.build_absolute_uri``.
AbsoluteUrl = Callable[[str], str]

# What people type around the digits of a phone number: "+62 812-3456-7890", "(0812) 3456.7890".
_PHONE_SEPARATORS = re.compile(r"[\s().-]+")
# ASCII digits only: str.isdigit() would also let through Arabic-Indic or full-width digits.
_PHONE_SHAPE = re.compile(r"(?:\+62|62|0)([0-9]+)", re.ASCII)
_PHONE_LOOKS_LIKE = re.compile(r"[+0-9\s().-]+", re.ASCII)
PHONE_DIGITS_MIN = 10
PHONE_DIGITS_MAX = 15


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for the activation link, never valid as a password-reset token (own salt) and void
    once the account is active, so a verification link works exactly once."""

    key_salt = "accounts.services.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


email_verification_token = EmailVerificationTokenGenerator()


# --- phone numbers ----------------------------------------------------------------------------


def phone_normalise(*, raw: str) -> str:
    """An Indonesian mobile number in the one form we store and log in with: ``08…``.

    Accepts ``08…``, ``+62 8…`` and ``62 8…`` with spaces, dashes, dots or brackets; refuses anything
    else with a ValidationError that says how to write it."""
    match = _PHONE_SHAPE.fullmatch(_PHONE_SEPARATORS.sub("", raw))
    # "+62 (0)812…" is common: the trunk zero written after the country code.
    national = "0" + match.group(1).removeprefix("0") if match else ""
    if not national.startswith("08") or not PHONE_DIGITS_MIN <= len(national) <= PHONE_DIGITS_MAX:
        raise ValidationError(
            _("Nomor HP tidak valid. Tulis 10–15 angka yang diawali 08 atau +62 8, misalnya 0812-3456-7890."),
            code="invalid_phone",
        )
    return national


def login_normalise(*, login: str) -> str:
    """What a ketua typed as login, in the form accounts are stored in: a phone number as ``08…``
    and an e-mail address lower-cased, so every spelling of one login is one login (also for the
    lockout counter, which counts per login)."""
    login = login.strip()
    if _PHONE_LOOKS_LIKE.fullmatch(login):
        try:
            return phone_normalise(raw=login)
        except ValidationError:
            return login
    return login.lower() if "@" in login else login


# --- finding accounts -------------------------------------------------------------------------


def user_login_candidate(*, login: str) -> User | None:
    """The one account a login means: a username, else a phone number, else an e-mail address (any
    case). One account, so that a login attempt checks one password hash whatever the data holds."""
    preference = Case(When(username=login, then=0), When(phone=login, then=1), default=2)
    candidates = User.objects.filter(Q(username=login) | Q(email__iexact=login) | Q(phone=login))
    return candidates.order_by(preference, "pk").first()


def password_hash_anyway(*, password: str) -> None:
    """Hash ``password`` and throw the result away: what a login for an account that does not exist
    does, so that it takes as long as checking a real account's password."""
    make_password(password)


def user_is_awaiting_verification(*, user: User) -> bool:
    """Whether ``user`` registered and has not opened the activation link yet. Asked only after the
    login backend found the password right for an inactive account, so that the ketua is told to
    verify instead of being told the password is wrong."""
    return _users_awaiting_verification().filter(pk=user.pk).exists()


def user_from_uidb64(*, uidb64: str) -> User | None:
    """The account a ``uidb64`` from a link names, or None for anything malformed or unknown."""
    try:
        return User.objects.get(pk=urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, ValidationError, User.DoesNotExist):
        return None


def user_verification_check(*, uidb64: str, token: str) -> User | None:
    """The account a verification link activates, or None if the link is invalid, expired or used."""
    user = user_from_uidb64(uidb64=uidb64)
    if user is None or not _users_awaiting_verification().filter(pk=user.pk).exists():
        return None
    return user if email_verification_token.check_token(user, token) else None


# --- registering and verifying ----------------------------------------------------------------


def user_register(*, full_name: str, email: str, phone: str, password: str, absolute_url: AbsoluteUrl) -> User:
    """Create a group account. With an e-mail address it stays inactive until the activation link
    (e-mailed after commit) is opened; with a phone number only it is active at once — many ketua
    have no e-mail, and no SMS gateway is wired in to verify a phone.

    Raises ValidationError (by field) when the e-mail address or phone number is already in use."""
    email, phone = email.strip().lower(), phone_normalise(raw=phone)
    _contact_ensure_free(email=email, phone=phone)
    username = _username_for(email=email) if email else f"hp-{phone}"
    user = User(username=username, email=email, phone=phone, first_name=typed_text_clean(full_name))
    user.set_password(password)
    user.is_active = not email
    # Field rules only: uniqueness was checked above with friendly messages, and the database
    # constraints catch a concurrent registration below.
    user.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            user.save()
            user.groups.add(AuthGroup.objects.get_or_create(name=Role.GROUP.value)[0])
            if email:
                _verification_mail_on_commit(user=user, absolute_url=absolute_url)
    except IntegrityError:
        # Someone registered the same e-mail or phone between our check and our insert.
        _contact_ensure_free(email=email, phone=phone)
        raise ValidationError(_("Pendaftaran tidak dapat disimpan. Silakan coba lagi."), code="conflict") from None
    return user


RESEND_INTERVAL_SECONDS = 120


def user_verification_resend(*, email: str, absolute_url: AbsoluteUrl) -> None:
    """Send a fresh activation link if ``email`` belongs to an account still awaiting verification.

    Says nothing either way: callers show one message, so the form cannot be used to learn which
    addresses have accounts."""
    user = _users_awaiting_verification().filter(email__iexact=email.strip()).first()
    # One link per address per few minutes, whoever asks: the form cannot flood an inbox.
    if user is not None and cache.add(f"verification-resend:{user.pk}", 1, timeout=RESEND_INTERVAL_SECONDS):
        _verification_mail_on_commit(user=user, absolute_url=absolute_url)


def user_activate(*, user: User) -> User:
    """Activate an account whose e-mail address was verified; activating twice changes nothing."""
    with transaction.atomic():
        # Locked so that two clicks on one link cannot interleave with an officer's change.
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            locked.is_active = True
            locked.save(update_fields=["is_active"])
    return locked


# --- password reset ---------------------------------------------------------------------------


def password_reset_request(*, email: str, protocol: str, domain: str, language: str) -> None:
    """Have the reset link e-mailed to the accounts of ``email``, if it has any.

    The request does the same work whether or not it has: it publishes one task with the address,
    and the worker looks the accounts up and sends the mail. Looking them up and talking to the
    mail server in the request would make a known address measurably slower than an unknown one.
    If the broker is down, the mail is sent here instead (rather than lost)."""
    from accounts.tasks import send_password_reset_mail

    def send_now() -> None:
        password_reset_mail_send(email=email, protocol=protocol, domain=domain, language=language)

    enqueue_on_commit(send_password_reset_mail, email, protocol, domain, language, on_failure=send_now)


def password_reset_mail_send(*, email: str, protocol: str, domain: str, language: str) -> int:
    """Queue a reset link for every active account with a usable password at ``email`` (Django's
    own form finds them) in the outbox, which delivers and retries. Returns how many were queued."""
    from notifications.models import Message
    from notifications.services import message_queue

    for user in (users := list(PasswordResetForm().get_users(email))):
        context = {
            "user": user,
            "protocol": protocol,
            "domain": domain,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        }
        message_queue(
            channel=Message.Channel.EMAIL,
            to=user.email,
            template="password_reset",
            context=context,
            language=language,
            # The link lets anyone in: once sent, the outbox keeps only this.
            body_redacted=_("Tautan atur ulang kata sandi (disembunyikan)."),
        )
    return len(users)


def _users_awaiting_verification() -> QuerySet[User]:
    # Group accounts that registered and never got in. Never-logged-in is what tells them from an
    # account an officer switched off, which a verification link must not revive; staff accounts
    # are made and switched on by an administrator, never by a link.
    return User.objects.filter(is_active=False, last_login__isnull=True, is_staff=False, groups__name=Role.GROUP.value)


def _contact_ensure_free(*, email: str, phone: str) -> None:
    errors = {}
    if email and User.objects.filter(email__iexact=email).exists():
        errors["email"] = ValidationError(
            _("Alamat e-mail ini sudah dipakai akun lain. Silakan masuk atau pakai fitur lupa kata sandi."),
            code="email_taken",
        )
    if User.objects.filter(phone=phone).exists():
        errors["phone"] = ValidationError(
            _("Nomor HP ini sudah dipakai akun lain. Silakan masuk atau pakai nomor lain."), code="phone_taken"
        )
    if errors:
        raise ValidationError(errors)


def _username_for(*, email: str) -> str:
    # The e-mail address itself where it can be a username: some legal addresses are too long for
    # one or hold characters (', !, #…) that Django's username validator refuses.
    username_field = User._meta.get_field("username")
    try:
        username_field.run_validators(email)
    except ValidationError:
        pass
    else:
        if not User.objects.filter(username=email).exists():
            return email
    return f"kelompok-{get_random_string(12, allowed_chars='abcdefghijkmnpqrstuvwxyz23456789')}"


def _verification_mail_on_commit(*, user: User, absolute_url: AbsoluteUrl) -> None:
    """The activation link goes into the outbox with the account: stored in the same transaction and
    delivered after commit, so a mail server that is down delays the mail instead of failing the
    registration, and the outbox keeps trying."""
    from notifications.models import Message
    from notifications.services import message_queue

    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_token.make_token(user)
    link = absolute_url(reverse("accounts:verify", kwargs={"uidb64": uidb64, "token": token}))
    context = {"user": user, "link": link, "valid_days": settings.PASSWORD_RESET_TIMEOUT // (24 * 3600)}
    message_queue(channel=Message.Channel.EMAIL, to=user.email, template="account_verification", context=context)
    logger.info("Verification e-mail queued for user %s", user.pk)


# --- password reset by SMS code (accounts with a phone number, e.g. no e-mail) ----------------

PASSWORD_RESET_PURPOSE = "password_reset"


def password_reset_code_send(*, phone: str, ip: str | None) -> None:
    """Text a one-time code to ``phone`` (as ``phone_normalise`` writes it) if an active account has
    that number. An unknown number gets the same work and answer — a code row is made and counted
    against the limits, just not sent — so the form never tells which numbers are registered.

    Raises ``notifications.services.CodeThrottledError`` when the number or the IP asked too often."""
    from notifications.services import otp_send

    known = User.objects.filter(phone=phone, is_active=True).exists()
    try:
        otp_send(phone=phone, purpose=PASSWORD_RESET_PURPOSE, ip=ip, deliver=known)
    except ValueError:  # a shape we store but the SMS gateway's rules refuse: nothing to send to
        logger.info("Password reset code not sent: %s is not a dialable number", phone)


def password_reset_with_code(*, phone: str, code: str, password: str) -> User | None:
    """Give the active account with ``phone`` the new ``password`` if ``code`` is the right, unexpired
    code texted to it (each wrong try counts; five kill the code). Returns the account, or None
    whatever the reason, so the caller says one thing for a wrong, expired or used-up code."""
    from notifications.services import otp_check

    if not otp_check(phone=phone, purpose=PASSWORD_RESET_PURPOSE, code=code):
        return None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(phone=phone, is_active=True).first()
        if user is None:
            return None
        user.set_password(password)
        user.save(update_fields=["password"])  # other sessions end: their auth hash no longer matches
    return user
