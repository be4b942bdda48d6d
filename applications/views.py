"""The group's application journey: pick an open scheme, fill in the proposal, upload documents,
submit, and follow the status. Views parse input, call one service and render.

Every application is looked up through the logged-in user's own group, so another group's ids are a
404 — never a 403 that would confirm the id exists."""

import functools
import json
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from applications import intake, services
from applications.forms import DocumentForm, SchemeChoiceForm, complete_submission_parse, proposal_form_class
from applications.models import Application, ApplicationDocument, SubmissionIntake, TransitionError
from applications.money import split_by_percentages
from groups import services as group_services
from groups.models import Group

Status = Application.Status
GroupView = Callable[..., HttpResponse]


def group_required(view: GroupView) -> Callable[..., HttpResponse]:
    """Log in, and have a group: the view receives the user's own group as its second argument."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        group = Group.objects.filter(user=request.user).select_related("regency").first()
        if group is None:
            messages.info(request, _("Isi profil kelompok Anda lebih dulu, lalu ajukan bantuan."))
            return redirect("groups:profile")
        return view(request, group, *args, **kwargs)

    return wrapper


def _own_applications(group: Group) -> QuerySet[Application]:
    return Application.objects.filter(group=group).select_related("scheme", "group")


def _own_application(group: Group, pk: int) -> Application:
    return get_object_or_404(_own_applications(group), pk=pk)


def _post_data(request: HttpRequest) -> object:
    # ``request.POST or None`` would treat an empty POST as a first visit and silently do nothing.
    return request.POST if request.method == "POST" else None


def _apply_errors(form: Form, error: ValidationError) -> None:
    """Show a service's refusal on the form, on the field it names where the form has that field."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


# --- list and new -----------------------------------------------------------------------------------


@group_required
@require_safe
def application_list(request: HttpRequest, group: Group) -> HttpResponse:
    applications = list(_own_applications(group).order_by("-created_at", "-pk"))
    live = next((a for a in applications if a.status not in Application.CLOSED), None)
    return render(request, "applications/application_list.html", {"applications": applications, "live": live})


