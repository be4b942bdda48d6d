"""Reports that gate the next tahap: receipts and HOK attendance checked against the tranche, the
project period and the scheme's rates; the verifier returns or accepts; the final LPJ completes the
application with the unspent money recorded as returned to Kas Negara."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from applications.models import Application, TransitionError
from disbursements import reports
from disbursements.models import (
    AttendanceDay,
    LedgerEntry,
    ReportReceipt,
    Tranche,
    TreasuryReturn,
    UsageReport,
    WageRole,
)
from disbursements.reports import AttendanceEntry
from tests.disbursements.report_factories import APPROVED_DAYS_AGO, days_ago, funded_application, photo
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = UsageReport.Status


@pytest.fixture(autouse=True)
def _uploads_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def tkm(applicant):
    return funded_application(user=applicant)


@pytest.fixture
def padat_karya(applicant):
    return funded_application(user=applicant, padat_karya=True, members=5)


def _tahap(application, number=1):
    return application.tranches.get(number=number)


def _receipt(application, applicant, *, amount, category="equipment", spent_on=None, number=1):
    return reports.report_receipt_add(
        tranche=_tahap(application, number),
        category=category,
        amount=amount,
        spent_on=spent_on or days_ago(3),
        description="Mesin jahit",
        upload=photo(),
        by=applicant,
    )


# --- TKM receipts ---------------------------------------------------------------------------------


def test_it_refuses_receipts_adding_up_to_more_than_the_tranche(tkm, applicant):
    assert _tahap(tkm).amount == 28_000_000
    _receipt(tkm, applicant, amount=20_000_000)

    with pytest.raises(ValidationError, match=r"melebihi dana tahap ini \(Rp28\.000\.000\)"):
        _receipt(tkm, applicant, amount=8_000_001, category="materials")

    assert ReportReceipt.objects.count() == 1


def test_it_refuses_a_receipt_dated_before_the_approval(tkm, applicant):
    with pytest.raises(ValidationError, match="lebih awal dari tanggal dana tahap 1 diterima"):
        _receipt(tkm, applicant, amount=1_000_000, spent_on=days_ago(APPROVED_DAYS_AGO + 1))

    assert not ReportReceipt.objects.exists()


def test_it_refuses_spending_dated_after_the_approval_but_before_the_money_arrived(tkm, applicant):
    # Approved 10 days ago, tahap 1 paid 9 days ago: a receipt of 10 days ago predates the money.
    paid_on = reports.tranche_paid_on(_tahap(tkm))
    assert paid_on == days_ago(APPROVED_DAYS_AGO - 1)

    with pytest.raises(ValidationError) as refusal:
        _receipt(tkm, applicant, amount=1_000_000, spent_on=days_ago(APPROVED_DAYS_AGO))

    message = refusal.value.messages[0]
    assert "lebih awal dari tanggal dana tahap 1 diterima" in message
    assert "sejak dana dibayarkan" in message
    assert not ReportReceipt.objects.exists()


def test_it_accepts_a_receipt_dated_on_the_day_the_money_arrived(tkm, applicant):
    _receipt(tkm, applicant, amount=1_000_000, spent_on=days_ago(APPROVED_DAYS_AGO - 1))

    assert ReportReceipt.objects.get().spent_on == days_ago(APPROVED_DAYS_AGO - 1)


def test_it_refuses_a_receipt_dated_in_the_future(tkm, applicant):
    with pytest.raises(ValidationError, match="belum terjadi"):
        _receipt(tkm, applicant, amount=1_000_000, spent_on=days_ago(-1))


def test_it_compares_receipts_with_the_schemes_equipment_split(tkm, applicant):
    _receipt(tkm, applicant, amount=17_000_000, category="equipment")
    _receipt(tkm, applicant, amount=5_000_000, category="materials")

    report = UsageReport.objects.get()
    totals = reports.report_totals(report, tranche=report.tranche)

    assert (totals.planned_equipment, totals.planned_materials) == (16_800_000, 11_200_000)
    assert (totals.equipment, totals.materials, totals.remaining) == (17_000_000, 5_000_000, 6_000_000)
    assert totals.equipment_over_plan


def test_it_refuses_a_report_on_a_tranche_not_paid_yet(tkm, applicant):
    with pytest.raises(ValidationError, match="setelah dana tahap ini dibayarkan"):
        _receipt(tkm, applicant, amount=1_000_000, number=2)


def test_it_refuses_a_receipt_from_someone_other_than_the_group(tkm, verifier):
    with pytest.raises(ValidationError, match="akun kelompok penerima"):
        _receipt(tkm, verifier, amount=1_000_000)


# --- Padat Karya attendance -------------------------------------------------------------------------


def _grid(application, applicant, days, *, roles=None, members=None):
    members = members or list(application.group.members.order_by("pk"))
    roles = roles or {}
    entries = [
        AttendanceEntry(member_id=member.pk, worked_on=day, role=roles.get(member.pk, WageRole.PEKERJA))
        for member in members
        for day in days
    ]
    return reports.report_attendance_save(tranche=_tahap(application), days=days, entries=entries, by=applicant)


def test_it_derives_the_wage_total_from_the_schemes_rates(padat_karya, applicant):
    members = list(padat_karya.group.members.order_by("pk"))
    roles = {members[0].pk: WageRole.KETUA, members[1].pk: WageRole.TUKANG}
    days = [days_ago(5), days_ago(4)]

    assert _grid(padat_karya, applicant, days, roles=roles) == 10

    report = UsageReport.objects.get()
    totals = reports.report_totals(report, tranche=report.tranche)
    # 2 days × (1 ketua × 150.000 + 1 tukang × 120.000 + 3 pekerja × 100.000)
    assert [(line.workers, line.rate) for line in totals.wage_lines] == [(6, 100_000), (2, 120_000), (2, 150_000)]
    assert totals.wages == 1_140_000


def test_it_replaces_the_days_of_the_grid_when_saved_again(padat_karya, applicant):
    days = [days_ago(5), days_ago(4)]
    _grid(padat_karya, applicant, days)
    first = list(padat_karya.group.members.order_by("pk"))[:1]

    _grid(padat_karya, applicant, days, members=first)

    assert AttendanceDay.objects.count() == 2


def test_it_refuses_attendance_on_days_outside_the_project(padat_karya, applicant):
    start, end = reports.project_period(padat_karya)
    assert end == start + datetime.timedelta(days=15)

    with pytest.raises(ValidationError, match="di luar masa kegiatan"):
        _grid(padat_karya, applicant, [start - datetime.timedelta(days=1), start])

    assert not AttendanceDay.objects.exists()


def test_it_refuses_attendance_of_someone_outside_the_group(padat_karya, applicant):
    stranger = funded_application(user=UserFactory(), padat_karya=True, members=1).group.members.get()

    with pytest.raises(ValidationError, match="hanya untuk anggota kelompok ini"):
        _grid(padat_karya, applicant, [days_ago(3)], members=[stranger])

    assert not AttendanceDay.objects.exists()


def test_it_refuses_a_member_twice_on_one_day(padat_karya, applicant):
    member = padat_karya.group.members.first()
    day = days_ago(3)
    entries = [AttendanceEntry(member.pk, day, WageRole.PEKERJA), AttendanceEntry(member.pk, day, WageRole.TUKANG)]

    with pytest.raises(ValidationError, match="sekali dalam sehari"):
        reports.report_attendance_save(tranche=_tahap(padat_karya), days=[day], entries=entries, by=applicant)


def test_the_database_refuses_a_member_twice_on_one_day(padat_karya, applicant):
    _grid(padat_karya, applicant, [days_ago(3)])
    row = AttendanceDay.objects.first()

    with pytest.raises(IntegrityError):
        AttendanceDay.objects.create(report=row.report, member=row.member, worked_on=row.worked_on, role="tukang")


def test_it_refuses_wages_adding_up_to_more_than_the_tranche(applicant, settings):
    application = funded_application(user=applicant, padat_karya=True, members=5)
    Tranche.objects.filter(application=application, number=1).update(amount=1_000_000)

    with pytest.raises(ValidationError, match="melebihi dana tahap ini"):
        _grid(application, applicant, [days_ago(5), days_ago(4), days_ago(3)])  # 15 HOK ≥ Rp1.500.000

    assert not AttendanceDay.objects.exists()


# --- the verifier decides -----------------------------------------------------------------------------


def _submitted_tkm_report(application, applicant):
    _receipt(application, applicant, amount=16_000_000)
    _receipt(application, applicant, amount=11_000_000, category="materials")
    report = UsageReport.objects.get(tranche__application=application)
    return reports.report_submit(report=report, by=applicant)


def test_a_returned_report_is_fixed_resubmitted_accepted_and_unlocks_tahap_2(tkm, applicant, verifier):
    report = _submitted_tkm_report(tkm, applicant)
    assert report.kind == UsageReport.Kind.PROGRESS

    reports.report_return(report=report, by=verifier, reason="Kuitansi bahan tidak terbaca.")
    report.refresh_from_db()
    assert (report.status, report.return_reason) == (Status.RETURNED, "Kuitansi bahan tidak terbaca.")
    assert _tahap(tkm, 2).status == Tranche.Status.LOCKED

    reports.report_receipt_delete(receipt=report.receipts.get(category="materials"), by=applicant)
    _receipt(tkm, applicant, amount=11_000_000, category="materials")
    reports.report_submit(report=report, by=applicant)
    reports.report_accept(report=report, by=verifier)

    report.refresh_from_db()
    assert report.status == Status.ACCEPTED
    assert _tahap(tkm, 2).status == Tranche.Status.SCHEDULED
    assert [(c.from_status, c.to_status) for c in report.status_changes.all()] == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "accepted"),
    ]
    with pytest.raises(ValidationError, match="tidak dapat diubah"):
        _receipt(tkm, applicant, amount=1_000)


def test_a_return_needs_a_reason(tkm, applicant, verifier):
    report = _submitted_tkm_report(tkm, applicant)

    with pytest.raises(ValidationError, match="alasan"):
        reports.report_return(report=report, by=verifier, reason="  ")

    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_a_verifier_outside_the_region_cannot_decide(applicant, verifier):
    semarang = funded_application(user=applicant, regency="33.74")
    report = _submitted_tkm_report(semarang, applicant)

    with pytest.raises(TransitionError, match="di luar wilayah"):
        reports.report_accept(report=report, by=verifier)

    assert _tahap(semarang, 2).status == Tranche.Status.LOCKED


def test_a_director_cannot_decide(tkm, applicant, director):
    report = _submitted_tkm_report(tkm, applicant)

    with pytest.raises(TransitionError, match="tidak berwenang"):
        reports.report_accept(report=report, by=director)


def test_an_empty_report_cannot_be_submitted(padat_karya, applicant):
    _grid(padat_karya, applicant, [days_ago(2)])
    report = UsageReport.objects.get()

    with pytest.raises(ValidationError, match="foto lokasi"):
        reports.report_submit(report=report, by=applicant)

    report.refresh_from_db()
    assert report.status == Status.DRAFT


# --- the final LPJ ----------------------------------------------------------------------------------


@pytest.fixture
def ledger(db):
    """The money ledger's rows of deposits to the Kas Negara."""
    return LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RETURNED_TO_TREASURY)


