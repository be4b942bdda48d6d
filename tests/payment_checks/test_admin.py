"""Officers see their region's payment checks only; a field officer records a call or a visit on
the follow-up list through the service, with history rows; results per batch and province."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from grievances.models import Ticket
from payment_checks import services
from payment_checks.models import FollowUpRecord, SampledPayment, SampleStatusChange
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def checked(small_plan, reconciled_batch):
    """A reconciled batch in Jawa Barat (3 sampled) and Banten (2 sampled), nobody answered in time."""
    batch = reconciled_batch({"32.04": 7, "36.01": 3})
    services.samples_move_to_follow_up(now=timezone.now() + datetime.timedelta(days=8))
    return batch


def test_an_officer_sees_only_their_provinces_follow_up_list(client, verifier, checked):
    client.force_login(verifier)  # Budi: Jawa Barat
    page = client.get(reverse("admin:payment_checks_followupcase_changelist")).content.decode()
    west_java = SampledPayment.objects.filter(province_id="32").select_related("group")
    banten = SampledPayment.objects.filter(province_id="36").select_related("group")
    assert all(sample.group.name in page for sample in west_java)
    assert not any(sample.group.name in page for sample in banten)
    assert "Catat hasil telepon/kunjungan" in page
    other = banten.first()
    response = client.get(reverse("admin:payment_checks_sampledpayment_change", args=[other.pk]))
    assert response.status_code in (302, 404)


def test_a_recorded_visit_that_found_no_money_opens_the_ticket(client, verifier, checked):
    sample = SampledPayment.objects.filter(province_id="32").first()
    client.force_login(verifier)
    response = client.post(
        reverse("admin:payment_checks_followupcase_changelist"),
        {
            "action": "record_follow_up",
            "_selected_action": [sample.pk],
            "confirm": "yes",
            "method": "visit",
            "outcome": "none",
            "amount": "",
            "note": "Ketua menyatakan rekening kelompok belum menerima dana.",
        },
    )
    assert response.status_code == 302
    sample.refresh_from_db()
    assert sample.status == "discrepancy" and sample.answered_via == "visit"
    assert sample.ticket.category.code == "pembayaran"
    record = FollowUpRecord.objects.get(sample=sample)
    assert record.recorded_by == verifier and record.outcome == "none"
    assert list(
        SampleStatusChange.objects.filter(sample=sample).order_by("pk").values_list("to_status", flat=True)
    ) == [
        "follow_up",
        "discrepancy",
    ]
    assert Ticket.objects.count() == 1


def test_an_officer_cannot_record_outside_their_region(verifier, checked):
    from django.core.exceptions import PermissionDenied

    banten = SampledPayment.objects.filter(province_id="36").first()
    with pytest.raises(PermissionDenied):
        services.follow_up_record(sample=banten, by=verifier, method="call", outcome="full", note="Sudah diterima")
    assert not FollowUpRecord.objects.exists()


def test_an_unreachable_group_stays_on_the_list_with_its_history(verifier, checked):
    sample = SampledPayment.objects.filter(province_id="32").first()
    services.follow_up_record(sample=sample, by=verifier, method="call", outcome="unreachable", note="Tidak aktif")
    services.follow_up_record(sample=sample, by=verifier, method="visit", outcome="full", note="Sudah diterima")
    sample.refresh_from_db()
    assert sample.status == "confirmed" and FollowUpRecord.objects.filter(sample=sample).count() == 2
    assert not Ticket.objects.exists()


def test_the_results_page_counts_per_batch_and_province_in_the_officers_scope(client, verifier, director, checked):
    sample = SampledPayment.objects.filter(province_id="32").first()
    services.follow_up_record(sample=sample, by=verifier, method="call", outcome="full", note="Sudah diterima")
    url = reverse("admin:payment_checks_verificationdraw_results")
    client.force_login(verifier)
    page = client.get(url).content.decode()
    assert "Hasil verifikasi pembayaran per batch dan provinsi" in page
    assert "Tingkat respons" in page and "Ketidaksesuaian" in page
    assert "Jawa Barat" in page and "Banten" not in page
    assert "33,3%" in page  # 1 of 3 answered (Indonesian decimal comma)
    assert "100,0%" in page  # and that one confirmed in full
    client.force_login(director)
    page = client.get(url).content.decode()
    assert "Jawa Barat" in page and "Banten" in page


def test_the_public_and_a_ketua_cannot_open_the_officers_pages(client, applicant, checked):
    url = reverse("admin:payment_checks_verificationdraw_results")
    assert client.get(url).status_code == 302
    client.force_login(applicant)
    assert client.get(url).status_code in (302, 403)


def test_the_ticket_and_its_sampled_payment_link_to_each_other_for_whoever_may_open_both(
    client, verifier, integrity_officer, checked
):
    sample = SampledPayment.objects.filter(province_id="32").first()
    client.force_login(verifier)
    client.post(
        reverse("admin:payment_checks_followupcase_changelist"),
        {"action": "record_follow_up", "_selected_action": [sample.pk], "confirm": "yes", "method": "call",
         "outcome": "none", "amount": "", "note": "Dana belum diterima."},
    )  # fmt: skip
    sample.refresh_from_db()
    ticket_url = reverse("admin:grievances_ticket_change", args=[sample.ticket_id])
    sample_url = reverse("admin:payment_checks_sampledpayment_change", args=[sample.pk])

    assert f'href="{sample_url}"' in client.get(ticket_url).content.decode()
    assert f'href="{ticket_url}"' in client.get(sample_url).content.decode()

    # Ratna sees every ticket but no payment checks: the sample is named, not linked.
    client.force_login(integrity_officer)
    page = client.get(ticket_url).content.decode()
    assert str(sample.group) in page and sample_url not in page
    # An auditor who may read payment checks but not tickets: the ticket is named, not linked.
    auditor = UserFactory(username="auditor", is_staff=True, scope_national=True)
    auditor.user_permissions.add(Permission.objects.get(codename="view_sampledpayment"))
    client.force_login(auditor)
    page = client.get(sample_url).content.decode()
    assert sample.ticket.number in page and ticket_url not in page
