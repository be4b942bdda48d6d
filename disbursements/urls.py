from django.urls import path

from disbursements import views

app_name = "disbursements"
urlpatterns = [
    path("tahap/<int:pk>/", views.report_detail, name="report"),
    path("tahap/<int:pk>/kuitansi/", views.receipt_add, name="receipt_add"),
    path("tahap/<int:pk>/foto/", views.photo_add, name="photo_add"),
    path("tahap/<int:pk>/kehadiran/", views.attendance, name="attendance"),
    path("tahap/<int:pk>/setoran/", views.treasury_return, name="treasury_return"),
    path("tahap/<int:pk>/setoran/hapus/", views.treasury_return_delete, name="treasury_return_delete"),
    path("tahap/<int:pk>/ajukan/", views.report_submit, name="submit"),
    path("kuitansi/<int:pk>/hapus/", views.receipt_delete, name="receipt_delete"),
    path("foto/<int:pk>/hapus/", views.photo_delete, name="photo_delete"),
    path("berkas/<str:kind>/<int:pk>/", views.report_file, name="file"),
]
