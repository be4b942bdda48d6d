"""The group side of the portal: home, the group's profile and its members. Views parse input,
call one service and render; every object is looked up through the logged-in user's own group."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups import services
from groups.forms import BaseMemberFormSet, GroupProfileForm, MemberForm, member_formset_class
from groups.models import Group, Member, MemberDraft
from groups.nik import check_nik
from jps_portal.ratelimit import rate_limited_per_user_and_address
from regions.models import Regency
from regions.services import known_nik_prefixes


def _own_group(request: HttpRequest) -> Group | None:
    return Group.objects.filter(user=request.user).select_related("regency__province", "bank").first()


def _apply_errors(form: MemberForm, error: ValidationError) -> None:
    """Show a service's refusal on the form, on the field it names where it names one."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


def home(request: HttpRequest) -> HttpResponse:
    """Anonymous: what the programme is and how to start. A ketua: the checklist to apply."""
    if not request.user.is_authenticated:
        return render(request, "groups/home_public.html")
    if request.user.is_staff:
        # A field mentor starts on their work list (the mentoring app's page, by URL name only).
        if request.user.groups.filter(name="pendamping").exists():
            return redirect("mentoring:worklist")
        return redirect("admin:index")
    group = _own_group(request)
    context = {"group": group}
    if group is not None:
        application = group.applications.select_related("scheme").order_by("-pk").first()
        members = list(group.members.all())
        context |= {
            "application": application,
            "member_count": len(members),
            "officers_complete": {m.role for m in members} >= set(Member.OFFICER_ROLES),
            "editable": services.group_is_editable(group),
            # After the money: the monitoring rounds (outcomes app, through the reverse relation only).
            "has_rounds": hasattr(group, "monitoring_rounds") and group.monitoring_rounds.exists(),
        }
    return render(request, "groups/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    group = _own_group(request)
    form = GroupProfileForm(request.POST or None, instance=group)
    # A POST that only changed the province (the no-JavaScript way to refresh the regency list)
    # re-renders the form instead of saving it.
    if request.method == "POST" and "refresh_regencies" not in request.POST and form.is_valid():
        try:
            if group is None:
                services.group_create(by=request.user, **form.profile_fields())
                messages.success(request, _("Profil kelompok tersimpan. Sekarang isi daftar anggota."))
                return redirect("groups:members_edit")
            services.group_update(group=group, by=request.user, **form.profile_fields())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Profil kelompok tersimpan."))
            return redirect("groups:home")
    editable = group is None or services.group_is_editable(group)
    return render(request, "groups/group_profile.html", {"form": form, "group": group, "editable": editable})


@login_required
@require_GET
def members(request: HttpRequest) -> HttpResponse:
    group = _own_group(request)
    if group is None:
        return redirect("groups:profile")
    return render(
        request,
        "groups/member_list.html",
        {"group": group, "members": group.members.all(), "editable": services.group_is_editable(group)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def members_edit(request: HttpRequest) -> HttpResponse:
    """All members on one page (a formset): the quick way to enter a whole group from a list. What
    was typed and not saved comes back from the server-side draft (a failed save, a closed tab)."""
    group = _own_group(request)
    if group is None:
        return redirect("groups:profile")
    editable = services.group_is_editable(group)
    queryset = group.members.all()
    draft = MemberDraft.objects.filter(group=group).first() if request.method == "GET" and editable else None
    data = request.POST if request.method == "POST" else (draft.data if draft else None)
    # Twenty rows to fill on first visit: most schemes ask for 10–30 members.
    blank_rows = max(0, 20 - queryset.count()) if data is None else 0
    formset = member_formset_class(blank_rows=blank_rows)(data, queryset=queryset, prefix="members")
    if request.method == "POST":
        if formset.is_valid() and _save_members(request, group, formset):
            messages.success(request, _("Daftar anggota tersimpan."))
            return redirect("groups:members")
        if editable:
            services.member_draft_save(group=group, by=request.user, data=request.POST.dict(), failed=True)
    # A draft kept while typing is not a refused save: its half-filled rows are not shouted at.
    quiet = draft is not None and not draft.from_failed_save
    return render(
        request,
        "groups/member_formset.html",
        {
            "group": group,
            "formset": formset,
            "rows": _rows(formset, quiet=quiet),
            "problems": [] if quiet else _problems(formset),
            "quiet_errors": quiet,
            "draft": draft,
            "editable": editable,
        },
    )


def _save_members(request: HttpRequest, group: Group, formset: BaseMemberFormSet) -> bool:
    changes, forms_by_row = _changes(formset)
    try:
        services.members_save_set(group=group, by=request.user, changes=changes)
    except services.MemberRowError as error:
        _apply_errors(forms_by_row[error.row], error)
    except ValidationError as error:
        formset._non_form_errors = formset.error_class(error.messages)
    else:
        return True
    return False


def _row_is_blank(form: MemberForm) -> bool:
    return not form.instance.pk and not form["nik"].value() and not form.row_label()


def _rows(formset: BaseMemberFormSet, *, quiet: bool) -> list[dict[str, object]]:
    """Each member row as a card: numbered, named, open where there is something to do (its errors,
    or the first blank row) and folded otherwise, so twenty rows fit a few phone screens."""
    first_blank = next((index for index, form in enumerate(formset.forms) if _row_is_blank(form)), None)
    rows = []
    for index, form in enumerate(formset.forms):
        has_errors = bool(form.errors) if formset.is_bound and not quiet else False
        role = form["role"].value()
        rows.append(
            {
                "form": form,
                "number": index + 1,
                "name": form.row_label(),
                "role": Member.Role(role).label if role in Member.Role.values else "",
                "has_errors": has_errors,
                "open": has_errors or index == first_blank,
            }
        )
    return rows


def _problems(formset: BaseMemberFormSet) -> list[dict[str, object]]:
    """The error summary at the top of the page: each refused row, by number and name, with what is
    wrong, linked to the row (a phone shows one row at a time; row 8 is far below)."""
    if not formset.is_bound:
        return []
    problems = []
    for index, form in enumerate(formset.forms):
        if not form.errors:
            continue
        texts = []
        for field, errors in form.errors.items():
            label = form[field].label if field in form.fields else ""
            texts += [f"{label}: {error}" if label else str(error) for error in errors]
        problems.append({"number": index + 1, "name": form.row_label(), "messages": texts})
    return problems


@login_required
@require_POST
def members_draft(request: HttpRequest) -> HttpResponse:
    """The member page's script keeps what is typed here as it is typed (nothing to show: 204)."""
    group = _own_group(request)
    if group is None or not services.group_is_editable(group):
        return HttpResponse(status=409)
    services.member_draft_save(group=group, by=request.user, data=request.POST.dict())
    return HttpResponse(status=204)


@login_required
@require_POST
def members_draft_discard(request: HttpRequest) -> HttpResponse:
    group = _own_group(request)
    if group is not None:
        services.member_draft_discard(group=group, by=request.user)
        messages.success(request, _("Isian yang belum disimpan dibuang."))
    return redirect("groups:members_edit")


def _changes(formset: BaseMemberFormSet) -> tuple[list[services.MemberChange], list[MemberForm]]:
    """What the formset asks for, as the service's change list, and the form behind each change."""
    changes: list[services.MemberChange] = []
    forms_by_row: list[MemberForm] = []
    for form in formset.forms:
        existing = form.instance if form.instance.pk else None
        if formset._should_delete_form(form):
            if existing:
                changes.append((existing, None))
                forms_by_row.append(form)
        elif form.has_changed():
            changes.append((existing, form.member_fields()))
            forms_by_row.append(form)
    return changes, forms_by_row


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest) -> HttpResponse:
    group = _own_group(request)
    if group is None:
        return redirect("groups:profile")
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_add(group=group, by=request.user, **form.member_fields())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Anggota ditambahkan."))
            return redirect("groups:members")
    return render(request, "groups/member_form.html", {"group": group, "form": form, "member": None})


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("group"), pk=pk, group__user=request.user)
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(member=member, by=request.user, **form.member_fields())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Data anggota tersimpan."))
            return redirect("groups:members")
    return render(request, "groups/member_form.html", {"group": member.group, "form": form, "member": member})


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("group"), pk=pk, group__user=request.user)
    if request.method == "POST":
        try:
            services.member_remove(member=member, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s dihapus dari kelompok.") % {"name": member.name})
        return redirect("groups:members")
    return render(request, "groups/member_confirm_remove.html", {"member": member})


@require_GET
def regency_options(request: HttpRequest) -> JsonResponse:
    """Regencies of a province, for the profile form's live dependent select."""
    province = request.GET.get("province", "")
    if not re.fullmatch(r"[0-9]{2}", province):  # garbage never reaches the database
        return JsonResponse({"regencies": []})
    regencies = Regency.objects.current().filter(province_id=province).values_list("code", "name")
    return JsonResponse({"regencies": [{"code": code, "name": name} for code, name in regencies]})


@login_required
@require_GET
@rate_limited_per_user_and_address("nik-check")
def nik_check(request: HttpRequest) -> JsonResponse:
    """The server's verdict on a NIK as it is typed: the same rules as on save. It never says
    whether the NIK is registered anywhere (that would leak who is in which group)."""
    check = check_nik(request.GET.get("nik", "")[:40], known_prefixes=known_nik_prefixes())
    return JsonResponse(
        {
            "nik": check.nik,
            "valid": check.is_valid,
            "errors": check.errors,
            "sex": check.sex,
            "birth_date": check.birth_date.isoformat() if check.birth_date else "",
        }
    )
