"""Partner systems as tests talk about them: Disnaker Jawa Barat's system (province 32, reads
applications), the BI tools (national, tallies only), and the data they may or may not see."""

import pytest
from rest_framework.test import APIClient

from applications.models import Application
from partners import services
from partners.models import Client, Scope
from regions.models import Province, Regency
from tests.factories import ApplicationFactory, GroupFactory, add_members


def make_client(*, name: str, scopes: list[str], by, provinces=(), regencies=(), national=False, **fields) -> Client:  # noqa: ANN001
    client = Client(name=name, scopes=scopes, scope_national=national, **fields)
    return services.client_save(
        client=client,
        provinces=Province.objects.filter(code__in=provinces),
        regencies=Regency.objects.filter(code__in=regencies),
        by=by,
    )


@pytest.fixture
def jabar_system(portal_admin):
    """Disnaker Jawa Barat's system: province 32, applications:read."""
    return make_client(name="SIDISNAKER Jabar", scopes=[Scope.APPLICATIONS_READ], provinces=["32"], by=portal_admin)


@pytest.fixture
def jabar_key(jabar_system, portal_admin) -> str:
    return services.api_key_issue(client=jabar_system, by=portal_admin).plaintext


@pytest.fixture
def bi_system(portal_admin):
    """The ministry's BI tools: national, tallies and the public list only."""
    return make_client(
        name="BI Kemnaker", scopes=[Scope.TALLIES_READ, Scope.PUBLIC_READ], national=True, by=portal_admin
    )


@pytest.fixture
def bi_key(bi_system, portal_admin) -> str:
    return services.api_key_issue(client=bi_system, by=portal_admin).plaintext


@pytest.fixture
def api():
    return APIClient()


def call(api: APIClient, path: str, key: str | None = None, **headers: str):  # noqa: ANN201
    if key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return api.get(path, **headers)


@pytest.fixture
def two_provinces(db):
    """An application in Kabupaten Bandung (Jawa Barat, 32.04) and one in Surabaya (Jawa Timur, 35.78)."""
    bandung = ApplicationFactory(group=GroupFactory(regency_id="32.04"), status=Application.Status.SUBMITTED)
    surabaya = ApplicationFactory(
        group=GroupFactory(regency_id="35.78"),
        reference="JPS-2020-TKM-35-000001",
        status=Application.Status.SUBMITTED,
    )
    add_members(bandung.group, 3)
    add_members(surabaya.group, 3)
    return bandung, surabaya


@pytest.fixture
def open_scheme(db):
    """A 20-member TKM scheme of this year, open all year (as in tests/applications)."""
    import datetime

    from django.utils import timezone

    from tests.factories import SchemeFactory

    year = timezone.localdate().year
    return SchemeFactory(
        year=year, opens_on=datetime.date(year, 1, 1), closes_on=datetime.date(year, 12, 31), members_min=20
    )


def approved(approver, regency_id: str):  # noqa: ANN001, ANN201
    """An application in ``regency_id`` approved through the real service (its tranches come from it)."""
    from applications import services as application_services
    from tests.factories import SchemeFactory, SchemeQuotaFactory

    scheme = SchemeFactory(year=2020)
    group = GroupFactory(regency_id=regency_id)
    application = ApplicationFactory(
        group=group, scheme=scheme, requested_amount=40_000_000, status=Application.Status.VERIFIED
    )
    province = regency_id[:2]
    if not scheme.quotas.filter(province_id=province).exists():
        SchemeQuotaFactory(scheme=scheme, province_id=province, groups=1000, budget=10**13)
    application_services.application_approve(application=application, by=approver)
    return application


@pytest.fixture
def money_world(approver, finance):
    """Two approved applications in Jawa Barat, one in Jawa Tengah; a batch per province, the Jawa
    Barat one exported (the bank has its file), the Jawa Tengah one still open."""
    from disbursements import services as money
    from disbursements.models import Tranche

    bandung = [approved(approver, "32.04") for _ in range(2)]
    semarang = approved(approver, "33.74")
    jabar = money.payment_batch_create(tranches=Tranche.objects.all(), by=finance, province_id="32")
    jabar = money.payment_batch_export(batch=jabar, by=finance)
    jateng = money.payment_batch_create(tranches=Tranche.objects.all(), by=finance, province_id="33")
    return {"bandung": bandung, "semarang": semarang, "jabar_batch": jabar, "jateng_batch": jateng}
