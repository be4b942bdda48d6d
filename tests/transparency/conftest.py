"""A small funded world: approved groups in two regencies of Jawa Barat and one in Banten, with
members who have phones, and groups that must never be listed (a draft, a rejected one)."""

import pytest
from django.utils import timezone

from applications.models import Application, Programme
from disbursements.models import Tranche
from groups.models import Member
from tests.factories import ApplicationFactory, GroupFactory, SchemeFactory, add_members


def funded_application(*, regency: str = "32.04", name: str | None = None, paid: int = 0, members: int = 4, **kw):
    group = GroupFactory(
        regency_id=regency, account_holder="Pemilik Rekening Rahasia", **({"name": name} if name else {})
    )
    people = add_members(group, members)
    for index, member in enumerate(people):
        member.phone = f"0813{index + 20000000 + group.pk * 100:08d}"
        member.save(update_fields=["phone"])
    application = ApplicationFactory(
        group=group,
        status=kw.pop("status", Application.Status.APPROVED),
        approved_amount=kw.pop("approved_amount", 40_000_000),
        **kw,
    )
    if paid:
        Tranche.objects.create(
            application=application,
            number=1,
            percentage=100,
            amount=paid,
            status=Tranche.Status.PAID,
            paid_at=timezone.now(),
        )
    return application


@pytest.fixture
def funded_world(db):
    SchemeFactory(programme=Programme.TKM, year=2020)
    return {
        "bandung": [funded_application(paid=40_000_000), funded_application(), funded_application()],
        "kota_bandung": [funded_application(regency="32.73")],
        "banten": [funded_application(regency="36.01", paid=40_000_000)],
        "not_listed": [
            funded_application(status=Application.Status.SUBMITTED, approved_amount=None),
            funded_application(status=Application.Status.REJECTED, approved_amount=None),
        ],
    }


def everyone_secret(world) -> list[str]:
    """Every string the public list must never contain: members' NIK, name and phone; the group's
    phone, account number and account holder."""
    secrets = []
    for applications in world.values():
        for application in applications:
            group = application.group
            secrets += [group.phone, group.account_number, group.account_holder]
            for member in Member.objects.filter(group=group):
                secrets += [member.nik, member.name, member.phone]
    return [secret for secret in secrets if secret]
