"""Cek status on a 360 px phone, without an account: from the public list's header to the lookup, a
wrong code, the right code, and the read-only status page. Screenshots go to test-artifacts/browser/
(``status-…``)."""

import pytest
from playwright.sync_api import expect

from notifications import sms
from tests.browser.conftest import CHROMIUM
from tests.statuscheck.conftest import code_of, ketua_phone, siti_application, siti_tickets

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_a_ketua_checks_the_status_on_a_phone_with_an_sms_code(live_server, phone, screenshot):
    page, watch = phone
    siti = siti_application()
    tickets = siti_tickets(siti)

    page.goto(live_server.url + "/daftar-penerima/")
    page.get_by_role("link", name="Cek status").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cek status pengajuan")
    assert _fits(page)
    screenshot(page, "status-1-lookup")

    sms.outbox.clear()  # the tickets' own confirmations
    page.get_by_label("Nomor pendaftaran").fill("jps-2020-tkm-32-000123")
    page.get_by_label("Nomor HP yang terdaftar").fill(ketua_phone(siti))
    page.get_by_role("button", name="Kirim kode SMS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Masukkan kode SMS")
    expect(page.get_by_text("Jika data cocok, kode 6 angka dikirim")).to_be_visible()
    [sent] = sms.outbox
    code = code_of(sent.body)

    page.get_by_label("Kode dari SMS").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Lihat status").click()
    expect(page.get_by_text("Kode salah. Sisa percobaan: 4.")).to_be_visible()
    assert _fits(page)
    screenshot(page, "status-2-wrong-code")

    page.get_by_label("Kode dari SMS").fill(code)
    page.get_by_role("button", name="Lihat status").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Status pengajuan")
    expect(page.locator(".badge.in_disbursement")).to_have_text("Dalam penyaluran")
    expect(page.get_by_role("row", name="Tahap 1")).to_contain_text("14 Agustus 2020")
    expect(page.get_by_text(tickets["pungli_by_ketua"].number)).to_be_visible()
    expect(page.get_by_text(tickets["pungli_by_other"].number)).to_have_count(0)
    assert _fits(page)
    screenshot(page, "status-3-status")

    page.get_by_role("button", name="Tutup halaman status").click()
    expect(page.get_by_text("Halaman status sudah ditutup.")).to_be_visible()
    page.goto(live_server.url + "/cek-status/hasil/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cek status pengajuan")
    watch.assert_clean()
