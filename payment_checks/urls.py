from django.urls import path

from payment_checks import views

app_name = "payment_checks"

urlpatterns = [
    path("<str:token>/", views.answer, name="answer"),
]
