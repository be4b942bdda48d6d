"""'Tugas saya': what waits for an officer's role in their region, counted, each with the filtered list.

Each kind of work is a row of ``WORK``: the permission that makes it this role's work (the same one the
admin's action or page asks), the model and its region-scope paths, the condition, and the filter the
link opens. Kinds on the same model are counted together in one aggregate query, so the page costs a
fixed number of queries whatever the data's size (tests/jps_portal/test_work_queue.py). A role only
sees the kinds whose permission it holds, so every link opens.
"""

from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby
from urllib.parse import urlencode

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Exists, Model, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from applications.models import Application, Flag
from corrections.models import Correction
from disbursements.models import PaymentBatch, ReconciliationException, Tranche, TrancheHold, UsageReport
from grievances.models import Ticket
from grievances.sla import working_days_between
from mentoring.models import Visit
from regions.scope import scope_filter


@dataclass(frozen=True)
class WorkKind:
    key: str
    label: str
    hint: str
    permission: str
    model: type[Model]
    province_path: str
    regency_path: str | None
    condition: Callable[[AbstractBaseUser], Q]
    query: dict[str, str]

    def url(self) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") + "?" + urlencode(self.query)


@dataclass(frozen=True)
class WorkCount:
    kind: WorkKind
    count: int

    @property
    def url(self) -> str:
        return self.kind.url()


def _always(condition: Q) -> Callable[[AbstractBaseUser], Q]:
    return lambda user: condition


APPLICATION_SCOPE = {"model": Application, "province_path": "province", "regency_path": "group__regency"}
TRANCHE_SCOPE = {
    "province_path": "tranche__application__province",
    "regency_path": "tranche__application__group__regency",
}

# In the order the page lists them; kinds of one model stay next to each other (one query each model).
WORK: tuple[WorkKind, ...] = (
    WorkKind(
        key="verify",
        label=_("Pengajuan menunggu verifikasi"),
        hint=_("Periksa dokumen dan anggota, lalu verifikasi, minta perbaikan atau tolak."),
        permission="applications.verify_application",
        condition=_always(Q(status=Application.Status.SUBMITTED)),
        query={"status__exact": Application.Status.SUBMITTED},
        **APPLICATION_SCOPE,
    ),
    WorkKind(
        key="approve",
        label=_("Pengajuan menunggu persetujuan"),
        hint=_("Sudah diverifikasi: setujui atau tolak."),
        permission="applications.approve_application",
        condition=_always(Q(status=Application.Status.VERIFIED)),
        query={"status__exact": Application.Status.VERIFIED},
        **APPLICATION_SCOPE,
    ),
    WorkKind(
        key="flags",
        label=_("Temuan untuk ditinjau"),
        hint=_("Peringatan data anggota yang menahan verifikasi: akui dengan catatan bila dapat diterima."),
        permission="applications.change_flag",
        model=Flag,
        province_path="group__regency__province",
        regency_path="group__regency",
        condition=_always(Q(resolved_at__isnull=True, severity__in=[Flag.Severity.WARN, Flag.Severity.REVIEW])),
        query={"keadaan": "terbuka", "severity__in": f"{Flag.Severity.WARN},{Flag.Severity.REVIEW}"},
    ),
    WorkKind(
        key="reports",
        label=_("Laporan penggunaan dana untuk diperiksa"),
        hint=_("Laporan tahap dan LPJ yang diajukan kelompok: terima atau kembalikan."),
        permission="disbursements.change_usagereport",
        model=UsageReport,
        condition=_always(Q(status=UsageReport.Status.SUBMITTED)),
        query={"status__exact": UsageReport.Status.SUBMITTED},
        **TRANCHE_SCOPE,
    ),
    WorkKind(
        key="corrections",
        label=_("Koreksi data untuk dikonfirmasi"),
        hint=_("Usulan petugas lain: konfirmasi atau tolak (usulan sendiri diputus petugas kedua)."),
        permission="corrections.confirm_correction",
        model=Correction,
        province_path="group__regency__province",
        regency_path="group__regency",
        condition=lambda user: Q(status=Correction.Status.PROPOSED) & ~Q(proposed_by=user),
        query={"status__exact": Correction.Status.PROPOSED},
    ),
    WorkKind(
        key="locations",
        label=_("Kunjungan pendamping dengan lokasi perlu ditinjau"),
        hint=_("Foto kunjungan jauh dari wilayah kelompok atau tanpa lokasi."),
        permission="mentoring.review_location",
        model=Visit,
        province_path="group__regency__province",
        regency_path="group__regency",
        condition=_always(Q(location__in=[Visit.Location.FAR, Visit.Location.MISSING])),
        query={"location__in": f"{Visit.Location.FAR},{Visit.Location.MISSING}"},
    ),
    WorkKind(
        key="payable",
        label=_("Tahap siap dibayar, belum masuk batch"),
        hint=_("Pilih tahap lalu buat batch pembayaran."),
        permission="disbursements.add_paymentbatch",
        model=Tranche,
        province_path="application__province",
        regency_path="application__group__regency",
        # Held by an open payment complaint: scheduled, but not payable (``Tranche.objects.payable``).
        condition=_always(Q(status=Tranche.Status.SCHEDULED) & ~Q(Exists(TrancheHold.active_for_tranche()))),
        query={"status__exact": Tranche.Status.SCHEDULED, "penahanan": "siap"},
    ),
    WorkKind(
        key="export",
        label=_("Batch untuk diekspor ke bank"),
        hint=_("Unduh berkas transfer; ekspor pertama mengunci batch."),
        permission="disbursements.change_paymentbatch",
        model=PaymentBatch,
        province_path="province",
        regency_path=None,
        condition=_always(Q(status=PaymentBatch.Status.OPEN)),
        query={"status__exact": PaymentBatch.Status.OPEN},
    ),
    WorkKind(
        key="bank_results",
        label=_("Batch menunggu hasil bank"),
        hint=_("Sudah diekspor: impor berkas hasil dari bank."),
        permission="disbursements.change_paymentbatch",
        model=PaymentBatch,
        province_path="province",
        regency_path=None,
        condition=_always(Q(status=PaymentBatch.Status.EXPORTED)),
        query={"status__exact": PaymentBatch.Status.EXPORTED},
    ),
    WorkKind(
        key="exceptions",
        label=_("Pengecualian rekonsiliasi bank"),
        hint=_("Baris hasil bank yang tidak dapat diterapkan: selesaikan satu per satu."),
        permission="disbursements.resolve_reconciliationexception",
        model=ReconciliationException,
        province_path="line__tranche__application__province",
        regency_path="line__tranche__application__group__regency",
        condition=_always(Q(status=ReconciliationException.Status.OPEN)),
        query={"status__exact": ReconciliationException.Status.OPEN},
    ),
)

