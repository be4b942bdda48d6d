from django.contrib import admin

from regions.models import District, Province, Regency, RegencyRecode


class ReferenceDataAdmin(admin.ModelAdmin):
    """Reference data is loaded by migration; the admin shows it and lets nobody rewrite codes."""

    list_display = ["code", "name", "name_2020", "in_2020", "in_current"]
    list_filter = ["in_2020", "in_current"]
    search_fields = ["=code", "name", "name_2020"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        return ["code"] if obj else []


@admin.register(Province)
class ProvinceAdmin(ReferenceDataAdmin):
    pass


@admin.register(Regency)
class RegencyAdmin(ReferenceDataAdmin):
    list_display = [*ReferenceDataAdmin.list_display, "province"]
    list_filter = [*ReferenceDataAdmin.list_filter, "province"]
    list_select_related = ["province"]


@admin.register(District)
class DistrictAdmin(ReferenceDataAdmin):
    list_display = [*ReferenceDataAdmin.list_display, "regency"]
    list_select_related = ["regency"]
    autocomplete_fields = ["regency"]


@admin.register(RegencyRecode)
class RegencyRecodeAdmin(admin.ModelAdmin):
    list_display = ["old_regency", "new_regency", "year"]
    list_select_related = ["old_regency", "new_regency"]
    autocomplete_fields = ["old_regency", "new_regency"]
