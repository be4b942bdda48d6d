"""Query filters of the read endpoints. They narrow a queryset that is already region-scoped, so a
filter naming a province outside the client's scope finds nothing (never widens)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from applications.models import Application, Programme
from disbursements.models import PaymentBatch, Tranche
from groups.models import Group, Member


class ApplicationFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="scheme__year", label=_("Tahun program"))
    programme = django_filters.ChoiceFilter(field_name="scheme__programme", choices=Programme.choices)
    province = django_filters.CharFilter(field_name="province_id", label=_("Kode provinsi, mis. 32"))
    regency = django_filters.CharFilter(field_name="group__regency_id", label=_("Kode kabupaten/kota, mis. 32.04"))
    status = django_filters.ChoiceFilter(choices=Application.Status.choices)
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("Diubah sejak (ISO 8601)")
    )

    class Meta:
        model = Application
        fields = ["year", "programme", "province", "regency", "status", "updated_since"]


class GroupFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year")
    programme = django_filters.ChoiceFilter(
        field_name="applications__scheme__programme", choices=Programme.choices, distinct=True
    )
    province = django_filters.CharFilter(field_name="regency__province_id")
    regency = django_filters.CharFilter(field_name="regency_id")
    status = django_filters.ChoiceFilter(
        field_name="applications__status", choices=Application.Status.choices, distinct=True
    )
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Group
        fields = ["year", "programme", "province", "regency", "status", "updated_since"]


class MemberFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year")
    province = django_filters.CharFilter(field_name="group__regency__province_id")
    regency = django_filters.CharFilter(field_name="group__regency_id")
    group = django_filters.NumberFilter(field_name="group_id")
    # Members carry no "updated at" of their own: this is when the row was added.
    updated_since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Member
        fields = ["year", "province", "regency", "group", "updated_since"]


class TrancheFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="application__scheme__year")
    programme = django_filters.ChoiceFilter(field_name="application__scheme__programme", choices=Programme.choices)
    province = django_filters.CharFilter(field_name="application__province_id")
    regency = django_filters.CharFilter(field_name="application__group__regency_id")
    status = django_filters.ChoiceFilter(choices=Tranche.Status.choices)
    application = django_filters.NumberFilter(field_name="application_id")

    class Meta:
        model = Tranche
        fields = ["year", "programme", "province", "regency", "status", "application"]


class BatchFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=PaymentBatch.Status.choices)
    province = django_filters.CharFilter(field_name="province_id")

    class Meta:
        model = PaymentBatch
        fields = ["status", "province"]
