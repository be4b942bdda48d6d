from django.urls import path

from dashboards import result_views, ticket_views, views

app_name = "dashboards"
urlpatterns = [
    path("", views.national, name="national"),
    path("perbarui/", views.refresh, name="refresh"),
    path("peta/", views.map_view, name="map"),
    path("provinsi/<str:province>/", views.province, name="province"),
    path("kabupaten/<str:regency>/", views.regency, name="regency"),
    path("hasil/", result_views.results, name="results"),
    path("hasil/provinsi/<str:province>/", result_views.results_province, name="results_province"),
    path("hasil/ekspor/provinsi.<str:fmt>", result_views.export_results, name="export_results"),
    path(
        "hasil/ekspor/provinsi/<str:province>.<str:fmt>",
        result_views.export_results_province,
        name="export_results_province",
    ),
    path("pengaduan/", ticket_views.complaints, name="complaints"),
    path("pengaduan/provinsi/<str:province>/", ticket_views.complaints_province, name="complaints_province"),
    path("pengaduan/ekspor/provinsi.<str:fmt>", ticket_views.export_complaints, name="export_complaints"),
    path(
        "pengaduan/ekspor/provinsi/<str:province>.<str:fmt>",
        ticket_views.export_complaints_province,
        name="export_complaints_province",
    ),
    path("kelompok/<str:reference>/", views.group, name="group"),
    path("ekspor/provinsi.<str:fmt>", views.export_provinces, name="export_provinces"),
    path("ekspor/provinsi/<str:province>.<str:fmt>", views.export_province, name="export_province"),
    path("ekspor/kabupaten/<str:regency>.<str:fmt>", views.export_regency, name="export_regency"),
]
