"""The mentor's pages (phone first): the work list, a caseload group with its visits, the visit
form (server-side draft on a failed submit, one record per form token) and a problem's resolution.

A mentor reaches only the groups of their own caseload; anyone else gets 403/404."""

import functools
import uuid
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.models import TransitionError
from jps_portal import page_cache
from jps_portal.page_cache import cached_page
from mentoring import services
from mentoring.forms import ResolveForm, VisitForm
from mentoring.models import Visit, VisitProblem
from mentoring.worklist import (
    ACCESS_SCOPE,
    PAGE_SECONDS,
    worklist_for,
    worklist_page_for_session,
    worklist_page_key,
)


def mentor_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @functools.wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not services.is_mentor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def worklist(request: HttpRequest) -> HttpResponse:
    # Reloaded all day: a session checked a moment ago gets its kept page from Redis alone.
    if request.method in ("GET", "HEAD"):
        kept = worklist_page_for_session(request, language=get_language() or "")
        if kept is not None:
            return kept
    return _worklist_checked(request)


@mentor_required
def _worklist_checked(request: HttpRequest) -> HttpResponse:
    key = worklist_page_key(request.user, language=get_language() or "")
    response = cached_page(
        request,
        key,
        lambda: render(request, "mentoring/worklist.html", {"work": worklist_for(request.user)}),
        seconds=PAGE_SECONDS,
    )
    page_cache.access_remember(request, scope=ACCESS_SCOPE)
    return response


@mentor_required
def group_detail(request: HttpRequest, group: int) -> HttpResponse:
    found = services.caseload_group_or_404(request.user, group)
    visits = (
        Visit.objects.filter(group=found)
        .select_related("mentor")
        .prefetch_related("problems", "photos")
        .order_by("-planned_on", "-pk")[:20]
    )
    # The group's monitoring rounds (outcomes app, through the reverse relation): the mentor fills one
    # in during a visit.
    rounds = found.monitoring_rounds.order_by("months") if hasattr(found, "monitoring_rounds") else []
    return render(
        request,
        "mentoring/group_detail.html",
        {"group": found, "visits": visits, "rounds": rounds, "today": timezone.localdate()},
    )


@mentor_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest, group: int) -> HttpResponse:
    found = services.caseload_group_or_404(request.user, group)
    programme = services.group_programme(found)
    items = services.checklist_items(programme)
    draft = None
    if request.method == "POST":
        form = VisitForm(request.POST, request.FILES, items=items)
        if form.is_valid():
            try:
                outcome = services.visit_record(
                    group=found, by=request.user, token=form.cleaned_data["token"],
                    done_on=form.cleaned_data["done_on"], checklist=form.checklist(), notes=form.cleaned_data["notes"],
                    problems=[services.ProblemInput(text, date) for text, date in form.problems()],
                    photos=form.photos(),
                )  # fmt: skip
            except (ValidationError, TransitionError) as error:
                form.add_error(None, error if isinstance(error, ValidationError) else str(error))
            else:
                if outcome.created:
                    messages.success(request, _("Kunjungan tersimpan."))
                else:
                    messages.info(request, _("Kunjungan ini sudah tersimpan sebelumnya; tidak dicatat dua kali."))
                _flag_location(request, outcome.visit)
                return redirect("mentoring:group", group=found.pk)
        # Nothing recorded: keep what was typed for the next try (files cannot be kept).
        services.draft_save(mentor=request.user, group=found, data=request.POST.dict())
        messages.warning(request, _("Kunjungan belum tersimpan. Isian Anda disimpan sebagai draf."))
    else:
        draft = services.draft_of(mentor=request.user, group=found)
        initial = dict(draft) if draft else {}
        initial.setdefault("token", uuid.uuid4())
        form = VisitForm(initial=initial, items=items)
    return render(
        request,
        "mentoring/visit_form.html",
        {"group": found, "form": form, "programme": programme, "draft": draft},
    )


def _flag_location(request: HttpRequest, visit: Visit) -> None:
    if visit.location == Visit.Location.FAR:
        messages.warning(request, _("Lokasi foto jauh dari wilayah kelompok; kunjungan akan ditinjau petugas."))
    elif visit.location == Visit.Location.MISSING:
        messages.warning(request, _("Foto tanpa lokasi (GPS mati?); kunjungan ditandai “tanpa lokasi”."))


@mentor_required
@require_http_methods(["POST"])
def problem_resolve(request: HttpRequest, problem: int) -> HttpResponse:
    found = get_object_or_404(VisitProblem.objects.filter(group__in=services.caseload_groups(request.user)), pk=problem)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.problem_resolve(problem=found, by=request.user, resolution=form.cleaned_data["resolution"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Masalah ditandai selesai."))
    else:
        messages.error(request, _("Tuliskan bagaimana masalah diselesaikan."))
    return redirect("mentoring:group", group=found.group_id)
