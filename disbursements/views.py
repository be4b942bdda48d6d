"""The group's report on each paid tahap: receipts (TKM), HOK attendance and site photos (Padat Karya),
the unspent money returned to Kas Negara (final LPJ), and submitting it to the verifier.

Every tranche and file is looked up through the logged-in user's own group: another group's ids are a
404, never a 403 that would confirm the id exists."""

import datetime
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications.models import TransitionError
from applications.views import group_required
from disbursements import reports
from disbursements.forms import (
    PhotoForm,
    ReceiptForm,
    TreasuryReturnForm,
    attendance_field,
    attendance_grid_parse,
    default_role,
    role_field,
)
from disbursements.models import ReportPhoto, ReportReceipt, Tranche, TreasuryReturn, UsageReport, WageRole
from groups.models import Group

GRID_DAYS = 7


def _own_tranches(group: Group) -> QuerySet[Tranche]:
    return Tranche.objects.filter(application__group=group).select_related("application__scheme", "application__group")


def _own_tranche(group: Group, pk: int) -> Tranche:
    return get_object_or_404(_own_tranches(group), pk=pk)


def _report_of(tranche: Tranche) -> UsageReport | None:
    return UsageReport.objects.filter(tranche=tranche).first()


def _show_errors(request: HttpRequest, error: ValidationError | TransitionError) -> None:
    for message in error.messages if isinstance(error, ValidationError) else [str(error)]:
        messages.error(request, message)


def _apply_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, field_errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


# --- the report page ----------------------------------------------------------------------------------


def _render_report(request: HttpRequest, tranche: Tranche, *, status: int = 200, **forms: Form) -> HttpResponse:
    report = _report_of(tranche)
    application = tranche.application
    editable = report is None or report.is_editable_by_group
    try:
        period = reports.project_period(application)
    except ValidationError:
        period = None
    figure = reports.unspent_figure(report) if report and report.kind == UsageReport.Kind.FINAL else None
    context = {
        "tranche": tranche,
        "application": application,
        "scheme": application.scheme,
        "report": report,
        "editable": editable and tranche.is_reportable,
        "totals": reports.report_totals(report, tranche=tranche),
        "receipts": list(report.receipts.all()) if report else [],
        "photos": list(report.photos.all()) if report else [],
        "problems": reports.report_problems(report) if report and editable else [],
        "period": period,
        "is_final": report.kind == UsageReport.Kind.FINAL if report else not _has_later(tranche),
        "treasury_return": TreasuryReturn.objects.filter(application=application).first(),
        "unspent": figure.unspent if figure else None,
        "unspent_figure": figure,
        "paid_on": reports.tranche_paid_on(tranche),
        "receipt_form": forms.get("receipt_form") or ReceiptForm(),
        "photo_form": forms.get("photo_form") or PhotoForm(),
        "treasury_form": forms.get("treasury_form") or TreasuryReturnForm(),
        "changes": list(report.status_changes.all()) if report else [],
    }
    _date_hints(context, paid_on=context["paid_on"])
    return render(request, "disbursements/report_detail.html", context, status=status)


def _date_hints(context: dict, *, paid_on: datetime.date | None) -> None:
    """Receipt and deposit dates start on the day the tahap's money arrived: say so on the fields,
    and let the phone's date picker start there."""
    if paid_on is None:
        return
    hint = _("Sejak %(day)s, tanggal dana tahap ini diterima.") % {"day": date_format(paid_on, "j F Y")}
    for form_name, field_name in (("receipt_form", "spent_on"), ("treasury_form", "paid_on")):
        field = context[form_name].fields[field_name]
        field.widget.attrs["min"] = paid_on.isoformat()
        field.help_text = hint


def _has_later(tranche: Tranche) -> bool:
    return Tranche.objects.filter(application_id=tranche.application_id, number__gt=tranche.number).exists()


