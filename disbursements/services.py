"""Money out: tranches on approval, payment batches, bank files, reconciliation of the bank's
results, re-issue after a failure. Every money event is an append-only ``LedgerEntry``.

Reconciliation is set-based (a 100,000-line file in seconds) and safe under concurrent imports: a line
moves from pending only through ``UPDATE … WHERE outcome = 'pending' RETURNING``; the database
re-checks that condition on a row another import has just settled, so a line — and its tranche — is
decided once, whoever comes second finds it settled and changes nothing."""

import csv
import datetime
import hashlib
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application, ApplicationStatusChange, TransitionError
from applications.money import format_rupiah, split_by_percentages
from disbursements import signals
from disbursements.bankfiles import BankResultRow
from disbursements.models import (
    LedgerEntry,
    OverpaymentError,
    PaymentBatch,
    PaymentBatchLine,
    ReconciliationException,
    Tranche,
    TrancheHold,
)
from disbursements.tasks import queue_paid_tranche_notices
from groups.models import Group
from jps_portal import events
from jps_portal.celery import enqueue_on_commit
from regions.scope import scope_filter

Outcome = PaymentBatchLine.Outcome
Kind = LedgerEntry.Kind
CHUNK = 2000

CREATE_BATCH_PERMISSION = "disbursements.add_paymentbatch"
CHANGE_BATCH_PERMISSION = "disbursements.change_paymentbatch"
REISSUE_PERMISSION = "disbursements.change_tranche"
RESOLVE_PERMISSION = "disbursements.resolve_reconciliationexception"


def _require(by: AbstractBaseUser, permission: str) -> None:
    if not by.has_perm(permission):
        raise PermissionDenied(_("Anda tidak berwenang melakukan tindakan ini."))


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- ledger -------------------------------------------------------------------------------------


def ledger_record(
    *,
    tranche: Tranche,
    kind: str,
    by: AbstractBaseUser | None,
    amount: int = 0,
    batch: PaymentBatch | None = None,
    payment_reference: str = "",
    bank_transaction_id: str = "",
    reason_code: str = "",
    note: str = "",
) -> LedgerEntry:
    """Append one money event. ``amount`` is signed: positive when money reaches the group (paid),
    negative when it comes back to the state (``returned_to_treasury``), zero otherwise; the
    database refuses any other sign, and any row that would pay a tranche above its amount
    (``OverpaymentError``)."""
    entry = LedgerEntry(
        tranche=tranche,
        kind=kind,
        amount=amount,
        batch=batch,
        payment_reference=payment_reference,
        bank_transaction_id=bank_transaction_id,
        reason_code=reason_code,
        note=note[:300],
        created_by=by,
    )
    if amount <= 0:
        entry.save()
        return entry
    with transaction.atomic():
        if connection.vendor != "postgresql":  # PostgreSQL's trigger checks it; SQLite has none
            Tranche.objects.select_for_update().filter(pk=tranche.pk).exists()
            if tranche_net_paid(tranche.pk) + amount > tranche.amount:
                raise overpayment_error([tranche.pk])
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError as error:
            _raise_if_overpayment(error)
            raise
    return entry


# Ledger kinds that count towards a tranche's net paid amount: paid (positive) and returned by the
# bank. A transfer the bank returns is settled from a pending line and never booked as paid, so today
# its row is 0; a return of money already booked as paid would be a negative "returned" row. A deposit
# of unspent money to Kas Negara does not count: it never makes a tahap payable again.
NET_PAID_KINDS = (Kind.PAID, Kind.RETURNED)


def tranche_net_paid(tranche_id: int) -> int:
    """What the ledger says reached the group for this tranche (paid − returned by the bank)."""
    rows = LedgerEntry.objects.filter(tranche_id=tranche_id, kind__in=NET_PAID_KINDS)
    return rows.aggregate(net=Sum("amount"))["net"] or 0


def overpayment_error(tranche_ids: list[int]) -> OverpaymentError:
    tranches = Tranche.objects.filter(pk__in=tranche_ids).select_related("application").order_by("pk")
    return OverpaymentError(
        _(
            "Tahap %(tranches)s sudah dibayar menurut buku besar; pembayaran ini akan melebihi nilai tahap. "
            "Tidak ada yang dicatat."
        )
        % {"tranches": ", ".join(str(tranche) for tranche in tranches[:10]) or "?"}
    )


def _raise_if_overpayment(error: IntegrityError) -> None:
    """PostgreSQL's trigger (migration 0006) refused a ledger row: say it in words."""
    text = str(error)
    if OverpaymentError.CONSTRAINT in text:
        match = re.search(r"tranche (\d+) would be paid", text)
        raise overpayment_error([int(match.group(1))] if match else []) from error


# --- tranches ------------------------------------------------------------------------------------


def tranches_create_for_approval(*, application: Application, by: AbstractBaseUser) -> list[Tranche]:
    """The scheme's tranche plan applied to the approved amount, in the approval's transaction: tahap 1
    payable at once, later tahap locked until the report on the one before is accepted. The amounts
    add up exactly to the approved amount (whole rupiah; the remainder goes to the last tahap)."""
    plan = list(application.scheme.tranche_plan or [])
    amounts = split_by_percentages(application.approved_amount, plan)
    tranches = []
    for number, (percentage, amount) in enumerate(zip(plan, amounts, strict=True), start=1):
        status = Tranche.Status.SCHEDULED if number == 1 else Tranche.Status.LOCKED
        tranche = Tranche.objects.create(
            application=application, number=number, percentage=percentage, amount=amount, status=status
        )
        ledger_record(tranche=tranche, kind=Kind.SCHEDULED, by=by, note=f"{percentage}% {format_rupiah(amount)}")
        tranches.append(tranche)
    return tranches


