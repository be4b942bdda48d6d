"""The JSON shape of each resource. Read-only: the API writes through services, never serializers."""

from rest_framework import serializers

from applications.models import Application, ApplicationStatusChange
from groups.models import Group, Member
from groups.nik import mask_nik
from partners.authentication import PartnerCaller
from partners.models import Scope


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