@group_required
@require_safe
def report_detail(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    tranche = _own_tranche(group, pk)
    if not tranche.is_reportable:
        messages.info(request, _("Laporan dapat diisi setelah dana tahap ini dibayarkan."))
        return redirect("applications:detail", pk=tranche.application_id)
    return _render_report(request, tranche)


@group_required
@require_POST
def receipt_add(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    tranche = _own_tranche(group, pk)
    form = ReceiptForm(request.POST, request.FILES)
    return _submit(
        request,
        tranche,
        form,
        "receipt_form",
        lambda data: reports.report_receipt_add(tranche=tranche, upload=data.pop("file"), by=request.user, **data),
        _("Kuitansi ditambahkan."),
    )


def _submit(
    request: HttpRequest,
    tranche: Tranche,
    form: Form,
    form_name: str,
    save: Callable[[dict], object],
    done: str,
) -> HttpResponse:
    """The report page's forms: a valid form goes to its service; a refusal is shown on the form,
    on the report page again (400), with nothing changed."""
    if not _still_editable(tranche):
        # A form from an old tab, after the report was submitted (or accepted): the page no longer
        # shows that form, so its refusal is said at the top of the page, and nothing changed.
        _refuse_locked(request, tranche)
        return redirect("disbursements:report", pk=tranche.pk)
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("disbursements:report", pk=tranche.pk)
    return _render_report(request, tranche, status=400, **{form_name: form})


def _still_editable(tranche: Tranche) -> bool:
    report = _report_of(tranche)
    return report is None or report.is_editable_by_group


def _refuse_locked(request: HttpRequest, tranche: Tranche) -> None:
    report = _report_of(tranche)
    messages.error(
        request,
        _(
            "Laporan ini sudah berstatus “%(status)s”, jadi tidak dapat diubah lagi. Tidak ada yang disimpan; "
            "halaman di bawah menampilkan isi laporan terkini."
        )
        % {"status": report.get_status_display() if report else ""},
    )


@group_required
@require_POST
def receipt_delete(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    receipt = get_object_or_404(
        ReportReceipt.objects.filter(report__tranche__application__group=group).select_related("report__tranche"),
        pk=pk,
    )
    try:
        reports.report_receipt_delete(receipt=receipt, by=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Kuitansi dihapus."))
    return redirect("disbursements:report", pk=receipt.report.tranche_id)


@group_required
@require_POST
def photo_add(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    tranche = _own_tranche(group, pk)
    form = PhotoForm(request.POST, request.FILES)
    return _submit(
        request,
        tranche,
        form,
        "photo_form",
        lambda data: reports.report_photo_add(
            tranche=tranche, upload=data["file"], caption=data["caption"], by=request.user
        ),
        _("Foto diunggah."),
    )


@group_required
@require_POST
def photo_delete(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    photo = get_object_or_404(
        ReportPhoto.objects.filter(report__tranche__application__group=group).select_related("report__tranche"), pk=pk
    )
    try:
        reports.report_photo_delete(photo=photo, by=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Foto dihapus."))
    return redirect("disbursements:report", pk=photo.report.tranche_id)


@group_required
@require_POST
def treasury_return(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    tranche = _own_tranche(group, pk)
    form = TreasuryReturnForm(request.POST, request.FILES)
    return _submit(
        request,
        tranche,
        form,
        "treasury_form",
        lambda data: reports.report_treasury_return_record(
            tranche=tranche,
            amount=data["amount"],
            ntpn=data["ntpn"],
            billing_code=data["billing_code"],
            paid_on=data["paid_on"],
            upload=data["file"],
            by=request.user,
        ),
        _("Bukti setor ke Kas Negara dicatat."),
    )


@group_required
@require_POST
def treasury_return_delete(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    tranche = _own_tranche(group, pk)
    try:
        reports.report_treasury_return_delete(tranche=tranche, by=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Catatan setoran ke Kas Negara dihapus."))
    return redirect("disbursements:report", pk=tranche.pk)


@group_required
@require_POST
def report_submit(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    tranche = _own_tranche(group, pk)
    report = _report_of(tranche)
    if report is None:
        messages.error(request, _("Laporan masih kosong; isi dulu sebelum diajukan."))
        return redirect("disbursements:report", pk=tranche.pk)
    if report.status == UsageReport.Status.SUBMITTED:
        messages.info(request, _("Laporan sudah diajukan dan sedang diperiksa petugas."))  # a double tap
        return redirect("disbursements:report", pk=tranche.pk)
    try:
        reports.report_submit(report=report, by=request.user)
    except (ValidationError, TransitionError) as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("Laporan diajukan. Petugas Disnaker akan memeriksanya."))
    return redirect("disbursements:report", pk=tranche.pk)


# --- the attendance grid -------------------------------------------------------------------------------


def _grid_days(request: HttpRequest, period: tuple[datetime.date, datetime.date]) -> list[datetime.date]:
    """A week of the project from ``mulai`` (default: its first day), never past its end or today.

    A start outside the project is kept as sent, so a forged date reaches the service and is refused
    there with its message instead of being silently moved."""
    start, end = period
    raw = request.POST.get("mulai") if request.method == "POST" else request.GET.get("mulai")
    try:
        first = datetime.date.fromisoformat(raw) if raw else start
    except ValueError:
        first = start
    days = [first + datetime.timedelta(days=offset) for offset in range(GRID_DAYS)]
    if start <= first <= end:
        last = min(end, timezone.localdate())
        days = [day for day in days if day <= last] or [first]
    return days


@group_required
@require_http_methods(["GET", "HEAD", "POST"])
def attendance(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    tranche = _own_tranche(group, pk)
    application = tranche.application
    if not tranche.is_reportable or not application.scheme.is_padat_karya:
        raise Http404
    try:
        period = reports.project_period(application)
    except ValidationError as error:
        _show_errors(request, error)
        return redirect("disbursements:report", pk=tranche.pk)
    days = _grid_days(request, period)
    members = list(group.members.order_by("pk"))
    status = 200
    if request.method == "POST":
        try:
            entries = attendance_grid_parse(request.POST, members=members, days=days)
            saved = reports.report_attendance_save(tranche=tranche, days=days, entries=entries, by=request.user)
        except ValidationError as error:
            _show_errors(request, error)
            status = 400
        else:
            messages.success(request, _("Daftar hadir disimpan: %(count)d HOK.") % {"count": saved})
            return redirect(f"{request.path}?mulai={days[0].isoformat()}")
    report = _report_of(tranche)
    recorded = {}
    if report is not None:
        for row in report.attendance.filter(worked_on__in=days):
            recorded[(row.member_id, row.worked_on)] = row.role
    rows = []
    for member in members:
        roles = [role for (member_id, _day), role in recorded.items() if member_id == member.pk]
        role = (
            request.POST.get(role_field(member.pk)) if status == 400 else (roles[0] if roles else default_role(member))
        )
        cells = [
            {
                "name": attendance_field(member.pk, day),
                "day": day,
                "checked": bool(request.POST.get(attendance_field(member.pk, day)))
                if status == 400
                else (member.pk, day) in recorded,
            }
            for day in days
        ]
        rows.append({"member": member, "role_name": role_field(member.pk), "role": role, "cells": cells})
    start, end = period
    context = {
        "tranche": tranche,
        "application": application,
        "report": report,
        "editable": report is None or report.is_editable_by_group,
        "days": days,
        "rows": rows,
        "roles": WageRole.choices,
        "period": period,
        "previous": max(start, days[0] - datetime.timedelta(days=GRID_DAYS)) if days[0] > start else None,
        "next": days[-1] + datetime.timedelta(days=1) if days[-1] < min(end, timezone.localdate()) else None,
        "totals": reports.report_totals(report, tranche=tranche),
    }
    return render(request, "disbursements/attendance_grid.html", context, status=status)


# --- stored files ------------------------------------------------------------------------------------

FILE_MODELS = {"kuitansi": ReportReceipt, "foto": ReportPhoto, "setoran": TreasuryReturn}


@login_required
@require_safe
def report_file(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    """Serve a receipt, photo or deposit proof to whoever may see it; to anyone else it does not exist."""
    model = FILE_MODELS.get(kind)
    if model is None:
        raise Http404
    related = "application__group" if model is TreasuryReturn else "report__tranche__application__group"
    instance = get_object_or_404(model.objects.select_related(related), pk=pk)
    if not reports.report_file_visible_to(instance, request.user):
        raise Http404
    try:
        handle = instance.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        as_attachment=instance.content_type == "application/pdf",
        filename=instance.original_name,
        content_type=instance.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