# What the director watches (read-only): the same queues, counted, without acting on them.
OVERVIEW_KEYS = ("verify", "approve", "reports", "payable", "exceptions")


def work_for(user: AbstractBaseUser) -> list[WorkCount]:
    """Counts of each kind of work ``user``'s role holds, in their region (one query per model)."""
    return _count([kind for kind in WORK if user.has_perm(kind.permission)], user)


def overview_for(user: AbstractBaseUser) -> list[WorkCount]:
    """For a read-only role (the director): the main queues they may open, counted in their region."""
    if not user.has_perm("dashboards.view_dashboard"):
        return []
    kinds = [kind for kind in WORK if kind.key in OVERVIEW_KEYS and user.has_perm(_view_permission(kind))]
    return _count(kinds, user)


def mentor_visits_planned(user: AbstractBaseUser) -> int | None:
    """A pendamping's planned visits (their work list is /pendampingan/); None for other roles."""
    if not user.groups.filter(name=Role.MENTOR.value).exists():
        return None
    return Visit.objects.filter(mentor=user, status=Visit.Status.PLANNED).count()


TICKETS_SHOWN = 10


@dataclass(frozen=True)
class TicketDue:
    """One open ticket in the officer's hands, with the working days left before its SLA runs out
    (negative: overdue by that many)."""

    ticket: Ticket
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def overdue_days(self) -> int:
        return -self.days_left

    @property
    def url(self) -> str:
        return reverse("admin:grievances_ticket_change", args=[self.ticket.pk])


@dataclass(frozen=True)
class TicketQueue:
    due: list[TicketDue]
    assigned: int
    overdue: int

    @property
    def list_url(self) -> str:
        return reverse("admin:grievances_ticket_changelist") + "?" + urlencode({"penanganan": "saya"})

    @property
    def overdue_url(self) -> str:
        return reverse("admin:grievances_ticket_changelist") + "?" + urlencode({"penanganan": "terlambat"})


def tickets_for(user: AbstractBaseUser) -> TicketQueue | None:
    """The open tickets assigned to ``user`` (only those they may see: region, sensitive only for the
    integrity team), the most urgent first with their SLA countdown; ``None`` for roles that do not
    handle tickets. Two queries whatever the number of tickets."""
    if not user.has_perm("grievances.handle_ticket"):
        return None
    today = timezone.localdate()
    mine = Ticket.objects.visible_to(user).open().filter(assigned_to=user)
    counts = mine.aggregate(assigned=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    due = [
        TicketDue(ticket=ticket, days_left=working_days_between(today, ticket.due_on))
        for ticket in mine.select_related("category", "regency").order_by("due_on", "pk")[:TICKETS_SHOWN]
    ]
    return TicketQueue(due=due, assigned=counts["assigned"], overdue=counts["overdue"])


def _view_permission(kind: WorkKind) -> str:
    opts = kind.model._meta
    return f"{opts.app_label}.view_{opts.model_name}"


def _count(kinds: list[WorkKind], user: AbstractBaseUser) -> list[WorkCount]:
    counts: dict[str, int] = {}
    for model, same_model in groupby(kinds, key=lambda kind: kind.model):
        same_model = list(same_model)
        first = same_model[0]
        rows = scope_filter(
            model.objects.all(), user, province=first.province_path, regency=first.regency_path
        ).aggregate(**{kind.key: Count("pk", filter=kind.condition(user)) for kind in same_model})
        counts.update(rows)
    return [WorkCount(kind=kind, count=counts[kind.key]) for kind in kinds]


def default_status(user: AbstractBaseUser, model: type[Model]) -> str | None:
    """The status a list of ``model`` opens on for ``user``: that of the first kind of work on it that
    their role holds (None: the whole list)."""
    for kind in WORK:
        if kind.model is model and "status__exact" in kind.query and user.has_perm(kind.permission):
            return kind.query["status__exact"]
    return None
