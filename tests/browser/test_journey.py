"""The issue's "done when", as a person would do it on a phone:

    A person who has never seen the portal can, on a phone-sized browser, register a group, add 20
    members, apply for TKM with documents and follow its status, in Indonesian, without help.

Everything is done through the pages, by the Indonesian text a person reads on them (the 20 member
rows are found by their field names, as a person tabs through them). The only shortcut is the
activation e-mail: the live server runs in a thread of this process, so the message is read from
Django's outbox instead of an inbox. A full-page screenshot of each step goes to
test-artifacts/browser/.
"""

import datetime
import re
import struct
import time
import zlib
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from applications.models import Application
from groups.models import Member
from tests.factories import SchemeFactory, make_nik

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (CI installs it)"),
]

# The members: one ketua, one sekretaris, one bendahara, the rest anggota; women's NIKs carry day + 40.
# A single-word name and a name with an apostrophe, as they appear on real KTPs.
MEMBERS = [
    ("Siti Rahmawati", Member.Sex.FEMALE, "Ketua"),
    ("Dewi Lestari", Member.Sex.FEMALE, "Sekretaris"),
    ("Ahmad Fauzi", Member.Sex.MALE, "Bendahara"),
    ("Sutrisno", Member.Sex.MALE, "Anggota"),
    ("Ma'ruf Hidayat", Member.Sex.MALE, "Anggota"),
    ("Nur Aisyah", Member.Sex.FEMALE, "Anggota"),
    ("Budi Santoso", Member.Sex.MALE, "Anggota"),
    ("Agus Salim", Member.Sex.MALE, "Anggota"),
    ("Rudi Hartono", Member.Sex.MALE, "Anggota"),
    ("Joko Susilo", Member.Sex.MALE, "Anggota"),
    ("Eko Prasetyo", Member.Sex.MALE, "Anggota"),
    ("Hendra Gunawan", Member.Sex.MALE, "Anggota"),
    ("Yusuf Maulana", Member.Sex.MALE, "Anggota"),
    ("Andi Saputra", Member.Sex.MALE, "Anggota"),
    ("Bayu Nugroho", Member.Sex.MALE, "Anggota"),
    ("Dedi Kurniawan", Member.Sex.MALE, "Anggota"),
    ("Fajar Ramadhan", Member.Sex.MALE, "Anggota"),
    ("Gilang Pratama", Member.Sex.MALE, "Anggota"),
    ("Irfan Hakim", Member.Sex.MALE, "Anggota"),
    ("Wahyu Setiawan", Member.Sex.MALE, "Anggota"),
]
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus"]
MONTHS += ["September", "Oktober", "November", "Desember"]