@group_required
@require_http_methods(["GET", "HEAD", "POST"])
def application_new(request: HttpRequest, group: Group) -> HttpResponse:
    live = services.live_application_of(group)
    if live is not None:
        messages.info(
            request,
            _("Kelompok Anda sudah punya pengajuan yang berjalan: %(reference)s.") % {"reference": live.reference},
        )
        return redirect("applications:detail", pk=live.pk)
    schemes = services.schemes_open_for(group).prefetch_related("quotas")
    members = list(group.members.all())
    form = SchemeChoiceForm(_post_data(request), schemes=schemes)
    if form.is_valid() and not form.cleaned_data["confirm"]:
        scheme = form.cleaned_data["scheme"]
        problems = services.scheme_fit_problems(group=group, scheme=scheme, members=members)
        context = {"scheme": scheme, "problems": problems, "group": group, "member_count": len(members)}
        return render(request, "applications/scheme_confirm.html", context)
    if form.is_valid():
        try:
            application = services.application_start(group=group, scheme=form.cleaned_data["scheme"], by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            live = services.live_application_of(group)
            return redirect("applications:detail", pk=live.pk) if live else redirect("applications:new")
        messages.success(
            request,
            _("Draf pengajuan %(reference)s dibuat. Lengkapi proposal di bawah ini.")
            % {"reference": application.reference},
        )
        return redirect("applications:edit", pk=application.pk)
    choices = [
        {"scheme": scheme, "problems": services.scheme_fit_problems(group=group, scheme=scheme, members=members)}
        for scheme in schemes
    ]
    choices.sort(key=lambda choice: bool(choice["problems"]))  # what fits first; stable otherwise
    context = {"choices": choices, "schemes": schemes, "form": form, "group": group, "member_count": len(members)}
    return render(request, "applications/scheme_list.html", context)


# --- the status page ----------------------------------------------------------------------------


@group_required
@require_safe
def application_detail(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    application = _own_application(group, pk)
    return render(request, "applications/application_detail.html", _detail_context(application))


def _failed_transfers(application: Application) -> list:
    # disbursements depends on applications: imported here, where the page needs it.
    from disbursements.services import failed_transfers

    if application.status not in (Status.APPROVED, Status.IN_DISBURSEMENT, Status.REPORTING):
        return []
    return failed_transfers(application.group)


def _payments(tranches: list) -> list:
    """The paid tahap, each announced at the top of the page (the money arrived, where and when)."""
    from disbursements.notifications import tranche_payments

    return tranche_payments(tranches)


def _detail_context(application: Application, **extra: object) -> dict[str, object]:
    changes = list(application.status_changes.all())
    revision = None
    if application.status == Status.REVISION_REQUESTED:
        revision = next((c for c in reversed(changes) if c.to_status == Status.REVISION_REQUESTED), None)
    checklist = services.submission_checklist(application) if application.is_editable_by_group else []
    # The report of each tahap (disbursements.UsageReport) comes along: one query for the table.
    tranches = list(application.tranches.select_related("report"))
    return {
        "application": application,
        "scheme": application.scheme,
        "changes": changes,
        "revision": revision,
        "checklist": checklist,
        "ready": all(step.done for step in checklist),
        "tranches": tranches,
        "payments": _payments(tranches),
        "failed_transfers": _failed_transfers(application),
        "wage_budget": services.application_wage_budget(application) if application.scheme.is_padat_karya else None,
        **extra,
    }


# --- the proposal ---------------------------------------------------------------------------------


@group_required
@require_http_methods(["GET", "HEAD", "POST"])
def application_edit(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    application = _own_application(group, pk)
    if not application.is_editable_by_group:
        messages.info(request, _("Pengajuan ini sedang diproses; proposal tidak dapat diubah."))
        return redirect("applications:detail", pk=application.pk)
    form = proposal_form_class(application)(_post_data(request), application=application)
    if form.is_valid():
        try:
            services.application_proposal_update(application=application, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Proposal disimpan."))
            target = "applications:documents" if "continue" in request.POST else "applications:detail"
            return redirect(target, pk=application.pk)
    context = {
        "application": application,
        "scheme": application.scheme,
        "form": form,
        **_budget_guide(application, form),
    }
    return render(request, "applications/application_form.html", context)


def _form_value(application: Application, form: Form, name: str) -> int:
    """A number as the form holds it now (typed, if it parsed), else as saved."""
    cleaned = getattr(form, "cleaned_data", {})
    value = cleaned.get(name) if name in cleaned else getattr(application, name)
    return value or 0


def _budget_guide(application: Application, form: Form) -> dict[str, object]:
    """The computed summary under the form: the HOK wage budget, or the scheme's equipment split."""
    scheme = application.scheme
    requested = _form_value(application, form, "requested_amount")
    if scheme.is_padat_karya:
        lines = services.wage_lines(
            scheme,
            days=_form_value(application, form, "planned_days"),
            pekerja=_form_value(application, form, "workers_pekerja"),
            tukang=_form_value(application, form, "workers_tukang"),
            ketua=_form_value(application, form, "workers_ketua"),
        )
        wages = sum(line.subtotal for line in lines)
        return {"wage_lines": lines, "wage_total": wages, "requested": requested, "rest": requested - wages}
    if scheme.equipment_percent is None or not requested:
        return {}
    equipment, materials = split_by_percentages(requested, [scheme.equipment_percent, 100 - scheme.equipment_percent])
    return {"split": {"equipment": equipment, "materials": materials, "requested": requested}}


# --- documents --------------------------------------------------------------------------------------


@group_required
@require_http_methods(["GET", "HEAD", "POST"])
def application_documents(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    application = _own_application(group, pk)
    editable = application.is_editable_by_group
    if request.method == "POST" and not editable:
        messages.error(request, _("Pengajuan ini sedang diproses; dokumen tidak dapat diubah."))
        return redirect("applications:detail", pk=application.pk)
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES)
    else:
        form = DocumentForm(initial={"kind": request.GET.get("jenis", "")})
    if form.is_valid():
        try:
            document = services.document_add(
                application=application,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                by=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(kind)s “%(name)s” diunggah.")
                % {"kind": document.get_kind_display(), "name": document.original_name},
            )
            return redirect("applications:documents", pk=application.pk)
    documents = list(application.documents.order_by("kind", "pk"))
    present = {document.kind for document in documents}
    required = [
        {"kind": kind, "label": ApplicationDocument.Kind(kind).label, "done": kind in present}
        for kind in services.REQUIRED_DOCUMENTS["PK" if application.scheme.is_padat_karya else "TKM"]
    ]
    context = {
        "application": application,
        "form": form,
        "documents": documents,
        "required": required,
        "editable": editable,
    }
    return render(request, "applications/application_documents.html", context)


@group_required
@require_POST
def document_delete(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    document = get_object_or_404(
        ApplicationDocument.objects.filter(application__group=group).select_related("application"), pk=pk
    )
    try:
        services.document_delete(document=document, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Dokumen “%(name)s” dihapus.") % {"name": document.original_name})
    return redirect("applications:documents", pk=document.application_id)


@login_required
@require_safe
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    """Serve an uploaded document to whoever may see it; to anyone else it does not exist."""
    document = get_object_or_404(ApplicationDocument.objects.select_related("application__group"), pk=pk)
    if not services.document_visible_to(document, request.user):
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        # A PDF reader inside the browser is an attack surface; images are safe to show inline.
        as_attachment=document.content_type == "application/pdf",
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- submitting -------------------------------------------------------------------------------------


@group_required
@require_POST
def application_submit(request: HttpRequest, group: Group, pk: int) -> HttpResponse:
    application = _own_application(group, pk)
    if not application.is_editable_by_group:
        # A double tap or a retried request on a slow connection: the first one already submitted it.
        messages.info(
            request,
            _("Pengajuan %(reference)s sudah berstatus “%(status)s”.")
            % {"reference": application.reference, "status": application.get_status_display()},
        )
        return redirect("applications:detail", pk=application.pk)
    try:
        services.application_submit(application=application, by=request.user)
    except services.ApplicationRuleError as error:
        messages.error(request, _("Pengajuan belum dapat diajukan. Perbaiki dulu hal-hal di bawah ini."))
        context = _detail_context(application, submit_problems=error.messages)
        return render(request, "applications/application_detail.html", context)
    except TransitionError as error:
        messages.info(request, str(error))
        return redirect("applications:detail", pk=application.pk)
    messages.success(
        request,
        _("Pengajuan %(reference)s telah diajukan. Petugas Disnaker akan memeriksanya; statusnya tampil di sini.")
        % {"reference": application.reference},
    )
    return redirect("applications:detail", pk=application.pk)


# --- the whole application in one request -----------------------------------------------------------


@login_required
@require_POST
def submit_complete(request: HttpRequest) -> JsonResponse:
    """Group, members, proposal and documents in one multipart POST, submitted at once.

    For a ketua's phone that saved everything offline, a partner system sending prepared groups, and
    a registration surge (bench/surge_submissions.py): one request instead of dozens. The ``data``
    part is JSON: ``{"scheme": id, "group": {...}, "members": [{...}], "proposal": {...}}``; files
    are parts named by document kind. Answers 201 with the reference, 200 with the same reference
    when sent again, or 400 with every problem in Indonesian."""
    try:
        payload = json.loads(request.POST.get("data", ""))
    except ValueError:
        return _refused({"data": [_("Bagian 'data' harus berisi JSON.")]})
    if not isinstance(payload, dict):
        return _refused({"data": [_("Bagian 'data' harus berisi JSON.")]})
    parsed = complete_submission_parse(payload, request.FILES)
    if "errors" in parsed:
        return _refused(parsed["errors"])
    try:
        result = services.application_submit_complete(by=request.user, **parsed)
    except services.ApplicationRuleError as error:
        return _refused({"submission": error.messages})
    except group_services.MemberRowError as error:
        return _refused({"members": {str(error.row): error.message_dict}})
    except ValidationError as error:
        return _refused(error.message_dict if hasattr(error, "error_dict") else {"submission": error.messages})
    application = result.application
    body = {
        "reference": application.reference,
        "status": application.status,
        "url": reverse("applications:detail", args=[application.pk]),
        "created": result.created,
    }
    return JsonResponse(body, status=201 if result.created else 200)


def _refused(errors: dict[str, object]) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def submit_queued(request: HttpRequest) -> JsonResponse:
    """The whole application in one request, queued: answers at once (202) and processes it in the
    background — the path for a registration surge. GET tells where the ketua's queued
    application stands: ``received``, ``submitted`` (with its reference) or ``refused`` (with every
    problem, in Indonesian; sending it again, corrected, queues it anew)."""
    if request.method == "GET":
        queued = SubmissionIntake.objects.filter(user=request.user).select_related("application").first()
        if queued is None:
            return JsonResponse({"status": None})
        return JsonResponse(_queued_body(queued))
    try:
        payload = json.loads(request.POST.get("data", ""))
    except ValueError:
        return _refused({"data": [_("Bagian 'data' harus berisi JSON.")]})
    try:
        queued, accepted_now = intake.intake_receive(by=request.user, payload=payload, files=request.FILES)
    except ValidationError as error:
        return _refused(error.message_dict if hasattr(error, "error_dict") else {"data": error.messages})
    return JsonResponse(_queued_body(queued), status=202 if accepted_now else 200)


def _queued_body(queued: SubmissionIntake) -> dict[str, object]:
    body: dict[str, object] = {"status": queued.status, "status_url": reverse("applications:submit_queued")}
    if queued.status == SubmissionIntake.Status.SUBMITTED:
        body |= {
            "reference": queued.application.reference,
            "url": reverse("applications:detail", args=[queued.application_id]),
        }
    elif queued.status == SubmissionIntake.Status.REFUSED:
        body["errors"] = queued.errors
    return body
