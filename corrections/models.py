"""Corrections of who the money is for and where it goes, after approval: a group's bank account and
its members' NIK, name and birth date. One officer (or the group itself, for the account after a
failed transfer) proposes, with a reason and the old and new values; a second officer confirms or
rejects. Only a confirmation changes the data, through the services (``corrections.services``)."""

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.models import TransitionError
from groups.models import Group, Member


class CorrectionQuerySet(models.QuerySet):
    def open(self) -> "CorrectionQuerySet":
        return self.filter(status=Correction.Status.PROPOSED)


class Correction(models.Model):
    class Kind(models.TextChoices):
        BANK_ACCOUNT = "bank_account", _("Rekening bank kelompok")
        MEMBER_IDENTITY = "member_identity", _("Identitas anggota (NIK, nama, tanggal lahir)")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Diusulkan")
        CONFIRMED = "confirmed", _("Dikonfirmasi dan diterapkan")
        REJECTED = "rejected", _("Ditolak")

    # A decision is final: a rejected proposal is proposed again as a new row, with its own reason.
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.PROPOSED: frozenset({Status.CONFIRMED, Status.REJECTED}),
        Status.CONFIRMED: frozenset(),
        Status.REJECTED: frozenset(),
    }
    # The fields each kind may change, in the order they are shown.
    FIELDS: ClassVar[dict[str, tuple[str, ...]]] = {
        Kind.BANK_ACCOUNT: ("bank", "account_number", "account_holder"),
        Kind.MEMBER_IDENTITY: ("nik", "name", "birth_date"),
    }

    kind = models.CharField(_("jenis koreksi"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("kelompok"))
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="corrections", verbose_name=_("anggota")
    )
    # Values as text (dates ISO, the bank by its code), read when the proposal was made / to be written.
    old_values = models.JSONField(_("nilai lama"))
    new_values = models.JSONField(_("nilai baru"))
    reason = models.TextField(_("alasan koreksi"))
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("diusulkan oleh")
    )
    proposed_at = models.DateTimeField(_("diusulkan pada"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diputuskan oleh"),
    )
    decided_at = models.DateTimeField(_("diputuskan pada"), null=True, blank=True)
    decision_note = models.TextField(_("catatan keputusan"), blank=True)

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("koreksi data")
        verbose_name_plural = _("koreksi data")
        ordering = ["-proposed_at", "-pk"]
        permissions = [("confirm_correction", _("Dapat mengonfirmasi atau menolak koreksi data"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "confirmed", "rejected"]), name="correction_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind="bank_account", member__isnull=True) | Q(kind="member_identity", member__isnull=False),
                name="correction_member_iff_identity",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="correction_reason_given"),
            # Maker–checker: whoever proposed a correction never decides on it.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="correction_checker_not_maker",
                violation_error_message=_("Pengusul koreksi tidak dapat memutuskan usulannya sendiri."),
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(status="proposed") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="correction_decided_when_closed",
            ),
            # One open proposal per account and per member: the checker never chooses between two.
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(status="proposed", kind="bank_account"),
                name="correction_one_open_per_account",
                violation_error_message=_("Sudah ada usulan koreksi rekening yang menunggu konfirmasi."),
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status="proposed", kind="member_identity"),
                name="correction_one_open_per_member",
                violation_error_message=_("Sudah ada usulan koreksi identitas anggota ini yang menunggu konfirmasi."),
            ),
        ]
        indexes = [models.Index(fields=["status", "proposed_at"], name="correction_status_idx")]

    def __str__(self) -> str:
        return _("Koreksi #%(pk)s %(kind)s — %(group)s") % {
            "pk": self.pk,
            "kind": self.get_kind_display().lower(),
            "group": self.group,
        }

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS[self.status]

    @transaction.atomic
    def transition_to(
        self, status: "Correction.Status", *, by: AbstractBaseUser, note: str = ""
    ) -> "CorrectionStatusChange":
        """Move to ``status`` if the table allows it, on the locked row, and write the history row."""
        locked = Correction.objects.select_for_update().get(pk=self.pk)
        if not locked.can_move_to(status):
            raise TransitionError(
                _("Status koreksi tidak dapat diubah dari “%(from)s” ke “%(to)s”.")
                % {"from": locked.get_status_display(), "to": Correction.Status(status).label}
            )
        now = timezone.now()
        previous = locked.status
        self.status, self.decided_by, self.decided_at, self.decision_note = status, by, now, note
        self.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        return CorrectionStatusChange.objects.create(
            correction=self, from_status=previous, to_status=status, changed_by=by, changed_at=now, note=note
        )


class CorrectionStatusChange(models.Model):
    """One row per status of a correction — its proposal (from nothing) included: who, when, why."""

    correction = models.ForeignKey(
        Correction, on_delete=models.PROTECT, related_name="status_changes", verbose_name=_("koreksi")
    )
    from_status = models.CharField(_("dari status"), max_length=10, choices=Correction.Status.choices, blank=True)
    to_status = models.CharField(_("ke status"), max_length=10, choices=Correction.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("oleh")
    )
    changed_at = models.DateTimeField(_("waktu"))
    note = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("riwayat status koreksi")
        verbose_name_plural = _("riwayat status koreksi")
        ordering = ["correction", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.correction_id}: {self.get_from_status_display() or '∅'} → {self.get_to_status_display()}"
