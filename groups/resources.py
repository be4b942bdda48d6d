"""Exports of members (CSV / XLSX) — the rows an officer sees, escaped cell by cell."""

from django.db.models import QuerySet
from import_export.fields import Field
from import_export.widgets import DateWidget

from groups.models import Member
from spreadsheets.resources import SpreadsheetResource


class MemberResource(SpreadsheetResource):
    group_code = Field(attribute="group__code", column_name="group_code")
    group_name = Field(attribute="group__name", column_name="group_name")
    province_code = Field(attribute="group__regency__province_id", column_name="province_code")
    province_name = Field(attribute="group__regency__province__name", column_name="province_name")
    regency_code = Field(attribute="group__regency_id", column_name="regency_code")
    regency_name = Field(attribute="group__regency__name", column_name="regency_name")
    nik = Field(attribute="nik", column_name="nik")
    name = Field(attribute="name", column_name="member_name")
    sex = Field(attribute="sex", column_name="sex")
    birth_date = Field(attribute="birth_date", column_name="birth_date", widget=DateWidget(format="%Y-%m-%d"))
    role = Field(attribute="role", column_name="role")
    employment_status = Field(attribute="employment_status", column_name="employment_status")
    disability = Field(column_name="disability")
    phone = Field(attribute="phone", column_name="phone")

    class Meta:
        model = Member
        # The columns (and codes: L/P, ketua…, ya/tidak) of the Disnaker list import, so an export
        # can be corrected and sent back.
        fields = [
            "group_code",
            "group_name",
            "province_code",
            "province_name",
            "regency_code",
            "regency_name",
            "nik",
            "name",
            "sex",
            "birth_date",
            "role",
            "employment_status",
            "disability",
            "phone",
        ]
        export_order = fields

    def get_queryset(self) -> QuerySet[Member]:
        return Member.objects.order_by("pk")

    def export_queryset(self, queryset: QuerySet[Member]) -> QuerySet[Member]:
        return queryset.select_related("group__regency__province")

    def dehydrate_disability(self, member: Member) -> str:
        return "ya" if member.has_disability else "tidak"
