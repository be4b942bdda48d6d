from django.contrib.admin.apps import AdminConfig


class JpsAdminConfig(AdminConfig):
    """Django's admin with the portal's site (``jps_portal.admin_site.JpsAdminSite``) as ``admin.site``."""

    default_site = "jps_portal.admin_site.JpsAdminSite"

    def ready(self) -> None:
        super().ready()
        from jps_portal.admin_site import install_permitted_links

        install_permitted_links()
