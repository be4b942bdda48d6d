"""Benchmark: does the time a refused login takes tell whether the account exists?

    .venv/bin/python bench/login_timing.py [--rounds 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jps_e_bench_login .venv/bin/python bench/login_timing.py

Real settings (``jps_portal.settings``: the production password hasher, django-axes on), a throwaway
database (in-memory SQLite, or ``<name>_run`` on PostgreSQL when DATABASE_URL names ``<name>``;
dropped at the end). A ketua with an e-mail address and a phone number, and a staff user, exist. Each round
posts a wrong password once for each case below, in turn (so a slower moment of the machine hits every
case alike), through Django's test client and the whole middleware stack: the login forms at
``/akun/masuk/`` and ``/admin/login/``, each with a login that exists and one that does not. Each post
comes from its own address, so the lockout (5 per login + address, 50 per address) never answers
instead of the password check. Prints median and p95 per case and the known / unknown ratio of the
medians: near 1.00 means the timing tells nothing.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "Benar-sekali-2026"
# (label, url, login of an existing account, login of none)
CASES = [
    ("portal, username", "/akun/masuk/", "ketua_bench", "tidak_ada_bench"),
    ("portal, e-mail", "/akun/masuk/", "ketua.bench@example.id", "tidak.ada@example.id"),
    ("portal, HP", "/akun/masuk/", "0812 3456 7890", "0812 9999 0000"),
    ("admin, username", "/admin/login/", "verifikator_bench", "tidak_ada_staf"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="posts per case and login (default 20, at most 200)")
    rounds = min(max(parser.parse_args().rounds, 3), 200)
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jps_portal.settings")

    import logging

    import django

    django.setup()
    # One log line per refused login (django-axes) would bury the figures.
    logging.disable(logging.CRITICAL)
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    if connection.vendor != "sqlite":
        # The throwaway database is named after DATABASE_URL's (…_bench_login → …_bench_login_run),
        # not test_<name>, so that it stays inside the names a benchmark may use.
        connection.settings_dict["TEST"]["NAME"] = f"{connection.settings_dict['NAME']}_run"
    setup_test_environment()
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        _make_accounts()
        timings = _measure(rounds)
    finally:
        teardown_databases(old_config, verbosity=0)
    hasher = settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1]
    print(f"Refused logins (wrong password), {rounds} rounds, hasher {hasher}, database {_engine()}; ms per request")
    print(f"{'case':<18} {'login':<8} {'median':>8} {'p95':>8}")
    for label, _url, _known, _unknown in CASES:
        known, unknown = timings[(label, "known")], timings[(label, "unknown")]
        for kind, values in (("known", known), ("unknown", unknown)):
            print(f"{label:<18} {kind:<8} {statistics.median(values):8.1f} {_p95(values):8.1f}")
        print(f"{label:<18} {'ratio':<8} {statistics.median(known) / statistics.median(unknown):8.2f}")


def _make_accounts() -> None:
    from django.contrib.auth.models import Group as AuthGroup

    from accounts.models import Role, User
    from accounts.roles import roles_sync

    roles_sync()
    ketua = User.objects.create_user(
        username="ketua_bench", email="ketua.bench@example.id", phone="081234567890", password=PASSWORD
    )
    ketua.groups.add(AuthGroup.objects.get(name=Role.GROUP.value))
    staff = User.objects.create_user(username="verifikator_bench", password=PASSWORD, is_staff=True)
    staff.groups.add(AuthGroup.objects.get(name=Role.VERIFIER.value))


def _measure(rounds: int) -> dict[tuple[str, str], list[float]]:
    from django.test import Client

    client = Client()
    timings: dict[tuple[str, str], list[float]] = {}
    address = 0
    for _round in range(rounds):
        for label, url, known, unknown in CASES:
            for kind, login in (("known", known), ("unknown", unknown)):
                address += 1
                remote = f"10.{address // 65536 % 256}.{address // 256 % 256}.{address % 256}"
                started = time.perf_counter()
                response = client.post(url, {"username": login, "password": "salah-kata-sandi"}, REMOTE_ADDR=remote)
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    sys.exit(f"{label} {kind}: expected the form again (200), got {response.status_code}")
                timings.setdefault((label, kind), []).append(elapsed)
    return timings


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _engine() -> str:
    from django.db import connection

    return connection.vendor


if __name__ == "__main__":
    main()
