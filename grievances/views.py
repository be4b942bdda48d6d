"""The public side of objections and complaints: file one, prove a phone by SMS code, track it, appeal.

Every page parses input, calls one service and renders. Pages that take input without an account
are rate-limited per IP address (429 with Retry-After); a tracking link with a wrong number or token
is the same 404 either way, so tickets cannot be enumerated."""

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.views import client_ip
from applications.models import Application
from grievances import services
from grievances.forms import AppealForm, CodeForm, ComplaintForm, ObjectionForm, PhoneForm
from grievances.models import Ticket, TicketAttachment
from jps_portal.ratelimit import seconds_to_wait
from notifications.phones import phone_normalise
from notifications.services import CodeThrottledError, otp_check, otp_send
from transparency.listing import FUNDED, funded_group

OTP_PURPOSE = "grievance"
PENDING_PHONE = "grievance_phone_pending"
VERIFIED_PHONE = "grievance_phone_verified"


def _too_many(request: HttpRequest, template: str, context: dict, seconds: int) -> HttpResponse:
    minutes = max(1, math.ceil(seconds / 60))
    context["throttled"] = _("Terlalu banyak permintaan. Coba lagi dalam %(minutes)d menit.") % {"minutes": minutes}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(seconds)
    return response


def _apply_errors(form: object, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)  # type: ignore[attr-defined]
    else:
        form.add_error(None, error)  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