@transaction.atomic
def tranches_create_missing(*, by: AbstractBaseUser | None = None) -> int:
    """Tranches for approved applications that have none (data loaded in bulk, e.g. the demo seed or
    a migration of an older system): the same plan split as ``tranches_create_for_approval``, written
    with two bulk inserts. Idempotent: an application with tranches is left alone."""
    approved_or_later = [
        Application.Status.APPROVED,
        Application.Status.IN_DISBURSEMENT,
        Application.Status.REPORTING,
        Application.Status.COMPLETED,
    ]
    waiting = (
        Application.objects.filter(status__in=approved_or_later, approved_amount__isnull=False, tranches__isnull=True)
        .select_related("scheme")
        .only("pk", "approved_amount", "scheme__tranche_plan")
    )
    tranches = []
    for application in waiting.iterator(chunk_size=CHUNK):
        plan = list(application.scheme.tranche_plan or [100])
        amounts = split_by_percentages(application.approved_amount, plan)
        for number, (percentage, amount) in enumerate(zip(plan, amounts, strict=True), start=1):
            status = Tranche.Status.SCHEDULED if number == 1 else Tranche.Status.LOCKED
            tranches.append(
                Tranche(application=application, number=number, percentage=percentage, amount=amount, status=status)
            )
    created = Tranche.objects.bulk_create(tranches, batch_size=CHUNK)
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(tranche=tranche, kind=Kind.SCHEDULED, amount=0, created_by=by, note=f"{tranche.percentage}%")
            for tranche in created
        ],
        batch_size=CHUNK,
    )
    return len(created)


@transaction.atomic
def tranche_unlock(*, tranche: Tranche, by: AbstractBaseUser | None) -> Tranche:
    """Make a locked tahap payable (the report on the tahap before it was accepted)."""
    locked = Tranche.objects.select_for_update().get(pk=tranche.pk)
    if locked.status != Tranche.Status.LOCKED:
        raise TransitionError(_("Tahap ini tidak sedang menunggu laporan."))
    locked.status = Tranche.Status.SCHEDULED
    locked.save(update_fields=["status"])
    ledger_record(tranche=locked, kind=Kind.UNLOCKED, by=by)
    tranche.status = locked.status
    return locked


def _last_attempt(tranche: Tranche) -> PaymentBatchLine | None:
    return tranche.payment_lines.order_by("-attempt").first()


def tranche_account_fixed(tranche: Tranche) -> bool:
    """Whether the group's bank account differs from the one the failed transfer went to."""
    line = _last_attempt(tranche)
    group = tranche.application.group
    if line is None or not group.has_bank_account:
        return False
    return (group.bank_id, group.account_number, group.account_holder) != (
        line.bank_code,
        line.account_number,
        line.account_holder,
    )


@transaction.atomic
def tranche_reissue(*, tranche: Tranche, by: AbstractBaseUser, note: str = "") -> Tranche:
    """A failed or returned tranche becomes payable again, once the group's bank account has been
    changed since the failed transfer (a confirmed correction, audited by simple-history). The next
    batch gives it a new payment reference."""
    locked = Tranche.objects.select_for_update().select_related("application__group").get(pk=tranche.pk)
    if locked.status not in (Tranche.Status.FAILED, Tranche.Status.RETURNED):
        raise TransitionError(_("Hanya tahap yang gagal atau dikembalikan bank yang dapat diterbitkan ulang."))
    if not tranche_account_fixed(locked):
        raise TransitionError(
            _("Rekening kelompok belum diubah sejak transfer gagal; perbaiki rekening dulu, lalu terbitkan ulang.")
        )
    locked.status = Tranche.Status.SCHEDULED
    locked.save(update_fields=["status"])
    group = locked.application.group
    ledger_record(
        tranche=locked,
        kind=Kind.REISSUED,
        by=by,
        note=note
        or _("Rekening baru: %(bank)s %(account)s") % {"bank": group.bank_id, "account": group.account_number},
    )
    return locked


def tranches_awaiting_account_fix(group: Group) -> QuerySet[Tranche]:
    return Tranche.objects.filter(
        application__group=group, status__in=[Tranche.Status.FAILED, Tranche.Status.RETURNED]
    ).order_by("pk")


@dataclass(frozen=True)
class FailedTransfer:
    tranche: Tranche
    reason: str
    account: str


def failed_transfers(group: Group) -> list[FailedTransfer]:
    """The group's failed or returned tranches with the bank's reason and the account that failed."""
    tranches = tranches_awaiting_account_fix(group).select_related("application")
    lines = {
        line.tranche_id: line
        for line in PaymentBatchLine.objects.filter(tranche__in=tranches)
        .exclude(outcome=Outcome.PENDING)
        .order_by("tranche_id", "attempt")
    }
    failed = []
    for tranche in tranches:
        line = lines.get(tranche.pk)
        reason = line.get_reason_code_display() if line and line.reason_code else tranche.get_status_display()
        account = f"{line.bank_code} {line.account_number} a.n. {line.account_holder}" if line else ""
        failed.append(FailedTransfer(tranche, str(reason), account))
    return failed


def tranches_reissue_after_account_change(*, group: Group, by: AbstractBaseUser) -> list[Tranche]:
    """After a confirmed change of the group's bank account (``corrections``): the group's failed or
    returned tranches whose failed transfer went to another account become payable again."""
    waiting = list(tranches_awaiting_account_fix(group).select_for_update())
    return [tranche_reissue(tranche=tranche, by=by) for tranche in waiting if tranche_account_fixed(tranche)]


def group_has_unsettled_transfer(group: Group) -> bool:
    """A tahap of the group sits in a payment batch the bank has not answered yet: the transfer went
    (or goes) to the account on file, so that account must not change until the batch is settled."""
    return PaymentBatchLine.objects.filter(tranche__application__group=group, outcome=Outcome.PENDING).exists()


# --- batches --------------------------------------------------------------------------------------


