"""Objections (sanggahan) and complaints (pengaduan): categories as data, tickets with a visible
status machine and a history row per change."""

import datetime
import secrets
import uuid
from pathlib import PurePath
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import Application, Flag, TransitionError
from disbursements.models import Tranche
from groups.models import Group
from jps_portal import events
from regions.models import Province, Regency


class Category(models.Model):
    """What a ticket is about. Data edited in the admin: names, whether it is sensitive (seen only by
    the integrity role), its service level in working days, and what upholding it does."""

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=150)
    description = models.CharField(_("keterangan"), max_length=300, blank=True)
    # Sensitive: pungli, officer misconduct. Never shown to the region's own officers; may be anonymous.
    is_sensitive = models.BooleanField(_("sensitif (hanya tim integritas)"), default=False)
    # Offered on a group of the public list ("Ajukan sanggahan").
    about_group = models.BooleanField(_("sanggahan atas kelompok"), default=False)
    # Upheld: the group gets a blocking flag (approval and verification refuse while it is open).
    blocks_when_upheld = models.BooleanField(_("terbukti → blokir pengajuan"), default=False)
    # Open: the group's next unpaid tahap is held (left out of payment batches) until the ticket closes.
    holds_next_tranche = models.BooleanField(_("tahan tahap berikutnya selama terbuka"), default=False)
    sla_working_days = models.PositiveSmallIntegerField(_("batas waktu (hari kerja)"), default=10)
    is_active = models.BooleanField(_("aktif"), default=True)
    position = models.PositiveSmallIntegerField(_("urutan"), default=0)

    class Meta:
        verbose_name = _("kategori pengaduan")
        verbose_name_plural = _("kategori pengaduan")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sla_working_days__gte=1) & Q(sla_working_days__lte=90), name="category_sla_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TicketQuerySet(models.QuerySet):
    def open(self) -> "TicketQuerySet":
        return self.exclude(status__in=Ticket.CLOSED)

    def overdue(self, today: datetime.date) -> "TicketQuerySet":
        """Open, past the due date, and not yet at the top level: what the escalation sweep moves."""
        return self.open().filter(due_on__lt=today, level__lt=Ticket.Level.NATIONAL)

    def visible_to(self, user: AbstractBaseUser) -> "TicketQuerySet":
        """The tickets an officer may see: their region's, and sensitive ones only with the integrity
        permission (nationwide: the integrity team is national, never the region's own officers)."""
        from regions.scope import scope_filter

        regional = scope_filter(self.filter(is_sensitive=False), user, province="province", regency="regency")
        if user.has_perm("grievances.view_sensitive_ticket"):
            return self.filter(Q(pk__in=regional.values("pk")) | Q(is_sensitive=True))
        return regional


