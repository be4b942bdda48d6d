"""Issue 5's whole story: finance pays tahap 1 from an exported batch and the bank's result file with
a failure, the group fixes its account and the failure is re-issued and paid; the group's report on
tahap 1 unlocks tahap 2, which is paid; the final LPJ with its deposit to the Kas Negara completes the
application. The ledger ties to the tranches at every step."""

import pytest
from django.db.models import Sum
from django.utils import timezone

from applications.models import Application
from disbursements import bankfiles, reports, services
from disbursements.models import LedgerEntry, Tranche, UsageReport
from tests.corrections.helpers import account_fix
from tests.disbursements.conftest import failed_row, paid_row, result_file
from tests.disbursements.report_factories import photo

pytestmark = pytest.mark.django_db
TS = Tranche.Status
AS = Application.Status


def _import(rows, by, name):
    return services.bank_results_import(
        rows=bankfiles.read_bank_results(result_file(rows, name=name)), file_name=name, by=by
    )


def _pay_all_payable(finance, name, *, fail: Tranche | None = None):
    batch = services.payment_batch_create(tranches=Tranche.objects.payable(), by=finance)
    batch = services.payment_batch_export(batch=batch, by=finance)
    lines = list(batch.lines.order_by("pk"))
    rows = [failed_row(line, reason="name_mismatch") if line.tranche_id == getattr(fail, "pk", None)
            else paid_row(line) for line in lines]  # fmt: skip
    _import(rows, finance, name)
    return batch


def _ledger_paid() -> int:
    return LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAID).aggregate(total=Sum("amount"))["total"] or 0


def _tranches_paid() -> int:
    return Tranche.objects.filter(status=TS.PAID).aggregate(total=Sum("amount"))["total"] or 0


def test_pay_fail_reissue_report_unlock_pay_lpj_complete(approve, finance, applicant, verifier, portal_admin):
    applications = [approve(plan=[70, 30]) for _ in range(3)]
    siti = applications[0]
    siti.group.user = applicant
    siti.group.save(update_fields=["user"])
    failing = applications[2].tranches.get(number=1)

    # Tahap 1 for everyone; the bank refuses one transfer (name mismatch).
    _pay_all_payable(finance, "hasil-1.csv", fail=failing)
    assert failing.__class__.objects.get(pk=failing.pk).status == TS.FAILED
    assert _ledger_paid() == _tranches_paid() == 2 * 28_000_000

    # The group fixes its account; finance re-issues; the second batch pays it.
    account_fix(applications[2].group, proposer=verifier, checker=portal_admin, account_number="1230004560")
    _pay_all_payable(finance, "hasil-2.csv")
    assert set(Tranche.objects.filter(number=1).values_list("status", flat=True)) == {TS.PAID}
    assert set(Tranche.objects.filter(number=2).values_list("status", flat=True)) == {TS.LOCKED}
    assert _ledger_paid() == _tranches_paid() == 3 * 28_000_000

    # Siti reports on tahap 1 (within the tranche); the verifier accepts; tahap 2 becomes payable.
    tahap_1 = siti.tranches.get(number=1)
    today = timezone.localdate()
    reports.report_receipt_add(
        tranche=tahap_1, category="equipment", amount=16_000_000, spent_on=today,
        description="Mesin jahit", upload=photo(), by=applicant,
    )  # fmt: skip
    reports.report_receipt_add(
        tranche=tahap_1, category="materials", amount=12_000_000, spent_on=today,
        description="Kain", upload=photo(), by=applicant,
    )  # fmt: skip
    report = UsageReport.objects.get(tranche=tahap_1)
    reports.report_submit(report=report, by=applicant)
    reports.report_accept(report=report, by=verifier, note="Sesuai kuitansi.")
    assert list(Tranche.objects.payable().values_list("application", "number")) == [(siti.pk, 2)]

    # Tahap 2 is paid: the application moves to the final report.
    _pay_all_payable(finance, "hasil-3.csv")
    siti.refresh_from_db()
    assert siti.status == AS.REPORTING
    assert _ledger_paid() == _tranches_paid() == 3 * 28_000_000 + 12_000_000

    # The LPJ: 11,500,000 spent of 12,000,000; the rest is deposited to the Kas Negara first.
    tahap_2 = siti.tranches.get(number=2)
    reports.report_receipt_add(
        tranche=tahap_2, category="materials", amount=11_500_000, spent_on=today,
        description="Benang dan kancing", upload=photo(), by=applicant,
    )  # fmt: skip
    reports.report_treasury_return_record(
        tranche=tahap_2, amount=500_000, ntpn="0A1B2C3D4E5F6A7B", billing_code="", paid_on=today,
        upload=photo("bukti.jpg"), by=applicant,
    )  # fmt: skip
    lpj = UsageReport.objects.get(tranche=tahap_2)
    reports.report_submit(report=lpj, by=applicant)
    reports.report_accept(report=lpj, by=verifier)

    siti.refresh_from_db()
    assert siti.status == AS.COMPLETED
    net = LedgerEntry.objects.filter(tranche__application=siti).aggregate(total=Sum("amount"))["total"]
    assert net == 40_000_000 - 500_000  # paid to the group, less what went back to the Kas Negara


def test_the_directors_paid_figures_tie_to_the_ledger_after_a_real_reconciliation(approve, finance):
    from dashboards import services as dashboard_services
    from dashboards.models import ProvinceTally

    applications = [approve(plan=[70, 30]) for _ in range(3)]
    _pay_all_payable(finance, "hasil-1.csv", fail=applications[1].tranches.get(number=1))
    snapshot = dashboard_services.tallies_recompute()
    on_dashboard = ProvinceTally.objects.filter(snapshot=snapshot).aggregate(total=Sum("amount_paid"))["total"]
    assert on_dashboard == _ledger_paid() == 2 * 28_000_000
