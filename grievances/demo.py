"""The demo's voice of the public: an objection about a funded Jawa Barat launch group, a payment
complaint from a member with a verified phone, and an anonymous pungli report — filed through
``grievances.services.ticket_file`` like any other, so each is numbered, assigned (the objection and
the complaint to the Jawa Barat verifikator, the pungli report to the ``integritas`` login alone) and
its filer told. ``seed_demo`` calls ``grievances_demo_seed`` after the groups and the demo logins."""

from dataclasses import dataclass

from django.db import transaction

from applications.models import Application
from grievances import services
from grievances.models import Category, Ticket

DEMO_PROVINCE = "32"
FUNDED = (Application.Status.APPROVED, Application.Status.IN_DISBURSEMENT, Application.Status.REPORTING)


@dataclass(frozen=True)
class GrievancesDemoResult:
    created: bool
    tickets: int = 0


@transaction.atomic
def grievances_demo_seed() -> GrievancesDemoResult:
    """Idempotent: nothing is filed when any ticket exists already."""
    if Ticket.objects.exists():
        return GrievancesDemoResult(created=False)
    funded = (
        Application.objects.filter(status__in=FUNDED, group__regency__province_id=DEMO_PROVINCE)
        .select_related("group__regency")
        .order_by("pk")[:2]
    )
    if len(funded) < 2:
        return GrievancesDemoResult(created=False)
    objected, unpaid = funded
    category = {c.code: c for c in Category.objects.filter(code__in=["kelompok-fiktif", "pembayaran", "pungli"])}
    services.ticket_file(
        category=category["kelompok-fiktif"], filed_by=Ticket.Filer.PUBLIC, application=objected,
        name="Warga Desa", phone="081311112222",
        description=(
            f"Kelompok {objected.group.name} tidak pernah terlihat berkegiatan di desa kami; nama-nama anggotanya "
            "tidak kami kenal."
        ),
    )  # fmt: skip
    services.ticket_file(
        category=category["pembayaran"], filed_by=Ticket.Filer.VERIFIED_PHONE, group=unpaid.group,
        name="Anggota Kelompok", phone="081322223333",
        description="Menurut ketua, tahap 1 sudah dikirim, tetapi rekening kelompok belum menerima apa pun.",
    )  # fmt: skip
    services.ticket_file(
        category=category["pungli"], filed_by=Ticket.Filer.ANONYMOUS, regency=unpaid.group.regency,
        description="Seorang petugas meminta Rp2.000.000 agar pengajuan kelompok kami cepat disetujui.",
    )  # fmt: skip
    return GrievancesDemoResult(created=True, tickets=3)