def payment_reference_for(tranche_id: int, attempt: int) -> str:
    """Ours, unique per transfer attempt of a tranche: ``JPS-PAY-00001234-01``."""
    return f"JPS-PAY-{tranche_id:08d}-{attempt:02d}"


@transaction.atomic
def payment_batch_create(
    *,
    tranches: QuerySet[Tranche],
    by: AbstractBaseUser,
    scheme_id: int | None = None,
    province_id: str | None = None,
    bank_id: str | None = None,
) -> PaymentBatch:
    """A new open batch of the payable tranches among ``tranches`` (within ``by``'s region scope).

    The tranches are locked in id order, so two officers batching overlapping selections queue; the
    partial unique index on pending lines keeps a tranche in one batch even if they did not."""
    _require(by, CREATE_BATCH_PERMISSION)
    scoped = scope_filter(
        tranches, by, province="application__province", regency="application__group__regency"
    ).payable()
    if scheme_id:
        scoped = scoped.filter(application__scheme_id=scheme_id)
    if province_id:
        scoped = scoped.filter(application__province_id=province_id)
    if bank_id:
        scoped = scoped.filter(application__group__bank_id=bank_id)
    ids = list(scoped.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
    if not ids:
        reasons = tranches_unpayable_reasons(
            scope_filter(tranches, by, province="application__province", regency="application__group__regency")
        )
        raise ValidationError(" ".join([_("Tidak ada tahap yang siap dibayar pada pilihan ini."), *reasons]))
    rows = list(
        Tranche.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list(
            "pk",
            "amount",
            "number",
            "application__reference",
            "application__group__bank_id",
            "application__group__account_number",
            "application__group__account_holder",
        )
    )
    missing = [row[3] for row in rows if not row[4]]
    if missing:
        raise ValidationError(_("Kelompok belum punya rekening bank: %(refs)s.") % {"refs": ", ".join(missing[:10])})
    # "Terjadwal" but already paid by the ledger's count: a status reached by a path around the
    # services. Refused, not skipped: it needs a person, and the database would refuse its payment.
    already_paid = list(
        LedgerEntry.objects.filter(tranche_id__in=scoped.values("pk"), kind__in=NET_PAID_KINDS)
        .values("tranche_id")
        .annotate(net=Sum("amount"))
        .filter(net__gt=0)
        .values_list("tranche_id", flat=True)
    )
    if already_paid:
        raise overpayment_error(already_paid)
    attempts = _attempts_so_far(ids)
    now = timezone.now()
    batch = PaymentBatch.objects.create(
        reference=f"TMP-{now:%Y%m%d%H%M%S%f}",
        created_by=by,
        created_at=now,
        scheme_id=scheme_id,
        province_id=province_id,
        bank_id=bank_id,
    )
    batch.reference = f"JPS-BATCH-{now:%Y%m%d}-{batch.pk:06d}"
    batch.save(update_fields=["reference"])
    lines = []
    for pk, amount, number, app_reference, bank, account, holder in rows:
        attempt = attempts.get(pk, 0) + 1
        lines.append(
            PaymentBatchLine(
                batch=batch,
                tranche_id=pk,
                attempt=attempt,
                payment_reference=payment_reference_for(pk, attempt),
                amount=amount,
                bank_code=bank,
                account_number=account,
                account_holder=holder,
                description=f"JPS {app_reference} tahap {number}"[:140],
            )
        )
    PaymentBatchLine.objects.bulk_create(lines, batch_size=CHUNK)
    moved = 0
    for chunk in _chunks(ids):
        moved += Tranche.objects.filter(pk__in=chunk, status=Tranche.Status.SCHEDULED).update(
            status=Tranche.Status.IN_BATCH
        )
    if moved != len(ids):  # impossible while the rows are locked; refuse rather than guess
        raise TransitionError(_("Sebagian tahap berubah saat batch dibuat; coba lagi."))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LedgerEntry._meta.db_table} (tranche_id, batch_id, kind, amount, payment_reference, "  # noqa: S608
            "bank_transaction_id, reason_code, note, created_by_id, created_at) "
            f"SELECT tranche_id, batch_id, %s, 0, payment_reference, '', '', '', %s, %s "
            f"FROM {PaymentBatchLine._meta.db_table} WHERE batch_id = %s",
            [Kind.BATCHED, by.pk, now, batch.pk],
        )
    return batch


# At most this many tranches are named one by one in a refusal; the rest are counted.
UNPAYABLE_NAMED = 10


def tranche_unpayable_reason(tranche: Tranche, holds: Sequence[TrancheHold] | None = None) -> str:
    """Why finance cannot put this tranche in a batch now, in the words of the tranche list. ``holds``:
    the application's active holds, when the caller has read them already."""
    names = {"tranche": str(tranche), "previous": tranche.number - 1}
    if tranche.status == Tranche.Status.SCHEDULED:
        holds = (
            list(TrancheHold.objects.active().filter(application_id=tranche.application_id)) if holds is None else holds
        )
        if holds:
            return _("%(tranche)s ditahan: %(reasons)s") % {
                **names,
                "reasons": "; ".join(hold.reason for hold in holds),
            }
    if tranche.status == Tranche.Status.LOCKED:
        return _("%(tranche)s menunggu laporan tahap %(previous)s diterima petugas.") % names
    if tranche.status == Tranche.Status.IN_BATCH:
        return _("%(tranche)s sudah ada dalam batch yang belum selesai.") % names
    if tranche.status == Tranche.Status.PAID:
        return _("%(tranche)s sudah dibayar.") % names
    if tranche.status in (Tranche.Status.FAILED, Tranche.Status.RETURNED):
        return _("%(tranche)s gagal ditransfer; rekening diperbaiki kelompok lalu diterbitkan ulang.") % names
    return _("%(tranche)s belum dapat dibayar.") % names


