"""Issue 11 §2 "Reports and LPJ", as the verifier sees it on a 1366 × 768 laptop.

Budi (verifikator, Jawa Barat) opens a group's final LPJ in the admin: the page shows when the money
arrived, the deposit to Kas Negara (NTPN, amount, date, billing code, a link to the proof) and how the
unspent figure was reached. He accepts it through the confirmation page, then — as happens with a
double click or the Back button — confirms the same page again: he is told it was already decided,
and nothing changes. Screenshots: test-artifacts/browser/lpj-*.png.
"""

import re

import pytest
from playwright.sync_api import expect

from applications.models import Application
from disbursements import reports
from disbursements.models import LedgerEntry, UsageReport
from tests.browser import officer_laptop as laptop
from tests.browser.conftest import CHROMIUM
from tests.disbursements.report_factories import days_ago, funded_application, photo
from tests.factories import UserFactory

officer_laptop = laptop.officer_laptop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]


def _submitted_lpj() -> UsageReport:
    """A one-tahap TKM grant: Rp39.000.000 of Rp40.000.000 spent, Rp1.000.000 deposited, submitted."""
    ketua = UserFactory(username="siti")
    application = funded_application(user=ketua, plan=(100,))
    tranche = application.tranches.get()
    reports.report_receipt_add(
        tranche=tranche,
        category="equipment",
        amount=39_000_000,
        spent_on=days_ago(3),
        description="Mesin jahit 10 unit",
        upload=photo(),
        by=ketua,
    )
    reports.report_treasury_return_record(
        tranche=tranche,
        amount=1_000_000,
        ntpn="0A1B2C3D4E5F6A7B",
        billing_code="820201234567890",
        paid_on=days_ago(1),
        upload=photo("bukti-setor.jpg"),
        by=ketua,
    )
    return reports.report_submit(report=UsageReport.objects.get(tranche=tranche), by=ketua)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_the_verifier_reads_the_lpj_deposit_and_computation_and_a_second_accept_changes_nothing(
    live_server, officer_laptop, screenshot, verifier, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    page, watch = officer_laptop
    report = _submitted_lpj()

    laptop.log_in(page, live_server.url, login=verifier.email, password="rahasia-123")
    page.goto(live_server.url + "/admin/disbursements/usagereport/")
    page.get_by_role("link", name=str(report.tranche)).first.click()

    # --- The LPJ page: payment date, deposit and proof, the computation --------------------------------------
    content = page.locator("#content")
    expect(content).to_contain_text("0A1B2C3D4E5F6A7B")
    expect(content).to_contain_text("820201234567890")
    expect(content).to_contain_text("Sama dengan sisa dana.")
    figure = page.locator("table.unspent-figure")
    expect(figure).to_contain_text("Rp40.000.000")
    expect(figure).to_contain_text("Rp39.000.000")
    expect(figure.locator("tfoot")).to_contain_text("Rp1.000.000")
    proof = f"/laporan/berkas/setoran/{report.tranche.application.treasury_return.pk}/"
    expect(page.locator(f'a[href="{proof}"]')).to_be_visible()
    assert laptop.sideways_overflow(page) <= 0
    screenshot(page, "lpj-01-verifier-page")

    # --- Accept through the confirmation page, open in two tabs (an old tab, or a double click) -------------
    def open_confirmation(tab):  # noqa: ANN001, ANN202
        tab.goto(live_server.url + "/admin/disbursements/usagereport/")
        tab.locator(f'input[name="_selected_action"][value="{report.pk}"]').check()
        tab.locator('select[name="action"]').select_option("accept_selected")
        tab.locator('button[name="index"]').click()
        expect(tab.get_by_role("heading", level=1)).to_contain_text("Terima laporan")

    old_tab = page.context.new_page()
    open_confirmation(old_tab)
    open_confirmation(page)
    screenshot(page, "lpj-02-confirmation")
    page.get_by_role("button", name="Ya, lanjutkan").click()
    expect(page.locator(".messagelist .success")).to_contain_text("1 laporan diterima")

    # --- The old tab confirms the same decision: said plainly, and nothing changes ------------------------------
    old_tab.get_by_role("button", name="Ya, lanjutkan").click()
    # The list opens on submitted reports, so the accepted one has left the old tab's list; either way the
    # officer is told it was already decided and that nothing changed.
    expect(old_tab.locator(".messagelist")).to_contain_text("sudah diputuskan")
    expect(old_tab.locator(".messagelist")).to_contain_text(re.compile("tidak ada yang diubah", re.IGNORECASE))
    screenshot(old_tab, "lpj-03-confirmed-twice")

    report.refresh_from_db()
    assert report.status == UsageReport.Status.ACCEPTED
    assert report.status_changes.filter(to_status=UsageReport.Status.ACCEPTED).count() == 1
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.RETURNED_TO_TREASURY).count() == 1
    assert Application.objects.get(pk=report.tranche.application_id).status == Application.Status.COMPLETED
    watch.assert_clean()
