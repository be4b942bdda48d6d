"""Issue 11 §1, "done when": the ketua's daily path on a 360 × 740 phone, as a person walks it.

Siti logs in, enters her ten members — one NIK typed in groups of four with spaces, one typed twice
by mistake, one cut short — closes the tab before saving and finds every row again in a new one,
saves, is told at the top which rows are wrong, corrects them (sex and birth date follow the
corrected NIK), picks the scheme that fits after seeing why the other one does not, confirms, fills
the proposal and documents and submits. Officers then verify, approve and pay through the services
(their own walks are other tests), and Siti sees on her status page, and in her e-mail, that the
money arrived. A full-page screenshot of each step goes to test-artifacts/browser/ketua-*.png.
"""

import datetime
import re
import time
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from applications import services as application_services
from applications.models import Application
from disbursements import bankfiles
from disbursements import services as disbursement_services
from disbursements.models import Tranche
from groups.models import Member, MemberDraft
from tests.browser.test_journey import _fits_the_phone_in_indonesian, _pdf, _png
from tests.disbursements.conftest import result_file
from tests.factories import (
    GroupFactory,
    PadatKaryaSchemeFactory,
    SchemeFactory,
    SchemeQuotaFactory,
    UserFactory,
    make_nik,
)

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]
PASSWORD = "Kelompok-Maju-2026"
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus"]
MONTHS += ["September", "Oktober", "November", "Desember"]

# Ten members: one ketua, sekretaris and bendahara, the rest anggota; women's NIKs carry day + 40.
MEMBERS = [
    ("Siti Rahmawati", "P", "Ketua", datetime.date(1984, 3, 12)),
    ("Dewi Lestari", "P", "Sekretaris", datetime.date(1990, 7, 1)),
    ("Ahmad Fauzi", "L", "Bendahara", datetime.date(1988, 11, 23)),
    ("Sutrisno", "L", "Anggota", datetime.date(1979, 1, 30)),
    ("Ma'ruf Hidayat", "L", "Anggota", datetime.date(1995, 5, 5)),
    ("Nur Aisyah", "P", "Anggota", datetime.date(1999, 9, 9)),
    ("Cecep Hidayat", "L", "Anggota", datetime.date(1987, 2, 14)),
    ("Dadang Sudrajat", "L", "Anggota", datetime.date(1992, 12, 2)),
    ("Euis Komariah", "P", "Anggota", datetime.date(1993, 4, 17)),
    ("Asep Sunandar", "L", "Anggota", datetime.date(1985, 6, 20)),
]


def _nik(index: int) -> str:
    _name, sex, _role, born = MEMBERS[index]
    return make_nik(district="320412", birth_date=born, sex=sex, serial=index + 1)


