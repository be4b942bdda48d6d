"""Random sequences of what officers do — admin actions, forged admin POSTs, service calls — over a small
dataset, checking the money invariants after every step (issue 10):

- the paid ledger rows add up to the paid tranches, and the whole ledger to that less the treasury returns;
- no tranche is paid twice (one paid transfer, net paid never above its amount);
- no quota is overrun (groups and rupiah per scheme and province);
- every status change has its history row (a ledger row per tranche move, replayable through the
  transition table; a status-change row per application and correction move).

Hypothesis draws the sequences (bounded: a few examples of a dozen steps, well under 30 s); each example
runs in a savepoint rolled back afterwards, over one dataset built once."""

import itertools

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications import services as application_services
from applications.models import Application, ApplicationStatusChange, SchemeQuota
from corrections import services as corrections
from corrections.models import Correction
from disbursements import bankfiles, services
from disbursements.models import LedgerEntry, PaymentBatch, PaymentBatchLine, Tranche, TreasuryReturn
from tests.disbursements.conftest import failed_row, paid_row, result_file
from tests.factories import ApplicationFactory, GroupFactory, SchemeFactory, SchemeQuotaFactory, add_members

pytestmark = pytest.mark.django_db
TS = Tranche.Status
TRANCHES = reverse("admin:disbursements_tranche_changelist")
APPLICATIONS = reverse("admin:applications_application_changelist")
ACTIONS = (
    "approve_next",
    "batch",
    "pay_pending",
    "fail_pending",
    "return_pending",
    "import_again",
    "revert_tranche",
    "forge_tranche_form",
    "reissue",
    "fix_account",
    "unlock",
    "batch_forged_ids",
)


class World:
    """Four TKM applications in Jawa Barat under a quota of three groups: two approved (tahap 1 of the
    first paid, of the second in an exported batch waiting for the bank), two verified and waiting for
    the PPK — one of them can still be approved, the other would overrun the quota."""

    def __init__(self, *, approver, finance, verifier, second_verifier, admin_user) -> None:  # noqa: ANN001
        self.scheme = SchemeFactory(year=2020, tranche_plan=[70, 30])
        SchemeQuotaFactory(scheme=self.scheme, province_id="32", groups=3, budget=4 * self.scheme.amount_per_group)
        self.applications = []
        for _ in range(4):
            group = GroupFactory(regency_id="32.04")
            add_members(group, 3)
            self.applications.append(
                ApplicationFactory(group=group, scheme=self.scheme, status=Application.Status.VERIFIED)
            )
        self.approver, self.finance, self.verifier = approver, finance, verifier
        self.second_verifier, self.superuser = second_verifier, admin_user
        self.accounts = itertools.count(5550000001)
        self.last_file: list[dict] = []
        for application in self.applications[:2]:
            application_services.application_approve(application=application, by=approver)
        batch = services.payment_batch_create(tranches=Tranche.objects.payable(), by=finance)
        services.payment_batch_export(batch=batch, by=finance)
        _import(self, [paid_row(batch.lines.order_by("pk").first())], "hasil-awal.csv")

    def client(self, user) -> Client:  # noqa: ANN001
        client = Client()
        client.force_login(user)
        return client


def _pick(items: list, index: int):  # noqa: ANN202
    return items[index % len(items)] if items else None


def _import(world: World, rows: list[dict], name: str) -> None:
    world.last_file = rows
    if rows:
        upload = result_file(rows, name=name)
        services.bank_results_import(rows=bankfiles.read_bank_results(upload), file_name=name, by=world.finance)


def _pending_lines() -> list[PaymentBatchLine]:
    return list(PaymentBatchLine.objects.filter(outcome=PaymentBatchLine.Outcome.PENDING).order_by("pk"))


