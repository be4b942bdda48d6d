from django.urls import path

from outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("", views.my_rounds, name="mine"),
    path("<int:round_id>/", views.report, name="report"),
]
