"""Photos and letters sent with a ticket: the content checks of application documents, and served
only to the tracking-link holder and the officers who see the ticket."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from grievances import services
from grievances.models import Ticket, TicketAttachment
from tests.factories import GroupFactory
from tests.transparency.conftest import funded_application

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _photo(name: str = "foto-lokasi.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _stored_files() -> list[str]:
    return list(TicketAttachment.objects.values_list("file", flat=True))


def test_a_web_page_named_like_a_photo_is_refused_in_indonesian_and_nothing_is_stored(client, categories):
    application = funded_application()
    page = SimpleUploadedFile("ktp.png", b"<html><script>alert(1)</script></html>", content_type="image/png")

    response = client.post(
        reverse("grievances:objection", args=[application.pk]),
        {"category": categories["kelompok-fiktif"].pk, "description": "Fiktif.", "attachments": [page]},
    )

    assert response.status_code == 200
    assert "Isi berkas bukan PDF, JPG atau PNG" in response.content.decode()
    assert not Ticket.objects.exists() and not TicketAttachment.objects.exists()


def test_the_service_refuses_the_same_file_even_without_the_form(categories):
    page = SimpleUploadedFile("surat.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")

    with pytest.raises(ValidationError, match="bukan PDF, JPG atau PNG"):
        services.ticket_file(
            category=categories["pembayaran"],
            description="Tahap 1 belum masuk.",
            filed_by=Ticket.Filer.PUBLIC,
            regency=GroupFactory().regency,
            attachments=[_photo(), page],
        )
    assert not Ticket.objects.exists() and not _stored_files()


def test_a_photo_goes_with_the_objection_and_only_the_link_holder_and_the_region_open_it(
    client, categories, verifier, banten_officer
):
    application = funded_application()
    client.post(
        reverse("grievances:objection", args=[application.pk]),
        {"category": categories["kelompok-fiktif"].pk, "description": "Fiktif.", "attachments": [_photo()]},
    )
    ticket = Ticket.objects.get()
    attachment = ticket.attachments.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == ("foto-lokasi.png", "image/png", 72)
    assert attachment.file.name.startswith("tickets/") and "foto" not in attachment.file.name

    tracking = reverse("grievances:tracked_attachment", args=[ticket.number, ticket.tracking_token, attachment.pk])
    assert tracking in client.get(services.tracking_path(ticket)).content.decode()
    response = client.get(tracking)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["X-Content-Type-Options"] == "nosniff"
    wrong = reverse("grievances:tracked_attachment", args=[ticket.number, "x" * 22, attachment.pk])
    assert client.get(wrong).status_code == 404

    officer_url = reverse("grievances:officer_attachment", args=[attachment.pk])
    assert client.get(officer_url).status_code == 302  # to the login page
    client.force_login(banten_officer)
    assert client.get(officer_url).status_code == 404
    client.force_login(verifier)
    assert client.get(officer_url).status_code == 200
    assert officer_url in client.get(reverse("admin:grievances_ticket_change", args=[ticket.pk])).content.decode()


def test_a_pungli_reports_photo_is_for_the_integrity_team_only(client, categories, verifier, integrity_officer):
    pungli = services.ticket_file(
        category=categories["pungli"],
        description="Oknum minta uang; fotonya terlampir.",
        filed_by=Ticket.Filer.ANONYMOUS,
        regency=GroupFactory().regency,
        attachments=[_photo("bukti.png")],
    )
    url = reverse("grievances:officer_attachment", args=[pungli.attachments.get().pk])

    client.force_login(verifier)
    assert client.get(url).status_code == 404
    client.force_login(integrity_officer)
    assert client.get(url).status_code == 200


def test_more_than_three_attachments_are_refused_and_nothing_is_stored(categories):
    with pytest.raises(ValidationError, match="Paling banyak 3 lampiran"):
        services.ticket_file(
            category=categories["pembayaran"],
            description="Tahap 1 belum masuk.",
            filed_by=Ticket.Filer.PUBLIC,
            regency=GroupFactory().regency,
            attachments=[_photo(f"foto-{index}.png") for index in range(4)],
        )
    assert not Ticket.objects.exists() and not _stored_files()


def test_a_ketua_attaches_a_letter_to_a_complaint_about_the_own_group(client, applicant, categories, verifier):
    GroupFactory(user=applicant)
    letter = SimpleUploadedFile("surat.pdf", b"%PDF-1.4\n% surat keterangan\n", content_type="application/pdf")
    client.force_login(applicant)

    client.post(
        reverse("grievances:complaint"),
        {"category": categories["pembayaran"].pk, "description": "Tahap 1 belum masuk.", "attachments": [letter]},
    )

    attachment = TicketAttachment.objects.get()
    assert (attachment.ticket.filed_by, attachment.content_type) == (Ticket.Filer.KETUA, "application/pdf")
    response = client.get(
        reverse(
            "grievances:tracked_attachment",
            args=[attachment.ticket.number, attachment.ticket.tracking_token, attachment.pk],
        )
    )
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
