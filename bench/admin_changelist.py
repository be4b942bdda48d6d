"""Benchmark: officers' admin lists and searches at national scale on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_bench .venv/bin/python bench/build_national_dataset.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_bench .venv/bin/python bench/admin_changelist.py

Needs the national dataset (the first command). Requests go through Django's test client in this
process (the full middleware, admin and template stack, no network), as a national officer and as a
Jawa Barat verifier. Printed per page: p50 / p95 in ms and queries per request. Measured in the same
run as baselines: what the capped paginator saves (a full COUNT(*) of the filtered list and of the
members table) and the search the admin would do by default for ``=nik`` (``nik iexact``, which
cannot use the index) against our exact match.
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> None:
    args = _arguments()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to the PostgreSQL database built by bench/build_national_dataset.py")
    _django_setup()

    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from applications.models import Application
    from groups.models import Member

    members = Member.objects.count()
    if members < 100_000:
        sys.exit(f"Only {members:,} members: build the national dataset first (see the docstring).")
    national, west_java = _officers()
    niks = list(Member.objects.order_by("?").values_list("nik", flat=True)[: args.requests])
    references = list(Application.objects.order_by("?").values_list("reference", flat=True)[: args.requests])
    print(f"dataset: {members:,} members, {Application.objects.count():,} applications")
    print(f"{'page':<58} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")

    applications = "/admin/applications/application/"
    east_java_tkm = f"{applications}?scheme__year=2020&scheme__programme=TKM&province=35&p=5"
    pages: list[tuple[str, object, Callable[[int], str]]] = [
        ("application list, national officer", national, lambda i: applications),
        ("application list, Jawa Barat verifier", west_java, lambda i: applications),
        ("  filtered: status=submitted, province=32", national, lambda i: f"{applications}?status=submitted&province=32"),  # noqa: E501
        ("  filtered: open flags", national, lambda i: f"{applications}?flags=open"),
        ("  filtered: 2020 TKM, Jawa Timur, page 5", national, lambda i: east_java_tkm),
        ("  search: exact NIK", national, lambda i: f"{applications}?q={niks[i % len(niks)]}"),
        ("  search: reference (lower case)", national, lambda i: f"{applications}?q={references[i % len(references)].lower()}"),  # noqa: E501
        ("  search: group name word", national, lambda i: f"{applications}?q=Makmur"),
        ("member list (1M rows), national officer", national, lambda i: "/admin/groups/member/"),
        ("  member search: exact NIK", national, lambda i: f"/admin/groups/member/?q={niks[i % len(niks)]}"),
        ("application change page (20 members + flags)", west_java, lambda i: _change_url(i)),
    ]  # fmt: skip
    for label, user, url_of in pages:
        client = Client()
        client.force_login(user)
        timings, queries = [], 0
        for i in range(args.warmup + args.requests):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url_of(i))
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                sys.exit(f"{label}: HTTP {response.status_code} for {url_of(i)}")
            if i >= args.warmup:
                timings.append(elapsed)
                queries = len(captured)
        print(f"{label:<58} {_percentile(timings, 50):>8.1f} {_percentile(timings, 95):>8.1f} {queries:>8}")

    print("\nbaselines measured in the same run:")
    _baseline("full COUNT(*) of applications (what the capped paginator skips)", lambda: Application.objects.count())
    _baseline("full COUNT(*) of members (what the capped paginator skips)", lambda: Member.objects.count())
    _baseline(
        "default '=nik' admin search: nik iexact (no index)",
        lambda: list(Member.objects.filter(nik__iexact=niks[0]).values_list("pk", flat=True)),
        against=("our exact NIK match", lambda: list(Member.objects.filter(nik=niks[0]).values_list("pk", flat=True))),
    )


_change_urls: list[str] = []


def _change_url(i: int) -> str:
    if not _change_urls:
        from applications.models import Application

        ids = Application.objects.filter(province_id="32").order_by("?").values_list("pk", flat=True)[:50]
        _change_urls.extend(f"/admin/applications/application/{pk}/change/" for pk in ids)
    return _change_urls[i % len(_change_urls)]


def _officers() -> tuple[object, object]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group as AuthGroup

    from accounts.models import Role

    user_model = get_user_model()
    national, _ = user_model.objects.get_or_create(
        username="bench-national", defaults={"is_staff": True, "scope_national": True}
    )
    west_java, created = user_model.objects.get_or_create(username="bench-jabar", defaults={"is_staff": True})
    for user in (national, west_java):
        user.groups.add(AuthGroup.objects.get(name=Role.VERIFIER.value))
    if created:
        west_java.scope_provinces.add("32")
    return national, west_java


def _baseline(label: str, run: Callable[[], object], against: tuple[str, Callable[[], object]] | None = None) -> None:
    seconds = _best_of(run)
    line = f"  {label}: {seconds * 1000:.1f} ms"
    if against:
        ours = _best_of(against[1])
        line += f"; {against[0]}: {ours * 1000:.2f} ms; ratio {seconds / ours:.0f}×"
    print(line)


def _best_of(run: Callable[[], object], times: int = 5) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def _percentile(values: list[float], percent: int) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=3)
    return parser.parse_args()


def _django_setup() -> None:
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps_portal.settings")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    import logging

    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)  # one line per test-client login otherwise


if __name__ == "__main__":
    main()
