"""django-import-export resources of applications.

``ApplicationResource`` exports the applications an officer sees (CSV / XLSX), escaped cell by cell.
``MemberListResource`` maps the Disnaker member list (one row per member, the columns of
``applications.member_lists.COLUMNS``) onto ``groups.Member``. It makes the downloadable template,
and it is the library's default row-by-row import that ``bench/import_member_list.py`` measures the
fast path (``applications.member_lists``) against. Officers import through the fast path only: it
applies the same rules file-wide, in bulk, inside the officer's region scope.
"""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from import_export import fields, resources, widgets
from import_export.fields import Field
from import_export.widgets import DateTimeWidget, IntegerWidget

from applications.member_lists import COLUMNS
from applications.models import Application, Scheme
from groups.models import Group, Member
from groups.nik import nik_date_part
from spreadsheets.cells import cell_safe
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
    money_fields = ("requested_amount", "approved_amount")
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


class YesNoWidget(widgets.Widget):
    """``ya`` / ``tidak`` in the file, a boolean in the database."""

    def clean(self, value: object, row: dict | None = None, **kwargs: object) -> bool:
        text = str(value or "").strip().lower()
        if text not in ("ya", "tidak"):
            raise ValueError("Disabilitas harus ya atau tidak.")
        return text == "ya"

    def render(self, value: object, obj: object = None, **kwargs: object) -> str:
        return "ya" if value else "tidak"


def _group_column(name: str, attribute: str) -> fields.Field:
    # Group columns are written on export; on import the group is found or made in before_import_row.
    return fields.Field(attribute=f"group__{attribute}", column_name=name, readonly=True)


class MemberListResource(resources.ModelResource):
    group_code = _group_column("group_code", "code")
    group_name = _group_column("group_name", "name")
    scheme_year = _group_column("scheme_year", "year")
    programme = fields.Field(column_name="programme", readonly=True)
    province_code = _group_column("province_code", "regency__province_id")
    regency_code = _group_column("regency_code", "regency_id")
    village = _group_column("village", "village")
    address = _group_column("address", "address")
    group_phone = _group_column("group_phone", "phone")
    bank_code = _group_column("bank_code", "bank_id")
    account_number = _group_column("account_number", "account_number")
    account_holder = _group_column("account_holder", "account_holder")
    nik = fields.Field(attribute="nik", column_name="nik")
    member_name = fields.Field(attribute="name", column_name="member_name")
    sex = fields.Field(attribute="sex", column_name="sex")
    birth_date = fields.Field(attribute="birth_date", column_name="birth_date", widget=widgets.DateWidget("%Y-%m-%d"))
    role = fields.Field(attribute="role", column_name="role")
    phone = fields.Field(attribute="phone", column_name="phone")
    employment_status = fields.Field(attribute="employment_status", column_name="employment_status")
    disability = fields.Field(attribute="has_disability", column_name="disability", widget=YesNoWidget())

    class Meta:
        model = Member
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ["nik"]
        # The library's default mode, with the model's own validation (Member.clean checks the NIK).
        clean_model_instances = True
        skip_unchanged = True

    def __init__(self, *, by: AbstractBaseUser | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.by = by

    def export_field(self, field: fields.Field, instance: Member, **kwargs: object) -> object:
        """Every text cell spreadsheet-safe: a name typed as ``=HYPERLINK(...)`` stays text in Excel."""
        value = super().export_field(field, instance, **kwargs)
        return cell_safe(value)

    def dehydrate_programme(self, member: Member) -> str:
        hint = getattr(member.group, "template_programme", None)
        if hint:
            return hint
        application = member.group.applications.select_related("scheme").first()
        return application.scheme.programme if application else ""

    # --- the library's row-by-row import (the benchmark's baseline) ---

    def get_instance(self, instance_loader: object, row: dict) -> Member | None:
        return Member.objects.filter(nik=str(row["nik"]).strip(), year=int(row["scheme_year"])).first()

    def before_import_row(self, row: dict, **kwargs: object) -> None:
        """Find the row's group by code, or create it with a submitted application (one per group)."""
        group = Group.objects.filter(code=row["group_code"]).first()
        if group is None:
            scheme = Scheme.objects.get(year=int(row["scheme_year"]), programme=row["programme"])
            group = Group(
                code=row["group_code"],
                name=row["group_name"],
                year=scheme.year,
                regency_id=row["regency_code"],
                village=row["village"],
                address=row["address"],
                phone=row["group_phone"],
                bank_id=row["bank_code"],
                account_number=row["account_number"],
                account_holder=row["account_holder"],
            )
            group.full_clean(validate_unique=False, validate_constraints=False)
            group.save()
            self._submit(group, scheme)
        self._group = group

    def after_init_instance(self, instance: Member, new: bool, row: dict, **kwargs: object) -> None:
        instance.group = self._group
        instance.year = self._group.year

    def _submit(self, group: Group, scheme: Scheme) -> None:
        from applications import services

        application = services.application_create(group=group, scheme=scheme, by=self.by)
        application.transition_to(Application.Status.SUBMITTED, by=self.by)


def member_list_template_rows() -> list[Member]:
    """One example group (TKM 2020, Kabupaten Bandung) with the scheme's number of members, unsaved,
    for the downloadable template. NIKs are valid and agree with each member's sex and birth date."""
    scheme = Scheme.objects.filter(programme="TKM").order_by("-year").first()
    year = scheme.year if scheme else 2020
    size = scheme.members_min if scheme else 20
    group = Group(
        code=f"DISNAKER-3204-{year}-001",
        name="Kelompok Usaha Maju Bersama",
        year=year,
        regency_id="32.04",
        village="Dayeuhkolot",
        address="Jl. Raya Dayeuhkolot No. 12 RT 01/RW 03",
        phone="081234567890",
        bank_id="002",
        account_number="123401000123456",
        account_holder="Kelompok Usaha Maju Bersama",
    )
    group.template_programme = "TKM"
    roles = [Member.Role.KETUA, Member.Role.SEKRETARIS, Member.Role.BENDAHARA]
    employment = list(Member.EmploymentStatus.values)
    members = []
    for index in range(size):
        sex = Member.Sex.FEMALE if index % 2 else Member.Sex.MALE
        birth_date = datetime.date(1975 + index, 1 + index % 12, 1 + index % 28)
        members.append(
            Member(
                group=group,
                year=year,
                nik=f"320412{nik_date_part(birth_date, sex)}{index + 1:04d}",
                name=f"Anggota Contoh {index + 1}",
                sex=sex,
                birth_date=birth_date,
                role=roles[index] if index < len(roles) else Member.Role.ANGGOTA,
                phone=f"0812345{index:05d}",
                employment_status=employment[index % 3],
                has_disability=index == 5,
            )
        )
    return members


def member_list_template(file_format: str) -> bytes:
    """The template as CSV (UTF-8 with BOM, for Excel) or XLSX, with the example group filled in."""
    dataset = MemberListResource().export(queryset=member_list_template_rows())
    if file_format == "xlsx":
        return dataset.export("xlsx")
    return ("\ufeff" + dataset.export("csv")).encode()
