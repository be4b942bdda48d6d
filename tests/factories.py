"""factory_boy factories. Members get valid NIKs consistent with their district, sex and birth date."""

import datetime
import itertools

import factory

from accounts.models import Role, User
from applications.models import Application, Programme, Scheme, SchemeQuota
from groups.models import Group, Member
from groups.nik import nik_date_part

_serials = itertools.count(1)


def make_nik(*, district: str = "320412", birth_date: datetime.date, sex: str, serial: int | None = None) -> str:
    """A valid NIK for a person born on ``birth_date`` in district ``district`` (six digits)."""
    serial = serial if serial is not None else next(_serials) % 9999 + 1
    return f"{district}{nik_date_part(birth_date, sex)}{serial:04d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.id")
    password = factory.PostGenerationMethodCall("set_password", "rahasia-123")

    @factory.post_generation
    def role(self, create: bool, extracted: Role | None, **kwargs: object) -> None:
        from django.contrib.auth.models import Group as AuthGroup

        if extracted:
            self.groups.add(AuthGroup.objects.get(name=extracted.value))
            self.is_staff = extracted != Role.GROUP
        self.save()


class SchemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Scheme
        django_get_or_create = ("programme", "year")

    programme = Programme.TKM
    year = 2020
    name = factory.LazyAttribute(lambda scheme: f"{scheme.programme} {scheme.year}")
    members_min = 20
    members_max = 20
    age_min = 17
    age_max = 55
    amount_per_group = 40_000_000
    duration_days = 90
    tranche_plan = factory.LazyFunction(lambda: [100])
    opens_on = datetime.date(2020, 6, 1)
    closes_on = datetime.date(2020, 12, 31)


class PadatKaryaSchemeFactory(SchemeFactory):
    programme = Programme.PK_INFRASTRUKTUR
    duration_days = 15
    amount_per_group = 100_000_000
    members_min = 30
    members_max = 30
    wage_pekerja = 100_000
    wage_tukang = 120_000
    wage_ketua = 150_000
    tranche_plan = factory.LazyFunction(lambda: [70, 30])


class SchemeQuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchemeQuota

    scheme = factory.SubFactory(SchemeFactory)
    province_id = "32"
    groups = 10
    budget = factory.LazyAttribute(lambda quota: quota.groups * quota.scheme.amount_per_group)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    code = factory.Sequence(lambda n: f"KLP-{n:05d}")
    name = factory.Sequence(lambda n: f"Kelompok Maju Bersama {n}")
    year = 2020
    regency_id = "32.04"
    village = "Dayeuhkolot"
    # Distinct per group: groups of one village sharing a phone or an address form a cluster flag.
    address = factory.Sequence(lambda n: f"Jl. Raya Dayeuhkolot No. {n + 1}")
    phone = factory.Sequence(lambda n: f"0812{n + 10000000:08d}")
    bank_id = "002"
    account_number = factory.Sequence(lambda n: f"{1000000000 + n:015d}")
    account_holder = factory.LazyAttribute(lambda group: group.name)


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    group = factory.SubFactory(GroupFactory)
    year = factory.LazyAttribute(lambda member: member.group.year)
    name = factory.Sequence(lambda n: f"Anggota {n}")
    sex = Member.Sex.MALE
    birth_date = datetime.date(1990, 5, 17)
    nik = factory.LazyAttribute(lambda member: make_nik(birth_date=member.birth_date, sex=member.sex))
    role = Member.Role.ANGGOTA
    employment_status = Member.EmploymentStatus.PENGANGGUR


def add_members(group: Group, count: int = 20) -> list[Member]:
    """``count`` members with one ketua, sekretaris and bendahara; every third one a woman."""
    roles = [Member.Role.KETUA, Member.Role.SEKRETARIS, Member.Role.BENDAHARA]
    return [
        MemberFactory(
            group=group,
            role=roles[index] if index < len(roles) else Member.Role.ANGGOTA,
            sex=Member.Sex.FEMALE if index % 3 == 0 else Member.Sex.MALE,
            birth_date=datetime.date(1980 + index % 20, 1 + index % 12, 1 + index % 28),
        )
        for index in range(count)
    ]


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    group = factory.SubFactory(GroupFactory)
    scheme = factory.SubFactory(SchemeFactory)
    province_id = factory.LazyAttribute(lambda application: application.group.regency.province_id)
    # Far above what the reference counter hands out in a test, so the two never collide.
    reference = factory.Sequence(lambda n: f"JPS-2020-TKM-32-{900_000 + n:06d}")
    requested_amount = factory.LazyAttribute(lambda application: application.scheme.amount_per_group)
    status = Application.Status.DRAFT
    business_type = "Warung makan"
    business_plan = "Membuka warung makan di pasar desa."
    equipment_budget = factory.LazyAttribute(lambda application: application.requested_amount * 6 // 10)
    materials_budget = factory.LazyAttribute(
        lambda application: application.requested_amount - application.equipment_budget
    )
