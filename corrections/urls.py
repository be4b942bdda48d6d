from django.urls import path

from corrections import views

app_name = "corrections"
urlpatterns = [
    path("", views.account_fix, name="account_fix"),
]
