"""A sampled group's ketua answers the SMS link on a 360 px phone, without an account: the money came
only in part, so a complaint opens. Screenshots go to test-artifacts/browser/ (``cek-bantuan-…``)."""

import pytest
from playwright.sync_api import expect

from grievances.models import Ticket
from payment_checks import services
from payment_checks.models import Respondent
from tests.browser.conftest import CHROMIUM
from tests.payment_checks.conftest import approve, reconciled_batch, small_plan  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
@pytest.mark.usefixtures("small_plan")
def test_a_ketua_says_on_a_phone_that_only_part_of_the_money_came(live_server, phone, screenshot, request):
    page, watch = phone
    request.getfixturevalue("reconciled_batch")({"32.04": 2})
    ketua = Respondent.objects.filter(role="ketua").select_related("sample").order_by("pk").first()
    url = live_server.url + f"/cek-bantuan/{services.respondent_token(ketua.pk)}/"

    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Cek bantuan JPS")
    assert _fits(page)
    screenshot(page, "cek-bantuan-1-question")

    page.get_by_role("radio", name="Diterima sebagian").check()
    page.get_by_label("Jika diterima sebagian: berapa rupiah yang diterima?").fill("15.000.000")
    screenshot(page, "cek-bantuan-2-partial")
    page.get_by_role("button", name="Kirim jawaban").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Terima kasih")
    expect(page.get_by_role("status")).to_contain_text("Pengaduan nomor ADU-")
    assert _fits(page)
    screenshot(page, "cek-bantuan-3-done")
    assert Ticket.objects.filter(category__code="pembayaran").count() == 1
    watch.assert_clean()

    # A forged link answers 404 on purpose (the browser logs that), with a clear page.
    page.goto(live_server.url + "/cek-bantuan/bukan-tautan-asli/")
    expect(page.get_by_role("alert")).to_contain_text("Tautan ini tidak valid")
    assert _fits(page)
    screenshot(page, "cek-bantuan-4-bad-link")
    assert not watch.server_errors
