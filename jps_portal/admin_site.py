"""The officers' admin site: its landing page is 'Tugas saya' (what waits for the officer's role, in
their region, each a link to the filtered list), and it never links to a page its user cannot open.

Installed as Django's default site (``jps_portal.apps.JpsAdminConfig``), so ``admin.site`` and every
``@admin.register`` use it.

Dead ends: Django renders a read-only foreign key as a link to the related object's change page
whether or not the officer may open it (a history row's user, a group's bank, a regency), and each
such link ended on a 403. The request is not passed down to that rendering, so the site keeps the
request of the admin view being served in a context variable, and ``permitted_admin_url`` links only
to what the officer's own admin for that model would show them (permission and region scope).
"""

from collections.abc import Callable
from contextvars import ContextVar

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote
from django.core.exceptions import FieldError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from jps_portal import work_queue

_current_request: ContextVar[HttpRequest | None] = ContextVar("jps_admin_request", default=None)


class JpsAdminSite(admin.AdminSite):
    site_header = _("Portal JPS Kemnaker")
    site_title = _("Portal JPS")
    index_title = _("Tugas saya")
    index_template = "admin/tugas_saya.html"
    # The model list beside every page took 280 px of a 1366 px laptop, pushing a list's last columns
    # (Status) behind a sideways scroll; "Tugas saya" and the breadcrumbs lead everywhere instead.
    enable_nav_sidebar = False

    def admin_view(self, view: Callable, cacheable: bool = False) -> Callable:
        protected = super().admin_view(view, cacheable)

        def with_request(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            token = _current_request.set(request)
            try:
                response = protected(request, *args, **kwargs)
                # A TemplateResponse renders after the view returns: render while the request is known.
                if isinstance(response, TemplateResponse) and not response.is_rendered:
                    response.render()
                return response
            finally:
                _current_request.reset(token)

        for attribute in ("csrf_exempt", "login_required"):
            if hasattr(protected, attribute):
                setattr(with_request, attribute, getattr(protected, attribute))
        with_request.admin_site = self  # type: ignore[attr-defined]
        return with_request

    def index(self, request: HttpRequest, extra_context: dict | None = None) -> TemplateResponse:
        """'Tugas saya': the officer's work counted in their region, then the models they may open."""
        user = request.user
        context = {
            "work": work_queue.work_for(user),
            "overview": work_queue.overview_for(user),
            "mentor_visits": work_queue.mentor_visits_planned(user),
            "tickets": work_queue.tickets_for(user),
            "dashboard_url": reverse("dashboards:national") if user.has_perm("dashboards.view_dashboard") else "",
            **(extra_context or {}),
        }
        return super().index(request, context)


def request_being_served() -> HttpRequest | None:
    return _current_request.get()


def permitted_admin_url(self: helpers.AdminReadonlyField, remote_field: object, remote_obj: Model) -> str:
    """Replaces ``AdminReadonlyField.get_admin_url``: the related object as a link only when the
    officer's admin for it would open it, otherwise as text."""
    site = self.model_admin.admin_site if self.model_admin else None
    return permitted_link(remote_obj, site=site) if site else str(remote_obj)


def permitted_link(obj: Model, *, site: admin.AdminSite | None = None) -> str:
    """``obj`` as a link to its admin page when the officer being served may open it, else as text
    (for a display method showing a relation the model does not hold, such as a reverse one)."""
    request = _current_request.get()
    site = site or admin.site
    model_admin = site._registry.get(type(obj))
    if request is None or model_admin is None or not _may_open(model_admin, request, obj):
        return str(obj)
    opts = obj._meta
    try:
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)], current_app=site.name)
    except NoReverseMatch:
        return str(obj)
    return format_html('<a href="{}">{}</a>', url, obj)


def _may_open(model_admin: admin.ModelAdmin, request: HttpRequest, obj: Model) -> bool:
    if not model_admin.has_view_or_change_permission(request, obj):
        return False
    try:
        return model_admin.get_queryset(request).filter(pk=obj.pk).exists()
    except (FieldError, ValueError, TypeError):
        return False


def install_permitted_links() -> None:
    helpers.AdminReadonlyField.get_admin_url = permitted_admin_url
