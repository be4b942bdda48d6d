"""The table of docs/admin-paths.md, read from the live admin site: for every registered model and every
role, what the role can view, add, change (which fields, on a representative row of a funded grant),
delete, revert (simple-history) and run as an action. ``tests/test_admin_paths.py`` compares it with
the file; ``UPDATE_ADMIN_PATHS=1 make test ARGS=tests/test_admin_paths.py`` writes it again."""

from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.sites import AdminSite
from django.db.models import Model
from django.test import RequestFactory
from simple_history.admin import SimpleHistoryAdmin

from jps_portal.admin_guards import ReadOnlyHistoryMixin

# Every role of the portal, in the order of the table, and the persona fixture that plays it.
ROLES = {
    "ketua": "applicant",
    "verifikator": "verifier",
    "ppk": "approver",
    "bendahara": "finance",
    "direktur": "director",
    "integritas": "integrity_officer",
    "admin": "portal_admin",
    "superuser": "admin_user",
}

HEADER = """# Every admin path, per role

Generated from the live admin site by `tests/admin_paths.py`; `tests/test_admin_paths.py` fails when this
file and the code disagree. Regenerate with:

    UPDATE_ADMIN_PATHS=1 make test ARGS=tests/test_admin_paths.py

For each registered model and each role (a persona of `tests/conftest.py` with a national scope, or
Jawa Barat for the verifikator): **view** — the change list and read-only pages; **add** — the add
page; **change** — the fields the change form lets the role save on a representative row of a
funded, paid grant (`tests/money_world.py`), inline rows as `Inline: fields`, "—" when nothing is
editable; **delete** — the delete page for that row; **revert** — simple-history's revert view (refused
for everyone: `jps_portal/admin_guards.py`); **actions** — the change-list actions offered. A role
missing from a model's table has no access to it at all (the ketua has none to the admin). Extra
views an admin adds (imports, exports, proposals) check their own permission; they are listed under
the table.

Every "can" below was reviewed against issue 10: money, status and identity change only through the
service actions (with their confirmation pages); the rest (addresses, reference data, schemes before
their first approval, users and roles for the portal administrator) is editable on purpose.
"""


def _request(user: Model) -> object:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _editable_fields(model_admin: admin.ModelAdmin, request: object, obj: Model | None) -> str:
    if obj is None or not model_admin.has_change_permission(request, obj):
        return "—"
    parts = sorted(model_admin.get_form(request, obj, change=True).base_fields)
    for inline in model_admin.get_inline_instances(request, obj):
        formset = inline.get_formset(request, obj)
        own = {inline.model._meta.pk.name, getattr(formset, "fk", None) and formset.fk.name}
        editable = []
        if inline.has_change_permission(request, obj):
            editable += sorted(set(formset.form.base_fields) - own)
        if inline.has_add_permission(request, obj):
            editable.append("+add")
        if inline.has_delete_permission(request, obj) and formset.can_delete:
            editable.append("+delete")
        if editable:
            parts.append(f"{inline.model.__name__}: {' '.join(editable)}")
    return ", ".join(parts) or "—"


def _revert(model_admin: admin.ModelAdmin, request: object, obj: Model | None) -> str:
    if not isinstance(model_admin, SimpleHistoryAdmin):
        return "n/a"
    if isinstance(model_admin, ReadOnlyHistoryMixin):
        return "no"
    return _yes(model_admin.has_change_permission(request, obj))


def _extra_views(model_admin: admin.ModelAdmin) -> list[str]:
    standard = {"changelist", "add", "history", "delete", "change", "autocomplete", "simple_history"}
    prefix = f"{model_admin.model._meta.app_label}_{model_admin.model._meta.model_name}_"
    names = []
    for pattern in model_admin.get_urls():
        name = getattr(pattern, "name", None)
        if name and name.startswith(prefix) and name[len(prefix) :] not in standard:
            names.append(name[len(prefix) :])
    return sorted(names)


def admin_paths_markdown(users: dict[str, Model], sample: Callable[[type[Model]], Model | None]) -> str:
    """The whole document: ``users`` maps each role to its user, ``sample`` gives a row of a model."""
    site: AdminSite = admin.site
    lines = [HEADER]
    for model, model_admin in sorted(site._registry.items(), key=lambda item: item[0]._meta.label):
        obj = sample(model)
        lines += [f"## {model._meta.label} — {model._meta.verbose_name_plural}", ""]
        lines += ["| role | view | add | change | delete | revert | actions |", "|---|---|---|---|---|---|---|"]
        for role, user in users.items():
            request = _request(user)
            if not site.has_permission(request) or not model_admin.has_view_or_change_permission(request, obj):
                continue
            actions = ", ".join(sorted(model_admin.get_actions(request))) or "—"
            lines.append(
                f"| {role} | yes | {_yes(model_admin.has_add_permission(request))} "
                f"| {_editable_fields(model_admin, request, obj)} "
                f"| {_yes(obj is not None and model_admin.has_delete_permission(request, obj))} "
                f"| {_revert(model_admin, request, obj)} | {actions} |"
            )
        extra = _extra_views(model_admin)
        if extra:
            lines += ["", f"Extra views: {', '.join(extra)}."]
        if obj is None:
            lines += ["", "(No row of this model in the sample data: change and delete are shown for none.)"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
