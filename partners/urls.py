from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from partners import docs, views, write_views
from partners.api import NotFoundView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Human documentation of the schema (Swagger UI, Redoc), served from /static/ (partners/docs.py).
    path("docs/", docs.swagger_ui, name="docs"),
    path("redoc/", docs.redoc, name="redoc"),
    path("applications/", views.ApplicationList.as_view(), name="application-list"),
    path("applications/<int:pk>/", views.ApplicationDetail.as_view(), name="application-detail"),
    path("groups/", views.GroupList.as_view(), name="group-list"),
    path("groups/<int:pk>/", views.GroupDetail.as_view(), name="group-detail"),
    path("members/", views.MemberList.as_view(), name="member-list"),
    path("members/<int:pk>/", views.MemberDetail.as_view(), name="member-detail"),
    path("tallies/", views.TallyList.as_view(), name="tally-list"),
    path("public/funded-groups/", views.PublicList.as_view(), name="public-list"),
    path("submissions/", write_views.SubmissionCreate.as_view(), name="submission-create"),
    path("member-lists/", write_views.MemberListUpload.as_view(), name="member-list-upload"),
    path("member-lists/<int:pk>/", write_views.MemberListDetail.as_view(), name="member-list-job"),
    path("member-lists/<int:pk>/confirm/", write_views.MemberListConfirm.as_view(), name="member-list-confirm"),
    path("tranches/", views.TrancheList.as_view(), name="tranche-list"),
    path("tranches/<int:pk>/", views.TrancheDetail.as_view(), name="tranche-detail"),
    path("batches/", views.BatchList.as_view(), name="batch-list"),
    path("batches/<int:pk>/", views.BatchDetail.as_view(), name="batch-detail"),
    path("batches/<int:pk>/transfer-file/", views.BatchTransferFile.as_view(), name="batch-transfer-file"),
    path("bank-results/", write_views.BankResultsCreate.as_view(), name="bank-results"),
    # Anything else under /api/v1/ is a problem-details 404, not the portal's HTML page.
    re_path(r"^.*$", NotFoundView.as_view(), name="not-found"),
]
