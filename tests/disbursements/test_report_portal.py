"""The group's report pages in the portal (its own tranches only: another group's ids are a 404) and
the verifier's report admin (region-scoped, decisions through a confirmation page)."""

import datetime

import pytest
from django.contrib.admin import helpers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disbursements import reports
from disbursements.models import AttendanceDay, ReportReceipt, Tranche, TreasuryReturn, UsageReport
from tests.disbursements.report_factories import days_ago, funded_application, photo
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ours(applicant):
    return funded_application(user=applicant, padat_karya=True, members=3)


@pytest.fixture
def theirs():
    return funded_application(user=UserFactory(username="lain"), members=0)


@pytest.fixture
def group_client(client, applicant):
    client.force_login(applicant)
    return client


def _tahap(application, number=1):
    return application.tranches.get(number=number)


def _their_rows(theirs):
    tranche = _tahap(theirs)
    owner = theirs.group.user
    receipt = reports.report_receipt_add(
        tranche=tranche,
        category="equipment",
        amount=1_000_000,
        spent_on=days_ago(2),
        description="Oven",
        upload=photo(),
        by=owner,
    )
    picture = reports.report_photo_add(tranche=tranche, upload=photo("foto.jpg"), caption="", by=owner)
    return tranche, receipt, picture


def test_the_status_page_links_each_paid_tahap_to_its_report(group_client, ours):
    page = group_client.get(reverse("applications:detail", args=[ours.pk])).content.decode()

    assert reverse("disbursements:report", args=[_tahap(ours).pk]) in page
    assert reverse("disbursements:report", args=[_tahap(ours, 2).pk]) not in page
    assert "Menunggu laporan tahap sebelumnya" in page


def test_another_groups_report_urls_are_not_found(group_client, ours, theirs):
    tranche, receipt, picture = _their_rows(theirs)
    gets = [
        reverse("disbursements:report", args=[tranche.pk]),
        reverse("disbursements:attendance", args=[tranche.pk]),
        reverse("disbursements:file", args=["kuitansi", receipt.pk]),
        reverse("disbursements:file", args=["foto", picture.pk]),
    ]
    posts = [
        reverse("disbursements:receipt_add", args=[tranche.pk]),
        reverse("disbursements:photo_add", args=[tranche.pk]),
        reverse("disbursements:attendance", args=[tranche.pk]),
        reverse("disbursements:treasury_return", args=[tranche.pk]),
        reverse("disbursements:treasury_return_delete", args=[tranche.pk]),
        reverse("disbursements:submit", args=[tranche.pk]),
        reverse("disbursements:receipt_delete", args=[receipt.pk]),
        reverse("disbursements:photo_delete", args=[picture.pk]),
    ]

    assert [group_client.get(url).status_code for url in gets] == [404] * len(gets)
    assert [group_client.post(url).status_code for url in posts] == [404] * len(posts)
    assert ReportReceipt.objects.filter(pk=receipt.pk).exists()
    assert UsageReport.objects.get().status == UsageReport.Status.DRAFT


def test_an_officer_outside_the_region_cannot_open_a_receipt(client, verifier, applicant):
    semarang = funded_application(user=applicant, regency="33.74")
    _tranche, receipt, _picture = _their_rows(semarang)
    client.force_login(verifier)

    assert client.get(reverse("disbursements:file", args=["kuitansi", receipt.pk])).status_code == 404


def test_the_group_adds_a_receipt_and_sees_the_totals(client, applicant):
    application = funded_application(user=applicant)
    client.force_login(applicant)
    url = reverse("disbursements:receipt_add", args=[_tahap(application).pk])
    data = {
        "category": "equipment",
        "description": "Mesin jahit",
        "amount": "Rp 5.000.000",
        "spent_on": days_ago(2).isoformat(),
        "file": photo(),
    }

    response = client.post(url, data, follow=True)

    page = response.content.decode()
    assert ReportReceipt.objects.get().amount == 5_000_000
    assert "Rp5.000.000" in page and "Rp16.800.000" in page  # spent, and the scheme's equipment share


