"""Issue 11 "done when": the bendahara's daily path on a 1366 × 768 laptop, as a person walks it.

Wulan (finance, national) logs in and opens the tranches from her landing page; the list shows each
group and its (masked) bank account. She selects the tranches ready to pay and asks for a batch: a
confirmation page says how many, how much, per bank, and what is left out and why (a tahap 2 that
waits for its tahap 1 report). She confirms, reads the batch's lines on its page, exports the
transfer file, and — once the bank has answered — imports the result file (one transfer failed on a
closed account). The summary says so, the paid tranches are paid and the failure waits in the
exception queue. A full-page screenshot of each step goes to test-artifacts/browser/bendahara-*.png.
"""

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from disbursements.models import PaymentBatch, Tranche
from tests.browser import officer_laptop as laptop
from tests.browser.conftest import CHROMIUM
from tests.disbursements import conftest as finance_fixtures

# Fixtures defined in other modules, made visible here (pytest finds fixtures by module attribute).
officer_laptop = laptop.officer_laptop
log_in, sideways_overflow = laptop.log_in, laptop.sideways_overflow
approve = finance_fixtures.approve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]


def _result_csv(transfer_file: Path, *, failed_reference: str) -> bytes:
    """The bank's answer to our transfer file: every line paid, but one refused (closed account)."""
    with transfer_file.open(encoding="utf-8-sig") as handle:
        lines = list(csv.DictReader(handle))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["payment_reference", "status", "reason_code", "transfer_date", "bank_transaction_id", "amount"])
    for number, line in enumerate(lines, start=1):
        failed = line["payment_reference"] == failed_reference
        writer.writerow(
            [
                line["payment_reference"],
                "failed" if failed else "paid",
                "account_closed" if failed else "",
                "" if failed else "2020-10-15",
                "" if failed else f"TX{number:08d}",
                line["amount"],
            ]
        )
    return buffer.getvalue().encode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_the_bendahara_batches_exports_and_imports_bank_results_on_a_laptop(
    live_server,
    officer_laptop,
    screenshot,
    finance,
    approve,
    tmp_path,
):
    page, watch = officer_laptop
    ready = [approve(amount=40_000_000), approve(amount=40_000_000, regency_id="32.73"), approve(plan=[70, 30])]
    waiting = Tranche.objects.get(application=ready[2], number=2)
    assert waiting.status == Tranche.Status.LOCKED  # tahap 2 waits for the tahap 1 report

    def step(name: str) -> None:
        screenshot(page, f"bendahara-{name}")

    # --- Log in; open the tranches from the landing page ---------------------------------------------
    log_in(page, live_server.url, login=finance.email, password="rahasia-123")
    step("01-landing")
    page.locator('a[href^="/admin/disbursements/tranche/"]').first.click()
    expect(page.locator("#result_list")).to_be_visible()
    for application in ready:
        expect(page.locator("#result_list")).to_contain_text(application.group.name)
    step("02-tranche-list")
    # The list opens on the bendahara's work (tahap ready to pay); "Semua" shows the waiting tahap 2 too.
    assert "status__exact=" in page.url
    page.goto(live_server.url + "/admin/disbursements/tranche/?status__exact=semua")

    # --- Select everything, ask for a batch: the confirmation says what and what not ------------------
    page.locator("#action-toggle").check()
    page.locator('select[name="action"]').select_option("batch_selected")
    page.locator('button[name="index"]').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Buat batch pembayaran")
    expect(page.locator("#content")).to_contain_text("Batch baru akan berisi 3 tahap")
    expect(page.locator(".batch-left-out")).to_contain_text("laporan")  # tahap 2 left out: waits for the report
    step("03-batch-confirmation")
    page.get_by_role("button", name="Ya, buat batch").click()

    # --- The batch page lists its lines and total ------------------------------------------------------
    expect(page.locator(".messagelist .success")).to_contain_text("dibuat: 3 tahap")
    expect(page.locator(".batch-lines tbody tr")).to_have_count(3)
    batch = PaymentBatch.objects.get()
    step("04-batch-page")

    # --- Export the transfer file (locks the batch) ---------------------------------------------------------
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Ekspor berkas transfer (CSV)").click()
    transfer_file = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(transfer_file)
    assert transfer_file.name == f"{batch.reference}.csv"
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.EXPORTED
    step("05-after-export")

    # --- The bank answers; import its result file ------------------------------------------------------
    failed_line = batch.lines.select_related("tranche").get(tranche__application=ready[1])
    result = tmp_path / "hasil-bank.csv"
    result.write_bytes(_result_csv(transfer_file, failed_reference=failed_line.payment_reference))
    page.goto(live_server.url + f"/admin/disbursements/paymentbatch/{batch.pk}/change/")
    page.get_by_role("link", name="Impor hasil bank").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Impor hasil bank")
    expect(page.locator(".bank-file-guide")).to_be_visible()  # the column guide, values and an example
    step("06-import-form")
    page.locator('input[type="file"]').set_input_files(str(result))
    page.get_by_role("button", name="Impor dan rekonsiliasi").click()
    expect(page.locator(".messagelist")).to_be_visible()
    step("07-import-summary")

    # --- What the import did ---------------------------------------------------------------------------------
    statuses = dict(Tranche.objects.filter(number=1).values_list("application_id", "status"))
    assert statuses == {
        ready[0].pk: Tranche.Status.PAID,
        ready[1].pk: Tranche.Status.FAILED,
        ready[2].pk: Tranche.Status.PAID,
    }
    batch.refresh_from_db()
    page.goto(live_server.url + f"/admin/disbursements/paymentbatch/{batch.pk}/change/")
    expect(page.locator(".batch-lines")).to_contain_text("Gagal")
    step("08-batch-after-results")
    assert sideways_overflow(page) <= 0, "the batch page fits the laptop"
    watch.assert_clean()
