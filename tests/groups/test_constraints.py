"""Every invariant is a database constraint: these tests go around the forms and the services and
show the database itself refusing the bad row."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction

from groups.models import Group, Member
from tests.factories import GroupFactory, MemberFactory, make_nik

pytestmark = pytest.mark.django_db


def _insert_member(group: Group, **fields: object) -> None:
    values = {
        "group": group,
        "year": group.year,
        "nik": make_nik(birth_date=datetime.date(1990, 5, 17), sex="L"),
        "name": "Asep",
        "sex": "L",
        "birth_date": datetime.date(1990, 5, 17),
        "role": "anggota",
        "employment_status": "penganggur",
        **fields,
    }
    with transaction.atomic():
        Member.objects.bulk_create([Member(**values)])


def test_the_database_refuses_a_nik_twice_in_one_year_across_groups():
    first, second = GroupFactory(), GroupFactory()
    nik = make_nik(birth_date=datetime.date(1985, 1, 2), sex="L")
    _insert_member(first, nik=nik)
    with pytest.raises(IntegrityError):
        _insert_member(second, nik=nik)


def test_the_same_nik_may_come_back_in_another_year():
    nik = make_nik(birth_date=datetime.date(1985, 1, 2), sex="L")
    _insert_member(GroupFactory(year=2020), nik=nik)
    _insert_member(GroupFactory(year=2021), nik=nik)
    assert Member.objects.filter(nik=nik).count() == 2


@pytest.mark.parametrize(
    "nik",
    [
        "320412170590001",  # 15 digits
        "32041217059000011",  # 17 digits
        "32041217059O0001",  # a letter
        "0000001705900001",  # zero region
        "3204121705900000",  # serial 0000
        "3204123205900001",  # day 32
        "3204121713900001",  # month 13
    ],
)
def test_the_database_refuses_a_nik_of_the_wrong_shape(nik):
    # PostgreSQL refuses a 17-digit value by its column length (DataError) before any CHECK runs.
    with pytest.raises((IntegrityError, DataError)):
        _insert_member(GroupFactory(), nik=nik)


def test_full_clean_refuses_what_the_database_shape_cannot_see():
    # 31 February and a district that never existed pass the database's shape check, so the model
    # validation (run by every service) refuses them with the NIK module's message.
    for nik in ("3204123102900001", "9999991705900001"):
        member = MemberFactory.build(group=GroupFactory(), nik=nik)
        with pytest.raises(ValidationError) as refused:
            member.full_clean()
        assert "nik" in refused.value.message_dict


def test_single_word_names_and_apostrophes_are_valid_names():
    group = GroupFactory()
    for name in ("Sukarni", "Ma'ruf Amin", "Nur'aini"):
        member = MemberFactory.build(group=group, name=name)
        member.full_clean()
        member.save()
    assert set(group.members.values_list("name", flat=True)) == {"Sukarni", "Ma'ruf Amin", "Nur'aini"}


def test_the_database_refuses_an_empty_name():
    with pytest.raises(IntegrityError):
        _insert_member(GroupFactory(), name="")


@pytest.mark.parametrize("role", ["ketua", "sekretaris", "bendahara"])
def test_the_database_refuses_a_second_officer_of_the_same_role(role):
    group = GroupFactory()
    MemberFactory(group=group, role=role)
    with pytest.raises(IntegrityError), transaction.atomic():
        MemberFactory(group=group, role=role)


def test_many_anggota_are_fine():
    group = GroupFactory()
    MemberFactory.create_batch(5, group=group, role="anggota")
    assert group.members.count() == 5


def test_the_database_refuses_a_half_entered_bank_account():
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupFactory(bank_id="002", account_number="", account_holder="Kelompok")


def test_the_database_refuses_an_account_number_with_letters():
    with pytest.raises(IntegrityError), transaction.atomic():
        GroupFactory(account_number="12345ABC90")


def test_a_group_without_any_bank_account_is_allowed_while_it_is_being_built():
    group = GroupFactory(bank_id=None, account_number="", account_holder="")
    assert not group.has_bank_account
