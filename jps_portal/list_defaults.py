"""Admin lists that open on what needs the officer's work (submitted applications for a verifier,
verified ones for the PPK, open bank exceptions for finance), not on drafts — and that the officer can
widen again: "Semua" is a choice of its own (``?status__exact=semua``), so clearing the filter sticks.

A list opened bare (no query string) is redirected to the same list with the default in its URL
(``OpensOnWorkAdminMixin``): the page, its "select all" and its exports then all read the same rows,
and a POST without the parameter (a decision button on a change page) still reaches every row.
The status default comes from the work queue (``jps_portal.work_queue.WORK``): the list opens on the
first kind of work on that model the officer's role holds, so "Tugas saya" and the list agree."""

from collections.abc import Iterator

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from jps_portal import work_queue

ALL = "semua"


class OpensOnWorkFilter(admin.SimpleListFilter):
    """A single-choice filter with a default per request and an explicit "Semua" choice."""

    all_label = _("Semua")

    @classmethod
    def default_for(cls, request: HttpRequest, model: type[Model]) -> str | None:
        """The value a list opened without this filter's parameter is sent to (None: stay on all)."""
        return None

    def chosen(self) -> str | None:
        """The value the list is narrowed to (None for all rows)."""
        value = self.value()
        return None if value in (None, ALL) else value

    def choices(self, changelist: ChangeList) -> Iterator[dict]:
        add_facets = changelist.add_facets
        facet_counts = self.get_facet_queryset(changelist) if add_facets else None
        yield {
            "selected": self.chosen() is None,
            "query_string": changelist.get_query_string({self.parameter_name: ALL}),
            "display": self.all_label,
        }
        for index, (lookup, title) in enumerate(self.lookup_choices):
            if add_facets:
                count = facet_counts.get(f"{index}__c", -1)
                title = f"{title} ({count})" if count != -1 else f"{title} (-)"
            yield {
                "selected": self.chosen() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class StatusOpensOnWorkFilter(OpensOnWorkFilter):
    """The model's ``status`` choices; opens on the status the officer's role works on."""

    title = _("status")
    parameter_name = "status__exact"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return list(model_admin.model._meta.get_field("status").choices)

    @classmethod
    def default_for(cls, request: HttpRequest, model: type[Model]) -> str | None:
        return work_queue.default_status(request.user, model)

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.chosen()
        return queryset.filter(status=value) if value else queryset


class OpensOnWorkAdminMixin:
    """For a ``ModelAdmin`` with an ``OpensOnWorkFilter`` in its ``list_filter``."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        # Only a list opened bare: a search, a sort or another filter is the officer's own choice.
        if request.method == "GET" and not request.GET:
            defaults = {}
            for list_filter in self.get_list_filter(request):  # type: ignore[attr-defined]
                if not (isinstance(list_filter, type) and issubclass(list_filter, OpensOnWorkFilter)):
                    continue
                # The portal administrator has no queue of their own: their lists open whole.
                if request.user.is_superuser:
                    continue
                default = list_filter.default_for(request, self.model)  # type: ignore[attr-defined]
                if default and list_filter.parameter_name not in request.GET:
                    defaults[list_filter.parameter_name] = default
            if defaults:
                query = request.GET.copy()
                query.update(defaults)
                return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        return super().changelist_view(request, extra_context)  # type: ignore[misc]