class Ticket(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Diterima")
        ASSIGNED = "assigned", _("Ditugaskan")
        INVESTIGATING = "investigating", _("Sedang diperiksa")
        UPHELD = "upheld", _("Selesai: terbukti")
        NOT_UPHELD = "not_upheld", _("Selesai: tidak terbukti")
        REJECTED = "rejected", _("Ditolak")
        REOPENED = "reopened", _("Dibuka kembali (banding)")

    # The status machine, in one place: status → the statuses it may move to. An appeal reopens a
    # closed ticket once (``appeals`` ≤ 1, a database constraint).
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.RECEIVED: frozenset({Status.ASSIGNED, Status.REJECTED}),
        Status.ASSIGNED: frozenset({Status.INVESTIGATING, Status.REJECTED}),
        Status.INVESTIGATING: frozenset({Status.UPHELD, Status.NOT_UPHELD, Status.REJECTED}),
        Status.UPHELD: frozenset({Status.REOPENED}),
        Status.NOT_UPHELD: frozenset({Status.REOPENED}),
        Status.REJECTED: frozenset({Status.REOPENED}),
        Status.REOPENED: frozenset({Status.ASSIGNED, Status.INVESTIGATING}),
    }
    CLOSED: ClassVar[frozenset[str]] = frozenset({Status.UPHELD, Status.NOT_UPHELD, Status.REJECTED})

    class Filer(models.TextChoices):
        PUBLIC = "public", _("Masyarakat (daftar publik)")
        KETUA = "ketua", _("Ketua kelompok (akun portal)")
        VERIFIED_PHONE = "phone", _("Warga (HP terverifikasi)")
        ANONYMOUS = "anonymous", _("Tanpa identitas")

    class Level(models.IntegerChoices):
        REGENCY = 1, _("Kabupaten/kota")
        PROVINCE = 2, _("Provinsi")
        NATIONAL = 3, _("Nasional")

    # Unique by a constraint, not ``unique=True``: PostgreSQL would get a second, pattern-ops index for
    # LIKE that no query uses (the admin searches the exact number), and every escalation rewrites it.
    number = models.CharField(_("nomor tiket"), max_length=24)
    # The secret part of the tracking link: the number alone never opens a ticket.
    tracking_token = models.CharField(max_length=32, editable=False)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("kategori"))
    # Copied from the category when filed: who may see it must not change when a category is edited.
    is_sensitive = models.BooleanField(_("sensitif"), default=False, editable=False)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.RECEIVED)
    filed_by = models.CharField(_("pelapor"), max_length=10, choices=Filer.choices)
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("pengajuan"),
    )
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets", verbose_name=_("kelompok")
    )
    # The tahap a payment complaint is about (set by ``ticket_file``; implies application and group).
    tranche = models.ForeignKey(
        Tranche,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("tahap pembayaran"),
    )
    # Indexed by ``ticket_region_status_idx`` (province first) and ``ticket_regency_idx`` below, without the
    # extra pattern-ops copies Django adds to a varchar foreign key's own index.
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="+", verbose_name=_("provinsi"), db_index=False
    )
    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kabupaten/kota"),
        db_index=False,
    )
    description = models.TextField(_("uraian"), max_length=4000)
    complainant_name = models.CharField(_("nama pelapor"), max_length=150, blank=True)
    complainant_phone = models.CharField(_("HP pelapor"), max_length=20, blank=True)
    complainant_email = models.EmailField(_("e-mail pelapor"), blank=True)
    complainant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("akun pelapor"),
        db_index=False,  # never filtered on; a user or a flag is never deleted (PROTECT)
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("petugas"),
    )
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Level.choices, default=Level.REGENCY)
    due_on = models.DateField(_("batas waktu"))
    appeals = models.PositiveSmallIntegerField(_("banding"), default=0)
    resolution_note = models.TextField(_("hasil pemeriksaan"), blank=True)
    flag = models.ForeignKey(
        Flag,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("temuan pada pengajuan"),
        db_index=False,  # never filtered on; a user or a flag is never deleted (PROTECT)
    )
    filed_at = models.DateTimeField(_("diterima pada"), default=timezone.now)
    closed_at = models.DateTimeField(_("selesai pada"), null=True, blank=True)

    objects = TicketQuerySet.as_manager()

    class Meta:
        verbose_name = _("tiket pengaduan")
        verbose_name_plural = _("tiket pengaduan")
        ordering = ["-filed_at"]
        permissions = [
            ("handle_ticket", _("Dapat menangani tiket pengaduan di wilayahnya")),
            ("view_sensitive_ticket", _("Dapat melihat dan menangani pengaduan sensitif (tim integritas)")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "received",
                        "assigned",
                        "investigating",
                        "upheld",
                        "not_upheld",
                        "rejected",
                        "reopened",
                    ]
                ),
                name="ticket_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(filed_by__in=["public", "ketua", "phone", "anonymous"]), name="ticket_filer_valid"
            ),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=3), name="ticket_level_valid"),
            models.UniqueConstraint(fields=["number"], name="ticket_number_unique"),
            # Reopened on appeal once at most.
            models.CheckConstraint(condition=Q(appeals__lte=1), name="ticket_appeal_once"),
            # Anonymous means no identity at all is kept.
            models.CheckConstraint(
                condition=~Q(filed_by="anonymous")
                | (
                    Q(complainant_name="")
                    & Q(complainant_phone="")
                    & Q(complainant_email="")
                    & Q(complainant_user__isnull=True)
                ),
                name="ticket_anonymous_has_no_identity",
            ),
            # A closed ticket says when and why.
            models.CheckConstraint(
                condition=~Q(status__in=["upheld", "not_upheld", "rejected"])
                | (Q(closed_at__isnull=False) & ~Q(resolution_note="")),
                name="ticket_closed_has_note",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["received", "reopened"])
                | Q(assigned_to__isnull=False)
                | Q(status__in=["upheld", "not_upheld", "rejected"]),
                name="ticket_in_work_has_officer",
            ),
        ]
        indexes = [
            models.Index(fields=["due_on"], condition=~Q(status__in=["upheld", "not_upheld", "rejected"]),
                         name="ticket_open_due_idx"),
            models.Index(fields=["province", "regency", "status"], name="ticket_region_status_idx"),
            models.Index(fields=["regency"], name="ticket_regency_idx"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.number

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.tracking_token:
            self.tracking_token = secrets.token_urlsafe(16)[:22]
        super().save(*args, **kwargs)

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    @property
    def can_appeal(self) -> bool:
        return self.is_closed and self.appeals == 0

    @transaction.atomic
    def transition_to(
        self, status: "Ticket.Status", *, by: AbstractBaseUser | None, note: str = "", **fields: object
    ) -> "TicketHistory":
        """Move to ``status`` if the table allows it, on the locked row, saving ``fields`` with it, and
        write the history row."""
        locked = Ticket.objects.select_for_update().get(pk=self.pk)
        if not locked.can_move_to(status):
            raise TransitionError(
                _("Status tiket tidak dapat diubah dari “%(from)s” ke “%(to)s”.")
                % {"from": locked.get_status_display(), "to": Ticket.Status(status).label}
            )
        previous = locked.status
        fields = {"status": status, **fields}
        for name, value in fields.items():
            setattr(self, name, value)
        self.save(update_fields=list(fields))
        history = TicketHistory.objects.create(
            ticket=self,
            kind=TicketHistory.Kind.STATUS,
            from_status=previous,
            to_status=status,
            assigned_to=self.assigned_to,
            level=self.level,
            changed_by=by,
            note=note,
        )
        if not self.is_sensitive:  # integrity cases (pungli, misconduct) never leave the portal
            events.publish([self._status_event(history)])
        return history

    def _status_event(self, history: "TicketHistory") -> events.Event:
        """``ticket.status_changed`` (jps_portal.events): no complainant, no text, only the facts."""
        return events.Event(
            type=events.TICKET_STATUS_CHANGED,
            province_code=self.province_id or "",
            regency_code=self.regency_id or "",
            occurred_at=history.changed_at,
            data={
                "ticket_number": self.number,
                "category": self.category.code,
                "group_id": self.group_id,
                "from_status": history.from_status,
                "to_status": history.to_status,
                "level": self.level,
                "changed_at": history.changed_at.isoformat(),
            },
        )


class TicketHistory(models.Model):
    """One row per change of a ticket: status, assignment, escalation, appeal. Never edited."""

    class Kind(models.TextChoices):
        FILED = "filed", _("Diterima")
        STATUS = "status", _("Perubahan status")
        ASSIGNMENT = "assignment", _("Penugasan")
        ESCALATION = "escalation", _("Eskalasi")

    # Indexed by ``ticket_history_idx`` (ticket first); the officer columns are never filtered on, and an
    # escalation writes one row per ticket: each index less is a write less per row.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="history", db_index=False)
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    from_status = models.CharField(_("dari"), max_length=14, choices=Ticket.Status.choices, blank=True)
    to_status = models.CharField(_("menjadi"), max_length=14, choices=Ticket.Status.choices)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("petugas"),
        db_index=False,
    )
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=Ticket.Level.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("oleh"),
        db_index=False,
    )
    changed_at = models.DateTimeField(_("waktu"), default=timezone.now)
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("riwayat tiket")
        verbose_name_plural = _("riwayat tiket")
        ordering = ["ticket", "changed_at", "pk"]
        indexes = [models.Index(fields=["ticket", "changed_at"], name="ticket_history_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.from_status or '∅'} → {self.to_status}"


def _attachment_path(instance: "TicketAttachment", filename: str) -> str:
    # Unguessable names outside any public URL: an attachment is served only through its ticket.
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"tickets/{uuid.uuid4().hex}{suffix}"


class TicketAttachment(models.Model):
    """A photo or letter sent with a ticket. Its type is what its content is (``applications.uploads``),
    never what its name says; it is served only to the holder of the tracking link and to officers who
    see the ticket (a sensitive one: the integrity team only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("tiket"))
    file = models.FileField(_("berkas"), upload_to=_attachment_path)
    original_name = models.CharField(_("nama berkas asli"), max_length=255)
    content_type = models.CharField(_("jenis berkas"), max_length=100)
    size = models.PositiveIntegerField(_("ukuran (bita)"))
    uploaded_at = models.DateTimeField(_("diunggah pada"), default=timezone.now)

    class Meta:
        verbose_name = _("lampiran pengaduan")
        verbose_name_plural = _("lampiran pengaduan")
        ordering = ["ticket", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gt=0), name="ticket_attachment_not_empty"),
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="ticket_attachment_allowed_type",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name
