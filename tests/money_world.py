"""One of everything on the money path, built through the real services: a TKM 2020 grant approved
within quota, tahap 1 batched, exported and paid from a bank result file (plus an unknown line that
waits in the exception queue), the group's final report with a receipt and its deposit of the rest
to the Kas Negara, a finding on the group, a queued submission. Used by the tests that try every
admin path against money, status and identity (tests/test_admin_guards.py and friends)."""

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import services as application_services
from applications.models import Application, Flag, Scheme, SubmissionIntake
from corrections.models import Correction
from corrections.services import correction_propose_bank_account
from disbursements import bankfiles, reports, services
from disbursements.bankfiles import RESULT_COLUMNS
from disbursements.models import PaymentBatch, ReconciliationException, Tranche, TreasuryReturn, UsageReport
from groups.models import Group, Member
from tests.disbursements.report_factories import photo
from tests.factories import (
    ApplicationFactory,
    GroupFactory,
    SchemeFactory,
    SchemeQuotaFactory,
    UserFactory,
    add_members,
)


@dataclass
class MoneyWorld:
    scheme: Scheme
    group: Group
    member: Member
    application: Application
    tranche: Tranche
    batch: PaymentBatch
    exception: ReconciliationException
    report: UsageReport
    treasury_return: TreasuryReturn
    flag: Flag
    intake: SubmissionIntake
    correction: Correction


def bank_file(rows: list[dict[str, object]], name: str = "hasil.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RESULT_COLUMNS)
    for row in rows:
        writer.writerow([row.get(column, "") for column in RESULT_COLUMNS])
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def paid_row(line, *, txn: str | None = None) -> dict[str, object]:  # noqa: ANN001
    return {
        "payment_reference": line.payment_reference,
        "status": "paid",
        "transfer_date": "2020-10-15",
        "bank_transaction_id": txn or f"TX{line.pk:010d}",
        "amount": line.amount,
    }


def bank_import(rows: list[dict[str, object]], *, by, name: str = "hasil.csv"):  # noqa: ANN001, ANN201
    upload = bank_file(rows, name)
    return services.bank_results_import(rows=bankfiles.read_bank_results(upload), file_name=name, by=by)


def pay_payable(*, finance, name: str) -> PaymentBatch:  # noqa: ANN001
    """The real money path: a batch of every payable tahap, its transfer file exported, the bank's
    result file (every line paid) imported."""
    batch = services.payment_batch_create(tranches=Tranche.objects.payable(), by=finance)
    batch = services.payment_batch_export(batch=batch, by=finance)
    bank_import([paid_row(line) for line in batch.lines.order_by("pk")], by=finance, name=name)
    return batch


def build_money_world(*, ketua, approver, finance) -> MoneyWorld:  # noqa: ANN001
    scheme = SchemeFactory(year=2020, tranche_plan=[100])
    SchemeQuotaFactory(scheme=scheme, province_id="32", groups=10, budget=10 * scheme.amount_per_group)
    group = GroupFactory(regency_id="32.04", user=ketua)
    members = add_members(group, 3)
    application = ApplicationFactory(group=group, scheme=scheme, status=Application.Status.VERIFIED)
    application_services.application_approve(application=application, by=approver)
    tranche = application.tranches.get()
    batch = pay_payable(finance=finance, name="hasil-1.csv")
    bank_import([{"payment_reference": "JPS-PAY-99999999-01", "status": "paid", "transfer_date": "2020-10-15",
                  "bank_transaction_id": "TXUNKNOWN", "amount": 1}], by=finance, name="hasil-asing.csv")  # fmt: skip
    today = timezone.localdate()
    reports.report_receipt_add(
        tranche=tranche, category="equipment", amount=30_000_000, spent_on=today,
        description="Mesin jahit", upload=photo(), by=ketua,
    )  # fmt: skip
    treasury_return = reports.report_treasury_return_record(
        tranche=tranche,
        amount=tranche.amount - 30_000_000,
        ntpn="0A1B2C3D4E5F6A7B",
        billing_code="",
        paid_on=today,
        upload=photo("bukti.jpg"),
        by=ketua,
    )
    flag = Flag.objects.create(
        group=group, rule=Flag.Rule.CLUSTER_PHONE, severity=Flag.Severity.REVIEW, evidence="HP sama",
        raised_at=timezone.now(),
    )  # fmt: skip
    intake = SubmissionIntake.objects.create(
        user=UserFactory(), payload={"scheme": scheme.pk}, received_at=timezone.now() - datetime.timedelta(hours=1)
    )
    _training_rows(group=group, ketua=ketua)
    correction = _correction_proposed(group)
    _mentoring_rows(group=group)
    _outcome_rows(scheme=scheme)
    return MoneyWorld(
        scheme=scheme,
        group=group,
        member=members[0],
        application=Application.objects.get(pk=application.pk),
        tranche=Tranche.objects.get(pk=tranche.pk),
        batch=PaymentBatch.objects.get(pk=batch.pk),
        exception=ReconciliationException.objects.get(),
        report=UsageReport.objects.get(tranche=tranche),
        treasury_return=treasury_return,
        flag=flag,
        intake=intake,
        correction=correction,
    )


def _correction_proposed(group: Group) -> Correction:
    """A verifikator's proposal to correct the funded group's account, waiting for a second officer."""
    from accounts.models import Role

    proposer = UserFactory(role=Role.VERIFIER, scope_national=True)
    return correction_propose_bank_account(
        group=group, by=proposer, bank_id="008", account_number="7771112223", account_holder="KUB Baru",
        reason="Buku tabungan baru.",
    )  # fmt: skip


SNAPSHOT_APPS = ("applications", "groups", "disbursements", "training", "corrections", "mentoring")


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the portal's money, status and identity tables (their history tables too)."""
    from django.apps import apps

    rows = {}
    for label in SNAPSHOT_APPS:
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model._default_manager.order_by("pk").values_list())
    return rows