def test_a_receipt_over_the_tranche_is_refused_with_a_message(client, applicant):
    application = funded_application(user=applicant)
    client.force_login(applicant)
    url = reverse("disbursements:receipt_add", args=[_tahap(application).pk])
    data = {"category": "materials", "description": "Kain", "amount": "28.000.001", "spent_on": days_ago(2)}

    response = client.post(url, {**data, "file": photo()})

    assert response.status_code == 400
    assert "melebihi dana tahap ini" in response.content.decode()
    assert not ReportReceipt.objects.exists()


def test_a_receipt_that_is_not_a_picture_is_refused(client, applicant):
    application = funded_application(user=applicant)
    client.force_login(applicant)
    url = reverse("disbursements:receipt_add", args=[_tahap(application).pk])
    page = SimpleUploadedFile("kuitansi.jpg", b"<html>bukan foto</html>", content_type="image/jpeg")
    data = {"category": "materials", "description": "Kain", "amount": "1000", "spent_on": days_ago(2), "file": page}

    response = client.post(url, data)

    assert response.status_code == 400
    assert "bukan PDF, JPG atau PNG" in response.content.decode()


def test_the_attendance_grid_saves_a_week_in_one_post(group_client, ours, django_assert_max_num_queries):
    tranche = _tahap(ours)
    url = reverse("disbursements:attendance", args=[tranche.pk])
    members = list(ours.group.members.order_by("pk"))
    start = days_ago(7)
    data = {"mulai": start.isoformat(), f"peran-{members[0].pk}": "ketua"}
    for member in members:
        for offset in range(3):
            data[f"hadir-{member.pk}-{(start + datetime.timedelta(days=offset)).isoformat()}"] = "1"

    with django_assert_max_num_queries(30):
        response = group_client.post(url, data)

    assert response.status_code == 302
    assert AttendanceDay.objects.count() == 9
    assert AttendanceDay.objects.filter(member=members[0]).values_list("role", flat=True).distinct().get() == "ketua"
    page = group_client.get(response["Location"]).content.decode()
    assert page.count("checked") == 9


def test_the_attendance_grid_refuses_days_outside_the_project(group_client, ours):
    tranche = _tahap(ours)
    member = ours.group.members.first()
    before = days_ago(11)  # approved 10 days ago
    data = {"mulai": before.isoformat(), f"hadir-{member.pk}-{before.isoformat()}": "1"}

    response = group_client.post(reverse("disbursements:attendance", args=[tranche.pk]), data)

    assert response.status_code == 400
    assert "di luar masa kegiatan" in response.content.decode()
    assert not AttendanceDay.objects.exists()


def test_the_group_sees_the_return_reason_and_can_resubmit(group_client, applicant, verifier):
    application = funded_application(user=applicant)
    tranche = _tahap(application)
    for category, amount in [("equipment", 16_000_000), ("materials", 11_000_000)]:
        reports.report_receipt_add(
            tranche=tranche,
            category=category,
            amount=amount,
            spent_on=days_ago(2),
            description="Barang",
            upload=photo(),
            by=applicant,
        )
    report = UsageReport.objects.get()
    group_client.post(reverse("disbursements:submit", args=[tranche.pk]))
    reports.report_return(report=report, by=verifier, reason="Foto kuitansi buram.")

    page = group_client.get(reverse("disbursements:report", args=[tranche.pk])).content.decode()
    assert "Foto kuitansi buram." in page and "Ajukan kembali" in page

    group_client.post(reverse("disbursements:submit", args=[tranche.pk]))
    report.refresh_from_db()
    assert report.status == UsageReport.Status.SUBMITTED


# --- the verifier's admin ---------------------------------------------------------------------------


def _submitted(application):
    owner = application.group.user
    tranche = _tahap(application)
    reports.report_receipt_add(
        tranche=tranche,
        category="equipment",
        amount=1_000_000,
        spent_on=days_ago(2),
        description="Oven",
        upload=photo(),
        by=owner,
    )
    report = UsageReport.objects.get(tranche=tranche)
    return reports.report_submit(report=report, by=owner)


def test_the_report_admin_lists_only_the_verifiers_region(client, verifier, applicant):
    bandung = _submitted(funded_application(user=applicant))
    semarang = _submitted(funded_application(user=UserFactory(), regency="33.74"))
    client.force_login(verifier)

    page = client.get(reverse("admin:disbursements_usagereport_changelist")).content.decode()

    assert bandung.tranche.application.reference in page
    assert semarang.tranche.application.reference not in page
    change = reverse("admin:disbursements_usagereport_change", args=[semarang.pk])
    assert client.get(change).status_code in (302, 404)
    assert client.get(reverse("admin:disbursements_usagereport_change", args=[bandung.pk])).status_code == 200


