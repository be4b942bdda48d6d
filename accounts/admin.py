from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.forms import StaffLoginForm
from accounts.models import User

# The admin's login refuses a login longer than any account's, like the portal's (see accounts.views.staff_login).
admin.site.login_form = StaffLoginForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "scope_national", "groups"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Lingkup wilayah"), {"fields": ["phone", "scope_national", "scope_provinces", "scope_regencies"]}),
    ]
    filter_horizontal = ["groups", "user_permissions", "scope_provinces", "scope_regencies"]

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        # A portal administrator assigns roles and scopes; only a superuser makes superusers or
        # hands out single permissions, so the administrator role cannot lift itself higher.
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        return [*super().get_readonly_fields(request, obj), "is_superuser", "user_permissions"]
