from django.urls import path

from applications import views

app_name = "applications"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("baru/", views.application_new, name="new"),
    path("lengkap/", views.submit_complete, name="submit_complete"),
    path("antrean/", views.submit_queued, name="submit_queued"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/ubah/", views.application_edit, name="edit"),
    path("<int:pk>/dokumen/", views.application_documents, name="documents"),
    path("<int:pk>/ajukan/", views.application_submit, name="submit"),
    path("dokumen/<int:pk>/", views.document_file, name="document"),
    path("dokumen/<int:pk>/hapus/", views.document_delete, name="document_delete"),
]
