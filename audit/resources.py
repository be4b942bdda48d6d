"""Export of the audit trail: one row per change, with the same cell escaping as every export."""

from django.db.models import Model, QuerySet
from import_export.fields import Field
from import_export.widgets import DateTimeWidget

from audit.trail import attach_previous, describe_changes
from spreadsheets.resources import SpreadsheetResource

WHEN_FORMAT = "%Y-%m-%d %H:%M:%S"


class ChangeResource(SpreadsheetResource):
    """Any of the ``audit.models`` proxies; the admin passes its own (already scoped) queryset."""

    record_model = Field(column_name="model")
    object_id = Field(column_name="object_id")
    record = Field(column_name="object")
    history_type = Field(attribute="history_type", column_name="type")
    history_date = Field(attribute="history_date", column_name="when", widget=DateTimeWidget(format=WHEN_FORMAT))
    history_user = Field(attribute="history_user__username", column_name="who")
    changes = Field(column_name="before_after")

    class Meta:
        fields = ["record_model", "object_id", "record", "history_type", "history_date", "history_user", "changes"]
        export_order = fields

    def export_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.select_related("history_user")

    def prepare_chunk(self, objects: list[Model]) -> None:
        attach_previous(objects)

    def dehydrate_record_model(self, record: Model) -> str:
        return str(record.instance_type._meta.verbose_name)

    def dehydrate_object_id(self, record: Model) -> str:
        return str(getattr(record, record.instance_type._meta.pk.attname))

    def dehydrate_record(self, record: Model) -> str:
        return record.label()

    def dehydrate_changes(self, record: Model) -> str:
        return describe_changes(record)
