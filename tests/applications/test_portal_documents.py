"""Uploading documents (checked by content and size, never by name) and serving them only to the
people allowed to see them."""

import base64
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from applications.models import Application, ApplicationDocument
from tests.factories import GroupFactory, SchemeFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
)
# A 16 × 16 JPEG photo (CPython's imghdr test image).
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8Q"
    "EBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ"
    "EBAQEBAQEBD/wAARCAAQABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAABwQF/8QAJBAAAQQBBAICAwAAAAAAAAAAAQID"
    "BAYFBwgSExEiABQJMTL/xAAVAQEBAAAAAAAAAAAAAAAAAAAABv/EACMRAAECBQMFAAAAAAAAAAAAAAECEQMEBQYhABIxFRZhgeH/"
    "2gAMAwEAAhEDEQA/ABSm0mobc8HmExLUlRzzEWPkJWW+ulrsaUVAseUgslSlH9LKuPryIKuWPZdskzXmm3fX5m2nF4GlVxx/HOpx"
    "4ks51+MiU/Iaad7UcUo4tILoS4kqcWkezS0hO/HvuRp0rO6hWnWO1UisZVuFi4GFeyEpmGepa5S5SWVPuciFKRFLgSrwetnyPIB+"
    "Vb4N9mKhQMzo5po9XLdDs9d6ZVix2VEhiL9kuNPxw2gEKcDQ/rs8AuA8VAe0vdl7VOYn+27flGAUgmITjbhSmCg3BYlyeWDkMolv"
    "w4KOp1KM6iCNvngZHwetf//Z"
)