def tranches_unpayable_reasons(tranches: QuerySet[Tranche]) -> list[str]:
    """Why the tranches of ``tranches`` that are not payable are left out, one sentence each (the
    first ``UNPAYABLE_NAMED``), then how many more."""
    unpayable = tranches.filter(~Q(status=Tranche.Status.SCHEDULED) | Exists(TrancheHold.active_for_tranche()))
    named = list(unpayable.select_related("application").order_by("pk")[: UNPAYABLE_NAMED + 1])
    holds: dict[int, list[TrancheHold]] = defaultdict(list)
    for hold in TrancheHold.objects.active().filter(application_id__in={tranche.application_id for tranche in named}):
        holds[hold.application_id].append(hold)
    reasons = [tranche_unpayable_reason(tranche, holds[tranche.application_id]) for tranche in named[:UNPAYABLE_NAMED]]
    if len(named) > UNPAYABLE_NAMED:
        rest = unpayable.count() - UNPAYABLE_NAMED
        reasons.append(_("… dan %(count)d tahap lain yang belum dapat dibayar.") % {"count": rest})
    return reasons


@dataclass(frozen=True)
class BatchPreview:
    """What a batch made from a selection would hold, shown before it is made."""

    count: int
    total: int
    by_bank: list[tuple[str, int, int]]  # (bank name, lines, rupiah)
    left_out: list[str]
    # Groups without a bank account: the batch is refused until they have one.
    blocking: list[str]


def payment_batch_preview(
    *,
    tranches: QuerySet[Tranche],
    by: AbstractBaseUser,
    scheme_id: int | None = None,
    province_id: str | None = None,
    bank_id: str | None = None,
) -> BatchPreview:
    """The lines ``payment_batch_create`` would make from the same arguments now, without locking or
    writing anything: counts and totals per bank, and why the rest of the selection is left out."""
    from django.db.models import Count, Sum

    scoped = scope_filter(tranches, by, province="application__province", regency="application__group__regency")
    if scheme_id:
        scoped = scoped.filter(application__scheme_id=scheme_id)
    if province_id:
        scoped = scoped.filter(application__province_id=province_id)
    if bank_id:
        scoped = scoped.filter(application__group__bank_id=bank_id)
    payable = scoped.payable()
    rows = list(
        payable.values_list("application__group__bank__name")
        .annotate(lines=Count("pk"), total=Sum("amount"))
        .order_by("application__group__bank__name")
    )
    return BatchPreview(
        count=sum(row[1] for row in rows),
        total=sum(row[2] for row in rows),
        by_bank=rows,
        left_out=tranches_unpayable_reasons(scoped),
        blocking=[
            _("%(tranche)s: kelompok belum punya rekening bank.") % {"tranche": tranche}
            for tranche in payable.filter(application__group__bank__isnull=True).select_related("application")[
                :UNPAYABLE_NAMED
            ]
        ],
    )


def _attempts_so_far(tranche_ids: list[int]) -> dict[int, int]:
    from django.db.models import Max

    attempts: dict[int, int] = {}
    for chunk in _chunks(tranche_ids):
        rows = (
            PaymentBatchLine.objects.filter(tranche_id__in=chunk)
            .values("tranche_id")
            .annotate(last=Max("attempt"))
            .values_list("tranche_id", "last")
        )
        attempts.update(dict(rows))
    return attempts


@transaction.atomic
def payment_batch_export(*, batch: PaymentBatch, by: AbstractBaseUser) -> PaymentBatch:
    """Lock the batch for export: from now on the bank holds these lines, none is added or removed.
    Exporting again gives the same file."""
    _require(by, CHANGE_BATCH_PERMISSION)
    locked = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status == PaymentBatch.Status.OPEN:
        locked.status = PaymentBatch.Status.EXPORTED
        locked.exported_at = timezone.now()
        locked.exported_by = by
        locked.save(update_fields=["status", "exported_at", "exported_by"])
    return locked


def payment_batch_transfer_lines(batch: PaymentBatch) -> Iterator[tuple]:
    """The transfer file's rows, read in chunks by one server-side cursor: no query per row."""
    return (
        PaymentBatchLine.objects.filter(batch=batch)
        .order_by("pk")
        .values_list("payment_reference", "bank_code", "account_number", "account_holder", "amount", "description")
        .iterator(chunk_size=CHUNK)
    )


# --- reconciliation -------------------------------------------------------------------------------


@dataclass
class ReconciliationReport:
    file_name: str
    rows: int = 0
    paid: int = 0
    failed: int = 0
    returned: int = 0
    already_applied: int = 0
    exceptions: int = 0
    exceptions_new: int = 0
    paid_amount: int = 0
    batches_reconciled: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.paid + self.failed + self.returned + self.exceptions_new

    def summary(self) -> str:
        return _(
            "%(file)s: %(rows)d baris — %(paid)d dibayar (%(amount)s), %(failed)d gagal, %(returned)d "
            "dikembalikan, %(same)d sudah diterapkan sebelumnya, %(exc)d ke antrean pengecualian "
            "(%(new)d baru)."
        ) % {
            "file": self.file_name,
            "rows": self.rows,
            "paid": self.paid,
            "amount": format_rupiah(self.paid_amount),
            "failed": self.failed,
            "returned": self.returned,
            "same": self.already_applied,
            "exc": self.exceptions,
            "new": self.exceptions_new,
        }


@dataclass(frozen=True)
class _Line:
    pk: int
    tranche_id: int
    batch_id: int
    amount: int
    outcome: str
    bank_transaction_id: str


def _same_result(line: _Line, row: BankResultRow) -> bool:
    return line.outcome == row.outcome and line.bank_transaction_id == row.bank_transaction_id


