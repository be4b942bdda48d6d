"""Exports of applications (CSV / XLSX) — the rows an officer sees, escaped cell by cell."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from import_export.fields import Field
from import_export.widgets import DateTimeWidget, IntegerWidget

from applications.models import Application
from groups.models import Member
from spreadsheets.resources import SpreadsheetResource

DATETIME_FORMAT = "%Y-%m-%d %H:%M"


def _member_count(**conditions: object) -> Coalesce:
    """Members of the row's group (matching ``conditions``), counted by the database per row."""
    counted = (
        Member.objects.filter(group=OuterRef("group"), **conditions)
        .order_by()
        .values("group")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _integer(attribute: str, column: str = "") -> Field:
    """A number kept as a number in every format (never text a spreadsheet would have to convert)."""
    return Field(attribute=attribute, column_name=column or attribute, widget=IntegerWidget(coerce_to_string=False))


def _moment(attribute: str) -> Field:
    return Field(attribute=attribute, column_name=attribute, widget=DateTimeWidget(format=DATETIME_FORMAT))


class ApplicationResource(SpreadsheetResource):
    reference = Field(attribute="reference", column_name="reference")
    group_code = Field(attribute="group__code", column_name="group_code")
    group_name = Field(attribute="group__name", column_name="group_name")
    programme = Field(attribute="scheme__programme", column_name="programme")
    scheme_year = _integer("scheme__year", "scheme_year")
    province_code = Field(attribute="province_id", column_name="province_code")
    province_name = Field(attribute="province__name", column_name="province_name")
    regency_code = Field(attribute="group__regency_id", column_name="regency_code")
    regency_name = Field(attribute="group__regency__name", column_name="regency_name")
    status = Field(column_name="status")
    requested_amount = _integer("requested_amount")
    approved_amount = _integer("approved_amount")
    submitted_at = _moment("submitted_at")
    decided_at = _moment("decided_at")
    member_count = _integer("member_count")
    women_count = _integer("women_count")

    class Meta:
        model = Application
        fields = [
            "reference",
            "group_code",
            "group_name",
            "programme",
            "scheme_year",
            "province_code",
            "province_name",
            "regency_code",
            "regency_name",
            "status",
            "requested_amount",
            "approved_amount",
            "submitted_at",
            "decided_at",
            "member_count",
            "women_count",
        ]
        export_order = fields

    def get_queryset(self) -> QuerySet[Application]:
        return Application.objects.order_by("pk")

    def export_queryset(self, queryset: QuerySet[Application]) -> QuerySet[Application]:
        return queryset.select_related("group__regency", "scheme", "province").annotate(
            member_count=_member_count(), women_count=_member_count(sex=Member.Sex.FEMALE)
        )

    def dehydrate_status(self, application: Application) -> str:
        return str(application.get_status_display())