def _training_rows(*, group: Group, ketua) -> None:  # noqa: ANN001
    """A training event the group is invited to, with one participant who attended: the training app's
    history-tracked rows, so the revert tests reach them too."""
    from accounts.models import Role
    from training import services as training

    organiser = UserFactory(role=Role.ADMIN, scope_national=True)

    event = training.event_create(
        year=2020, title="Pembekalan Wirausaha", starts_on=datetime.date(2020, 10, 3),
        ends_on=datetime.date(2020, 10, 4), format="hybrid", venue="Hotel Santika", regency_id="32.78",
        online_link="https://zoom.example/abc", capacity_offline=2, by=organiser,
    )  # fmt: skip
    event = training.event_open(event=event, by=organiser)
    training.event_invite(event=event, criteria=training.InviteCriteria(group_codes=[group.code]), by=organiser)
    member = group.members.order_by("pk").first()
    invitation = event.invitations.get()
    training.participants_register(invitation=invitation, choices={member.pk: "online"}, by=ketua)
    training.attendance_grid_save(
        session=event.sessions.order_by("pk").first(), shown={member.pk}, present={member.pk: "online"}, by=organiser
    )


def _mentoring_rows(*, group: Group) -> None:
    """The group in a mentor's caseload, with a done visit that raised a problem: the mentoring app's
    history-tracked rows (assignment, visit, problem), so the revert tests reach them too."""
    import uuid

    from accounts.models import Role
    from mentoring import services as mentoring

    mentor = UserFactory(role=Role.MENTOR, scope_national=True)
    mentoring.caseload_assign(group=group, mentor=mentor, by=None)
    today = timezone.localdate()
    mentoring.visit_record(
        group=group, by=mentor, token=uuid.uuid4(), done_on=today,
        checklist={"equipment_in_use": "ya", "equipment_state": "baik", "bookkeeping": "ya", "sales_channels": "pasar"},
        notes="", problems=[mentoring.ProblemInput("Stok bahan menipis", today + datetime.timedelta(days=7))],
    )  # fmt: skip


def _outcome_rows(*, scheme) -> None:  # noqa: ANN001
    """The scheme's monitoring terms and the paid group's monitoring rounds: the outcomes app's
    history-tracked rows, so the revert tests reach them too."""
    from outcomes import services as outcomes
    from outcomes.models import OutcomeTerms

    OutcomeTerms.objects.get_or_create(scheme=scheme, defaults={"round_months": "3, 6, 12"})
    outcomes.rounds_schedule()
