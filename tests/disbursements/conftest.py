"""Helpers for the money path: approved applications with tranches, and bank result files."""

import csv
import io
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import services as application_services
from applications.models import Application
from disbursements.bankfiles import RESULT_COLUMNS
from tests.factories import ApplicationFactory, GroupFactory, SchemeFactory, SchemeQuotaFactory

Status = Application.Status


@pytest.fixture
def approve(approver) -> Callable[..., Application]:
    """Approve a new application through the real service (so the tranches come from the approval)."""

    def make(*, plan: list[int] | None = None, amount: int = 40_000_000, regency_id: str = "32.04", year: int = 2020):
        scheme = SchemeFactory(year=year)  # one scheme per year (get_or_create): set this call's plan
        scheme.tranche_plan = plan or [100]
        scheme.save(update_fields=["tranche_plan"])
        group = GroupFactory(regency_id=regency_id)
        application = ApplicationFactory(group=group, scheme=scheme, requested_amount=amount, status=Status.VERIFIED)
        province_id = regency_id.split(".")[0]
        quota = scheme.quotas.filter(province_id=province_id).first() or SchemeQuotaFactory(
            scheme=scheme, province_id=province_id, groups=1000, budget=10**13
        )
        assert quota
        application_services.application_approve(application=application, by=approver)
        application.refresh_from_db()
        return application

    return make


def result_file(rows: list[dict[str, object]], *, name: str = "hasil.csv", columns: list[str] | None = None):
    """A CSV bank result file with ``rows`` (dicts keyed by the result columns)."""
    columns = columns or RESULT_COLUMNS
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def paid_row(line, *, txn: str | None = None, amount: int | None = None) -> dict[str, object]:
    return {
        "payment_reference": line.payment_reference,
        "status": "paid",
        "reason_code": "",
        "transfer_date": "2020-10-15",
        "bank_transaction_id": txn or f"TX{line.pk:010d}",
        "amount": line.amount if amount is None else amount,
    }


def failed_row(line, *, reason: str = "invalid_account", status: str = "failed") -> dict[str, object]:
    return {
        "payment_reference": line.payment_reference,
        "status": status,
        "reason_code": reason,
        "transfer_date": "",
        "bank_transaction_id": "",
        "amount": line.amount,
    }