def _pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table: small, but a real PDF."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _png() -> bytes:
    """A 1×1 grey PNG, built by hand (no Pillow)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1×1, 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x80")) + chunk(b"IEND", b"")
    )


def _wait_for_mail(count: int, seconds: float = 5) -> None:
    """The live server sends the e-mail after its transaction commits, in its own thread."""
    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(mail.outbox) >= count, "the activation e-mail was not sent"


def _fits_the_phone_in_indonesian(page: Page) -> None:
    """The page is in Indonesian and nothing sticks out sideways (wide tables scroll in their own box)."""
    assert page.locator("html").get_attribute("lang") == "id", page.url
    scroll_width, client_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll_width <= client_width, f"{page.url} is {scroll_width}px wide on a {client_width}px screen"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_a_newcomer_registers_a_group_adds_20_members_applies_for_tkm_and_follows_its_status(
    live_server, phone, screenshot
):
    page, watch = phone

    def step(name: str) -> None:
        _fits_the_phone_in_indonesian(page)
        screenshot(page, name)

    today = timezone.localdate()
    # The TKM scheme of this year is open (an officer's job, outside this journey).
    SchemeFactory(
        name=f"TKM {today.year}",
        year=today.year,
        opens_on=datetime.date(today.year, 1, 1),
        closes_on=datetime.date(today.year, 12, 31),
        members_min=20,
        members_max=20,
        amount_per_group=40_000_000,
    )

    # --- Register, activate from the e-mail -------------------------------------------------------
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bantuan JPS Kemnaker untuk kelompok masyarakat")
    step("01-home-public")
    page.get_by_role("link", name="Daftar sebagai ketua kelompok").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Daftar akun kelompok")
    page.get_by_label("Nama lengkap ketua kelompok").fill("Siti Rahmawati")
    page.get_by_label("Alamat e-mail").fill("siti.rahmawati@contoh.id")
    page.get_by_label("Nomor HP").fill("0812-3456-7890")
    page.get_by_label("Kata sandi", exact=True).fill("Kelompok-Maju-2026")
    page.get_by_label("Ulangi kata sandi").fill("Kelompok-Maju-2026")
    step("02-register-filled")
    page.get_by_role("button", name="Daftar", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa e-mail Anda")
    expect(page.get_by_text("siti.rahmawati@contoh.id")).to_be_visible()
    step("03-check-email")

    _wait_for_mail(1)
    message = mail.outbox[-1]
    assert message.to == ["siti.rahmawati@contoh.id"]
    assert "Aktifkan akun" in message.body
    link = re.search(r"https?://\S+/verifikasi/\S+/", message.body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Aktifkan akun Anda")
    step("04-activate")
    page.get_by_role("button", name="Aktifkan akun").click()

    expect(page.get_by_text("Akun Anda sudah aktif. Selamat datang di Portal JPS!")).to_be_visible()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()  # logged in
    expect(page.get_by_role("heading", level=1)).to_have_text("Selamat datang")
    step("05-home-logged-in")

    # --- The group's profile: province → regency refreshes live ----------------------------------
    page.get_by_role("link", name="Isi profil kelompok").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Profil kelompok")
    page.get_by_label("Nama kelompok").fill("Kelompok Usaha Maju Bersama")
    page.get_by_label("Provinsi").select_option(label="Jawa Barat")
    # The regency list is filled by JavaScript from the province (names without codes); select_option
    # waits for the option to arrive.
    page.get_by_label("Kabupaten/kota").select_option(label="Kabupaten Bandung")
    page.get_by_label("Desa/kelurahan").fill("Dayeuhkolot")
    page.get_by_label("Alamat", exact=True).fill("Jl. Raya Dayeuhkolot No. 12, RT 03/RW 05")
    page.get_by_label("Nomor HP kelompok").fill("0812 3456 7890")
    page.get_by_label("Bank", exact=True).select_option(label="Bank Rakyat Indonesia (BRI)")
    page.get_by_label("Nomor rekening").fill("0123-01-000456-50-7")
    page.get_by_label("Nama pemilik rekening").fill("Kelompok Usaha Maju Bersama")
    step("06-profile-filled")
    page.get_by_role("button", name="Simpan profil").click()

    # --- Twenty members on one page --------------------------------------------------------------
    expect(page.get_by_text("Profil kelompok tersimpan. Sekarang isi daftar anggota.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Isi anggota kelompok")
    rows = page.locator("details.member-row")
    expect(rows).to_have_count(20)
    # One folded card per member on a phone: the first is open, a tap on its summary opens the next.
    expect(rows.nth(0)).to_have_attribute("open", "")
    expect(rows.nth(1)).not_to_have_attribute("open", "")

    # A wrong NIK first: the date part 32-13 is no date. The message is in Indonesian, before saving.
    first_nik = page.locator("[name='members-0-nik']")
    first_feedback = rows.nth(0).locator(".nik-feedback")
    first_nik.press_sequentially("3204123213800001")
    expect(first_feedback).to_have_text("Tanggal lahir pada NIK (angka ke-7 sampai ke-12) tidak valid.")
    step("07-members-wrong-nik")

    births = [datetime.date(today.year - 24 - i, 1 + i % 12, 1 + (i * 3) % 28) for i in range(len(MEMBERS))]
    for index, ((name, sex, role), born) in enumerate(zip(MEMBERS, births, strict=True)):
        row = f"members-{index}"
        if rows.nth(index).get_attribute("open") is None:
            rows.nth(index).locator("summary").click()
        page.locator(f"[name='{row}-nik']").fill(
            make_nik(district="320412", birth_date=born, sex=sex, serial=index + 1)
        )
        page.locator(f"[name='{row}-name']").fill(name)
        if role != "Anggota":  # "Anggota" is already chosen
            page.locator(f"[name='{row}-role']").select_option(label=role)
        status = "Korban PHK" if index % 5 == 4 else "Penganggur"
        page.locator(f"[name='{row}-employment_status']").select_option(label=status)

    # Every NIK is checked as it is typed, and sex and birth date are filled in from it.
    for index in range(len(MEMBERS)):
        expect(rows.nth(index).locator(".nik-feedback")).to_contain_text("✓ NIK valid")
    siti_born = births[0]
    expect(first_feedback).to_have_text(
        f"✓ NIK valid: Perempuan, lahir {siti_born.day} {MONTHS[siti_born.month - 1]} {siti_born.year}"
    )
    expect(page.locator("[name='members-0-sex']")).to_have_value("P")
    expect(page.locator("[name='members-0-birth_date']")).to_have_value(siti_born.isoformat())
    expect(page.locator("[name='members-2-sex']")).to_have_value("L")
    step("08-members-filled")
    page.get_by_role("button", name="Simpan semua anggota").click()

    expect(page.get_by_text("Daftar anggota tersimpan.")).to_be_visible()
    expect(page.get_by_text("20 anggota terdaftar.")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(20)
    expect(page.get_by_role("cell", name="Ma'ruf Hidayat")).to_be_visible()
    expect(page.get_by_role("cell", name="Sutrisno")).to_be_visible()
    step("09-members-list")

    # --- Apply for TKM -------------------------------------------------------------------------
    page.get_by_role("link", name="Kembali ke beranda").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kelompok Usaha Maju Bersama")
    expect(page.get_by_text("20 orang")).to_be_visible()
    step("10-home-checklist")
    page.get_by_role("link", name="Buat pengajuan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Pilih skema bantuan")
    expect(page.get_by_role("heading", name=f"TKM {today.year}")).to_be_visible()
    step("11-scheme-list")
    page.get_by_role("button", name="Pilih skema ini").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Buat draf pengajuan TKM {today.year}?")
    page.get_by_role("button", name="Ya, buat draf pengajuan").click()

    expect(page.get_by_text(re.compile(r"Draf pengajuan JPS-\d{4}-TKM-32-\d{6} dibuat"))).to_be_visible()
    page.get_by_label("Jenis usaha").fill("Konveksi")
    page.get_by_label("Rencana usaha").fill(
        "Menjahit seragam sekolah dan kaos untuk pasar Dayeuhkolot dan sekolah di sekitarnya. "
        "Ketua mengatur pesanan, bendahara mencatat uang, anggota menjahit dan mengemas."
    )
    page.get_by_label("Nilai yang diajukan (Rp)").fill("40.000.000")
    page.get_by_label("Anggaran peralatan (Rp)").fill("24.000.000")
    page.get_by_label("Anggaran bahan (Rp)").fill("16.000.000")
    step("12-proposal-filled")
    page.get_by_role("button", name="Simpan dan lanjut ke dokumen").click()

    expect(page.get_by_text("Proposal disimpan.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dokumen")

    def upload(kind: str, name: str, mime_type: str, content: bytes) -> None:
        page.get_by_label("Jenis dokumen").select_option(label=kind)
        page.get_by_label("Berkas", exact=True).set_input_files(
            {"name": name, "mimeType": mime_type, "buffer": content}
        )
        page.get_by_role("button", name="Unggah").click()

    # A text file called .pdf is refused by its content, in Indonesian.
    upload("Proposal", "proposal.pdf", "application/pdf", b"Ini bukan PDF, hanya catatan biasa.\n")
    expect(page.get_by_text("Isi berkas bukan PDF, JPG atau PNG.")).to_be_visible()
    expect(page.get_by_text("Berkas belum diunggah. Lihat pesan di bawah.")).to_be_visible()
    step("13-documents-refused")

    upload("Proposal", "proposal-konveksi.pdf", "application/pdf", _pdf())
    expect(page.get_by_text("Proposal “proposal-konveksi.pdf” diunggah.")).to_be_visible()
    upload("SK pembentukan kelompok", "sk-kelompok.pdf", "application/pdf", _pdf())
    expect(page.get_by_text("SK pembentukan kelompok “sk-kelompok.pdf” diunggah.")).to_be_visible()
    upload("Halaman buku tabungan", "buku-tabungan.png", "image/png", _png())
    expect(page.get_by_text("Halaman buku tabungan “buku-tabungan.png” diunggah.")).to_be_visible()
    required = page.get_by_role("region", name="Dokumen wajib")
    expect(required.get_by_text("sudah diunggah")).to_have_count(3)
    expect(required.get_by_text("belum ada")).to_have_count(0)
    step("14-documents-uploaded")

    page.get_by_role("link", name="Selesai", exact=True).click()
    expect(page.get_by_role("heading", name="Kelengkapan pengajuan")).to_be_visible()
    expect(page.get_by_text("belum lengkap")).to_have_count(0)
    step("15-ready-to-submit")
    page.get_by_role("button", name="Ajukan sekarang").click()

    # --- Follow the status --------------------------------------------------------------------------
    expect(page.get_by_text(re.compile(r"Pengajuan JPS-\d{4}-TKM-32-\d{6} telah diajukan"))).to_be_visible()
    expect(page.locator("main .badge").first).to_have_text("Diajukan")
    timeline = page.locator("ol.timeline > li")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(0)).to_contain_text("Draf dibuat")
    expect(timeline.nth(1)).to_contain_text("Diajukan")
    expect(timeline.nth(1)).to_contain_text("oleh kelompok")
    step("16-status-submitted")

    page.get_by_role("link", name="Beranda", exact=True).click()
    expect(page.locator("ol.steps .badge")).to_have_text("Diajukan")
    step("17-home-status")
    page.get_by_role("link", name=re.compile(r"Pengajuan JPS-")).click()
    expect(page.get_by_role("heading", name="Riwayat status")).to_be_visible()

    watch.assert_clean()
    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED
    members = {member.name: member for member in application.group.members.all()}
    assert len(members) == 20
    # What the NIK said, as the JavaScript filled it in, is what was saved.
    assert members["Nur Aisyah"].sex == Member.Sex.FEMALE
    assert members["Ma'ruf Hidayat"].birth_date == births[4]
    assert members["Siti Rahmawati"].role == Member.Role.KETUA
    assert application.documents.count() == 3
