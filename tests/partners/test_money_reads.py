"""Finance systems read tranches, payment batches and the bank transfer file — only their region's."""

import csv
import io

import pytest
from openpyxl import load_workbook

from disbursements.models import PaymentBatch
from partners import services
from partners.models import Scope
from tests.partners.conftest import call, make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def jabar_finance_key(portal_admin) -> str:
    client = make_client(name="Bank Jabar", scopes=[Scope.DISBURSEMENTS_READ], provinces=["32"], by=portal_admin)
    return services.api_key_issue(client=client, by=portal_admin).plaintext


@pytest.fixture
def national_finance_key(portal_admin) -> str:
    client = make_client(name="SPAN", scopes=[Scope.DISBURSEMENTS_READ], national=True, by=portal_admin)
    return services.api_key_issue(client=client, by=portal_admin).plaintext


def test_tranches_list_only_the_clients_region(api, jabar_finance_key, money_world):
    rows = call(api, "/api/v1/tranches/", jabar_finance_key).json()["results"]
    assert {row["application"] for row in rows} == {a.pk for a in money_world["bandung"]}
    assert {row["province"] for row in rows} == {"32"}
    assert rows[0]["status"] == "in_batch" and rows[0]["amount"] == 40_000_000


def test_a_tranche_of_another_province_is_404(api, jabar_finance_key, money_world):
    tranche = money_world["semarang"].tranches.get()
    assert call(api, f"/api/v1/tranches/{tranche.pk}/", jabar_finance_key).status_code == 404
    assert call(api, "/api/v1/tranches/?province=33", jabar_finance_key).json()["results"] == []


def test_tranche_filters_and_etag(api, national_finance_key, money_world):
    url = f"/api/v1/tranches/?application={money_world['semarang'].pk}&status=in_batch"
    first = call(api, url, national_finance_key)
    assert len(first.json()["results"]) == 1
    assert call(api, url, national_finance_key, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert call(api, "/api/v1/tranches/?status=bogus", national_finance_key).status_code == 400


def test_batches_carry_the_admins_totals_and_stay_in_region(api, jabar_finance_key, money_world):
    rows = call(api, "/api/v1/batches/", jabar_finance_key).json()["results"]
    assert [row["reference"] for row in rows] == [money_world["jabar_batch"].reference]
    assert (rows[0]["line_count"], rows[0]["total_amount"], rows[0]["open_count"]) == (2, 80_000_000, 2)
    jateng = money_world["jateng_batch"]
    assert call(api, f"/api/v1/batches/{jateng.pk}/", jabar_finance_key).status_code == 404


def test_the_transfer_file_is_the_admins_export(api, jabar_finance_key, money_world):
    batch = money_world["jabar_batch"]
    response = call(api, f"/api/v1/batches/{batch.pk}/transfer-file/", jabar_finance_key)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert rows[0] == ["payment_reference", "bank_code", "account_number", "account_holder", "amount", "description"]
    assert sorted(row[0] for row in rows[1:]) == sorted(batch.lines.values_list("payment_reference", flat=True))


def test_the_transfer_file_as_xlsx(api, jabar_finance_key, money_world):
    batch = money_world["jabar_batch"]
    response = call(api, f"/api/v1/batches/{batch.pk}/transfer-file/?file_format=xlsx", jabar_finance_key)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == 3


def test_an_open_batch_has_no_file_yet_and_is_not_locked_by_asking(api, national_finance_key, money_world):
    batch = money_world["jateng_batch"]
    response = call(api, f"/api/v1/batches/{batch.pk}/transfer-file/", national_finance_key)
    assert response.status_code == 409
    assert response.json()["type"].endswith("/conflict")
    batch.refresh_from_db()
    assert batch.status == PaymentBatch.Status.OPEN


def test_another_provinces_file_is_404(api, jabar_finance_key, money_world):
    batch = money_world["jateng_batch"]
    assert call(api, f"/api/v1/batches/{batch.pk}/transfer-file/", jabar_finance_key).status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/tranches/", "/api/v1/batches/"])
def test_a_client_without_the_scope_gets_403(api, jabar_key, money_world, path):
    response = call(api, path, jabar_key)
    assert response.status_code == 403
    assert response.json()["detail"] == "Klien ini tidak memiliki hak akses disbursements:read."


def test_a_page_of_batches_costs_a_fixed_number_of_queries(
    api, national_finance_key, money_world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        call(api, "/api/v1/batches/", national_finance_key)
    with django_assert_max_num_queries(8):
        call(api, "/api/v1/tranches/", national_finance_key)