def _final_report(applicant):
    application = funded_application(user=applicant, plan=(100,))
    _receipt(application, applicant, amount=30_000_000)
    _receipt(application, applicant, amount=9_000_000, category="materials")
    return application, UsageReport.objects.get(tranche__application=application)


def test_the_final_lpj_with_unspent_money_waits_for_the_ntpn(applicant):
    _application, report = _final_report(applicant)
    assert report.kind == UsageReport.Kind.FINAL

    with pytest.raises(ValidationError, match=r"Sisa dana Rp1\.000\.000 harus disetor ke Kas Negara"):
        reports.report_submit(report=report, by=applicant)

    report.refresh_from_db()
    assert report.status == Status.DRAFT


def test_the_final_lpj_completes_the_application_and_records_the_treasury_return(applicant, verifier, ledger):
    application, report = _final_report(applicant)
    reports.report_photo_add(tranche=report.tranche, upload=photo("warung.jpg"), caption="Warung", by=applicant)
    reports.report_treasury_return_record(
        tranche=report.tranche,
        amount=1_000_000,
        ntpn="0a1b2c3d4e5f6a7b",
        billing_code="820201234567890",
        paid_on=days_ago(1),
        upload=photo("bukti.jpg"),
        by=applicant,
    )
    reports.report_submit(report=report, by=applicant)

    reports.report_accept(report=report, by=verifier, note="Lengkap.")

    application.refresh_from_db()
    treasury_return = TreasuryReturn.objects.get()
    assert application.status == Application.Status.COMPLETED
    assert (treasury_return.amount, treasury_return.ntpn) == (1_000_000, "0A1B2C3D4E5F6A7B")
    # Booked against the last tahap, negative: money back to the state.
    assert list(ledger.values_list("tranche__application", "amount", "created_by", "note")) == [
        (application.pk, -1_000_000, verifier.pk, "NTPN 0A1B2C3D4E5F6A7B")
    ]
    assert application.status_changes.last().changed_by == verifier


