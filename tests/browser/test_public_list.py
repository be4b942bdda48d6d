"""The public list on a 360 px phone, without an account: a citizen goes from the national figures to
a province, to a regency's groups, and opens "Ajukan sanggahan" on one of them. Screenshots go to
test-artifacts/browser/ (``public-…``)."""

import pytest
from playwright.sync_api import expect

from applications.models import Programme
from grievances.models import Ticket
from tests.browser.conftest import CHROMIUM
from tests.factories import SchemeFactory
from tests.transparency.conftest import funded_application

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_a_citizen_reads_the_list_on_a_phone_and_finds_the_objection_link(live_server, phone, screenshot):
    page, watch = phone
    SchemeFactory(programme=Programme.TKM, year=2020)
    for index in range(3):
        funded_application(name=f"Kelompok Usaha Bersama Sukamaju Sejahtera {index}", paid=40_000_000 * (index % 2))
    funded_application(regency="32.73")

    page.goto(live_server.url + "/daftar-penerima/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Daftar kelompok penerima bantuan JPS")
    assert _fits(page)
    screenshot(page, "public-1-national")

    page.get_by_role("link", name="Jawa Barat").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jawa Barat")
    assert _fits(page)
    screenshot(page, "public-2-province")

    page.get_by_role("link", name="Kabupaten Bandung").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kabupaten Bandung")
    expect(page.get_by_role("link", name="Ajukan sanggahan")).to_have_count(3)
    assert _fits(page)
    screenshot(page, "public-3-regency")

    page.get_by_role("link", name="Ajukan sanggahan").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajukan sanggahan")
    assert _fits(page)
    page.get_by_label("Kelompok fiktif").check()
    page.get_by_label("Uraian").fill("Kelompok ini tidak pernah ada di desa kami; alamatnya kebun kosong.")
    screenshot(page, "public-4-objection")
    page.get_by_role("button", name="Kirim sanggahan").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Pengaduan ADU-")
    expect(page.get_by_role("status")).to_contain_text("diterima dengan nomor")
    assert _fits(page)
    screenshot(page, "public-5-tracking")
    assert Ticket.objects.get().group.name.startswith("Kelompok Usaha Bersama Sukamaju Sejahtera")
    watch.assert_clean()