def test_returning_from_the_admin_asks_for_a_reason_first(client, verifier, applicant):
    report = _submitted(funded_application(user=applicant))
    client.force_login(verifier)
    url = reverse("admin:disbursements_usagereport_changelist")
    base = {"action": "return_selected", helpers.ACTION_CHECKBOX_NAME: [report.pk]}

    confirmation = client.post(url, base)
    without_reason = client.post(url, {**base, "confirm": "yes", "reason": ""})
    report.refresh_from_db()
    assert confirmation.status_code == without_reason.status_code == 200
    assert "Tuliskan alasan" in without_reason.content.decode()
    assert report.status == UsageReport.Status.SUBMITTED

    client.post(url, {**base, "confirm": "yes", "reason": "Nota tidak sah."})
    report.refresh_from_db()
    assert (report.status, report.return_reason) == (UsageReport.Status.RETURNED, "Nota tidak sah.")


def test_accepting_from_the_admin_unlocks_the_next_tahap(client, verifier, applicant):
    application = funded_application(user=applicant)
    report = _submitted(application)
    client.force_login(verifier)
    url = reverse("admin:disbursements_usagereport_changelist")

    client.post(url, {"action": "accept_selected", helpers.ACTION_CHECKBOX_NAME: [report.pk], "confirm": "yes"})

    assert _tahap(application, 2).status == Tranche.Status.SCHEDULED


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_report_page_and_the_admin_list_do_not_grow_with_the_rows(client, group_client, applicant, verifier):
    application = funded_application(user=applicant)
    reports.report_return(report=_submitted(application), by=verifier, reason="Kurang foto.")
    report_url = reverse("disbursements:report", args=[_tahap(application).pk])
    admin_url = reverse("admin:disbursements_usagereport_changelist")
    officer = client.__class__()
    officer.force_login(verifier)
    before = (_count_queries(group_client, report_url), _count_queries(officer, admin_url))

    for number in range(4):
        other = funded_application(user=UserFactory(username=f"kelompok{number}"))
        _submitted(other)
    for _index in range(4):
        reports.report_receipt_add(
            tranche=_tahap(application),
            category="materials",
            amount=100_000,
            spent_on=days_ago(1),
            description="Kain",
            upload=photo(),
            by=applicant,
        )

    assert (_count_queries(group_client, report_url), _count_queries(officer, admin_url)) == before


def test_the_padat_karya_report_page_shows_the_wages_from_the_rates(group_client, ours, applicant):
    tranche = _tahap(ours)
    member = ours.group.members.first()
    entries = [reports.AttendanceEntry(member.pk, days_ago(2), "tukang")]
    reports.report_attendance_save(tranche=tranche, days=[days_ago(2)], entries=entries, by=applicant)

    page = group_client.get(reverse("disbursements:report", args=[tranche.pk])).content.decode()

    assert "1 HOK × Rp120.000" in page
    assert "Unggah sedikitnya satu foto lokasi pekerjaan." in page


# --- refusals that say what happened (issue 11 §2) ---------------------------------------------------