def test_a_treasury_return_that_no_longer_matches_the_unspent_money_blocks_acceptance(applicant, verifier, ledger):
    application, report = _final_report(applicant)
    reports.report_treasury_return_record(
        tranche=report.tranche,
        amount=1_000_000,
        ntpn="0A1B2C3D4E5F6A7B",
        billing_code="",
        paid_on=days_ago(1),
        upload=photo("bukti.jpg"),
        by=applicant,
    )
    _receipt(application, applicant, amount=400_000, category="materials")

    with pytest.raises(ValidationError, match=r"Setoran tercatat Rp1\.000\.000, sedangkan sisa dana Rp600\.000"):
        reports.report_submit(report=report, by=applicant)
    assert not ledger.exists()


def test_a_fully_spent_final_lpj_completes_without_a_treasury_return(applicant, verifier, ledger):
    application, report = _final_report(applicant)
    _receipt(application, applicant, amount=1_000_000, category="materials")
    reports.report_submit(report=report, by=applicant)

    reports.report_accept(report=report, by=verifier)

    application.refresh_from_db()
    assert application.status == Application.Status.COMPLETED
    assert not TreasuryReturn.objects.exists()
    assert not ledger.exists()


def test_the_final_lpj_counts_the_spending_of_every_accepted_tahap(tkm, applicant, verifier, ledger):
    report = _submitted_tkm_report(tkm, applicant)  # Rp27.000.000 of Rp28.000.000
    reports.report_accept(report=report, by=verifier)
    Tranche.objects.filter(pk=_tahap(tkm, 2).pk).update(status=Tranche.Status.PAID, paid_at=timezone.now())
    Application.objects.filter(pk=tkm.pk).update(status=Application.Status.REPORTING)
    _receipt(tkm, applicant, amount=12_000_000, category="materials", number=2, spent_on=days_ago(0))
    final = UsageReport.objects.get(tranche__number=2)

    assert final.kind == UsageReport.Kind.FINAL
    assert reports.application_unspent(final) == 1_000_000


