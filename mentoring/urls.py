from django.urls import path

from mentoring import views

app_name = "mentoring"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("kelompok/<int:group>/", views.group_detail, name="group"),
    path("kelompok/<int:group>/kunjungan/", views.visit_new, name="visit_new"),
    path("masalah/<int:problem>/selesai/", views.problem_resolve, name="problem_resolve"),
]
