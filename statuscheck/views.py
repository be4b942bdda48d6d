"""Cek status without an account: the registration number and phone, the SMS code, the read-only
status. Views parse, call one service and render; the rules live in statuscheck.services.

The lookup answers the same for any well-formed pair (matched or not); the code page is limited per
IP address on top of the code's own five tries; throttled requests get 429 with Retry-After."""

import math
import time

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.views import client_ip
from jps_portal.ratelimit import seconds_to_wait
from notifications.phones import phone_masked
from notifications.services import CodeThrottledError
from statuscheck import services
from statuscheck.forms import CodeForm, LookupForm

# The (registration number, phone) a code was asked for, for the code page.
PENDING = "statuscheck_pending"
# The application this browser proved a phone for, and until when (epoch seconds).
ACCESS = "statuscheck_access"


def _too_many(request: HttpRequest, template: str, context: dict, seconds: int) -> HttpResponse:
    minutes = max(1, math.ceil(seconds / 60))
    context["throttled"] = _("Terlalu banyak permintaan. Coba lagi dalam %(minutes)d menit.") % {"minutes": minutes}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(seconds)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference, phone = form.cleaned_data["reference"], form.cleaned_data["phone"]
        try:
            services.status_code_send(reference=reference, phone=phone, ip=client_ip(request))
        except CodeThrottledError as error:
            return _too_many(request, "statuscheck/lookup.html", {"form": form}, error.retry_after)
        request.session[PENDING] = {"reference": reference, "phone": phone}
        request.session.pop(ACCESS, None)
        return redirect("statuscheck:code")
    return render(request, "statuscheck/lookup.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest) -> HttpResponse:
    """The code from the SMS. The pair comes from this browser's session, never from the form."""
    pending = request.session.get(PENDING)
    if not pending:
        return redirect("statuscheck:lookup")
    form = CodeForm(request.POST or None)
    context = {"form": form, "phone": phone_masked(pending["phone"]), "minutes": settings.OTP_TTL_SECONDS // 60}
    if request.method == "POST":
        wait = seconds_to_wait("status-check-code", client_ip(request) or "-")
        if wait:
            return _too_many(request, "statuscheck/code.html", context, wait)
        if form.is_valid():
            application_id = services.status_code_check(code=form.cleaned_data["code"], **pending)
            if application_id is not None:
                del request.session[PENDING]
                request.session.cycle_key()  # a fresh session id for the proved browser
                until = time.time() + services.ACCESS_SECONDS
                request.session[ACCESS] = {"application_id": application_id, "phone": pending["phone"], "until": until}
                return redirect("statuscheck:status")
            form.add_error("code", _code_problem_message(services.status_code_problem(phone=pending["phone"])))
    return render(request, "statuscheck/code.html", context)


def _code_problem_message(problem: services.CodeProblem) -> str:
    if problem.kind == "expired":
        return _("Kode sudah kedaluwarsa atau sudah dipakai. Minta kode baru.")
    if problem.kind == "exhausted":
        return _("Kode sudah terlalu sering salah dimasukkan dan tidak berlaku lagi. Minta kode baru.")
    return _("Kode salah. Sisa percobaan: %(tries)d.") % {"tries": problem.tries_left}


@never_cache
@require_http_methods(["GET"])
def status(request: HttpRequest) -> HttpResponse:
    access = request.session.get(ACCESS)
    if not access:
        return redirect("statuscheck:lookup")
    if access["until"] <= time.time():
        del request.session[ACCESS]
        messages.info(
            request, _("Waktu melihat status sudah habis (15 menit). Masukkan lagi nomor pendaftaran dan nomor HP.")
        )
        return redirect("statuscheck:lookup")
    report = services.status_report(application_id=access["application_id"], phone=access["phone"])
    return render(request, "statuscheck/status.html", {"report": report})


@require_POST
def finish(request: HttpRequest) -> HttpResponse:
    """Close the status page on a shared phone."""
    request.session.pop(ACCESS, None)
    request.session.pop(PENDING, None)
    messages.success(request, _("Halaman status sudah ditutup."))
    return redirect("statuscheck:lookup")
