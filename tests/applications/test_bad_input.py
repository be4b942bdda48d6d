"""Bad input is refused with a clear Indonesian message, and nothing is half-saved."""

import pytest
from django.core.exceptions import ValidationError

from applications import services
from applications.models import Application, ApplicationStatusChange, ReferenceCounter
from tests.factories import GroupFactory, SchemeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("empat puluh juta", "harus berupa integer"),
        ("40.000.000,-", "harus berupa integer"),
        (-40_000_000, "lebih besar dari atau sama dengan 0"),
    ],
)
def test_a_non_numeric_or_negative_amount_is_refused_and_nothing_is_saved(amount, message):
    with pytest.raises(ValidationError) as refused:
        services.application_create(group=GroupFactory(), scheme=SchemeFactory(), by=None, requested_amount=amount)
    assert message in str(refused.value.message_dict["requested_amount"])
    # The reference number taken inside the same transaction was rolled back with it.
    assert not Application.objects.exists()
    assert not ApplicationStatusChange.objects.exists()
    assert not ReferenceCounter.objects.exists()


def test_a_scheme_of_another_year_is_refused():
    with pytest.raises(ValidationError, match="tidak sesuai dengan tahun kelompok"):
        services.application_create(group=GroupFactory(year=2021), scheme=SchemeFactory(year=2020), by=None)
    assert not Application.objects.exists()


def test_the_reference_sequence_continues_after_a_refused_application():
    group, scheme = GroupFactory(), SchemeFactory()
    with pytest.raises(ValidationError):
        services.application_create(group=group, scheme=scheme, by=None, requested_amount="x")
    application = services.application_create(group=group, scheme=scheme, by=None)
    assert application.reference.endswith("-000001")


def test_padat_karya_days_and_wages_beyond_the_scheme_block_submission():
    from tests.factories import ApplicationFactory, PadatKaryaSchemeFactory

    scheme = PadatKaryaSchemeFactory()  # 15 days, Rp100.000 per pekerja-HOK
    application = ApplicationFactory(
        scheme=scheme,
        requested_amount=10_000_000,
        equipment_budget=0,
        materials_budget=0,
        work_site="RT 01/RW 02",
        planned_days=20,
        workers_pekerja=10,
    )
    problems = services.submission_problems(application)
    assert "Jumlah hari kerja melebihi 15 hari yang diatur skema." in problems
    assert "Anggaran upah (HOK) melebihi nilai yang diajukan." in problems  # 10 × 20 × Rp100.000
    application.planned_days, application.workers_pekerja = 15, 6  # Rp9.000.000 of wages
    problems = services.submission_problems(application)
    assert not any("hari kerja" in p or "upah" in p for p in problems)
