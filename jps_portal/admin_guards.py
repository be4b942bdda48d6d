"""Guards shared by every officer admin: the admin shows money, status and identity, and writes them
only through the services.

- ``ReadOnlyHistoryMixin``: simple-history's pages stay readable, but its revert view — which saves
  a past version of the row straight to the table, around every status machine and the ledger — is
  refused for everyone, superusers included, on GET and POST alike.
- ``ServiceOnlyChangeMixin``: the fields only services may change (``service_only_fields``) are
  read-only on every change form; a POST naming a field the form does not offer (a hand-made request)
  saves nothing and says why; a "Simpan" that changes nothing writes nothing (no empty history row,
  no "berhasil diubah"); a page with nothing editable offers no "Simpan" at all; nobody deletes a row
  unless the admin says so (``deletable``).

Both are declared on the admin class, so a test can walk ``admin.site._registry`` and prove it
(tests/test_admin_guards.py, docs/admin-paths.md)."""

import re
from typing import Any, ClassVar

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

# Set on the request when a change-form save found nothing to write (read by response_change).
_NOTHING_CHANGED = "_jps_admin_nothing_changed"


def revert_refused_message() -> str:
    return _(
        "Riwayat hanya dapat dibaca: versi lama tidak dapat dikembalikan. Status, nilai uang dan data "
        "identitas hanya berubah melalui tindakan resmi yang tercatat."
    )


class ReadOnlyHistoryMixin:
    """For a ``SimpleHistoryAdmin``: the history list stays, without links to the revert form; the
    revert form itself answers every request with a refusal and a redirect to the history list.

    Placed after ``RegionScopedAdminMixin`` in the bases, so a row out of the officer's scope is still
    a 404 before anything else is said about it."""

    object_history_list_template = "admin/history/object_history_list.html"

    def revert_disabled(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return True

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        # Never calls simple-history's view: on POST it saves the old version over the live row.
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):  # type: ignore[attr-defined]
            raise PermissionDenied
        self.message_user(request, revert_refused_message(), messages.ERROR)  # type: ignore[attr-defined]
        opts = obj._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))


class ServiceOnlyChangeMixin:
    """For a ``ModelAdmin`` whose rows carry money, status or identity (see the module docstring)."""

    # Model fields only a service may change: always read-only, whatever else the admin allows.
    service_only_fields: ClassVar[tuple[str, ...]] = ()
    # Whether the admin's delete page exists at all (then still subject to the role's permission and to
    # the admin's own has_delete_permission for the row).
    deletable: ClassVar[bool] = False

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return fields + [name for name in self.service_only_fields if name not in fields]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.deletable and super().has_delete_permission(request, obj)  # type: ignore[misc]

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)  # type: ignore[misc]
        # Bulk delete asks has_delete_permission without a row: a row that must stay (a funded group's
        # member) would go with the rest. Deleting, where allowed at all, is one row at a time.
        actions.pop("delete_selected", None)
        return actions

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        if request.method == "POST":
            refusal = self._refuse_fields_not_offered(request, object_id)
            if refusal is not None:
                return refusal
        return super().changeform_view(request, object_id, form_url, extra_context)  # type: ignore[misc]

    def _refuse_fields_not_offered(self, request: HttpRequest, object_id: str | None) -> HttpResponse | None:
        """A POST that names a field the form does not offer is hand-made: the page never sends one.
        Django would silently drop it and save the rest ("berhasil diubah"); here nothing is saved and
        the officer reads which fields only the services change."""
        obj = self.get_object(request, unquote(object_id)) if object_id else None  # type: ignore[attr-defined]
        if object_id and obj is None:
            return None  # Django's own answer for a missing or out-of-scope row
        may_save = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)  # type: ignore[attr-defined]
        if not may_save:
            return None  # Django refuses the POST itself (403): this role may not save here at all
        labels = fields_not_offered(self, request, obj)
        if not labels:
            return None
        self.message_user(  # type: ignore[attr-defined]
            request,
            _(
                "Tidak ada yang disimpan: %(fields)s tidak dapat diubah lewat formulir ini. Perubahan seperti "
                "itu hanya melalui tindakan resmi (keputusan dengan konfirmasi, batch dan impor hasil bank, "
                "atau koreksi data yang dikonfirmasi petugas kedua)."
            )
            % {"fields": ", ".join(labels)},
            messages.ERROR,
        )
        return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        if change and not form.has_changed():
            return  # nothing to write: no save, so no empty history row
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def log_change(self, request: HttpRequest, obj: Model, message: object) -> object:
        if not message:  # construct_change_message found no field, inline row or deletion changed
            setattr(request, _NOTHING_CHANGED, True)
            return None
        return super().log_change(request, obj, message)  # type: ignore[misc]

    def response_change(self, request: HttpRequest, obj: Model) -> HttpResponse:
        if getattr(request, _NOTHING_CHANGED, False):
            self.message_user(request, _("Tidak ada perubahan; tidak ada yang disimpan."), messages.INFO)  # type: ignore[attr-defined]
            return HttpResponseRedirect(request.get_full_path())
        return super().response_change(request, obj)  # type: ignore[misc]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Model | None = None,
    ) -> HttpResponse:
        if change and not _page_has_editable_input(context):
            # Everything is read-only here: a "Simpan" would promise a change the page cannot make.
            context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]