def _messages_on(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_a_receipt_posted_from_an_old_tab_after_submission_is_refused_with_a_message(client, applicant):
    application = funded_application(user=applicant)
    report = _submitted(application)
    client.force_login(applicant)
    url = reverse("disbursements:receipt_add", args=[_tahap(application).pk])
    data = {"category": "materials", "description": "Kain", "amount": "100.000", "spent_on": days_ago(2)}

    response = client.post(url, {**data, "file": photo()}, follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "sudah berstatus “Diajukan”, jadi tidak dapat diubah lagi" in page
    assert "Tidak ada yang disimpan" in page
    assert report.receipts.count() == 1


def test_accept_confirmed_twice_says_it_was_already_decided_and_changes_nothing(client, verifier, applicant):
    application = funded_application(user=applicant)
    report = _submitted(application)
    client.force_login(verifier)
    url = reverse("admin:disbursements_usagereport_changelist")
    data = {"action": "accept_selected", helpers.ACTION_CHECKBOX_NAME: [report.pk], "confirm": "yes"}
    client.post(url, data)
    changes = report.status_changes.count()

    again = client.post(url, data, follow=True)

    text = " ".join(_messages_on(again))
    assert "sudah diputuskan “Diterima”" in text and "tidak ada yang diubah" in text
    assert report.status_changes.count() == changes
    assert _tahap(application, 2).status == Tranche.Status.SCHEDULED


def test_a_decision_posted_again_on_a_filtered_list_that_no_longer_holds_the_row_says_so(client, verifier, applicant):
    report = _submitted(funded_application(user=applicant))
    client.force_login(verifier)
    url = reverse("admin:disbursements_usagereport_changelist") + "?status__exact=submitted"
    data = {"action": "accept_selected", helpers.ACTION_CHECKBOX_NAME: [report.pk], "confirm": "yes"}
    client.post(url, data)

    for again in (client.post(url, data, follow=True), client.post(url, {**data, "confirm": ""}, follow=True)):
        assert again.status_code == 200
        assert "sudah tidak ada di daftar ini" in " ".join(_messages_on(again))
    report.refresh_from_db()
    assert report.status == UsageReport.Status.ACCEPTED


def _final_with_deposit(applicant):
    application = funded_application(user=applicant, plan=(100,))
    tranche = _tahap(application)
    reports.report_receipt_add(
        tranche=tranche,
        category="equipment",
        amount=39_000_000,
        spent_on=days_ago(2),
        description="Mesin",
        upload=photo(),
        by=applicant,
    )
    reports.report_treasury_return_record(
        tranche=tranche,
        amount=1_000_000,
        ntpn="0A1B2C3D4E5F6A7B",
        billing_code="820201234567890",
        paid_on=days_ago(1),
        upload=photo("bukti.jpg"),
        by=applicant,
    )
    report = UsageReport.objects.get(tranche=tranche)
    return reports.report_submit(report=report, by=applicant)


def test_the_verifiers_lpj_page_shows_the_deposit_and_how_the_unspent_money_was_reached(client, verifier, applicant):
    report = _final_with_deposit(applicant)
    client.force_login(verifier)

    page = client.get(reverse("admin:disbursements_usagereport_change", args=[report.pk])).content.decode()

    assert "0A1B2C3D4E5F6A7B" in page and "820201234567890" in page
    assert reverse("disbursements:file", args=["setoran", report.tranche.application.treasury_return.pk]) in page
    assert "Perhitungan sisa dana" in page
    assert "Rp40.000.000" in page and "Rp39.000.000" in page and "Rp1.000.000" in page
    assert "Sama dengan sisa dana." in page
    assert "dana tahap diterima" in page.lower()


def test_the_group_types_the_deposit_amount_and_a_different_one_is_refused(group_client, applicant):
    application = funded_application(user=applicant, plan=(100,))
    tranche = _tahap(application)
    reports.report_receipt_add(
        tranche=tranche,
        category="equipment",
        amount=39_000_000,
        spent_on=days_ago(2),
        description="Mesin",
        upload=photo(),
        by=applicant,
    )
    url = reverse("disbursements:treasury_return", args=[tranche.pk])
    data = {"ntpn": "0A1B2C3D4E5F6A7B", "billing_code": "", "paid_on": days_ago(1).isoformat()}

    refused = group_client.post(url, {**data, "amount": "Rp 1.500.000", "file": photo("bukti.jpg")})
    accepted = group_client.post(url, {**data, "amount": "1.000.000", "file": photo("bukti.jpg")})

    assert refused.status_code == 400
    assert "tidak sama dengan sisa dana Rp1.000.000" in refused.content.decode()
    assert "dibayar Rp40.000.000 − dibelanjakan Rp39.000.000" in refused.content.decode()
    assert accepted.status_code == 302
    assert TreasuryReturn.objects.get(application=application).amount == 1_000_000


def test_the_report_page_says_from_which_day_receipts_may_be_dated(group_client, applicant):
    application = funded_application(user=applicant)
    tranche = _tahap(application)
    paid_on = reports.tranche_paid_on(tranche)

    page = group_client.get(reverse("disbursements:report", args=[tranche.pk])).content.decode()

    assert f'min="{paid_on.isoformat()}"' in page
    assert "tanggal dana tahap ini diterima" in page