@transaction.atomic
def bank_results_import(*, rows: list[BankResultRow], file_name: str, by: AbstractBaseUser) -> ReconciliationReport:
    """Apply a bank result file (already read and checked by ``bankfiles.read_bank_results``).

    Each line is matched by our payment reference. Applied: a pending line whose amount matches.
    Unchanged: a line already settled with the same outcome and bank transaction id (the same file
    again, or two files sharing it). Everything else — unknown reference, amount mismatch, a line
    repeated or contradicted within the file, a settled line with another outcome, a bank transaction
    id already used — goes to the exception queue, whose rows are themselves deduplicated."""
    _require(by, CHANGE_BATCH_PERMISSION)
    report = ReconciliationReport(file_name=file_name, rows=len(rows))
    exceptions: list[ReconciliationException] = []

    def queue(kind: str, row: BankResultRow, line: _Line | None = None) -> None:
        exceptions.append(_exception(kind, row, line, file_name, by))

    candidates = _first_of_each_reference(rows, queue)
    lines = _lines_by_reference([row.payment_reference for row in candidates], by)
    taken_txns = _transaction_ids_in_use([row.bank_transaction_id for row in candidates if row.bank_transaction_id])
    to_apply: list[tuple[_Line, BankResultRow]] = []
    for row in candidates:
        line = lines.get(row.payment_reference)
        if line is None:
            queue(ReconciliationException.Kind.UNKNOWN_REFERENCE, row)
        elif line.outcome != Outcome.PENDING:
            if _same_result(line, row) and line.amount == row.amount:
                report.already_applied += 1
            else:
                queue(ReconciliationException.Kind.ALREADY_SETTLED, row, line)
        elif line.amount != row.amount:
            queue(ReconciliationException.Kind.AMOUNT_MISMATCH, row, line)
        elif row.bank_transaction_id and taken_txns.get(row.bank_transaction_id, line.pk) != line.pk:
            queue(ReconciliationException.Kind.TRANSACTION_REUSED, row, line)
        else:
            to_apply.append((line, row))

    now = timezone.now()
    with _ApplyTable(to_apply) as table:
        applied = _apply_outcomes(table, now)
        # A line another import settled between our read and our update: decide it again on what won.
        lost = [(line, row) for line, row in to_apply if line.pk not in applied]
        if lost:
            table.forget([line.pk for line, _row in lost])
            fresh = _lines_by_reference([row.payment_reference for _line, row in lost], by)
            for _line, row in lost:
                line = fresh[row.payment_reference]
                if _same_result(line, row):
                    report.already_applied += 1
                else:
                    queue(ReconciliationException.Kind.ALREADY_SETTLED, row, line)
        settled = [(line, row) for line, row in to_apply if line.pk in applied]
        _tranches_settle(table, len(settled), now)
        _ledger_settle(table, by, now)
        moves = _applications_advance(table, by, now)
    if events.wanted([events.TRANCHE_PAID, events.TRANCHE_FAILED, events.APPLICATION_STATUS_CHANGED]):
        events.publish(_settlement_events(settled, moves, now))
    report.batches_reconciled = _batches_close(sorted({line.batch_id for line, _row in settled}), now)
    if any(row.outcome == Outcome.PAID for _line, row in settled):
        # The group hears that its money arrived: _tranches_settle marked each paid tahap's message as
        # owed, in this transaction; a task writes the messages after commit (and the periodic sweep if
        # that task is lost), so 100,000 messages never hold up the money.
        enqueue_on_commit(queue_paid_tranche_notices)
    for _line, row in settled:
        setattr(report, row.outcome, getattr(report, row.outcome) + 1)
        if row.outcome == Outcome.PAID:
            report.paid_amount += row.amount
    report.exceptions = len(exceptions)
    report.exceptions_new = _exceptions_save(exceptions)
    return report


def _first_of_each_reference(
    rows: list[BankResultRow], queue: Callable[[str, BankResultRow], None]
) -> list[BankResultRow]:
    """One row per payment reference. An identical repeat is queued as a duplicate (the first copy
    is applied); rows that contradict each other are all queued and none is applied."""
    by_reference: dict[str, list[BankResultRow]] = defaultdict(list)
    for row in rows:
        by_reference[row.payment_reference].append(row)
    by_transaction: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if row.bank_transaction_id:
            by_transaction[row.bank_transaction_id].add(row.payment_reference)
    candidates = []
    for group in by_reference.values():
        first = group[0]
        shared_txn = first.bank_transaction_id and len(by_transaction[first.bank_transaction_id]) > 1
        if shared_txn or any(_key(row) != _key(first) for row in group[1:]):
            for row in group:
                queue(ReconciliationException.Kind.CONFLICTING_LINES, row)
            continue
        for row in group[1:]:
            queue(ReconciliationException.Kind.DUPLICATE_LINE, row)
        candidates.append(first)
    return candidates


def _key(row: BankResultRow) -> tuple:
    return (row.outcome, row.reason_code, row.transfer_date, row.bank_transaction_id, row.amount)


def _lines_by_reference(references: list[str], by: AbstractBaseUser) -> dict[str, _Line]:
    """The lines of these references in ``by``'s region scope: a line outside it is, for this
    officer, an unknown reference."""
    lines = scope_filter(
        PaymentBatchLine.objects.all(),
        by,
        province="tranche__application__province",
        regency="tranche__application__group__regency",
    )
    with _KeyTable("recon_references", references) as keys:
        return {
            reference: _Line(*values)
            for reference, *values in lines.filter(payment_reference__in=keys.subquery()).values_list(
                "payment_reference", "pk", "tranche_id", "batch_id", "amount", "outcome", "bank_transaction_id"
            )
        }


def _transaction_ids_in_use(transaction_ids: list[str]) -> dict[str, int]:
    with _KeyTable("recon_transaction_ids", transaction_ids) as keys:
        return dict(
            # ``exclude("")`` lets the planner use the partial unique index on non-empty ids.
            PaymentBatchLine.objects.filter(bank_transaction_id__in=keys.subquery())
            .exclude(bank_transaction_id="")
            .values_list("bank_transaction_id", "pk")
        )