class ServiceOnlyHistoryAdmin(ReadOnlyHistoryMixin, ServiceOnlyChangeMixin, SimpleHistoryAdmin):
    """The base of every officer admin of a model tracked by simple-history."""


def fields_not_offered(model_admin: admin.ModelAdmin, request: HttpRequest, obj: Model | None) -> list[str]:
    """Labels of the model fields named in ``request.POST`` that the change form (or one of its
    inlines) does not offer for editing."""
    posted = set(request.POST)
    form_class = model_admin.get_form(request, obj, change=obj is not None)
    labels = [
        _label(model_admin.model, name)
        for name in sorted(posted & _model_field_names(model_admin.model) - set(form_class.base_fields))
    ]
    for formset_class, inline in model_admin.get_formsets_with_inlines(request, obj):
        prefix = re.escape(formset_class.get_default_prefix())
        own = {inline.model._meta.pk.name, getattr(formset_class, "fk", None) and formset_class.fk.name}
        offered = set(formset_class.form.base_fields) | own
        names = _model_field_names(inline.model)
        for key in sorted(posted):
            match = re.fullmatch(rf"{prefix}-\d+-(\w+)", key)
            if match and match.group(1) in names and match.group(1) not in offered:
                label = f"{capfirst(inline.model._meta.verbose_name)}: {_label(inline.model, match.group(1))}"
                if label not in labels:
                    labels.append(label)
    return labels


def _model_field_names(model: type[Model]) -> set[str]:
    names = set()
    for field in model._meta.get_fields():
        if field.concrete or field.many_to_many:
            names.add(field.name)
            if getattr(field, "attname", None):
                names.add(field.attname)
    return names


def _label(model: type[Model], name: str) -> str:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        field = next(f for f in model._meta.concrete_fields if f.attname == name)
    return f"“{capfirst(field.verbose_name)}”"


def _page_has_editable_input(context: dict) -> bool:
    if context["adminform"].form.fields:
        return True
    for inline_admin_formset in context.get("inline_admin_formsets", []):
        formset = inline_admin_formset.formset
        if inline_admin_formset.has_add_permission:
            return True
        if formset.forms and inline_admin_formset.has_delete_permission and formset.can_delete:
            return True
        own = {formset.model._meta.pk.name, getattr(formset, "fk", None) and formset.fk.name}
        if formset.forms and inline_admin_formset.has_change_permission and set(formset.form.base_fields) - own:
            return True
    return False
