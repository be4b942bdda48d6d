"""Issue 11 §1 leftover: the Padat Karya attendance (HOK) page reads on a 360 × 740 phone.

A week of 30 members × 7 days was a table wider than the phone, scrolled sideways inside its box: the
member's name went off-screen with the days. On a phone each member is a card (name, role, the week's
days as labelled boxes to tick); nothing scrolls sideways, and a save still records the week.
Screenshot: test-artifacts/browser/hok-grid-360.png.
"""

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import Role
from disbursements.models import AttendanceDay
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_journey import _fits_the_phone_in_indonesian
from tests.disbursements.report_factories import funded_application
from tests.factories import UserFactory

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]
PASSWORD = "Kelompok-Maju-2026"


def _nothing_scrolls_sideways(page) -> None:
    _fits_the_phone_in_indonesian(page)
    boxes = page.evaluate(
        "() => [...document.querySelectorAll('main *')]"
        ".filter(el => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible')"
        ".map(el => `${el.tagName}.${el.className} ${el.scrollWidth}>${el.clientWidth}`)"
    )
    assert not boxes, f"boxes that scroll sideways: {boxes}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_the_hok_page_reads_on_a_phone_and_saves_a_week(live_server, phone, screenshot):
    page, watch = phone
    ketua = UserFactory(username="siti", email="siti@contoh.id", role=Role.GROUP)
    ketua.set_password(PASSWORD)
    ketua.save()
    application = funded_application(user=ketua, padat_karya=True, plan=(70, 30), members=30)
    tranche = application.tranches.get(number=1)
    first = application.group.members.order_by("pk").first()

    page.goto(live_server.url + "/akun/masuk/")
    page.get_by_label("E-mail atau nomor HP").fill("siti@contoh.id")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.goto(live_server.url + reverse("disbursements:attendance", args=[tranche.pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Daftar hadir")

    _nothing_scrolls_sideways(page)
    # Each member's name is on screen beside their days, not scrolled away from them.
    name = page.get_by_role("rowheader", name=first.name)
    box = name.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360
    boxes = page.locator("tbody tr").first.locator("input[type=checkbox]")
    assert boxes.count() == 7
    for index in range(7):
        checkbox = boxes.nth(index).bounding_box()
        assert checkbox and checkbox["x"] >= 0 and checkbox["x"] + checkbox["width"] <= 360
        assert checkbox["width"] >= 24 and checkbox["height"] >= 24  # a thumb can hit it
    # The save button is in reach on the first screen, not 30 cards down.
    save = page.get_by_role("button", name="Simpan daftar hadir minggu ini").bounding_box()
    assert save and save["y"] + save["height"] <= 740
    screenshot(page, "hok-grid-360")  # the whole page
    page.screenshot(path=str(ARTIFACTS / "hok-grid-360-screen.png"))  # what the phone shows at once

    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="Simpan daftar hadir minggu ini").click()
    expect(page.locator("body")).to_contain_text("HOK")
    assert AttendanceDay.objects.filter(member=first).count() == 2
    _nothing_scrolls_sideways(page)
    watch.assert_clean()