def _spaced(nik: str, separator: str = " ") -> str:
    return separator.join(nik[i : i + 4] for i in range(0, 16, 4))


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_the_ketua_walks_her_daily_path_on_a_phone(live_server, phone, screenshot):
    page, watch = phone
    context = page.context
    today = timezone.localdate()

    def step(name: str) -> None:
        _fits_the_phone_in_indonesian(page)
        screenshot(page, f"ketua-{name}")

    # --- The world: Siti's account and group profile, this year's schemes with a quota in Jawa Barat.
    siti = UserFactory(username="siti", email="siti@contoh.id", first_name="Siti", role=Role.GROUP)
    siti.set_password(PASSWORD)
    siti.save()
    group = GroupFactory(user=siti, name="Kelompok Jamur Tiram Sukamaju", year=today.year, regency_id="32.04")
    group.account_number = "0123010004565071"
    group.save()
    window = {"year": today.year, "opens_on": datetime.date(today.year, 1, 1)}
    window["closes_on"] = datetime.date(today.year, 12, 31)
    tkm = SchemeFactory(name=f"TKM {today.year}", members_min=10, members_max=10, amount_per_group=20_000_000, **window)
    padat_karya = PadatKaryaSchemeFactory(name=f"Padat Karya {today.year}", **window)
    for scheme in (tkm, padat_karya):
        SchemeQuotaFactory(scheme=scheme, province_id="32", groups=10)

    # --- Log in ---------------------------------------------------------------------------------
    page.goto(live_server.url + "/akun/masuk/")
    page.get_by_label("E-mail atau nomor HP").fill("siti@contoh.id")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    step("01-login")
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kelompok Jamur Tiram Sukamaju")
    step("02-home")

    # --- Members: one card per member, a NIK typed with spaces, a duplicate, a NIK cut short -------
    page.get_by_role("link", name="Anggota kelompok").click()
    page.get_by_role("link", name="Isi/ubah semua anggota").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Isi anggota kelompok")
    rows = page.locator("details.member-row")
    expect(rows).to_have_count(20)

    def open_row(index: int) -> None:
        if rows.nth(index).get_attribute("open") is None:
            rows.nth(index).locator("summary").click()
        expect(rows.nth(index)).to_have_attribute("open", "")

    def field(index: int, name: str):
        return page.locator(f"[name='members-{index}-{name}']")

    for index, (name, _sex, role, _born) in enumerate(MEMBERS):
        open_row(index)
        if index == 0:  # typed as printed on the KTP, in groups of four: nothing is cut
            field(0, "nik").press_sequentially(_spaced(_nik(0)))
            expect(field(0, "nik")).to_have_value(_spaced(_nik(0)))
            expect(rows.nth(0).locator(".nik-feedback")).to_have_text(
                f"✓ NIK valid: Perempuan, lahir {_long_date(MEMBERS[0][3])}"
            )
        elif index == 7:  # Cecep's NIK again, typed with dots: a mistake the page must name
            field(7, "nik").fill(_spaced(_nik(6), "."))
        elif index == 9:  # a right NIK first (sex and birth date fill in), then cut to 13 digits
            field(9, "nik").press_sequentially(_nik(9))
            expect(field(9, "birth_date")).to_have_value(MEMBERS[9][3].isoformat())
            field(9, "nik").fill(_nik(9)[:13])
            field(9, "nik").press("End")
            expect(rows.nth(9).locator(".nik-feedback")).to_have_text("13/16")
        else:
            field(index, "nik").fill(_nik(index))
        field(index, "name").fill(name)
        if role != "Anggota":
            field(index, "role").select_option(label=role)
        with page.expect_response(lambda response: "/kelompok/anggota/draf/" in response.url):
            field(index, "employment_status").select_option(label="Penganggur")
    expect(rows.nth(0).locator("summary")).to_contain_text("Siti Rahmawati · Ketua")
    step("03-members-typed")

    # --- The tab is closed before saving; a new one has every row back -----------------------------
    assert MemberDraft.objects.filter(group=group).exists()
    page.close()
    page = context.new_page()
    page.on("response", watch.response)
    page.on("console", watch.console)
    page.on("pageerror", lambda error: watch.console_errors.append(f"uncaught: {error}"))
    page.goto(live_server.url + "/kelompok/anggota/semua/")
    rows = page.locator("details.member-row")
    expect(page.get_by_text("Isian yang belum disimpan dipulihkan")).to_be_visible()
    expect(page.locator("[name='members-0-nik']")).to_have_value(_spaced(_nik(0)))
    expect(page.locator("[name='members-9-name']")).to_have_value("Asep Sunandar")
    expect(page.locator("[name='members-5-name']")).to_have_value("Nur Aisyah")
    step("04-new-tab-rows-restored")

    # --- A failed save: the summary at the top names the rows, each a link to its card -------------
    page.get_by_role("button", name="Simpan semua anggota").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_contain_text("2 baris perlu diperbaiki")
    expect(summary.get_by_role("link", name="Baris 8 (Dadang Sudrajat)")).to_be_visible()
    expect(summary.get_by_role("link", name="Baris 10 (Asep Sunandar)")).to_be_visible()
    expect(summary).to_contain_text("NIK ini sama dengan baris 7 (Cecep Hidayat).")
    assert page.evaluate("() => window.scrollY") < 200, "the summary is at the top of the page"
    # No "✓ NIK valid" beside a NIK the server refused.
    expect(rows.nth(7).locator(".nik-feedback")).to_have_text("")
    expect(page.locator("[name='members-9-birth_date']")).to_have_value("")  # nothing stale kept
    step("05-save-failed-summary")
    summary.get_by_role("link", name="Baris 8 (Dadang Sudrajat)").click()
    expect(rows.nth(7)).to_be_in_viewport()
    assert Member.objects.filter(group=group).count() == 0

    # --- Corrected: the derived sex and birth date follow the new NIKs ---------------------------
    page.locator("[name='members-7-nik']").fill("")
    page.locator("[name='members-7-nik']").press_sequentially(_nik(7))
    expect(page.locator("[name='members-7-birth_date']")).to_have_value(MEMBERS[7][3].isoformat())
    rows.nth(9).scroll_into_view_if_needed()
    page.locator("[name='members-9-nik']").fill("")
    page.locator("[name='members-9-nik']").press_sequentially(_spaced(_nik(9), "."))
    expect(page.locator("[name='members-9-birth_date']")).to_have_value(MEMBERS[9][3].isoformat())
    expect(page.locator("[name='members-9-sex']")).to_have_value("L")
    expect(rows.nth(9).locator("text=Saya sudah memeriksa KTP")).to_have_count(0)
    step("06-corrected")
    page.get_by_role("button", name="Simpan semua anggota").click()
    expect(page.get_by_text("Daftar anggota tersimpan.")).to_be_visible()
    expect(page.get_by_text("10 anggota terdaftar.")).to_be_visible()
    step("07-members-saved")
    saved = {member.name: member for member in group.members.all()}
    assert saved["Siti Rahmawati"].nik == _nik(0)  # typed with spaces, stored as 16 digits
    assert (saved["Asep Sunandar"].nik, saved["Asep Sunandar"].birth_date) == (_nik(9), MEMBERS[9][3])
    assert not MemberDraft.objects.filter(group=group).exists()

    # --- The scheme: why Padat Karya does not fit, a confirmation before the draft -----------------
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Buat pengajuan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pilih skema bantuan")
    padat = page.get_by_role("article").filter(has_text=f"Padat Karya {today.year}")
    expect(padat).to_contain_text("Jumlah anggota 10; skema ini mensyaratkan 30 orang.")
    tkm_card = page.get_by_role("article").filter(has_text=f"TKM {today.year}")
    expect(tkm_card).to_contain_text("Sesuai dengan kelompok Anda.")
    step("08-schemes-why-not")
    tkm_card.get_by_role("button", name="Pilih skema ini").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Buat draf pengajuan TKM {today.year}?")
    assert not Application.objects.exists()
    step("09-scheme-confirm")
    page.get_by_role("button", name="Ya, buat draf pengajuan").click()

    # --- Proposal, documents, submit -------------------------------------------------------------
    expect(page.get_by_text(re.compile(r"Draf pengajuan JPS-\d{4}-TKM-32-\d{6} dibuat"))).to_be_visible()
    page.get_by_label("Jenis usaha").fill("Budidaya jamur tiram")
    page.get_by_label("Rencana usaha").fill(
        "Membangun kumbung jamur dan menjual jamur tiram segar ke pasar Dayeuhkolot. Ketua mengatur "
        "pesanan, bendahara mencatat uang, anggota merawat baglog dan memanen."
    )
    page.get_by_label("Nilai yang diajukan (Rp)").fill("20.000.000")
    page.get_by_label("Anggaran peralatan (Rp)").fill("12.000.000")
    page.get_by_label("Anggaran bahan (Rp)").fill("8.000.000")
    page.get_by_role("button", name="Simpan dan lanjut ke dokumen").click()
    expect(page.get_by_text("Proposal disimpan.")).to_be_visible()
    for kind, name, mime, content in [
        ("Proposal", "proposal.pdf", "application/pdf", _pdf()),
        ("SK pembentukan kelompok", "sk.pdf", "application/pdf", _pdf()),
        ("Halaman buku tabungan", "tabungan.png", "image/png", _png()),
    ]:
        page.get_by_label("Jenis dokumen").select_option(label=kind)
        page.get_by_label("Berkas", exact=True).set_input_files({"name": name, "mimeType": mime, "buffer": content})
        page.get_by_role("button", name="Unggah").click()
        expect(page.get_by_text(f"“{name}” diunggah.")).to_be_visible()
    step("10-documents")
    page.get_by_role("link", name="Selesai", exact=True).click()
    page.get_by_role("button", name="Ajukan sekarang").click()
    expect(page.locator("main .badge").first).to_have_text("Diajukan")
    step("11-submitted")

    # --- Officers verify, approve and pay (their own walks are other tests) -------------------------
    application = Application.objects.get()
    verifier = UserFactory(username="budi", role=Role.VERIFIER)
    verifier.scope_provinces.add("32")
    approver = UserFactory(username="rahmat", role=Role.APPROVER, scope_national=True)
    finance = UserFactory(username="wulan", role=Role.FINANCE, scope_national=True)
    application_services.application_verify(application=application, by=verifier)
    application_services.application_approve(application=application, by=approver)
    batch = disbursement_services.payment_batch_create(tranches=Tranche.objects.payable(), by=finance)
    batch = disbursement_services.payment_batch_export(batch=batch, by=finance)
    rows_paid = [
        {
            "payment_reference": line.payment_reference,
            "status": "paid",
            "reason_code": "",
            "transfer_date": today.isoformat(),
            "bank_transaction_id": f"TX{line.pk:010d}",
            "amount": line.amount,
        }
        for line in batch.lines.all()
    ]
    disbursement_services.bank_results_import(
        rows=bankfiles.read_bank_results(result_file(rows_paid)), file_name="hasil.csv", by=finance
    )

    # --- Siti sees the money arrived: on the status page, and by e-mail ----------------------------
    page.reload()
    notice = page.locator(".paid-notice")
    expect(notice).to_have_text(
        "Dana tahap 1 Rp20.000.000 telah ditransfer ke rekening Bank Rakyat Indonesia (BRI) ****5071 "
        f"pada {_long_date(today)}."
    )
    table = page.locator("table.stack")
    expect(table).to_contain_text("Rp20.000.000")
    expect(table).to_contain_text("Dibayar")
    widths = table.evaluate("t => [t.scrollWidth, t.parentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the tranche table is {widths[0]}px in a {widths[1]}px box"
    for cell in (table.locator("td.money").first, table.locator(".badge").first):  # money and status on screen
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 360, f"cut off at 360 px: {box}"
    step("12-status-paid")

    deadline = time.monotonic() + 5
    while not [m for m in mail.outbox if "telah ditransfer" in m.subject] and time.monotonic() < deadline:
        time.sleep(0.05)
    [paid_mail] = [m for m in mail.outbox if "telah ditransfer" in m.subject]
    assert paid_mail.to == ["siti@contoh.id"]
    assert re.search(rf"https?://[^/\s]+/pengajuan/{application.pk}/", paid_mail.body)
    watch.assert_clean()
