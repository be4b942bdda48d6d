"""Uploads on shared S3-compatible storage (a real SeaweedFS server, see seaweedfs.py): nothing lands on
the web node's disk, files stay private in the bucket and are served only after the portal's own scope
checks, and a job stored by one process is read back by another (the member-list worker)."""

import urllib.error
import urllib.request

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from applications import member_lists, services
from applications.models import MemberListImport
from tests.applications.member_list_files import csv_upload, member_rows
from tests.applications.test_portal_documents import PDF, PNG, _upload
from tests.factories import GroupFactory, SchemeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(applicant):
    group = GroupFactory(user=applicant)
    return services.application_create(group=group, scheme=SchemeFactory(), by=applicant)


def _keys(s3_client, bucket: str, prefix: str) -> list[str]:
    listing = s3_client.list_objects_v2(Bucket=bucket, Prefix=f"{prefix}/")
    return [item["Key"] for item in listing.get("Contents", [])]


def test_an_uploaded_document_is_stored_in_the_bucket_not_on_the_node(
    client, applicant, draft, s3_storage, prefix, s3_client, tmp_path
):
    client.force_login(applicant)
    _upload(client, draft, "ktp.png", PNG, kind="ktp")

    document = draft.documents.get()
    assert _keys(s3_client, s3_storage, prefix) == [f"{prefix}/{document.file.name}"]
    assert s3_client.get_object(Bucket=s3_storage, Key=f"{prefix}/{document.file.name}")["Body"].read() == PNG
    assert list(tmp_path.iterdir()) == [], "nothing on the local disk"


def test_the_owner_gets_the_document_streamed_and_another_group_gets_404(client, applicant, draft, s3_storage):
    client.force_login(applicant)
    _upload(client, draft, "proposal.pdf", PDF)
    document = draft.documents.get()
    url = reverse("applications:document", args=[document.pk])

    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Cache-Control"] == "private, no-store"

    client.force_login(GroupFactory(user=UserFactory()).user)
    assert client.get(url).status_code == 404


def test_the_bucket_refuses_anonymous_reads_and_signed_links_are_short_lived(
    client, applicant, draft, s3_storage, prefix, s3_server
):
    client.force_login(applicant)
    _upload(client, draft, "ktp.png", PNG, kind="ktp")
    document = draft.documents.get()

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_server.endpoint_url}/{s3_storage}/{prefix}/{document.file.name}")  # noqa: S310
    assert refused.value.code == 403

    signed = default_storage.url(document.file.name)
    assert "X-Amz-Expires=60" in signed
    assert urllib.request.urlopen(signed).read() == PNG  # noqa: S310


def test_a_member_list_stored_by_the_web_node_is_read_back_from_the_bucket(verifier, s3_storage, prefix, s3_client):
    SchemeFactory(year=2020, members_min=3, members_max=5)
    job = member_lists.member_list_upload(upload=csv_upload(member_rows("DSN-S3", count=3)), by=verifier)
    assert f"{prefix}/{job.file.name}" in _keys(s3_client, s3_storage, prefix)

    job = member_lists.member_list_validate(job=MemberListImport.objects.get(pk=job.pk))
    assert job.status == MemberListImport.Status.VALIDATED
    assert job.groups_new == 1


def test_an_officer_outside_the_region_cannot_read_a_stored_document(client, applicant, draft, s3_storage):
    client.force_login(applicant)
    _upload(client, draft, "ktp.png", PNG, kind="ktp")
    document = draft.documents.get()
    outsider = UserFactory(is_staff=True)

    client.force_login(outsider)
    assert client.get(reverse("applications:document", args=[document.pk])).status_code == 404
