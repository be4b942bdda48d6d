"""Login throttling (django-axes), counted two ways: per login + IP address, and per IP address.

Per login + IP alone lets one address spray a password over thousands of logins without ever being
throttled; per IP alone would lock out a whole village behind one carrier-grade NAT address after a
few typos. So both are counted, each against its own limit: ``AXES_FAILURE_LIMIT`` failures of one
login from one address, or ``AXES_IP_FAILURE_LIMIT`` failures of any logins from one address, lock
that login (or that address) out for ``AXES_COOLOFF_TIME``. Settings name this module's handler,
username and lockout-response callables."""

import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.services import login_normalise

# Columns of django-axes' AccessAttempt.username: a longer login is cut (the login forms refuse one
# earlier, with a message; this keeps any other caller of authenticate() from a database error).
_AXES_USERNAME_MAX_LENGTH = 255


class LoginLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with a separate, higher limit for failures per IP address.

    ``AXES_LOCKOUT_PARAMETERS`` lists the per-login set first and the per-address set second; axes
    compares the largest count with one limit, so the per-address count is scaled to that limit."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        per_login, per_address = self._failure_counts(request, credentials)
        login_limit = get_failure_limit(request, credentials)
        # per_address * login_limit // address_limit reaches login_limit exactly when per_address
        # reaches address_limit (whole numbers), so either count locks at its own limit.
        return max(per_login, per_address * login_limit // settings.AXES_IP_FAILURE_LIMIT)

    def locked_per_address_only(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        """Whether the address, not this login, has used up its failures (said on the lockout page)."""
        per_login, _per_address = self._failure_counts(request, credentials)
        return per_login < get_failure_limit(request, credentials)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # A successful login forgives that login's failures from that address only. axes would
        # delete every set that matches — the whole address's failures too — so one working account
        # would let a sprayer reset the per-address count at will.
        per_login_attempts = self.filter_user_attempts(request, credentials)[0]
        count, _ = per_login_attempts.delete()
        return count

    def _failure_counts(self, request: HttpRequest, credentials: dict | None) -> tuple[int, int]:
        per_login, per_address = (
            attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return per_login, per_address


def attempted_login(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The login an attempt is counted against: as the login form normalises it (every spelling of
    one HP number is one login), and never longer than axes can store."""
    source = credentials if credentials else getattr(request, "POST", {})
    login = source.get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(login, str):
        return None
    return login_normalise(login=login)[:_AXES_USERNAME_MAX_LENGTH]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """429 with Retry-After and an Indonesian page saying how long to wait, and whether it is this
    login or every login from this network that is locked."""
    cool_off = get_cool_off(request)
    retry_after = math.ceil(cool_off.total_seconds()) if cool_off else 3600
    handler = LoginLockoutHandler()
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cooloff_timedelta": cool_off,
        "per_address": handler.locked_per_address_only(request, credentials),
    }
    response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
    response["Retry-After"] = str(retry_after)
    return response