class _KeyTable:
    """Keys to look up, in a temporary table the lookup joins to: 100,000 keys as ``IN`` parameters
    cost more in Django's per-parameter preparation and the query's planning than the lookup itself.
    Filled by COPY on PostgreSQL, by ``executemany`` on SQLite."""

    def __init__(self, name: str, keys: list[str]) -> None:
        self.name = name
        self.keys = keys

    def subquery(self) -> RawSQL:
        return RawSQL(f"SELECT key FROM {self.name}", [])  # noqa: S608 - a fixed table name

    def __enter__(self) -> "_KeyTable":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
            cursor.execute(f"CREATE TEMPORARY TABLE {self.name} (key text NOT NULL)")
            if connection.vendor == "postgresql":
                buffer = io.StringIO()
                csv.writer(buffer).writerows((key,) for key in self.keys)
                buffer.seek(0)
                cursor.copy_expert(f"COPY {self.name} FROM STDIN WITH (FORMAT csv)", buffer)
                cursor.execute(f"ANALYZE {self.name}")  # the planner's row estimate: hash join, not a loop
            else:
                cursor.executemany(f"INSERT INTO {self.name} VALUES (%s)", [(key,) for key in self.keys])  # noqa: S608
        return self

    def __exit__(self, *exc_info: object) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.name}")


class _ApplyTable:
    """The lines to settle, in a temporary table (``recon_apply``) the statements below join to:
    every step is one set-based statement, never a query per line or a long ``IN`` list. Filled by
    COPY on PostgreSQL, by ``executemany`` on SQLite. A temporary table is private to its
    connection, so concurrent imports each have their own."""

    name = "recon_apply"

    def __init__(self, to_apply: list[tuple[_Line, BankResultRow]]) -> None:
        self.to_apply = to_apply

    def __enter__(self) -> "_ApplyTable":
        self.cursor = connection.cursor()
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
        self.cursor.execute(
            f"CREATE TEMPORARY TABLE {self.name} (line_id bigint PRIMARY KEY, r_outcome varchar(10) NOT NULL, "
            "r_reason varchar(20), r_txn varchar(64), r_date date)"
        )
        rows = [
            (line.pk, row.outcome, row.reason_code, row.bank_transaction_id, row.transfer_date)
            for line, row in self.to_apply
        ]
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            csv.writer(buffer).writerows(
                (pk, outcome, reason, txn, date.isoformat() if date else "") for pk, outcome, reason, txn, date in rows
            )
            buffer.seek(0)
            # Empty unquoted CSV fields load as NULL; the statements below COALESCE them back to ''.
            self.cursor.copy_expert(f"COPY {self.name} FROM STDIN WITH (FORMAT csv)", buffer)
        else:
            self.cursor.executemany(f"INSERT INTO {self.name} VALUES (%s, %s, %s, %s, %s)", rows)
        return self

    def forget(self, line_ids: list[int]) -> None:
        for chunk in _chunks(line_ids):
            self.cursor.execute(
                f"DELETE FROM {self.name} WHERE line_id IN ({', '.join(['%s'] * len(chunk))})", list(chunk)
            )

    def __exit__(self, *exc_info: object) -> None:
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.name}")
        self.cursor.close()


LINES = PaymentBatchLine._meta.db_table
TRANCHES = Tranche._meta.db_table
APPLICATIONS = Application._meta.db_table
LEDGER = LedgerEntry._meta.db_table


def _apply_outcomes(table: _ApplyTable, now: datetime.datetime) -> set[int]:
    """Settle the pending lines: ``UPDATE … WHERE outcome = 'pending' RETURNING``. The condition is
    what makes concurrent imports safe: a row settled by another transaction no longer matches when
    this one gets its lock, and is not returned. The rows are locked in id order first, so two imports
    touching the same lines queue instead of deadlocking."""
    cursor = table.cursor
    if connection.vendor == "postgresql":
        cursor.execute(
            f"SELECT id FROM {LINES} WHERE id IN (SELECT line_id FROM {table.name}) ORDER BY id FOR UPDATE"  # noqa: S608
        )
    cursor.execute(
        f"UPDATE {LINES} SET outcome = r_outcome, reason_code = COALESCE(r_reason, ''), "  # noqa: S608
        f"bank_transaction_id = COALESCE(r_txn, ''), transfer_date = r_date, settled_at = %s "
        f"FROM {table.name} WHERE {LINES}.id = {table.name}.line_id AND {LINES}.outcome = %s RETURNING {LINES}.id",
        [now, Outcome.PENDING],
    )
    return {pk for (pk,) in cursor.fetchall()}


def _tranches_settle(table: _ApplyTable, expected: int, now: datetime.datetime) -> None:
    table.cursor.execute(
        f"UPDATE {TRANCHES} SET status = l.outcome, "  # noqa: S608
        f"paid_at = CASE WHEN l.outcome = %s THEN %s ELSE NULL END, paid_notice_due = (l.outcome = %s) "
        f"FROM {LINES} AS l JOIN {table.name} AS r ON r.line_id = l.id "
        f"WHERE {TRANCHES}.id = l.tranche_id AND {TRANCHES}.status = %s",
        [Outcome.PAID, now, Outcome.PAID, Tranche.Status.IN_BATCH],
    )
    if table.cursor.rowcount != expected:
        # A pending line always has its tranche in a batch; anything else is a broken invariant.
        raise TransitionError(_("Status tahap tidak sesuai dengan batch; rekonsiliasi dibatalkan."))


