"""Admin actions that decide something: a confirmation page first (what, on which rows, with the
form for reasons or a note), then the service for each selected row, each refusal reported on its own.

Shared by the officers' decisions on applications and on usage reports; the templates extend
``admin/decision_confirmation.html``."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from applications.models import TransitionError


@dataclass(frozen=True)
class Decision:
    action: str
    title: str
    form_class: type[forms.Form]
    run: Callable[[Model, dict], object]
    done_message: str


def confirm_then_run(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    decision: Decision,
    *,
    template: str,
    label: Callable[[Model], str],
    limit: int,
) -> TemplateResponse | None:
    """Show ``template`` with the selected rows and the decision's form; on confirmation run the
    decision on at most ``limit`` rows. Returning None sends the officer back to the change list."""
    confirmed = request.POST.get("confirm") == "yes"
    selected = list(queryset[: limit + 1])
    if not selected:
        # The rows left the list meanwhile (decided in another tab, or a filtered list posted again):
        # say so instead of an empty confirmation page or a silent return.
        modeladmin.message_user(
            request,
            _("Baris yang dipilih sudah tidak ada di daftar ini (mungkin sudah diputuskan). Tidak ada yang diubah."),
            messages.WARNING,
        )
        return None
    form = decision.form_class(request.POST if confirmed else None)
    if confirmed and form.is_valid():
        _run_each(modeladmin, request, queryset[:limit], decision, form.cleaned_data, label)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": decision.title,
        "opts": modeladmin.model._meta,
        "form": form,
        "action": decision.action,
        "selected": selected[:limit],
        "too_many": len(selected) > limit,
        "limit": limit,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected_ids": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
    }
    return TemplateResponse(request, template, context)


def _run_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    rows: QuerySet,
    decision: Decision,
    data: dict,
    label: Callable[[Model], str],
) -> None:
    done = 0
    for row in rows:
        try:
            decision.run(row, data)
        except (TransitionError, ValidationError, PermissionDenied) as error:
            # PermissionDenied: a rule about this row and this officer (e.g. the maker of a correction).
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            modeladmin.message_user(request, f"{label(row)}: {text}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, decision.done_message % {"count": done}, messages.SUCCESS)
