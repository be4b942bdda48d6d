"""The public list of funded groups: no login, cacheable, the same figures as CSV and JSON.

Pages are built from ``transparency.listing`` and kept whole in the cache for ``CACHE_SECONDS``
under a key made of the *parsed* selection (junk query parameters share the entry of the page they
fall back to). A page served from the cache costs no query at all; its ETag lets a browser or a
proxy revalidate with a 304. The pages use their own layout, which reads no session, sets no CSRF
cookie and shows no per-visitor message: the same URL is the same page for everyone.
"""

import hashlib
import logging
from collections.abc import Callable
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from regions.models import Province, Regency
from spreadsheets.streaming import csv_response
from transparency import listing
from transparency.listing import PROGRAMME_LABELS, PROGRAMMES, Selection

logger = logging.getLogger(__name__)

CACHE_SECONDS = 300
_KEY_VERSION = "publiclist:v1"


class SelectionForm(forms.Form):
    tahun = forms.IntegerField(required=False, min_value=2020, max_value=2100)
    program = forms.ChoiceField(required=False, choices=[(key, key) for key in PROGRAMMES])
    halaman = forms.IntegerField(required=False, min_value=1, max_value=listing.MAX_PAGE)


def _cache_get(key: str) -> object:
    try:
        return cache.get(key)
    except Exception:  # Redis down: build as on a miss, the list must keep answering
        logger.warning("Public list cache unavailable for %s", key, exc_info=True)
        return None


def _cache_set(key: str, value: object) -> None:
    try:
        cache.set(key, value, CACHE_SECONDS)
    except Exception:  # as above: the page matters more than the cache
        logger.warning("Public list cache unavailable for %s", key, exc_info=True)


def _years() -> list[int]:
    key = f"{_KEY_VERSION}:years"
    found = _cache_get(key)
    if found is None:
        found = listing.years()
        _cache_set(key, found)
    return found  # type: ignore[return-value]


def _language(request: HttpRequest) -> str:
    """``?lang=en`` in the link (cacheable by URL), else what the visitor's browser or cookie chose."""
    wanted = request.GET.get("lang", "")
    return wanted if wanted in dict(settings.LANGUAGES) else translation.get_language() or settings.LANGUAGE_CODE


def _parse(request: HttpRequest) -> tuple[Selection | None, int, list[int]]:
    """The selection asked for; anything invalid falls back to the default (newest year, all
    programmes, first page) rather than an error page."""
    form = SelectionForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    years = _years()
    year = data.get("tahun") if data.get("tahun") in years else (years[0] if years else None)
    if year is None:
        return None, 1, years
    return Selection(year=year, programme=data.get("program") or ""), data.get("halaman") or 1, years


def _query(selection: Selection, language: str, *, always_language: bool = False, **extra: object) -> str:
    params: dict[str, object] = {"tahun": selection.year}
    if selection.programme:
        params["program"] = selection.programme
    if always_language or language != settings.LANGUAGE_CODE:
        params["lang"] = language
    params.update({name: value for name, value in extra.items() if value not in (None, "")})
    return urlencode(params)


def _cached_page(request: HttpRequest, key: str, build: Callable[[], str]) -> HttpResponse:
    """The page under ``key``: from the cache (no query) or built, with its ETag and public caching."""
    entry = _cache_get(key)
    if entry is None:
        body = build()
        entry = (hashlib.sha256(body.encode()).hexdigest()[:32], body)
        _cache_set(key, entry)
    etag, body = entry  # type: ignore[misc]
    quoted = f'"{etag}"'
    if quoted in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body)
    response["ETag"] = quoted
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


def _context(
    selection: Selection, language: str, years: list[int], *, page_number: int | None = None, **more: object
) -> dict[str, object]:
    other_language = "en" if language == "id" else "id"
    return {
        "selection": selection,
        "years": years,
        "programmes": list(PROGRAMME_LABELS.items()),
        "programme_label": PROGRAMME_LABELS[selection.programme],
        "language": language,
        "query": _query(selection, language),
        "other_language": other_language,
        "switch_query": _query(selection, other_language, always_language=True, halaman=page_number),
        **more,
    }


@require_safe
def national(request: HttpRequest) -> HttpResponse:
    selection, _page, years = _parse(request)
    language = _language(request)
    if selection is None:
        with translation.override(language):
            return HttpResponse(render_to_string("transparency/funded_national.html", {"years": []}))
    key = f"{_KEY_VERSION}:national:{selection.year}:{selection.programme}:{language}"

    def build() -> str:
        with translation.override(language):
            areas = [area for area in listing.province_totals(selection) if area.groups]
            context = _context(selection, language, years, areas=areas, totals=_sum(areas))
            return render_to_string("transparency/funded_national.html", context)

    return _cached_page(request, key, build)


@require_safe
def province(request: HttpRequest, code: str) -> HttpResponse:
    selection, _page, years = _parse(request)
    if selection is None:
        raise Http404
    language = _language(request)
    key = f"{_KEY_VERSION}:province:{code}:{selection.year}:{selection.programme}:{language}"

    def build() -> str:
        place = get_object_or_404(Province, pk=code)
        with translation.override(language):
            areas = listing.regency_totals(selection, place)
            context = _context(selection, language, years, province=place, areas=areas, totals=_sum(areas))
            return render_to_string("transparency/funded_province.html", context)

    return _cached_page(request, key, build)


@require_safe
def regency(request: HttpRequest, code: str) -> HttpResponse:
    selection, page_number, years = _parse(request)
    if selection is None:
        raise Http404
    language = _language(request)
    key = f"{_KEY_VERSION}:regency:{code}:{selection.year}:{selection.programme}:{page_number}:{language}"

    def build() -> str:
        place = get_object_or_404(Regency.objects.select_related("province"), pk=code)
        page = listing.page_of(listing.funded_groups(selection, regency=place.code), page_number)
        with translation.override(language):
            context = _context(selection, language, years, page_number=page.number, regency=place, page=page)
            context["previous_query"] = _query(selection, language, halaman=page.number - 1)
            context["next_query"] = _query(selection, language, halaman=page.number + 1)
            return render_to_string("transparency/funded_regency.html", context)

    return _cached_page(request, key, build)


@require_safe
def download(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """Every funded group of a province (two-digit code) or a regency ("32.04"), as CSV or JSON."""
    selection, _page, _years_ = _parse(request)
    if selection is None or fmt not in ("csv", "json"):
        raise Http404
    if "." in code:
        place: Province | Regency = get_object_or_404(Regency, pk=code)
        queryset = listing.funded_groups(selection, regency=code)
    else:
        place = get_object_or_404(Province, pk=code)
        queryset = listing.funded_groups(selection, province=code)
    stem = f"penerima-jps-{selection.year}-{selection.programme or 'semua'}-{place.code}"
    if fmt == "csv":
        response: HttpResponse = csv_response(listing.csv_rows(queryset), filename=f"{stem}.csv")
    else:
        document = {
            "tahun": selection.year,
            "program": list(selection.programmes),
            "wilayah": {"kode": place.code, "nama": place.name},
            "kelompok": [row.as_json() for row, _values in listing.all_rows(queryset)],
        }
        response = JsonResponse(document, json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


def _sum(areas: list[listing.AreaTotal]) -> dict[str, int]:
    return {
        "groups": sum(area.groups for area in areas),
        "approved": sum(area.approved for area in areas),
        "paid": sum(area.paid for area in areas),
    }