def _ledger_settle(table: _ApplyTable, by: AbstractBaseUser, now: datetime.datetime) -> None:
    """One ledger row per settled line, written by the database from the lines themselves. A paid
    line whose tranche the ledger already counts as paid refuses the whole import
    (``OverpaymentError``): by PostgreSQL's trigger, or by the same check here on SQLite."""
    if connection.vendor != "postgresql":
        _refuse_overpaying_lines(table)
    try:
        with transaction.atomic():
            table.cursor.execute(
                f"INSERT INTO {LEDGER} (tranche_id, batch_id, kind, amount, payment_reference, "  # noqa: S608
                "bank_transaction_id, reason_code, note, created_by_id, created_at) "
                "SELECT l.tranche_id, l.batch_id, l.outcome, CASE WHEN l.outcome = %s THEN l.amount ELSE 0 END, "
                f"l.payment_reference, l.bank_transaction_id, l.reason_code, '', %s, %s FROM {LINES} AS l "
                f"JOIN {table.name} AS r ON r.line_id = l.id ORDER BY l.id",
                [Outcome.PAID, by.pk, now],
            )
    except IntegrityError as error:
        _raise_if_overpayment(error)
        raise


def _refuse_overpaying_lines(table: _ApplyTable) -> None:
    """The trigger's check, set-based, for the paid lines about to be booked (SQLite)."""
    table.cursor.execute(
        f"SELECT l.tranche_id FROM {LINES} AS l JOIN {table.name} AS r ON r.line_id = l.id "  # noqa: S608
        f"JOIN {TRANCHES} AS t ON t.id = l.tranche_id WHERE l.outcome = %s GROUP BY l.tranche_id, t.amount "
        f"HAVING SUM(l.amount) + COALESCE((SELECT SUM(e.amount) FROM {LEDGER} AS e "
        "WHERE e.tranche_id = l.tranche_id AND e.kind IN (%s, %s)), 0) > t.amount",
        [Outcome.PAID, *NET_PAID_KINDS],
    )
    overpaid = [pk for (pk,) in table.cursor.fetchall()]
    if overpaid:
        raise overpayment_error(overpaid)


def _applications_advance(
    table: _ApplyTable, by: AbstractBaseUser | None, now: datetime.datetime
) -> list[tuple[int, str, str]]:
    """Applications with a newly paid tranche move on: to IN_DISBURSEMENT while a tahap is still
    unpaid, to REPORTING once every tahap is paid (straight from APPROVED when the grant was paid in
    full at once). The rows are locked in id order; each one's move is then decided once, from what was
    read under that lock (``recon_moves``), and applied by one INSERT of the status-change rows (one per
    application, which is also its status e-mail through the outbox sweep) and one UPDATE."""
    status = Application.Status
    assert {status.IN_DISBURSEMENT, status.REPORTING} <= Application.TRANSITIONS[status.APPROVED]
    assert status.REPORTING in Application.TRANSITIONS[status.IN_DISBURSEMENT]
    cursor = table.cursor
    for name in ("recon_apps", "recon_moves"):
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    cursor.execute(
        "CREATE TEMPORARY TABLE recon_apps AS SELECT DISTINCT t.application_id AS application_id "  # noqa: S608
        f"FROM {TRANCHES} AS t JOIN {LINES} AS l ON l.tranche_id = t.id JOIN {table.name} AS r ON r.line_id = l.id "
        "WHERE l.outcome = %s",
        [Outcome.PAID],
    )
    if connection.vendor == "postgresql":
        cursor.execute(
            f"SELECT id FROM {APPLICATIONS} WHERE id IN (SELECT application_id FROM recon_apps) ORDER BY id FOR UPDATE"  # noqa: S608
        )
    # Read after the lock (a statement of its own, so it sees what a concurrent import committed).
    cursor.execute(
        "CREATE TEMPORARY TABLE recon_moves AS SELECT a.id AS application_id, a.status AS from_status, "  # noqa: S608
        f"CASE WHEN NOT EXISTS (SELECT 1 FROM {TRANCHES} AS t WHERE t.application_id = a.id AND t.status <> %s) "
        f"THEN %s ELSE %s END AS to_status FROM {APPLICATIONS} AS a JOIN recon_apps AS r ON r.application_id = a.id "
        "WHERE a.status IN (%s, %s)",
        [Tranche.Status.PAID, status.REPORTING, status.IN_DISBURSEMENT, status.APPROVED, status.IN_DISBURSEMENT],
    )
    note = _("Pembayaran tahap tercatat dari hasil bank.")
    who = by.pk if by else None
    cursor.execute(
        f"INSERT INTO {ApplicationStatusChange._meta.db_table} (application_id, from_status, to_status, "  # noqa: S608
        "changed_by_id, changed_at, reason_code, note, notification_due) "
        "SELECT application_id, from_status, to_status, %s, %s, '', %s, %s FROM recon_moves "
        "WHERE from_status <> to_status ORDER BY application_id",
        [who, now, note, True],
    )
    cursor.execute(
        f"UPDATE {APPLICATIONS} SET status = m.to_status, updated_at = %s FROM recon_moves AS m "  # noqa: S608
        f"WHERE {APPLICATIONS}.id = m.application_id AND m.from_status <> m.to_status",
        [now],
    )
    cursor.execute("SELECT application_id, from_status, to_status FROM recon_moves WHERE from_status <> to_status")
    moves = [(application_id, before, after) for application_id, before, after in cursor.fetchall()]
    for name in ("recon_apps", "recon_moves"):
        cursor.execute(f"DROP TABLE {name}")
    return moves


