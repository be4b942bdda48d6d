"""The directors' complaints page (/dasbor/pengaduan/): tickets by province — filed, open, overdue,
resolved, SLA compliance, upheld, median days to resolve — drilled down to the categories of a
province, with CSV/XLSX exports. Counts only (sensitive categories included as counts, never their
tickets); read from the current snapshot; directors and superusers only."""

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dashboards import exports, ticket_figures
from dashboards.ticket_figures import TicketRow
from dashboards.views import _context, _file, _province_or_404, director_required
from jps_portal.replica import replica_reads

HEADER = [
    "Kode", "Nama", "Tiket masuk", "Masih terbuka", "Terbuka, lewat batas waktu", "Selesai", "Selesai tepat waktu",
    "Kepatuhan SLA (%)", "Terbukti", "Median hari sampai selesai",
]  # fmt: skip


def _line(row: TicketRow) -> list[exports.Cell]:
    sla = None if row.sla_percent is None else round(row.sla_percent, 1)
    median = None if row.median_days is None else round(row.median_days, 1)
    f = row.figures
    return [row.code, row.name, f["filed"], f["open"], f["overdue"], f["resolved"], f["resolved_in_time"], sla,
            f["upheld"], median]  # fmt: skip


def _provinces(request: HttpRequest, context: object) -> list[TicketRow]:
    if context.snapshot is None:
        return []
    return ticket_figures.province_rows(context.snapshot, user=request.user)


def _categories(request: HttpRequest, context: object, code: str) -> list[TicketRow]:
    if context.snapshot is None:
        return []
    return ticket_figures.category_rows(context.snapshot, user=request.user, province_code=code)


@require_GET
@replica_reads
@director_required
def complaints(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    rows = _provinces(request, context)
    total = ticket_figures.total_row(rows, name=_("Nasional"))
    page = {**context.as_dict(), "rows": rows, "total": total, "link_name": "dashboards:complaints_province"}
    return render(request, "dashboards/dashboard_complaints.html", page)


@require_GET
@replica_reads
@director_required
def complaints_province(request: HttpRequest, province: str) -> HttpResponse:
    place = _province_or_404(request, province)
    context = _context(request)
    rows = _categories(request, context, place.code)
    total = (
        ticket_figures.province_row(context.snapshot, user=request.user, province_code=place.code, name=place.name)
        if context.snapshot
        else ticket_figures.total_row([], name=place.name)
    )
    page = {**context.as_dict(), "rows": rows, "total": total, "province": place, "link_name": ""}
    return render(request, "dashboards/dashboard_complaints.html", page)


def _as_of(context: object) -> datetime.datetime | None:
    return context.snapshot.as_of if context.snapshot else None


def _stamp(context: object) -> str:
    return context.snapshot.as_of.strftime("%Y%m%d-%H%M") if context.snapshot else "kosong"


@require_GET
@replica_reads
@director_required
def export_complaints(request: HttpRequest, fmt: str) -> HttpResponse:
    context = _context(request)
    rows = _provinces(request, context)
    return _file(fmt, f"pengaduan-provinsi-{_stamp(context)}", HEADER, [_line(r) for r in rows],
                 heading=_("Pengaduan per provinsi"), as_of=_as_of(context))  # fmt: skip


@require_GET
@replica_reads
@director_required
def export_complaints_province(request: HttpRequest, province: str, fmt: str) -> HttpResponse:
    place = _province_or_404(request, province)
    context = _context(request)
    rows = _categories(request, context, place.code)
    return _file(fmt, f"pengaduan-{place.code}-{_stamp(context)}", HEADER, [_line(r) for r in rows],
                 heading=_("Pengaduan per kategori — %(place)s") % {"place": place.name},
                 as_of=_as_of(context))  # fmt: skip
