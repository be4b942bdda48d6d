"""Benchmark: the page weight of the ketua's journey, as a phone downloads it on a first visit.

    .venv/bin/python bench/page_weight.py

A throwaway test database (as pytest makes one: in-memory SQLite, or test_<name> on PostgreSQL when
DATABASE_URL says so) is filled step by step with the journey's data, a live server answers, and
Debian's chromium (Playwright, 360 × 740, cache disabled) loads each page. Every response of a page
load is counted, grouped as HTML, CSS, JS and other (images, fetch): the bytes of the body as sent by
this server (no compression), and gzipped (level 6) — roughly what a compressing front server or
WhiteNoise sends in production. Headers are not counted.
"""

import datetime
import gzip
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
KINDS = ("HTML", "CSS", "JS", "other")


@dataclass
class PageWeight:
    name: str
    path: str
    raw: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    gzipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    requests: int = 0
    heading: str = ""


def _kind(resource_type: str) -> str:
    return {"document": "HTML", "stylesheet": "CSS", "script": "JS"}.get(resource_type, "other")


def main() -> None:
    if not Path(CHROMIUM).exists():
        sys.exit(f"needs Debian's chromium at {CHROMIUM}")
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps_portal.settings_test")
    # Playwright's sync API keeps an event loop in this thread, where the data is also made.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    import django

    django.setup()
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        weights = _measure()
    finally:
        teardown_databases(old_config, verbosity=0)
    _print(weights)


def _measure() -> list[PageWeight]:
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.utils import timezone
    from playwright.sync_api import sync_playwright
    from pytest_django.live_server_helper import LiveServer

    from accounts.models import Role
    from applications import services
    from applications.models import Application
    from tests.factories import GroupFactory, SchemeFactory, UserFactory, add_members

    server = LiveServer("localhost")
    server._live_server_modified_settings.enable()
    weights: list[PageWeight] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="id-ID"
            )
            page = context.new_page()
            # Every page as on a first visit: the stylesheet and script are counted on each one.
            context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
            current: list[PageWeight] = []

            def count(response: object) -> None:
                if not current or response.status != 200:
                    return
                body = response.body()
                kind = _kind(response.request.resource_type)
                current[-1].raw[kind] += len(body)
                current[-1].gzipped[kind] += len(gzip.compress(body, compresslevel=6))
                current[-1].requests += 1

            page.on("response", count)

            def load(name: str, path: str) -> None:
                current.append(PageWeight(name, path))
                page.goto(server.url + path, wait_until="networkidle")
                current[-1].heading = page.locator("h1").first.inner_text()
                weights.append(current.pop())

            load("Beranda (publik)", "/")
            load("Daftar akun", "/akun/daftar/")
            load("Masuk", "/akun/masuk/")

            # A ketua with a group profile and no members yet, logged in through a session cookie.
            today = timezone.localdate()
            user = UserFactory(username="siti", first_name="Siti", role=Role.GROUP)
            group = GroupFactory(user=user, year=today.year, name="Kelompok Usaha Maju Bersama")
            scheme = SchemeFactory(
                name=f"TKM {today.year}",
                year=today.year,
                opens_on=datetime.date(today.year, 1, 1),
                closes_on=datetime.date(today.year, 12, 31),
            )
            client = Client()
            client.force_login(user)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": server.url}])

            load("Profil kelompok", "/kelompok/profil/")
            load("Isi 20 anggota (formulir)", "/kelompok/anggota/semua/")
            add_members(group, 20)
            load("Daftar anggota (20)", "/kelompok/anggota/")
            load("Beranda ketua", "/")
            load("Pilih skema", "/pengajuan/baru/")

            application = services.application_start(group=group, scheme=scheme, by=user)
            load("Proposal", f"/pengajuan/{application.pk}/ubah/")
            services.application_proposal_update(
                application=application,
                by=user,
                business_type="Konveksi",
                business_plan="Menjahit seragam sekolah.",
                requested_amount=scheme.amount_per_group,
                equipment_budget=24_000_000,
                materials_budget=scheme.amount_per_group - 24_000_000,
            )
            pdf = b"%PDF-1.4\n%%EOF\n"
            for kind in ("proposal", "sk", "bank_book"):
                upload = SimpleUploadedFile(f"{kind}.pdf", pdf, content_type="application/pdf")
                services.document_add(application=application, kind=kind, upload=upload, by=user)
            load("Dokumen (3 diunggah)", f"/pengajuan/{application.pk}/dokumen/")
            load("Status (draf, kelengkapan)", f"/pengajuan/{application.pk}/")
            services.application_submit(application=Application.objects.get(pk=application.pk), by=user)
            load("Status (diajukan)", f"/pengajuan/{application.pk}/")
            browser.close()
    finally:
        server._live_server_modified_settings.disable()
        server.stop()
    return weights


def _kb(size: int) -> str:
    return f"{size / 1024:.1f}"


def _print(weights: list[PageWeight]) -> None:
    header = f"{'Halaman':<28} {'HTML':>7} {'CSS':>6} {'JS':>6} {'lain':>6} {'total':>7} {'gzip':>6} {'req':>4}  h1"
    print("Berat halaman (KB, kunjungan pertama, tanpa cache; gzip = perkiraan terkirim terkompresi)")
    print(header)
    print("-" * len(header))
    for weight in weights:
        raw = weight.raw
        print(
            f"{weight.name:<28} {_kb(raw['HTML']):>7} {_kb(raw['CSS']):>6} {_kb(raw['JS']):>6} "
            f"{_kb(raw['other']):>6} {_kb(sum(raw.values())):>7} {_kb(sum(weight.gzipped.values())):>6} "
            f"{weight.requests:>4}  {weight.heading[:32]}"
        )
    heaviest = max(weights, key=lambda weight: sum(weight.raw.values()))
    print(
        f"\nTerberat: {heaviest.name} ({heaviest.path}), {_kb(sum(heaviest.raw.values()))} KB "
        f"({_kb(sum(heaviest.gzipped.values()))} KB gzip)."
    )


if __name__ == "__main__":
    main()
