"""Factories and builders for tranche reports (kept apart from tests/factories.py, which the money-path
work extends in parallel)."""

import base64
import datetime

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.models import Application
from disbursements.models import Tranche
from tests.factories import ApplicationFactory, GroupFactory, PadatKaryaSchemeFactory, SchemeFactory, add_members

# A 16 × 16 JPEG photo (CPython's imghdr test image), as in tests/applications/test_portal_documents.py.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEAAQABAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8Q"
    "EBEQCgwSExIQEw8QEBD/2wBDAQMDAwQDBAgEBAgQCwkLEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ"
    "EBAQEBAQEBD/wAARCAAQABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAABwQF/8QAJBAAAQQBBAICAwAAAAAAAAAAAQID"
    "BAYFBwgSExEiABQJMTL/xAAVAQEBAAAAAAAAAAAAAAAAAAAABv/EACMRAAECBQMFAAAAAAAAAAAAAAECEQMEBQYhABIxFRZhgeH/"
    "2gAMAwEAAhEDEQA/ABSm0mobc8HmExLUlRzzEWPkJWW+ulrsaUVAseUgslSlH9LKuPryIKuWPZdskzXmm3fX5m2nF4GlVxx/HOpx"
    "4ks51+MiU/Iaad7UcUo4tILoS4kqcWkezS0hO/HvuRp0rO6hWnWO1UisZVuFi4GFeyEpmGepa5S5SWVPuciFKRFLgSrwetnyPIB+"
    "Vb4N9mKhQMzo5po9XLdDs9d6ZVix2VEhiL9kuNPxw2gEKcDQ/rs8AuA8VAe0vdl7VOYn+27flGAUgmITjbhSmCg3BYlyeWDkMolv"
    "w4KOp1KM6iCNvngZHwetf//Z"
)
APPROVED_DAYS_AGO = 10


def photo(name: str = "kuitansi.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


class TrancheFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tranche

    application = factory.SubFactory(ApplicationFactory)
    number = 1
    percentage = 100
    amount = factory.LazyAttribute(lambda tranche: tranche.application.approved_amount * tranche.percentage // 100)
    status = Tranche.Status.SCHEDULED


def funded_application(
    *,
    user: object,
    padat_karya: bool = False,
    plan: tuple[int, ...] = (70, 30),
    members: int = 0,
    regency: str = "32.04",
) -> Application:
    """An approved application of ``user``'s group, approved 10 days ago, its tahap 1 paid and the later
    tahap locked until a report is accepted."""
    if padat_karya:
        scheme = PadatKaryaSchemeFactory(tranche_plan=list(plan))
    else:
        scheme = SchemeFactory(equipment_percent=60, tranche_plan=list(plan))
    group = GroupFactory(user=user, regency_id=regency)
    if members:
        add_members(group, members)
    application = ApplicationFactory(
        group=group,
        scheme=scheme,
        status=Application.Status.IN_DISBURSEMENT if len(plan) > 1 else Application.Status.REPORTING,
        decided_at=timezone.now() - datetime.timedelta(days=APPROVED_DAYS_AGO),
    )
    application.approved_amount = application.requested_amount
    application.save(update_fields=["approved_amount"])
    amounts = [application.approved_amount * p // 100 for p in plan[:-1]]
    amounts.append(application.approved_amount - sum(amounts))
    for number, (percentage, amount) in enumerate(zip(plan, amounts, strict=True), start=1):
        TrancheFactory(
            application=application,
            number=number,
            percentage=percentage,
            amount=amount,
            status=Tranche.Status.PAID if number == 1 else Tranche.Status.LOCKED,
            paid_at=timezone.now() - datetime.timedelta(days=APPROVED_DAYS_AGO - 1) if number == 1 else None,
        )
    return application