def objection(request: HttpRequest, application_id: int) -> HttpResponse:
    """ "Ajukan sanggahan" on a group of the public list."""
    row = funded_group(application_id)
    if row is None:
        raise Http404
    form = ObjectionForm(request.POST or None, request.FILES or None)
    context = {"row": row, "form": form}
    if request.method == "POST":
        wait = seconds_to_wait("grievance-file", client_ip(request) or "-")
        if wait:
            return _too_many(request, "grievances/objection_form.html", context, wait)
        if form.is_valid():
            application = Application.objects.select_related("group__regency").get(pk=application_id, status__in=FUNDED)
            try:
                ticket = services.ticket_file(
                    category=form.cleaned_data["category"],
                    description=form.cleaned_data["description"],
                    filed_by=Ticket.Filer.PUBLIC,
                    application=application,
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    attachments=form.cleaned_data["attachments"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                return _filed(request, ticket)
    return render(request, "grievances/objection_form.html", context)


@require_http_methods(["GET", "POST"])
def complaint(request: HttpRequest) -> HttpResponse:
    """A complaint: by a logged-in ketua about their group, by a phone proved by SMS code, or, for
    pungli and officer misconduct only, without any identity (``?anonim=1``)."""
    group = getattr(request.user, "kelompok", None) if request.user.is_authenticated else None
    anonymous = group is None and request.GET.get("anonim") == "1"
    phone = request.session.get(VERIFIED_PHONE) if group is None else None
    if group is None and not anonymous and not phone:
        return render(request, "grievances/complaint_start.html")
    form = ComplaintForm(request.POST or None, request.FILES or None, for_ketua=group is not None, anonymous=anonymous)
    context = {"form": form, "group": group, "anonymous": anonymous, "phone": phone}
    if request.method == "POST":
        if group is None:
            wait = seconds_to_wait("grievance-file", client_ip(request) or "-")
            if wait:
                return _too_many(request, "grievances/complaint_form.html", context, wait)
        if form.is_valid():
            data = form.cleaned_data
            try:
                ticket = services.ticket_file(
                    category=data["category"],
                    description=data["description"],
                    filed_by=_filer(group, anonymous),
                    group=group,
                    regency=data.get("regency"),
                    name=data.get("name", "") if not group else request.user.get_full_name(),
                    phone=(request.user.phone if group else phone) or "",
                    email=request.user.email if group else "",
                    user=request.user if group else None,
                    attachments=data["attachments"],
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                if phone:
                    request.session.pop(VERIFIED_PHONE, None)
                return _filed(request, ticket)
    return render(request, "grievances/complaint_form.html", context)


def _filer(group: object, anonymous: bool) -> str:
    if group is not None:
        return Ticket.Filer.KETUA
    return Ticket.Filer.ANONYMOUS if anonymous else Ticket.Filer.VERIFIED_PHONE


def _filed(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    messages.success(
        request,
        _("Pengaduan Anda diterima dengan nomor %(number)s. Simpan tautan halaman ini untuk melacaknya.")
        % {"number": ticket.number},
    )
    return redirect(services.tracking_path(ticket))


@require_http_methods(["GET", "POST"])
def phone_verify(request: HttpRequest) -> HttpResponse:
    """Step 1: the phone number; a code goes to it by SMS (the same answer for any valid number)."""
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            phone = phone_normalise(form.cleaned_data["phone"])
        except ValueError:
            form.add_error("phone", _("Nomor HP tidak valid."))
        else:
            try:
                otp_send(phone=phone, purpose=OTP_PURPOSE, ip=client_ip(request))
            except CodeThrottledError as error:
                return _too_many(request, "grievances/phone_verify.html", {"form": form}, error.retry_after)
            request.session[PENDING_PHONE] = phone
            return redirect("grievances:phone_code")
    return render(request, "grievances/phone_verify.html", {"form": form})


@require_http_methods(["GET", "POST"])
def phone_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the code from the SMS. The number comes from this browser's session, never the form."""
    phone = request.session.get(PENDING_PHONE)
    if not phone:
        return redirect("grievances:phone_verify")
    form = CodeForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST":
        wait = seconds_to_wait("grievance-code", client_ip(request) or "-")
        if wait:
            return _too_many(request, "grievances/phone_code.html", context, wait)
        if form.is_valid() and otp_check(phone=phone, purpose=OTP_PURPOSE, code=form.cleaned_data["code"]):
            request.session[VERIFIED_PHONE] = request.session.pop(PENDING_PHONE)
            return redirect("grievances:complaint")
        form.add_error(None, _("Kode salah, sudah kedaluwarsa, atau sudah terlalu sering dicoba."))
    return render(request, "grievances/phone_code.html", context)


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, number: str, token: str) -> HttpResponse:
    """The complainant's page: status, due date, the steps so far, the outcome, and an appeal once."""
    ticket = services.ticket_for_tracking(number=number, token=token)
    if ticket is None:
        wait = seconds_to_wait("grievance-code", client_ip(request) or "-")
        if wait:
            return _too_many(request, "grievances/track_missing.html", {}, wait)
        raise Http404
    form = AppealForm(request.POST or None) if ticket.can_appeal else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.ticket_appeal(ticket=ticket, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Banding diterima; tiket dibuka kembali."))
            return redirect(services.tracking_path(ticket))
    history = ticket.history.only("kind", "to_status", "changed_at", "level").order_by("changed_at", "pk")
    attachments = ticket.attachments.only("pk", "original_name", "ticket_id")
    context = {"ticket": ticket, "history": history, "form": form, "attachments": attachments}
    return render(request, "grievances/track.html", context)


@require_safe
def tracked_attachment(request: HttpRequest, number: str, token: str, pk: int) -> FileResponse:
    """An attachment, to the holder of the ticket's tracking link; to anyone else it does not exist."""
    attachment = services.attachment_for_tracking(number=number, token=token, pk=pk)
    if attachment is None:
        raise Http404
    return _attachment_response(attachment)


@login_required
@require_safe
def officer_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment, to an officer who sees its ticket (a sensitive one: the integrity team only)."""
    attachment = services.attachment_for_officer(user=request.user, pk=pk)
    if attachment is None:
        raise Http404
    return _attachment_response(attachment)


def _attachment_response(attachment: TicketAttachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        # A PDF reader inside the browser is an attack surface; images are safe to show inline.
        as_attachment=attachment.content_type == "application/pdf",
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
