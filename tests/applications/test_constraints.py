import pytest
from django.db import IntegrityError, transaction

from applications.models import Application, Scheme
from disbursements.models import Tranche
from tests.factories import ApplicationFactory, GroupFactory, SchemeFactory

pytestmark = pytest.mark.django_db


def _refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_the_database_refuses_a_tranche_numbered_twice():
    application = ApplicationFactory(status=Application.Status.APPROVED)
    Tranche.objects.create(application=application, number=1, percentage=70, amount=28_000_000)
    _refused(lambda: Tranche.objects.create(application=application, number=1, percentage=30, amount=12_000_000))


def test_the_database_refuses_a_zero_or_negative_tranche():
    application = ApplicationFactory(status=Application.Status.APPROVED)
    _refused(lambda: Tranche.objects.create(application=application, number=1, percentage=100, amount=0))
    _refused(lambda: Tranche.objects.create(application=application, number=1, percentage=100, amount=-5))


def test_the_database_refuses_a_paid_tranche_without_a_payment_date():
    application = ApplicationFactory(status=Application.Status.APPROVED)
    _refused(lambda: Tranche.objects.create(application=application, number=1, percentage=100, amount=1, status="paid"))


def test_the_database_refuses_a_negative_or_zero_requested_amount():
    _refused(lambda: ApplicationFactory(requested_amount=0, equipment_budget=0, materials_budget=0))
    _refused(lambda: ApplicationFactory(requested_amount=-1, equipment_budget=0, materials_budget=0))


def test_the_database_refuses_an_approved_amount_above_the_requested_one():
    _refused(lambda: ApplicationFactory(approved_amount=50_000_000))


def test_the_database_refuses_an_unknown_status():
    _refused(lambda: ApplicationFactory(status="paid_twice"))


def test_the_status_constraint_lists_exactly_the_status_choices():
    constraint = next(c for c in Application._meta.constraints if c.name == "application_status_valid")
    assert sorted(constraint.condition.children[0][1]) == sorted(Application.Status.values)


def test_the_database_refuses_a_second_live_application_of_one_group():
    group = GroupFactory()
    ApplicationFactory(group=group, status=Application.Status.SUBMITTED)
    _refused(lambda: ApplicationFactory(group=group, status=Application.Status.DRAFT))


def test_a_group_may_apply_again_after_withdrawing():
    group = GroupFactory()
    ApplicationFactory(group=group, status=Application.Status.WITHDRAWN)
    ApplicationFactory(group=group, status=Application.Status.DRAFT)
    assert group.applications.count() == 2


def test_the_database_refuses_a_malformed_reference():
    _refused(lambda: ApplicationFactory(reference="JPS-20-TKM-32-1"))


def test_the_database_refuses_a_scheme_whose_minimum_exceeds_its_maximum():
    _refused(lambda: SchemeFactory(members_min=25, members_max=20))


def test_the_database_refuses_a_second_scheme_for_one_programme_and_year():
    SchemeFactory()
    _refused(
        lambda: Scheme.objects.create(
            programme="TKM",
            year=2020,
            name="TKM 2020 lagi",
            members_min=20,
            members_max=20,
            amount_per_group=1,
            duration_days=1,
            opens_on="2020-01-01",
            closes_on="2020-02-01",
        )
    )


def test_a_tranche_plan_that_does_not_add_up_to_100_is_refused_with_a_message():
    from django.core.exceptions import ValidationError

    scheme = SchemeFactory.build(tranche_plan=[70, 20])
    with pytest.raises(ValidationError) as refused:
        scheme.clean()
    assert "100" in str(refused.value)
