"""The directors' dashboard: read-only pages over the current tally snapshot, and its exports.

Pages read only the snapshot tables (a fixed number of queries), except a regency's group list,
which pages through the live tables. Directors and superusers only; everyone else gets 403.
"""

import datetime
import functools
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from applications.money import format_rupiah
from dashboards import exports, figures, services
from dashboards.forms import MAP_FIGURES, DashboardFilterForm
from dashboards.indonesia_map import map_view as build_map
from dashboards.models import TallySnapshot
from groups.nik import mask_nik
from jps_portal.replica import replica_reads
from regions.models import Province, Regency
from regions.scope import region_scope_of

PERMISSION = "dashboards.view_dashboard"
# A snapshot never changes once written, so what is drawn from it can be kept until it is replaced.
BODY_SECONDS = 3600
logger = logging.getLogger(__name__)


# How long a "may see the dashboard" answer is reused: the page is polled by many directors at once,
# and reading a user's permissions costs two queries. A revoked permission takes effect within this.
PERMISSION_CACHE_SECONDS = 60


def director_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not _may_view(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _may_view(user: object) -> bool:
    key = f"dash:may-view:{user.pk}"
    try:
        allowed = cache.get(key)
    except Exception:  # Redis down: ask the database, as without a cache
        return user.has_perm(PERMISSION)
    if allowed is None:
        allowed = user.has_perm(PERMISSION)
        try:
            cache.set(key, allowed, PERMISSION_CACHE_SECONDS)
        except Exception:  # the answer matters more than the cache
            logger.warning("Dashboard cache unavailable for %s", key, exc_info=True)
    return allowed


@dataclass
class Context:
    snapshot: TallySnapshot | None
    selection: figures.Selection
    form: DashboardFilterForm
    map_figure: str

    def as_dict(self) -> dict[str, object]:
        return {
            "snapshot": self.snapshot,
            "selection": self.selection,
            "form": self.form,
            "age_minutes": _age_minutes(self.snapshot),
            "programme_label": figures.PROGRAMME_LABELS[self.selection.programme],
            "query": _query(self.selection),
        }


def _age_minutes(snapshot: TallySnapshot | None) -> int | None:
    if snapshot is None:
        return None
    return max(0, int((timezone.now() - snapshot.as_of).total_seconds() // 60))


def _query(selection: figures.Selection) -> str:
    parts = [f"tahun={selection.year}"] if selection.year else []
    if selection.programme:
        parts.append(f"program={selection.programme}")
    return "&".join(parts)


def _context(request: HttpRequest) -> Context:
    """The snapshot and the validated filter. Bad filter values: a message, then the defaults."""
    snapshot = services.current_snapshot()
    years, default_year = (
        _cached(f"dash:years:{snapshot.pk}", lambda: figures.available_years(snapshot)) if snapshot else ([], None)
    )
    form = DashboardFilterForm(request.GET or None, years=years)
    data = {}
    if form.is_bound and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.warning(request, error)
    if form.is_bound:
        data = form.cleaned_data
    year = data.get("tahun") or default_year
    selection = figures.Selection(year=year, programme=data.get("program") or "")
    return Context(snapshot, selection, form, data.get("angka") or "groups_approved")


def _rows(snapshot: TallySnapshot | None, context: Context, request: HttpRequest) -> list[figures.Row]:
    if snapshot is None or context.selection.year is None:
        return []
    return figures.province_rows(snapshot, context.selection, user=request.user)


def _cached(key: str, build: Callable[[], object]) -> object:
    """``build()``, kept in the cache under ``key`` (keys name the snapshot, which never changes).

    The cache is Redis in production; when Redis is down the page is still built and served, just
    without the cache, so the dashboard keeps answering."""
    try:
        value = cache.get(key)
    except Exception:  # any cache backend failure (Redis down): build as if it were a miss
        logger.warning("Dashboard cache unavailable for %s", key, exc_info=True)
        return build()
    if value is None:
        value = build()
        try:
            cache.set(key, value, BODY_SECONDS)
        except Exception:  # as above: the page matters more than the cache
            logger.warning("Dashboard cache unavailable for %s", key, exc_info=True)
    return value


def _body_key(view: str, context: Context, request: HttpRequest, *extra: str) -> str:
    scope = region_scope_of(request.user).describe()
    selection = context.selection
    return ":".join(
        ["dash", view, str(context.snapshot.pk if context.snapshot else 0), str(selection.year), selection.programme,
         get_language() or "", scope, *extra]
    )  # fmt: skip


@require_GET
@replica_reads
@director_required
def national(request: HttpRequest) -> HttpResponse:
    context = _context(request)

    def body() -> SafeString:
        rows = _rows(context.snapshot, context, request)
        weeks = figures.weekly_approvals(context.snapshot, context.selection) if context.snapshot else []
        html = render_to_string(
            "dashboards/_national_body.html",
            {
                **context.as_dict(),
                "rows": rows,
                "total": figures.total_row(rows, name=_("Nasional")),
                "bars": _bars(rows),
                "weeks": weeks,
                "progress": _progress_line(weeks),
            },
        )
        return mark_safe(html)  # noqa: S308 - rendered by our own template, autoescaped

    return _whole_page(
        request,
        _page_key("national", context, request),
        lambda: render(
            request,
            "dashboards/dashboard_national.html",
            {**context.as_dict(), "body": mark_safe(_cached(_body_key("national", context, request), body))},  # noqa: S308
        ),
    )


# The whole page is kept too, per snapshot × filters × language × region scope × minute of age (the
# "N menit lalu" line): dozens of directors polling the same figures then cost a cache read each. The
# CSRF token is the one per-visitor part: it is taken out before caching and a fresh one put in.
_CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_CSRF_SLOT = "__csrf_slot__"


def _page_key(view: str, context: Context, request: HttpRequest, *extra: str) -> str:
    age = str(_age_minutes(context.snapshot))
    return _body_key(f"page-{view}", context, request, age, request.get_full_path(), *extra)


def _whole_page(request: HttpRequest, key: str, render_page: Callable[[], HttpResponse]) -> HttpResponse:
    if len(messages.get_messages(request)):
        return render_page()  # a message is for this visitor only: never cached, never served cached
    try:
        cached = cache.get(key)
    except Exception:  # Redis down: render as without a cache
        return render_page()
    if cached is not None:
        return HttpResponse(cached.replace(_CSRF_SLOT, get_token(request)))
    response = render_page()
    html = response.content.decode()
    token = _CSRF_VALUE.search(html)
    if response.status_code == 200 and token:
        try:
            cache.set(key, html.replace(token.group(1), _CSRF_SLOT), BODY_SECONDS)
        except Exception:  # the page matters more than the cache
            logger.warning("Dashboard cache unavailable for %s", key, exc_info=True)
    return response


def _bars(rows: list[figures.Row]) -> list[dict[str, object]]:
    """Bar widths (percent of the largest province) for the two bar charts."""
    most_groups = max((r.figures["groups_total"] for r in rows), default=0) or 1
    most_money = max((max(r.figures["amount_approved"], r.quota_budget) for r in rows), default=0) or 1
    return [
        {
            "row": row,
            "total": 100 * row.figures["groups_total"] / most_groups,
            "approved": 100 * row.figures["groups_approved"] / most_groups,
            "budget": 100 * row.quota_budget / most_money,
            "money_approved": 100 * row.figures["amount_approved"] / most_money,
            "money_paid": 100 * row.figures["amount_paid"] / most_money,
        }
        for row in rows
    ]


# The weekly chart: a plot area inside margins for the axes, their ticks and titles (SVG user units).
CHART = {"left": 56, "top": 28, "width": 600, "height": 160, "bottom": 44, "right": 24}


def _nice_step(top: int, ticks: int = 4) -> int:
    """A round tick step (1, 2, 5 × 10ⁿ) so that ``ticks`` steps cover ``top``."""
    raw = max(1, top / ticks)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _progress_line(weeks: list[figures.Week]) -> dict[str, object] | None:
    """Cumulative approvals per week as an SVG line with a y axis (groups, round ticks) and an x axis
    (week dates: first, middle, last)."""
    if not weeks:
        return None
    left, top, width, height = CHART["left"], CHART["top"], CHART["width"], CHART["height"]
    step = _nice_step(weeks[-1].cumulative_groups)
    y_max = max(step, -(-weeks[-1].cumulative_groups // step) * step)  # rounded up to a whole step
    x_step = width / max(1, len(weeks) - 1)

    # Coordinates go out as text: a float in a template would be localised ("172,0"), which SVG refuses.
    def y(value: int) -> str:
        return f"{top + height - height * value / y_max:.1f}"

    def x(index: int) -> str:
        return f"{left + index * x_step:.1f}"

    points = " ".join(f"{x(i)},{y(w.cumulative_groups)}" for i, w in enumerate(weeks))
    y_ticks = [{"value": value, "y": y(value)} for value in range(0, y_max + 1, step)]
    shown = sorted({0, (len(weeks) - 1) // 2, len(weeks) - 1})
    x_ticks = [{"week": weeks[i].week, "x": x(i)} for i in shown]
    return {
        "points": points,
        "box_width": left + width + CHART["right"],
        "box_height": top + height + CHART["bottom"],
        "left": left,
        "right": left + width,
        "top": top,
        "bottom": top + height,
        "y_ticks": y_ticks,
        "x_ticks": x_ticks,
        "x_title_y": top + height + 38,
        "y_title_x": 4,
        "y_title_y": 14,
        "first": weeks[0],
        "last": weeks[-1],
    }


@require_GET
@replica_reads
@director_required
def map_view(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    figure = context.map_figure

    def body() -> SafeString:
        rows = _rows(context.snapshot, context, request)
        values = {row.code: (row.name, _figure_value(row, figure), _figure_label(row, figure)) for row in rows}
        html = render_to_string(
            "dashboards/_map_body.html",
            {
                **context.as_dict(),
                "map": build_map(values, names={row.code: row.name for row in rows}),
                "figure_label": MAP_FIGURES[figure],
            },
        )
        return mark_safe(html)  # noqa: S308 - rendered by our own template, autoescaped

    return _whole_page(
        request,
        _page_key("map", context, request, figure),
        lambda: render(
            request,
            "dashboards/dashboard_map.html",
            {
                **context.as_dict(),
                "figure": figure,
                "figure_label": MAP_FIGURES[figure],
                "body": mark_safe(_cached(_body_key("map", context, request, figure), body)),  # noqa: S308
            },
        ),
    )


def _figure_value(row: figures.Row, figure: str) -> float | None:
    return getattr(row, figure)


def _figure_label(row: figures.Row, figure: str) -> str:
    value = _figure_value(row, figure)
    if value is None:
        return "–"
    if figure.startswith("amount_"):
        return format_rupiah(value)
    if figure.endswith("_percent"):
        return f"{value:.1f}%".replace(".", ",")
    return f"{value:,}".replace(",", ".")


def _province_or_404(request: HttpRequest, code: str) -> Province:
    province = Province.objects.filter(code=code).first()
    if province is None or not region_scope_of(request.user).covers(province_code=province.code):
        raise Http404(_("Provinsi tidak ditemukan."))
    return province


@require_GET
@replica_reads
@director_required
def province(request: HttpRequest, province: str) -> HttpResponse:
    place = _province_or_404(request, province)
    context = _context(request)
    rows = (
        figures.regency_rows(context.snapshot, context.selection, province_code=place.code, user=request.user)
        if context.snapshot and context.selection.year
        else []
    )
    return render(
        request,
        "dashboards/dashboard_province.html",
        {**context.as_dict(), "province": place, "rows": rows, "total": figures.total_row(rows, name=place.name)},
    )


def _regency_or_404(request: HttpRequest, code: str) -> Regency:
    regency = Regency.objects.select_related("province").filter(code=code).first()
    if regency is None or not region_scope_of(request.user).covers(
        province_code=regency.province_id, regency_code=regency.code
    ):
        raise Http404(_("Kabupaten/kota tidak ditemukan."))
    return regency


@require_GET
@replica_reads
@director_required
def regency(request: HttpRequest, regency: str) -> HttpResponse:
    place = _regency_or_404(request, regency)
    context = _context(request)
    page = None
    if context.selection.year:
        queryset = figures.regency_groups(regency_code=place.code, selection=context.selection, user=request.user)
        page = figures.paginate(queryset, request.GET.get("halaman"))
    return render(
        request,
        "dashboards/dashboard_regency.html",
        {**context.as_dict(), "regency": place, "page": page},
    )


@require_GET
@replica_reads
@director_required
def group(request: HttpRequest, reference: str) -> HttpResponse:
    """One group's application, read-only: the director looks, never edits (no form on this page)."""
    page = figures.group_page(reference=reference, user=request.user)
    if page is None:
        raise Http404(_("Kelompok tidak ditemukan."))
    context = _context(request)
    return render(request, "dashboards/dashboard_group.html", {**context.as_dict(), "page": page})


@require_POST
@director_required
def refresh(request: HttpRequest) -> HttpResponse:
    outcome = services.tally_refresh_request(by=request.user)
    if outcome.fresh_as_of is not None:
        messages.info(
            request,
            _("Data sudah terbaru: tidak ada perubahan sejak rekap %(when)s WIB, jadi tidak perlu diperbarui.")
            % {"when": date_format(timezone.localtime(outcome.fresh_as_of), "j F Y H:i")},
        )
    elif outcome.throttled:
        minutes = max(1, round(outcome.retry_after.total_seconds() / 60)) if outcome.retry_after else 1
        messages.info(
            request,
            _("Pembaruan sudah diminta baru-baru ini. Coba lagi dalam %(minutes)s menit.") % {"minutes": minutes},
        )
    elif outcome.queued:
        messages.success(request, _("Pembaruan rekap sedang diproses. Muat ulang halaman ini sebentar lagi."))
    else:
        messages.error(
            request,
            _(
                "Pembaruan tidak dapat dijadwalkan: layanan antrean sedang tidak tersedia. "
                "Data yang tampil adalah rekap terakhir; coba lagi nanti."
            ),
        )
    return HttpResponseRedirect(reverse("dashboards:national"))


# --- exports -------------------------------------------------------------------------------------------

FORMATS = ("csv", "xlsx")
_TABLE_HEADER = [
    "Kode",
    "Nama",
    "Kelompok terdaftar",
    "Kelompok diajukan",
    "Kelompok terverifikasi",
    "Kelompok disetujui",
    "Kelompok ditolak",
    "Kelompok selesai",
    "Anggota terdaftar",
    "Anggota disetujui",
    "Perempuan (disetujui)",
    "Penyandang disabilitas (disetujui)",
    "Nilai diajukan (Rp)",
    "Nilai disetujui (Rp)",
    "Nilai dibayar (Rp)",
    "Median hari sampai disetujui",
]
_TABLE_FIGURES = [
    "groups_total",
    "groups_submitted",
    "groups_verified",
    "groups_approved",
    "groups_rejected",
    "groups_completed",
    "members_total",
    "members_approved",
    "women_approved",
    "disability_approved",
    "amount_requested",
    "amount_approved",
    "amount_paid",
]


def _table_row(row: figures.Row) -> list[exports.Cell]:
    median = round(row.median_days, 1) if row.median_days is not None else None
    return [row.code, row.name, *(row.figures[name] for name in _TABLE_FIGURES), median]


def _file(
    fmt: str,
    name: str,
    header: list[str],
    rows: list[list[exports.Cell]],
    *,
    heading: str | None = None,
    context: Context | None = None,
    live: bool = False,
    as_of: datetime.datetime | None = None,
) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404(_("Format ekspor tidak dikenal."))
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(header, rows), content_type=exports.CSV_CONTENT_TYPE)
    else:
        heading = heading or name
        if context is not None:
            selection = context.selection
            heading = f"{heading} — {figures.PROGRAMME_LABELS[selection.programme]} {selection.year or ''}"
            # Snapshot tables are "as of" their snapshot; the live group list as of now.
            as_of = context.snapshot.as_of if context.snapshot and not live else None
        content = exports.to_xlsx(header, rows, title=name, heading=heading.strip(), as_of=as_of)
        response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _stamp(context: Context) -> str:
    program = context.selection.programme or "semua"
    return f"{context.selection.year or 'kosong'}-{program}"


@require_GET
@replica_reads
@director_required
def export_provinces(request: HttpRequest, fmt: str) -> HttpResponse:
    context = _context(request)
    rows = _rows(context.snapshot, context, request)
    header = [*_TABLE_HEADER, "Kuota kelompok", "Pagu (Rp)", "Serapan kuota (%)", "Realisasi (%)"]
    body = [
        [
            *_table_row(row),
            row.quota_groups,
            row.quota_budget,
            _rounded(row.quota_use_percent),
            _rounded(row.realisation_percent),
        ]
        for row in rows
    ]
    return _file(fmt, f"rekap-provinsi-{_stamp(context)}", header, body, heading=_("Rekap provinsi"), context=context)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@require_GET
@replica_reads
@director_required
def export_province(request: HttpRequest, province: str, fmt: str) -> HttpResponse:
    place = _province_or_404(request, province)
    context = _context(request)
    rows = (
        figures.regency_rows(context.snapshot, context.selection, province_code=place.code, user=request.user)
        if context.snapshot and context.selection.year
        else []
    )
    return _file(
        fmt,
        f"rekap-{place.code}-{_stamp(context)}",
        _TABLE_HEADER,
        [_table_row(r) for r in rows],
        heading=_("Rekap kabupaten/kota %(province)s") % {"province": place.name},
        context=context,
    )


@require_GET
@replica_reads
@director_required
def export_regency(request: HttpRequest, regency: str, fmt: str) -> HttpResponse:
    place = _regency_or_404(request, regency)
    context = _context(request)
    header = [
        "Nomor pendaftaran",
        "Kode kelompok",
        "Nama kelompok",
        "Program",
        "Status",
        "NIK ketua",
        "Anggota",
        "Perempuan",
        "Nilai diajukan (Rp)",
        "Nilai disetujui (Rp)",
        "Nilai dibayar (Rp)",
    ]
    body: list[list[exports.Cell]] = []
    if context.selection.year:
        queryset = figures.regency_groups(regency_code=place.code, selection=context.selection, user=request.user)
        body = [
            [
                a.reference,
                a.group.code,
                a.group.name,
                a.scheme.get_programme_display(),
                a.get_status_display(),
                mask_nik(a.ketua_nik or ""),
                a.members or 0,
                a.women or 0,
                a.requested_amount,
                a.approved_amount,
                a.paid or 0,
            ]
            for a in queryset.iterator(chunk_size=500)
        ]
    return _file(
        fmt,
        f"kelompok-{place.code}-{_stamp(context)}",
        header,
        body,
        heading=_("Kelompok %(regency)s") % {"regency": place.name},
        context=context,
        live=True,
    )
