from django.urls import path

from transparency import views

app_name = "transparency"

urlpatterns = [
    path("", views.national, name="national"),
    path("provinsi/<str:code>/", views.province, name="province"),
    path("kabupaten/<str:code>/", views.regency, name="regency"),
    path("unduh/<str:code>.<str:fmt>", views.download, name="download"),
]
