"""Admin pieces for rows that only services write (training, mentoring, outcomes): shown, filtered and
exported in the admin, never edited, deleted or restored from history around the services."""

from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from jps_portal.admin_guards import ReadOnlyHistoryMixin


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class NoRevertHistoryAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin):
    """History is shown, never restored: a revert would write around the services. Hiding the button
    is not enough (the revert view takes a hand-made POST), so the view itself refuses
    (``jps_portal.admin_guards.ReadOnlyHistoryMixin``)."""
