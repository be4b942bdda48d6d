from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "first_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "scope_national", "groups"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Lingkup wilayah"), {"fields": ["phone", "scope_national", "scope_provinces", "scope_regencies"]}),
    ]
    filter_horizontal = ["groups", "user_permissions", "scope_provinces", "scope_regencies"]
