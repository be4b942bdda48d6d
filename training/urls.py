from django.urls import path

from training import views

app_name = "training"
urlpatterns = [
    path("", views.my_invitations, name="mine"),
    path("<int:invitation>/", views.register, name="register"),
    path("hadir/", views.checkin, name="checkin"),
    path("acara/<int:event>/", views.event_detail, name="event"),
    path("acara/<int:event>/undang/", views.invite, name="invite"),
    path("acara/<int:event>/sesi/<int:session>/", views.grid, name="grid"),
    path("acara/<int:event>/impor/", views.attendance_import, name="import"),
]
