"""The JSON shape of each resource. Read-only: the API writes through services, never serializers."""

import datetime
from collections.abc import Callable, Mapping

from django.utils import timezone
from rest_framework import serializers

from applications.models import Application, ApplicationStatusChange, Programme
from dashboards.models import ProvinceTally, RegencyTally
from disbursements.models import PaymentBatch, Tranche
from groups.models import Group, Member
from groups.nik import mask_nik
from partners.authentication import PartnerCaller
from partners.models import Scope
from transparency.listing import PROGRAMMES, funded_row


class StatusChangeSerializer(serializers.ModelSerializer):
    reasons = serializers.ListField(source="reason_codes", child=serializers.CharField())

    class Meta:
        model = ApplicationStatusChange
        fields = ["from_status", "to_status", "changed_at", "reasons"]


class ApplicationSerializer(serializers.ModelSerializer):
    group = serializers.IntegerField(source="group_id")
    group_code = serializers.CharField(source="group.code")
    year = serializers.IntegerField(source="scheme.year")
    programme = serializers.CharField(source="scheme.programme")
    province = serializers.CharField(source="province_id")
    regency = serializers.CharField(source="group.regency_id")
    status_history = StatusChangeSerializer(source="status_changes", many=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "group",
            "group_code",
            "year",
            "programme",
            "province",
            "regency",
            "status",
            "requested_amount",
            "approved_amount",
            "submitted_at",
            "decided_at",
            "created_at",
            "updated_at",
            "status_history",
        ]
        read_only_fields = fields

    def to_representation(self, application: Application) -> dict:
        """The row as ``ModelSerializer`` would build it (``test_the_fast_row_equals_the_generic_one``),
        through the same ``application_row`` the list's value rows use."""
        values = {
            "id": application.id,
            "reference": application.reference,
            "group_id": application.group_id,
            "group__code": application.group.code,
            "scheme__year": application.scheme.year,
            "scheme__programme": application.scheme.programme,
            "province_id": application.province_id,
            "group__regency_id": application.group.regency_id,
            "status": application.status,
            "requested_amount": application.requested_amount,
            "approved_amount": application.approved_amount,
            "submitted_at": application.submitted_at,
            "decided_at": application.decided_at,
            "created_at": application.created_at,
            "updated_at": application.updated_at,
        }
        history = [
            (change.from_status, change.to_status, change.changed_at, change.reason_code)
            for change in application.status_changes.all()
        ]
        return application_row(values, history, _timestamp_formatter())


def _timestamp_formatter() -> Callable[[datetime.datetime | None], str | None]:
    """DRF's ``DateTimeField`` output (ISO 8601 in the current time zone, ``Z`` for UTC) without its
    per-value machinery: a full read formats five timestamps per application."""
    zone = timezone.get_current_timezone()

    def formatted(value: datetime.datetime | None) -> str | None:
        if value is None:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return formatted


def application_row(values: Mapping, history: list[tuple], when: Callable) -> dict:
    """One application as the API shows it, from its ``selectors.APPLICATION_ROW`` values and its
    ``(from, to, changed_at, reason_code)`` changes."""
    return {
        "id": values["id"],
        "reference": values["reference"],
        "group": values["group_id"],
        "group_code": values["group__code"],
        "year": values["scheme__year"],
        "programme": values["scheme__programme"],
        "province": values["province_id"],
        "regency": values["group__regency_id"],
        "status": values["status"],
        "requested_amount": values["requested_amount"],
        "approved_amount": values["approved_amount"],
        "submitted_at": when(values["submitted_at"]),
        "decided_at": when(values["decided_at"]),
        "created_at": when(values["created_at"]),
        "updated_at": when(values["updated_at"]),
        "status_history": [
            {
                "from_status": from_status,
                "to_status": to_status,
                "changed_at": when(changed_at),
                "reasons": [code for code in reason_code.split(",") if code],
            }
            for from_status, to_status, changed_at, reason_code in history
        ],
    }


def application_rows(rows: list[dict], histories: dict[int, list[tuple]]) -> list[dict]:
    """A page of ``selectors.application_rows_for`` values as the API shows them."""
    when = _timestamp_formatter()
    return [application_row(row, histories[row["id"]], when) for row in rows]


class GroupSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="regency.province_id")
    regency = serializers.CharField(source="regency_id")
    member_count = serializers.IntegerField()

    class Meta:
        model = Group
        fields = [
            "id",
            "code",
            "name",
            "year",
            "province",
            "regency",
            "village",
            "member_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    group = serializers.IntegerField(source="group_id")
    province = serializers.CharField(source="group.regency.province_id")
    regency = serializers.CharField(source="group.regency_id")
    nik = serializers.SerializerMethodField(help_text="Disamarkan kecuali klien memiliki hak akses nik:read.")

    class Meta:
        model = Member
        fields = [
            "id",
            "group",
            "year",
            "province",
            "regency",
            "nik",
            "name",
            "sex",
            "birth_date",
            "role",
            "employment_status",
            "has_disability",
            "created_at",
        ]
        read_only_fields = fields

    def get_nik(self, member: Member) -> str:
        caller = self.context["request"].user
        if isinstance(caller, PartnerCaller) and caller.has_scope(Scope.NIK_READ):
            return member.nik
        return mask_nik(member.nik)


_TALLY_FIGURES = [
    "year",
    "programme",
    "groups_total",
    "groups_submitted",
    "groups_verified",
    "groups_approved",
    "groups_rejected",
    "groups_completed",
    "members_total",
    "members_submitted",
    "members_verified",
    "members_approved",
    "members_rejected",
    "members_completed",
    "women_approved",
    "disability_approved",
    "amount_requested",
    "amount_approved",
    "amount_paid",
    "median_days_to_approval",
]


class ProvinceTallySerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province_id")

    class Meta:
        model = ProvinceTally
        fields = ["province", *_TALLY_FIGURES, "quota_groups", "quota_budget"]
        read_only_fields = fields


class RegencyTallySerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province_id")
    regency = serializers.CharField(source="regency_id")

    class Meta:
        model = RegencyTally
        fields = ["province", "regency", *_TALLY_FIGURES]
        read_only_fields = fields


class TalliesSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField(help_text="Waktu data rekap ini dihitung.")
    provinces = ProvinceTallySerializer(many=True)
    regencies = RegencyTallySerializer(many=True)


class TallyQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(required=False, min_value=2020, max_value=2100)
    programme = serializers.ChoiceField(choices=Programme.choices, required=False)


class PublicQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2020, max_value=2100)
    programme = serializers.ChoiceField(choices=list(PROGRAMMES), required=False, default="")
    province = serializers.RegexField(r"^[0-9]{2}$", required=False)
    regency = serializers.RegexField(r"^[0-9]{2}\.[0-9]{2}$", required=False)


class PublicRowSerializer(serializers.Serializer):
    """One line of the public list, built by transparency's own row (``funded_row``): what the public
    site shows (the ketua's name masked), nothing more."""

    id = serializers.IntegerField()
    group_name = serializers.CharField()
    village = serializers.CharField()
    regency = serializers.CharField()
    province = serializers.CharField()
    programme = serializers.CharField()
    approved_amount = serializers.IntegerField()
    paid_amount = serializers.IntegerField()
    members = serializers.IntegerField()
    ketua = serializers.CharField(help_text="Nama ketua disamarkan seperti di situs publik.")

    def to_representation(self, values: dict) -> dict:
        row = funded_row(values)
        return {
            "id": row.application_id,
            "group_name": row.group_name,
            "village": row.village,
            "regency": values["group__regency__name"],
            "province": values["group__regency__province__name"],
            "programme": row.programme,
            "approved_amount": row.approved,
            "paid_amount": row.paid,
            "members": row.members,
            "ketua": row.ketua,
        }


class TrancheSerializer(serializers.ModelSerializer):
    application = serializers.IntegerField(source="application_id")
    application_reference = serializers.CharField(source="application.reference")
    group_code = serializers.CharField(source="application.group.code")
    year = serializers.IntegerField(source="application.scheme.year")
    programme = serializers.CharField(source="application.scheme.programme")
    province = serializers.CharField(source="application.province_id")
    regency = serializers.CharField(source="application.group.regency_id")

    class Meta:
        model = Tranche
        fields = [
            "id",
            "application",
            "application_reference",
            "group_code",
            "year",
            "programme",
            "province",
            "regency",
            "number",
            "percentage",
            "amount",
            "status",
            "paid_at",
            "created_at",
        ]
        read_only_fields = fields


class BatchSerializer(serializers.ModelSerializer):
    """A payment batch with the totals the admin shows (counts and rupiah per outcome)."""

    scheme = serializers.IntegerField(source="scheme_id", allow_null=True)
    province = serializers.CharField(source="province_id", allow_null=True)
    bank = serializers.CharField(source="bank_id", allow_null=True)
    line_count = serializers.IntegerField()
    total_amount = serializers.IntegerField()
    paid_count = serializers.IntegerField()
    paid_amount = serializers.IntegerField()
    failed_count = serializers.IntegerField()
    failed_amount = serializers.IntegerField()
    open_count = serializers.IntegerField()
    open_amount = serializers.IntegerField()

    class Meta:
        model = PaymentBatch
        fields = [
            "id",
            "reference",
            "status",
            "scheme",
            "province",
            "bank",
            "created_at",
            "exported_at",
            "reconciled_at",
            "line_count",
            "total_amount",
            "paid_count",
            "paid_amount",
            "failed_count",
            "failed_amount",
            "open_count",
            "open_amount",
        ]
        read_only_fields = fields


class TransferFileQuerySerializer(serializers.Serializer):
    file_format = serializers.ChoiceField(choices=["csv", "xlsx"], required=False, default="csv")
