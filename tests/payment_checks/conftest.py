"""A reconciled batch with paid groups in Jawa Barat and Banten, each with a ketua and a bendahara
who have phones; and the sampling plan of the tests."""

from collections.abc import Callable
from decimal import Decimal

import pytest

from disbursements import bankfiles
from disbursements import services as disbursement_services
from disbursements.models import PaymentBatch, Tranche
from groups.models import Member
from payment_checks.models import SamplingPlan
from tests.disbursements.conftest import approve, paid_row, result_file  # noqa: F401 - the approve fixture
from tests.factories import add_members

__all__ = ["approve"]


@pytest.fixture
def small_plan(db) -> SamplingPlan:
    """A plan that samples a few of a small province: 95 % ± 50 %, at least 2 per province."""
    SamplingPlan.objects.update(is_active=False)
    return SamplingPlan.objects.create(
        name="Uji", margin_of_error=Decimal("0.5"), minimum_per_province=2, follow_up_after_days=7, link_valid_days=30
    )


@pytest.fixture
def reconciled_batch(approve, finance, django_capture_on_commit_callbacks) -> Callable[..., PaymentBatch]:
    """Approve groups per regency, pay them all in one batch and import the bank's file (every line
    paid): the batch is reconciled and the on-commit work (the draw, the SMS) runs."""

    def make(counts: dict[str, int]) -> PaymentBatch:
        serial = 0
        for regency_id, count in counts.items():
            for _index in range(count):
                application = approve(regency_id=regency_id)
                add_members(application.group, 3)
                serial += 1
                Member.objects.filter(group=application.group, role=Member.Role.KETUA).update(
                    phone=f"0813{serial:08d}", name=f"Siti Ketua {serial}"
                )
                Member.objects.filter(group=application.group, role=Member.Role.BENDAHARA).update(
                    phone=f"0857{serial:08d}", name=f"Rina Bendahara {serial}"
                )
        batch = disbursement_services.payment_batch_create(tranches=Tranche.objects.payable(), by=finance)
        batch = disbursement_services.payment_batch_export(batch=batch, by=finance)
        rows = [paid_row(line) for line in batch.lines.order_by("pk")]
        with django_capture_on_commit_callbacks(execute=True):
            disbursement_services.bank_results_import(
                rows=bankfiles.read_bank_results(result_file(rows)), file_name="hasil.csv", by=finance
            )
        batch.refresh_from_db()
        return batch

    return make