def step(world: World, action: str, index: int) -> None:  # noqa: C901 - one branch per action
    tranches = list(Tranche.objects.order_by("pk"))
    if action == "approve_next":  # the PPK's admin action, with its confirmation
        waiting = [a for a in world.applications if a.status == Application.Status.VERIFIED]
        target = _pick(waiting, index)
        if target:
            world.client(world.approver).post(
                APPLICATIONS,
                {"action": "approve_selected", "_selected_action": [target.pk], "confirm": "yes", "note": ""},
            )
            target.refresh_from_db()
    elif action == "batch":  # finance selects every tahap in the list
        world.client(world.finance).post(
            TRANCHES, {"action": "batch_selected", "_selected_action": [t.pk for t in tranches]}
        )
    elif action == "batch_forged_ids":  # a hand-made action POST naming paid tahap
        paid = [t.pk for t in tranches if t.status == TS.PAID]
        world.client(world.finance).post(TRANCHES, {"action": "batch_selected", "_selected_action": paid or [0]})
    elif action in ("pay_pending", "fail_pending", "return_pending"):
        lines = _pending_lines()
        for batch in PaymentBatch.objects.filter(status=PaymentBatch.Status.OPEN):
            services.payment_batch_export(batch=batch, by=world.finance)
        row = {
            "pay_pending": paid_row,
            "fail_pending": lambda line: failed_row(line, reason="account_closed"),
            "return_pending": lambda line: failed_row(line, reason="dormant", status="returned"),
        }[action]
        _import(world, [row(line) for line in lines], f"hasil-{index}.csv")
    elif action == "import_again":
        if world.last_file:
            upload = result_file(world.last_file, name="ulang.csv")
            services.bank_results_import(rows=bankfiles.read_bank_results(upload), file_name="u.csv", by=world.finance)
    elif action == "revert_tranche":  # simple-history's revert, by a superuser
        tranche = _pick(tranches, index)
        if tranche:
            oldest = tranche.history.order_by("history_date", "history_id").first()
            url = reverse("admin:disbursements_tranche_simple_history", args=[tranche.pk, oldest.history_id])
            world.client(world.superuser).post(url, {"status": oldest.status, "_save": "Kembalikan"})
    elif action == "forge_tranche_form":
        tranche = _pick(tranches, index)
        if tranche:
            url = reverse("admin:disbursements_tranche_change", args=[tranche.pk])
            data = {"status": "scheduled", "paid_at": "", "amount": "1", "_save": "Simpan"}
            world.client(world.superuser).post(url, data)
    elif action == "reissue":
        world.client(world.finance).post(
            TRANCHES, {"action": "reissue_selected", "_selected_action": [t.pk for t in tranches]}
        )
    elif action == "fix_account":  # maker–checker correction of a failed group's account
        failed = [t for t in tranches if t.status in (TS.FAILED, TS.RETURNED)]
        tranche = _pick(failed, index)
        if tranche:
            group = tranche.application.group
            try:
                correction = corrections.correction_propose_bank_account(
                    group=group,
                    by=world.verifier,
                    bank_id="008",
                    account_number=str(next(world.accounts)),
                    account_holder=group.name,
                    reason="Rekening lama ditutup.",
                )
                corrections.correction_confirm(correction=correction, by=world.second_verifier)
            except Exception as error:  # noqa: BLE001 - a refusal is fine; it must change nothing
                assert "batch" in str(error) or "usulan" in str(error), error
    elif action == "unlock":  # the report on tahap 1 accepted: tahap 2 payable
        locked = [t for t in tranches if t.status == TS.LOCKED]
        tranche = _pick(locked, index)
        if tranche and Tranche.objects.filter(application=tranche.application, number=1, status=TS.PAID).exists():
            services.tranche_unlock(tranche=tranche, by=world.verifier)


# --- the invariants ------------------------------------------------------------------------------

LEDGER_STATUS = {
    LedgerEntry.Kind.UNLOCKED: TS.SCHEDULED,
    LedgerEntry.Kind.BATCHED: TS.IN_BATCH,
    LedgerEntry.Kind.PAID: TS.PAID,
    LedgerEntry.Kind.FAILED: TS.FAILED,
    LedgerEntry.Kind.RETURNED: TS.RETURNED,
    LedgerEntry.Kind.REISSUED: TS.SCHEDULED,
}


def check_invariants() -> None:
    paid_tranches = Tranche.objects.filter(status=TS.PAID).aggregate(s=Sum("amount"))["s"] or 0
    paid_rows = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAID).aggregate(s=Sum("amount"))["s"] or 0
    returns = TreasuryReturn.objects.aggregate(s=Sum("amount"))["s"] or 0
    assert paid_rows == paid_tranches
    assert (LedgerEntry.objects.aggregate(s=Sum("amount"))["s"] or 0) == paid_tranches - returns

    for tranche in Tranche.objects.all():
        assert tranche.payment_lines.filter(outcome=PaymentBatchLine.Outcome.PAID).count() <= 1, tranche
        assert services.tranche_net_paid(tranche.pk) <= tranche.amount, tranche
        # The ledger replays the tranche's moves through the transition table to its status now.
        status = None
        for kind in tranche.ledger.order_by("created_at", "pk").values_list("kind", flat=True):
            if kind == LedgerEntry.Kind.SCHEDULED:
                moved = TS.LOCKED if tranche.number > 1 else TS.SCHEDULED
                assert status is None, (tranche, kind)
            elif kind in LEDGER_STATUS:
                moved = LEDGER_STATUS[kind]
                assert moved in Tranche.TRANSITIONS[status], (tranche, status, kind)
            else:
                continue
            status = moved
        assert status == tranche.status, (tranche, status)

    for quota in SchemeQuota.objects.all():
        approved = Application.objects.filter(
            scheme=quota.scheme, province=quota.province, approved_amount__isnull=False
        ).aggregate(n=Count("pk"), s=Sum("approved_amount"))
        assert approved["n"] <= quota.groups and (approved["s"] or 0) <= quota.budget

    for application in Application.objects.all():
        last = ApplicationStatusChange.objects.filter(application=application).order_by("changed_at", "pk").last()
        if last is not None or application.status != Application.Status.VERIFIED:  # the factory's start
            assert last is not None and last.to_status == application.status, application
    for correction in Correction.objects.all():
        assert correction.status_changes.order_by("changed_at", "pk").last().to_status == correction.status


@pytest.fixture
def world(approver, finance, verifier, second_verifier, admin_user) -> World:
    return World(
        approver=approver,
        finance=finance,
        verifier=verifier,
        second_verifier=second_verifier,
        admin_user=admin_user,
    )


@settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.integers(0, 5)), min_size=1, max_size=12))
def test_random_admin_and_service_sequences_keep_the_money_invariants(world, steps):
    savepoint = transaction.savepoint()
    try:
        for application in world.applications:
            application.refresh_from_db()
        check_invariants()
        for action, index in steps:
            step(world, action, index)
            check_invariants()
    finally:
        transaction.savepoint_rollback(savepoint)