def _settlement_events(
    settled: list[tuple[_Line, BankResultRow]], moves: list[tuple[int, str, str]], now: datetime.datetime
) -> list[events.Event]:
    """The events of a reconciliation (jps_portal.events): ``tranche.paid`` / ``tranche.failed`` per
    settled line, ``application.status_changed`` per application it moved. Places and references are
    read in chunks, a few queries for the whole file."""
    if not settled:
        return []
    tranches: dict[int, dict] = {}
    for chunk in _chunks([line.tranche_id for line, _row in settled]):
        for row in Tranche.objects.filter(pk__in=chunk).values(
            "pk", "number", "application_id", "application__reference", "application__group_id",
            "application__province_id", "application__group__regency_id",
        ):  # fmt: skip
            tranches[row["pk"]] = row
    result = []
    for line, row in settled:
        tranche = tranches[line.tranche_id]
        paid = row.outcome == Outcome.PAID
        data = {
            "tranche_id": line.tranche_id,
            "application_id": tranche["application_id"],
            "reference": tranche["application__reference"],
            "number": tranche["number"],
            "amount": line.amount,
            "status": row.outcome,
            "payment_reference": row.payment_reference,
        }
        data |= {"paid_at": now.isoformat()} if paid else {"reason_code": row.reason_code}
        result.append(
            events.Event(
                type=events.TRANCHE_PAID if paid else events.TRANCHE_FAILED,
                province_code=tranche["application__province_id"],
                regency_code=tranche["application__group__regency_id"],
                occurred_at=now,
                data=data,
            )
        )
    places = {row["application_id"]: row for row in tranches.values()}
    for application_id, before, after in moves:
        place = places[application_id]
        result.append(
            events.Event(
                type=events.APPLICATION_STATUS_CHANGED,
                province_code=place["application__province_id"],
                regency_code=place["application__group__regency_id"],
                occurred_at=now,
                data={
                    "application_id": application_id,
                    "reference": place["application__reference"],
                    "group_id": place["application__group_id"],
                    "from_status": before,
                    "to_status": after,
                    "changed_at": now.isoformat(),
                    "reason_codes": [],
                },
            )
        )
    return result


def _batches_close(batch_ids: list[int], now: datetime.datetime) -> list[str]:
    """Exported batches with no pending line left are reconciled."""
    closing = list(
        PaymentBatch.objects.filter(pk__in=batch_ids, status=PaymentBatch.Status.EXPORTED)
        .exclude(lines__outcome=Outcome.PENDING)
        .values_list("pk", "reference")
    )
    PaymentBatch.objects.filter(pk__in=[pk for pk, _ref in closing], status=PaymentBatch.Status.EXPORTED).update(
        status=PaymentBatch.Status.RECONCILED, reconciled_at=now
    )
    if closing:
        signals.batches_reconciled.send(sender=PaymentBatch, batch_ids=[pk for pk, _ref in closing])
    return [reference for _pk, reference in closing]


def _exception(
    kind: str, row: BankResultRow, line: _Line | None, file_name: str, by: AbstractBaseUser
) -> ReconciliationException:
    content = json.dumps([kind, row.as_json()], sort_keys=True)
    if kind == ReconciliationException.Kind.DUPLICATE_LINE:
        content += f"#{row.row_number}"  # each extra copy is its own exception, across re-imports alike
    return ReconciliationException(
        kind=kind,
        payment_reference=row.payment_reference,
        line_id=line.pk if line else None,
        file_name=file_name[:255],
        row_number=row.row_number,
        row=row.as_json(),
        fingerprint=hashlib.sha256(content.encode()).hexdigest(),
        created_by=by,
    )


def _exceptions_save(exceptions: list[ReconciliationException]) -> int:
    """Insert the exceptions not queued before; returns how many are new."""
    if not exceptions:
        return 0
    fingerprints = [exception.fingerprint for exception in exceptions]
    known: set[str] = set()
    for chunk in _chunks(fingerprints):
        known.update(
            ReconciliationException.objects.filter(fingerprint__in=chunk).values_list("fingerprint", flat=True)
        )
    new = {e.fingerprint: e for e in exceptions if e.fingerprint not in known}
    # ignore_conflicts: a concurrent import queueing the same line must not fail this one.
    ReconciliationException.objects.bulk_create(list(new.values()), batch_size=CHUNK, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def reconciliation_exception_resolve(
    *, exception: ReconciliationException, by: AbstractBaseUser, note: str
) -> ReconciliationException:
    _require(by, RESOLVE_PERMISSION)
    if not note.strip():
        raise ValidationError(_("Tuliskan catatan penyelesaian."))
    locked = ReconciliationException.objects.select_for_update().get(pk=exception.pk)
    if locked.status == ReconciliationException.Status.RESOLVED:
        raise TransitionError(_("Pengecualian ini sudah diselesaikan."))
    locked.status = ReconciliationException.Status.RESOLVED
    locked.resolved_by = by
    locked.resolved_at = timezone.now()
    locked.resolution_note = note.strip()
    locked.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
    return locked


# --- holds placed by other parts of the portal -------------------------------------------------------


@transaction.atomic
def tranche_hold_place(
    *, application: Application, source: str, reason: str, by: AbstractBaseUser | None
) -> TrancheHold:
    """Hold the application's next unpaid tahap (it leaves the payable selection) until ``source``
    releases it. Idempotent per source: placing again while active returns the hold already there.
    Paid and in-batch tranches are not touched: the hold only keeps a tranche out of new batches."""
    # The application row is locked so two placements by the same source queue (the partial unique
    # index would refuse the second anyway; this turns that into "already held").
    list(Application.objects.select_for_update().filter(pk=application.pk).values_list("pk", flat=True))
    existing = TrancheHold.objects.active().filter(application=application, source=source).first()
    if existing is not None:
        return existing
    return TrancheHold.objects.create(application=application, source=source, reason=reason[:300], placed_by=by)


@transaction.atomic
def tranche_holds_release(*, source: str, by: AbstractBaseUser | None, note: str = "") -> int:
    """Release every active hold ``source`` placed; how many. Releasing twice changes nothing."""
    return (
        TrancheHold.objects.active()
        .filter(source=source)
        .update(released_at=timezone.now(), released_by=by, release_note=note[:300])
    )