def test_a_treasury_return_recorded_by_mistake_can_be_removed_before_acceptance(applicant, verifier, ledger):
    application, report = _final_report(applicant)
    reports.report_treasury_return_record(
        tranche=report.tranche,
        amount=1_000_000,
        ntpn="0A1B2C3D4E5F6A7B",
        billing_code="",
        paid_on=days_ago(1),
        upload=photo("bukti.jpg"),
        by=applicant,
    )
    _receipt(application, applicant, amount=1_000_000, category="materials")
    with pytest.raises(ValidationError, match="hapus catatan setoran"):
        reports.report_submit(report=report, by=applicant)

    reports.report_treasury_return_delete(tranche=report.tranche, by=applicant)
    reports.report_submit(report=report, by=applicant)

    assert not TreasuryReturn.objects.exists()
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def _deposit(report, applicant, *, amount=1_000_000, paid_on=None):
    return reports.report_treasury_return_record(
        tranche=report.tranche,
        amount=amount,
        ntpn="0A1B2C3D4E5F6A7B",
        billing_code="",
        paid_on=paid_on or days_ago(1),
        upload=photo("bukti.jpg"),
        by=applicant,
    )


def test_a_deposit_amount_that_differs_from_the_unspent_money_is_refused_with_the_computation(applicant):
    _application, report = _final_report(applicant)  # Rp40.000.000 paid, Rp39.000.000 spent

    with pytest.raises(ValidationError) as refusal:
        _deposit(report, applicant, amount=900_000)

    assert refusal.value.message_dict["amount"] == [
        "Nilai setoran Rp900.000 tidak sama dengan sisa dana Rp1.000.000 "
        "(dibayar Rp40.000.000 − dibelanjakan Rp39.000.000 = Rp1.000.000). "
        "Periksa nilai pada bukti setor; bila pengeluaran belum lengkap, lengkapi dulu kuitansinya."
    ]
    assert not TreasuryReturn.objects.exists()


