"""A funded group with a status history, two tahap and tickets of every kind, and its neighbour."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ApplicationStatusChange
from disbursements.models import Tranche
from grievances import services as grievances
from grievances.models import Category, Ticket
from groups.models import Member
from notifications import sms
from tests.transparency.conftest import funded_application

LOOKUP = reverse("statuscheck:lookup")
CODE = reverse("statuscheck:code")
STATUS = reverse("statuscheck:status")


def code_of(body: str) -> str:
    return "".join(ch for ch in body.split(".")[0] if ch.isdigit())


def last_code() -> str:
    return code_of(sms.outbox[-1].body)


def without_tokens(html: str) -> str:
    """A page as a person reads it: the CSRF token differs per session and says nothing."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _ticket(application, code: str, *, phone: str = "", **kwargs) -> Ticket:
    category = Category.objects.get(code=code)
    filer = Ticket.Filer.VERIFIED_PHONE if phone else Ticket.Filer.PUBLIC
    if category.is_sensitive and not phone:
        filer = Ticket.Filer.ANONYMOUS
    return grievances.ticket_file(
        category=category,
        description=kwargs.pop("description", "Uraian pengaduan untuk uji."),
        filed_by=filer,
        application=application if category.about_group else None,
        group=application.group,
        phone=phone,
        **kwargs,
    )


@pytest.fixture
def siti(db):
    return siti_application()


def siti_application() -> Application:
    """Siti's group: approved 40 juta, tahap 1 of 16 juta paid, tahap 2 waiting for the report."""
    application = funded_application(name="Kelompok Tani Mekar Sari", approved_amount=40_000_000)
    application.reference = "JPS-2020-TKM-32-000123"
    application.status = Application.Status.IN_DISBURSEMENT
    application.save(update_fields=["reference", "status"])
    start = timezone.make_aware(datetime.datetime(2020, 7, 1, 9, 0))
    for days, (before, after) in enumerate(
        [("draft", "submitted"), ("submitted", "verified"), ("verified", "approved"), ("approved", "in_disbursement")]
    ):
        ApplicationStatusChange.objects.create(
            application=application,
            from_status=before,
            to_status=after,
            changed_at=start + datetime.timedelta(days=10 * days),
            note="Catatan internal petugas: NIK 3204xxxx",
        )
    Tranche.objects.create(
        application=application,
        number=1,
        percentage=40,
        amount=16_000_000,
        status=Tranche.Status.PAID,
        paid_at=timezone.make_aware(datetime.datetime(2020, 8, 14, 10, 0)),
    )
    Tranche.objects.create(
        application=application, number=2, percentage=60, amount=24_000_000, status=Tranche.Status.LOCKED
    )
    return application


def ketua_phone(application) -> str:
    return Member.objects.get(group=application.group, role=Member.Role.KETUA).phone


@pytest.fixture
def tickets(siti):
    return siti_tickets(siti)


def siti_tickets(siti: Application) -> dict[str, Ticket]:
    """Open and closed tickets about Siti's group, a pungli report by someone else, one by the ketua's
    own phone, and a ticket about another group."""
    other = funded_application(name="Kelompok Lain Sejahtera")
    made = {
        "objection": _ticket(siti, "kelompok-fiktif"),
        "payment": _ticket(siti, "pembayaran", phone="0811-2222-3333"),
        "pungli_by_other": _ticket(siti, "pungli", description="Pak Camat minta uang Rp 2 juta"),
        "pungli_by_ketua": _ticket(siti, "pungli", phone=ketua_phone(siti)),
        "closed": _ticket(siti, "koreksi-data"),
        "other_group": _ticket(other, "pembayaran"),
    }
    Ticket.objects.filter(pk=made["closed"].pk).update(
        status=Ticket.Status.REJECTED, resolution_note="Bukan wewenang.", closed_at=timezone.now()
    )
    return made
