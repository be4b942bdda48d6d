"""Training pages: the ketua's invitations and registration, a member's check-in with the day's
code, and the organiser's event page, invitations, attendance grid and list import.

Views parse input, call one service and render. A ketua reaches only their own group's invitations;
staff reach events through their permissions and see groups only in their region scope."""

import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications.member_lists import FileRefusedError
from groups.models import Member
from regions.scope import region_scope_of
from training import services
from training.forms import AttendanceImportForm, CheckinForm, InviteForm, RegistrationForm
from training.models import Attendance, Invitation, Mode, Participant, TrainingEvent, TrainingSession

GRID_PAGE_SIZE = 50


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- the ketua ---------------------------------------------------------------------------------------------


@login_required
def my_invitations(request: HttpRequest) -> HttpResponse:
    invitations = (
        Invitation.objects.filter(group__user=request.user).select_related("event").order_by("-event__starts_on")
    )
    return render(request, "training/invitation_list.html", {"invitations": invitations})


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, invitation: int) -> HttpResponse:
    found = get_object_or_404(
        Invitation.objects.select_related("event", "group"), pk=invitation, group__user=request.user
    )
    event = found.event
    members = list(Member.objects.filter(group_id=found.group_id).order_by("pk"))
    current = dict(found.participants.values_list("member_id", "mode"))
    form = RegistrationForm(request.POST or None, event=event, members=members, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.participants_register(invitation=found, choices=form.choices(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Pendaftaran peserta tersimpan."))
            return redirect("training:register", invitation=found.pk)
    return render(
        request,
        "training/invitation_register.html",
        {
            "invitation": found,
            "event": event,
            "form": form,
            "open": event.status == TrainingEvent.Status.OPEN,
            "sessions": event.sessions.all(),
        },
    )


# --- a member on the day ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest) -> HttpResponse:
    """Anyone with the day's code and a NIK of an invited group; throttled per address."""
    form = CheckinForm(request.POST or None)
    recorded = None
    if request.method == "POST" and form.is_valid():
        if _throttled(request):
            form.add_error(None, _("Terlalu banyak percobaan. Tunggu satu menit lalu coba lagi."))
        else:
            try:
                recorded = services.attendance_checkin(
                    code=form.cleaned_data["code"], nik=form.cleaned_data["nik"], mode=form.cleaned_data["mode"] or None
                )
            except ValidationError as error:
                form.add_error(None, error)
    return render(request, "training/checkin.html", {"form": form, "recorded": recorded})


def _throttled(request: HttpRequest) -> bool:
    key = f"training-checkin:{request.META.get('REMOTE_ADDR', '')}"
    try:
        cache.add(key, 0, timeout=60)
        return cache.incr(key) > services.CODE_TRIES_PER_MINUTE
    except Exception:  # no cache: the code itself is short-lived and per day
        return False


# --- organisers -----------------------------------------------------------------------------------------------


def staff_permission(permission: str) -> Callable:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            if not (request.user.is_staff and request.user.has_perm(permission)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@staff_permission("training.view_trainingevent")
def event_detail(request: HttpRequest, event: int) -> HttpResponse:
    found = get_object_or_404(TrainingEvent.objects.select_related("regency"), pk=event)
    summary = services.event_summary(event=found, user=request.user)
    user = request.user
    return render(
        request,
        "training/event_detail.html",
        {
            "event": found,
            "summary": summary,
            "may_invite": user.has_perm("training.invite_groups") and found.status == TrainingEvent.Status.OPEN,
            "may_record": user.has_perm("training.record_attendance")
            and found.status in (TrainingEvent.Status.OPEN, TrainingEvent.Status.HELD),
            "imports": found.imports.select_related("uploaded_by")[:10],
        },
    )


@staff_permission("training.invite_groups")
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, event: int) -> HttpResponse:
    found = get_object_or_404(TrainingEvent, pk=event)
    form = InviteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        criteria = services.InviteCriteria(
            province_codes=[p.code for p in form.cleaned_data["provinces"]],
            programmes=form.cleaned_data["programmes"],
            statuses=form.cleaned_data["statuses"],
        )
        try:
            invited = services.event_invite(event=found, criteria=criteria, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(count)d kelompok diundang; undangan dikirim.") % {"count": invited})
            return redirect("training:event", event=found.pk)
    return render(request, "training/event_invite.html", {"event": found, "form": form})


@staff_permission("training.record_attendance")
@require_http_methods(["GET", "POST"])
def grid(request: HttpRequest, event: int, session: int) -> HttpResponse:
    """One session's attendance as a page of participants with a tick and a mode each."""
    found = get_object_or_404(TrainingSession.objects.select_related("event"), pk=session, event_id=event)
    scope = region_scope_of(request.user)
    participants = (
        Participant.objects.filter(event_id=event)
        .filter(scope.q(province="invitation__group__regency__province", regency="invitation__group__regency"))
        .select_related("member", "invitation__group")
        .order_by("invitation__group__code", "member_id")
    )
    page = Paginator(participants, GRID_PAGE_SIZE).get_page(request.GET.get("halaman"))
    rows = list(page.object_list)
    if request.method == "POST":
        shown = {p.member_id for p in rows}
        present = {
            p.member_id: request.POST.get(f"mode_{p.member_id}", p.mode)
            for p in rows
            if request.POST.get(f"hadir_{p.member_id}")
        }
        try:
            added, removed = services.attendance_grid_save(session=found, shown=shown, present=present, by=request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("Daftar hadir tersimpan: %(added)d ditambah, %(removed)d dihapus.")
                % {"added": added, "removed": removed},
            )
            return redirect(f"{request.path}?halaman={page.number}")
    recorded = dict(
        Attendance.objects.filter(session=found, member_id__in=[p.member_id for p in rows]).values_list(
            "member_id", "mode"
        )
    )
    return render(
        request,
        "training/attendance_grid.html",
        {
            "event": found.event,
            "session": found,
            "page": page,
            "rows": [(p, recorded.get(p.member_id)) for p in rows],
            "modes": [(mode, Mode(mode).label) for mode in found.event.modes()],
        },
    )


@staff_permission("training.record_attendance")
@require_http_methods(["GET", "POST"])
def attendance_import(request: HttpRequest, event: int) -> HttpResponse:
    found = get_object_or_404(TrainingEvent, pk=event)
    form = AttendanceImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.attendance_import(event=found, upload=form.cleaned_data["file"], by=request.user)
        except (FileRefusedError, ValidationError) as error:
            form.add_error("file", error.messages)
    return render(request, "training/attendance_import.html", {"event": found, "form": form, "result": result})