def _png() -> bytes:
    """A valid 1 × 1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


PNG = _png()


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def group(applicant):
    return GroupFactory(user=applicant)


@pytest.fixture
def draft(group, applicant):
    return services.application_create(group=group, scheme=SchemeFactory(), by=applicant)


@pytest.fixture
def siti(client, applicant, group):
    client.force_login(applicant)
    return client


def _upload(client, application: Application, name: str, content: bytes, kind: str = "proposal"):
    return client.post(
        reverse("applications:documents", args=[application.pk]),
        {"kind": kind, "file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [("proposal.pdf", PDF, "application/pdf"), ("ktp.jpg", JPEG, "image/jpeg"), ("ktp.png", PNG, "image/png")],
)
def test_a_real_pdf_jpeg_or_png_is_accepted(siti, draft, applicant, name, content, content_type):
    response = _upload(siti, draft, name, content, kind="ktp")
    assert response.url == reverse("applications:documents", args=[draft.pk])
    document = draft.documents.get()
    assert (document.kind, document.content_type, document.size) == ("ktp", content_type, len(content))
    assert (document.original_name, document.uploaded_by) == (name, applicant)
    assert document.file.read() == content


def test_the_stored_type_and_name_come_from_the_content_not_the_name_sent(siti, draft):
    _upload(siti, draft, "foto-ktp.pdf", PNG)
    document = draft.documents.get()
    assert document.content_type == "image/png"
    assert document.original_name == "foto-ktp.pdf"
    assert document.file.name.startswith("documents/") and document.file.name.endswith(".png")
    assert "foto-ktp" not in document.file.name  # unguessable


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("proposal.pdf", b"Ini proposal kami, ditulis di Notepad.", "Isi berkas bukan PDF, JPG atau PNG"),
        ("ktp.png", b"<html><script>alert(1)</script></html>", "Isi berkas bukan PDF, JPG atau PNG"),
        ("proposal.pdf", b"", "Berkas kosong"),
    ],
)
def test_a_file_whose_content_is_not_allowed_is_refused_whatever_its_name(siti, draft, name, content, message):
    response = _upload(siti, draft, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ApplicationDocument.objects.exists()


def test_a_file_over_the_size_limit_is_refused(siti, draft, settings):
    settings.DOCUMENT_MAX_BYTES = 1024
    response = _upload(siti, draft, "proposal.pdf", PDF + b"0" * 1024)
    assert "Berkas terlalu besar" in response.content.decode()
    assert not ApplicationDocument.objects.exists()


def test_the_size_limit_defaults_to_five_megabytes(siti, draft):
    response = _upload(siti, draft, "proposal.pdf", PDF + b"0" * (5 * 1024 * 1024))
    assert "Berkas terlalu besar" in response.content.decode()
    assert not ApplicationDocument.objects.exists()


def test_an_upload_without_a_file_or_with_an_unknown_kind_is_refused(siti, draft):
    url = reverse("applications:documents", args=[draft.pk])
    assert "Pilih berkas yang akan diunggah" in siti.post(url, {"kind": "proposal"}).content.decode()
    response = siti.post(url, {"kind": "ijazah", "file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 200
    assert not ApplicationDocument.objects.exists()


def test_the_upload_checks_in_the_service_too(draft, applicant):
    with pytest.raises(services.ValidationError, match="bukan PDF"):
        services.document_add(
            application=draft, kind="proposal", upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00"), by=applicant
        )


def test_documents_cannot_be_added_or_removed_once_submitted(siti, draft):
    _upload(siti, draft, "proposal.pdf", PDF)
    document = draft.documents.get()
    Application.objects.filter(pk=draft.pk).update(status=Application.Status.SUBMITTED)
    _upload(siti, draft, "sk.pdf", PDF, kind="sk")
    siti.post(reverse("applications:document_delete", args=[document.pk]))
    assert list(draft.documents.all()) == [document]
    html = siti.get(reverse("applications:documents", args=[draft.pk])).content.decode()
    assert "Hapus" not in html
    assert 'enctype="multipart/form-data"' not in html


def test_a_document_is_deleted_with_its_file(siti, draft, django_capture_on_commit_callbacks):
    _upload(siti, draft, "proposal.pdf", PDF)
    document = draft.documents.get()
    storage, name = document.file.storage, document.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = siti.post(reverse("applications:document_delete", args=[document.pk]))
    assert response.url == reverse("applications:documents", args=[draft.pk])
    assert not ApplicationDocument.objects.exists()
    assert not storage.exists(name)


def test_the_documents_page_lists_what_is_required_and_what_is_uploaded(siti, draft):
    _upload(siti, draft, "proposal-kelompok.pdf", PDF)
    html = siti.get(reverse("applications:documents", args=[draft.pk])).content.decode()
    assert "proposal-kelompok.pdf" in html
    assert "SK pembentukan kelompok" in html
    assert "belum ada" in html


# --- serving ----------------------------------------------------------------------------------------


@pytest.fixture
def pdf_document(siti, draft):
    _upload(siti, draft, "proposal.pdf", PDF)
    return draft.documents.get()


def test_the_owner_downloads_a_pdf_as_an_attachment(siti, pdf_document):
    response = siti.get(reverse("applications:document", args=[pdf_document.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="proposal.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_image_is_shown_inline_with_its_detected_type(siti, draft):
    _upload(siti, draft, "foto.pdf", PNG, kind="site_photo")
    response = siti.get(reverse("applications:document", args=[draft.documents.get().pk]))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert "sandbox" in response["Content-Security-Policy"]


def test_another_groups_user_gets_a_404(client, pdf_document):
    client.force_login(GroupFactory(user=UserFactory()).user)
    assert client.get(reverse("applications:document", args=[pdf_document.pk])).status_code == 404


def test_a_verifier_may_open_the_document(client, pdf_document, verifier):
    client.force_login(verifier)
    assert client.get(reverse("applications:document", args=[pdf_document.pk])).status_code == 200


def test_staff_without_permission_to_view_applications_gets_a_404(client, pdf_document):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("applications:document", args=[pdf_document.pk])).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(pdf_document):
    from django.test import Client

    response = Client().get(reverse("applications:document", args=[pdf_document.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_document_is_not_reachable_as_public_media(pdf_document):
    from django.test import Client

    assert Client().get(f"/media/{pdf_document.file.name}").status_code == 404


def test_a_document_whose_file_is_missing_is_a_404_not_an_error_page(siti, pdf_document):
    pdf_document.file.storage.delete(pdf_document.file.name)
    assert siti.get(reverse("applications:document", args=[pdf_document.pk])).status_code == 404


def test_an_application_holds_a_bounded_number_of_documents(siti, draft, monkeypatch):
    monkeypatch.setattr(services, "MAX_DOCUMENTS", 2)
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        response = _upload(siti, draft, name, PDF, kind="ktp")
    assert "Paling banyak 2 dokumen per pengajuan" in response.content.decode()
    assert draft.documents.count() == 2
