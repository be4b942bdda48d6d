from django.contrib import admin
from django.urls import include, path

from accounts.views import staff_login
from jps_portal import health, metrics

# admin.site is jps_portal.admin_site.JpsAdminSite (its titles and the "Tugas saya" landing page).

# Uploaded documents are never served as public media: only a view that checks the owner does.
urlpatterns = [
    path("", include("groups.urls")),
    path("akun/", include("accounts.urls")),
    path("pengajuan/", include("applications.urls")),
    # The group's failed-transfer account page: a correction proposal (corrections app), at its old URL.
    path("laporan/rekening/", include("corrections.urls")),
    path("laporan/", include("disbursements.urls")),
    path("pelatihan/", include("training.urls")),
    path("pendampingan/", include("mentoring.urls")),
    path("hasil-usaha/", include("outcomes.urls")),
    path("dasbor/", include("dashboards.urls")),
    path("daftar-penerima/", include("transparency.urls")),
    path("pengaduan/", include("grievances.urls")),
    path("cek-status/", include("statuscheck.urls")),
    path("cek-bantuan/", include("payment_checks.urls")),
    # Before admin.site.urls: the admin's login, answering 400 to malformed input (accounts.views).
    path("admin/login/", staff_login),
    path("admin/", admin.site.urls),
    # The partner systems' API (partners app): its own authentication, errors as problem details.
    path("api/v1/", include("partners.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
]

# A request refused before any view ran: the portal's page, or a problem under /api/v1/.
handler400 = "partners.problems.handler400"
