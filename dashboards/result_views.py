"""The directors' "after the money" page (/dasbor/hasil/): training, mentoring coverage, survival,
jobs and inclusion by province, drilled down to the regencies of a province, with CSV/XLSX exports.
Read from the current snapshot only (one query per table); directors and superusers only."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dashboards import exports, result_figures
from dashboards.result_figures import ResultRow
from dashboards.views import _context, _file, _province_or_404, _stamp, director_required
from jps_portal.replica import replica_reads


def _rows(request: HttpRequest, context: object, *, province_code: str | None = None) -> list[ResultRow]:
    if context.snapshot is None or context.selection.year is None:
        return []
    return result_figures.result_rows(
        context.snapshot, context.selection, user=request.user, province_code=province_code
    )


@require_GET
@replica_reads
@director_required
def results(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    rows = _rows(request, context)
    total = result_figures.total_row(rows, name=_("Nasional"))
    return render(
        request,
        "dashboards/dashboard_results.html",
        {**context.as_dict(), "rows": rows, "total": total, "link_name": "dashboards:results_province"},
    )


@require_GET
@replica_reads
@director_required
def results_province(request: HttpRequest, province: str) -> HttpResponse:
    place = _province_or_404(request, province)
    context = _context(request)
    rows = _rows(request, context, province_code=place.code)
    total = result_figures.total_row(rows, name=place.name)
    return render(
        request,
        "dashboards/dashboard_results.html",
        {**context.as_dict(), "rows": rows, "total": total, "province": place, "link_name": ""},
    )


HEADER = [
    "Kode", "Nama", "Kelompok penerima", "Kelompok diundang pelatihan", "Anggota diundang",
    "Mendaftar luring", "Mendaftar daring", "Hadir luring", "Hadir daring", "Kelompok berpendamping",
    "Dikunjungi 30 hari", "Dikunjungi 30 hari (%)", "Dikunjungi 90 hari", "Dikunjungi 90 hari (%)",
    "Laporan bulan ke-6", "Berjalan bulan ke-6", "Bertahan 6 bulan (%)", "Laporan bulan ke-12",
    "Berjalan bulan ke-12", "Bertahan 12 bulan (%)", "Kelompok melapor", "Anggota bekerja",
    "Pekerja bukan anggota", "Lapangan kerja", "Dibayar ke kelompok melapor (Rp)", "Rupiah per pekerjaan",
    "Anggota penerima", "Perempuan", "Perempuan (%)", "Target perempuan (%)", "Penyandang disabilitas",
    "Disabilitas (%)", "Target disabilitas (%)",
]  # fmt: skip


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _line(row: ResultRow) -> list[exports.Cell]:
    f = row.figures
    return [
        row.code, row.name, f["groups_funded"], f["groups_invited"], f["people_invited"], f["registered_offline"],
        f["registered_online"], f["attended_offline"], f["attended_online"], f["groups_mentored"], f["visited_30"],
        _round(row.visited_30_percent), f["visited_90"], _round(row.visited_90_percent), f["reported_6"],
        f["alive_6"], _round(row.survival_6_percent), f["reported_12"], f["alive_12"],
        _round(row.survival_12_percent), f["groups_reporting"], f["jobs_members"], f["jobs_others"], row.jobs,
        f["paid_reporting"], row.rupiah_per_job, f["members"], f["women"], _round(row.women_percent),
        _target(row.women_target), f["disabled"], _round(row.disability_percent), _target(row.disability_target),
    ]  # fmt: skip


def _target(value: object) -> float | None:
    return None if value is None else float(value)


@require_GET
@replica_reads
@director_required
def export_results(request: HttpRequest, fmt: str) -> HttpResponse:
    context = _context(request)
    rows = _rows(request, context)
    return _file(fmt, f"hasil-provinsi-{_stamp(context)}", HEADER, [_line(r) for r in rows])


@require_GET
@replica_reads
@director_required
def export_results_province(request: HttpRequest, province: str, fmt: str) -> HttpResponse:
    place = _province_or_404(request, province)
    context = _context(request)
    rows = _rows(request, context, province_code=place.code)
    return _file(fmt, f"hasil-{place.code}-{_stamp(context)}", HEADER, [_line(r) for r in rows])
