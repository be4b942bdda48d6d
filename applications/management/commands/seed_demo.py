"""``manage.py seed_demo``: the deterministic 2020 demo dataset, and one login per role."""

from argparse import ArgumentParser

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from applications.demo_data import (
    DEFAULT_NATIONAL_GROUPS,
    BuildResult,
    Dataset,
    DemoLogin,
    Scale,
    build_demo_dataset,
    ensure_demo_logins,
)


class Command(BaseCommand):
    help = (
        "Build the 2020 demo data: schemes, the 1,000 launch groups (or --scale national: tens of "
        "thousands more over 34 provinces), members, applications and status history; then one login "
        "per role. Same seed, same data. Does nothing if the demo groups exist already."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--seed", type=int, default=2020, help="Seed for every generated value (default 2020).")
        parser.add_argument("--scale", choices=[s.value for s in Scale], default=Scale.LAUNCH.value)
        parser.add_argument(
            "--groups",
            type=int,
            default=None,
            help=f"National scale only: groups added on top of the launch ones (default {DEFAULT_NATIONAL_GROUPS:,}).",
        )
        parser.add_argument(
            "--dataset",
            choices=[d.value for d in Dataset],
            default=Dataset.LAUNCH.value,
            help="launch: the 1,000 launch groups (default); berita-2020: the 2 October 2020 report "
            "(TKM 1,985 groups / 39,700 people, Padat Karya 1,091 / 21,820), all approved.",
        )
        parser.add_argument("--no-users", action="store_true", help="Do not create the demo logins.")

    def handle(self, *args: object, **options: object) -> None:
        # The logins have published passwords: never on a production database.
        if getattr(settings, "IS_PRODUCTION", False):
            raise CommandError("seed_demo refuses to run with DJANGO_ENV=production.")
        scale = Scale(options["scale"])
        groups = options["groups"]
        if groups is not None and (scale != Scale.NATIONAL or groups < 0):
            raise CommandError("--groups needs --scale national and a number ≥ 0.")
        dataset = Dataset(options["dataset"])
        if dataset != Dataset.LAUNCH and scale != Scale.LAUNCH:
            raise CommandError("--dataset berita-2020 has its own size; leave --scale out.")
        try:
            result = build_demo_dataset(
                seed=options["seed"],
                scale=scale,
                national_groups=DEFAULT_NATIONAL_GROUPS if groups is None else groups,
                progress=options["verbosity"] >= 1,
                dataset=dataset,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self._report(result, seed=options["seed"], scale=scale)
        if not options["no_users"]:
            self._report_logins(ensure_demo_logins())
        if result.created:
            self._schedule_tranches()
            self._seed_after_the_money()
            self._seed_voices()
            self._refresh_tallies()

    def _schedule_tranches(self) -> None:
        """The demo's approved applications get their tranches, as an approval in the admin would give
        them, so finance has payable tahap 1 to batch. Looked up by name, like the tallies below."""
        created = import_string("disbursements.services.tranches_create_missing")(by=None)
        self.stdout.write(f"Tranches scheduled for approved applications: {created:,}.")

    def _seed_after_the_money(self) -> None:
        """The launch training event (and what later apps add after the grant), looked up by name:
        those apps depend on applications, never the reverse."""
        if apps.is_installed("training"):
            result = import_string("training.demo.launch_event_seed")()
            if result.created:
                self.stdout.write(
                    f"Launch training event: {result.invited:,} groups invited, "
                    f"{result.offline:,} offline / {result.online:,} online."
                )
        if apps.is_installed("mentoring"):
            mentoring = import_string("mentoring.demo.mentoring_demo_seed")()
            if mentoring.created:
                self.stdout.write(
                    f"Mentoring: pendamping's caseload {mentoring.caseload:,} groups in {mentoring.regency}, "
                    "one done visit with a problem to follow up."
                )
        if apps.is_installed("outcomes"):
            outcomes = import_string("outcomes.demo.outcomes_demo_seed")()
            if outcomes.created:
                self.stdout.write(
                    f"Outcomes: tahap 1 paid to {outcomes.paid:,} caseload groups (15 Oct 2020), "
                    f"{outcomes.rounds:,} monitoring rounds; group {outcomes.group_id} reported 3 and 6 months "
                    "(two extra workers)."
                )

    def _seed_voices(self) -> None:
        """The public's objections and complaints (grievances, looked up by name: it depends on
        applications, never the reverse)."""
        if apps.is_installed("grievances"):
            result = import_string("grievances.demo.grievances_demo_seed")()
            if result.created:
                self.stdout.write(
                    f"Grievances: {result.tickets} tickets (an objection, a payment complaint, an anonymous "
                    "pungli report seen only by the integritas login)."
                )

    def _refresh_tallies(self) -> None:
        """The directors' dashboard reads precomputed tallies: recompute them so it shows the demo
        at once (inline when tasks run eagerly, on a worker otherwise; a broker outage is logged and
        the beat schedule catches up). Looked up by name: applications does not import dashboards."""
        if not apps.is_installed("dashboards"):
            return
        from jps_portal.celery import enqueue_on_commit

        enqueue_on_commit(import_string("dashboards.tasks.recompute_tallies"))
        self.stdout.write("Dashboard tallies recomputed (or queued for the worker).")

    def _report(self, result: BuildResult, *, seed: int, scale: Scale) -> None:
        if not result.created:
            self.stdout.write(
                f"Demo data already present ({result.existing_groups:,} demo groups); nothing generated. "
                "Start from an empty database to build it again."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data {scale.value}, seed {seed}: {result.groups:,} groups, {result.members:,} members, "
                f"{result.applications:,} applications, {result.status_changes:,} status changes "
                f"in {result.seconds:.1f} s ({result.rows_per_second:,.0f} rows/s)."
            )
        )

    def _report_logins(self, logins: list[DemoLogin]) -> None:
        self.stdout.write("Demo logins (passwords for demos only):")
        for login in logins:
            note = "" if login.created else "  [already existed; password not changed]"
            self.stdout.write(f"  {login.username:<12} {login.password:<17} {login.description}{note}")