def test_a_deposit_dated_before_the_last_tahap_was_paid_is_refused(applicant):
    _application, report = _final_report(applicant)

    with pytest.raises(ValidationError) as refusal:
        _deposit(report, applicant, paid_on=days_ago(APPROVED_DAYS_AGO))

    assert "Tanggal setor" in refusal.value.message_dict["paid_on"][0]
    assert "lebih awal dari tanggal dana tahap 1 diterima" in refusal.value.message_dict["paid_on"][0]
    assert not TreasuryReturn.objects.exists()


def test_the_unspent_figure_lists_each_paid_tahap_and_the_spending_counted(tkm, applicant, verifier):
    report = _submitted_tkm_report(tkm, applicant)  # Rp27.000.000 of Rp28.000.000
    reports.report_accept(report=report, by=verifier)
    Tranche.objects.filter(pk=_tahap(tkm, 2).pk).update(status=Tranche.Status.PAID, paid_at=timezone.now())
    Application.objects.filter(pk=tkm.pk).update(status=Application.Status.REPORTING)
    _receipt(tkm, applicant, amount=11_500_000, category="materials", number=2, spent_on=days_ago(0))
    final = UsageReport.objects.get(tranche__number=2)

    figure = reports.unspent_figure(final)

    assert [(line.number, line.paid, line.spent, line.counted) for line in figure.lines] == [
        (1, 28_000_000, 27_000_000, True),
        (2, 12_000_000, 11_500_000, True),
    ]
    assert figure.computation == "dibayar Rp40.000.000 − dibelanjakan Rp38.500.000 = Rp1.500.000"


def test_a_decision_on_a_report_is_published_to_partners(tkm, applicant, verifier, monkeypatch):
    from jps_portal import events

    published: list[events.Event] = []
    monkeypatch.setattr(events, "_listeners", [*events._listeners, published.extend])
    report = _submitted_tkm_report(tkm, applicant)
    assert published == []  # a submission is the group's step, not a decision

    reports.report_return(report=report, by=verifier, reason="Kuitansi bahan tidak terbaca.")

    [event] = published
    assert (event.type, event.province_code) == (events.REPORT_DECIDED, tkm.province_id)
    assert event.data | {"decided_at": None} == {
        "report_id": report.pk,
        "kind": "progress",
        "decision": "returned",
        "tranche_id": report.tranche_id,
        "tranche_number": 1,
        "application_id": tkm.pk,
        "reference": tkm.reference,
        "decided_at": None,
    }
