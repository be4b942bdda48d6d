"""The demo's mentoring: the ``pendamping`` login gets the caseload of the Jawa Barat regency with the
most funded launch groups, and one done visit that raised a problem with its follow-up date.
``seed_demo`` calls ``mentoring_demo_seed`` after the groups and the demo logins exist."""

import datetime
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from groups.models import Group
from mentoring import geo, services
from mentoring.models import CaseAssignment, Visit

DEMO_MENTOR = "pendamping"
DEMO_PROVINCE = "32"


@dataclass(frozen=True)
class MentoringDemoResult:
    created: bool
    regency: str = ""
    caseload: int = 0
    visit_id: int | None = None


@transaction.atomic
def mentoring_demo_seed() -> MentoringDemoResult:
    """Idempotent: a demo mentor who already has a caseload is left as they are."""
    mentor = get_user_model().objects.filter(username=DEMO_MENTOR, is_active=True).first()
    if mentor is None or CaseAssignment.objects.filter(mentor=mentor).exists():
        return MentoringDemoResult(created=False)
    busiest = (
        Group.objects.filter(regency__province_id=DEMO_PROVINCE, applications__status__in=services.FUNDED)
        .values("regency_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "regency_id")
        .first()
    )
    if busiest is None:
        return MentoringDemoResult(created=False)
    regency = busiest["regency_id"]
    caseload = services.caseload_balance(regency_code=regency, by=None)
    group = services.caseload_groups(mentor).order_by("pk").first()
    today = timezone.localdate()
    circle = geo.regency_circles().get(regency)
    position = (circle.latitude + 0.01, circle.longitude + 0.01) if circle else (None, None)
    programme = services.group_programme(group)
    answers = {
        item.code: ("ya" if item.kind == "yes_no" else item.choices()[0][0] if item.kind == "choice" else "-")
        for item in services.checklist_items(programme)
    }
    if "bookkeeping" in answers:
        answers["bookkeeping"] = "tidak"
    visit = services.visit_record(
        group=group, by=mentor, token=uuid.uuid4(), done_on=today - datetime.timedelta(days=3), checklist=answers,
        notes="Usaha berjalan; peralatan dipakai setiap hari. Pembukuan belum dibuat.",
        problems=[services.ProblemInput(
            "Kas masuk dan keluar belum dicatat; ketua belum punya buku kas.", today + datetime.timedelta(days=4)
        )],
        photos=[SimpleUploadedFile("kunjungan.jpg", geo.jpeg_with_position(*position), content_type="image/jpeg")],
    ).visit  # fmt: skip
    assert visit.status == Visit.Status.DONE
    return MentoringDemoResult(created=True, regency=regency, caseload=caseload, visit_id=visit.pk)
