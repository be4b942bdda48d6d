from django.urls import path

from grievances import views

app_name = "grievances"

urlpatterns = [
    path("baru/", views.complaint, name="complaint"),
    path("sanggahan/<int:application_id>/", views.objection, name="objection"),
    path("verifikasi/", views.phone_verify, name="phone_verify"),
    path("verifikasi/kode/", views.phone_code, name="phone_code"),
    path("lacak/<str:number>/<str:token>/", views.track, name="track"),
    path("lacak/<str:number>/<str:token>/lampiran/<int:pk>/", views.tracked_attachment, name="tracked_attachment"),
    path("lampiran/<int:pk>/", views.officer_attachment, name="officer_attachment"),
]
