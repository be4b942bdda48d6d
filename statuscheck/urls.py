from django.urls import path

from statuscheck import views

app_name = "statuscheck"

urlpatterns = [
    path("", views.lookup, name="lookup"),
    path("kode/", views.code, name="code"),
    path("hasil/", views.status, name="status"),
    path("selesai/", views.finish, name="finish"),
]
