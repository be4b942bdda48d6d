"""Reads for the results page: per batch and province, computed by the database."""

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Count, Q

from payment_checks.models import SampledPayment

Status = SampledPayment.Status


@dataclass(frozen=True)
class ProvinceResult:
    batch: str
    draw_id: int
    province: str
    sample_size: int
    responses: int
    confirmed: int
    discrepancies: int
    follow_up: int

    @property
    def response_rate(self) -> float | None:
        return 100 * self.responses / self.sample_size if self.sample_size else None

    @property
    def confirmed_percent(self) -> float | None:
        return 100 * self.confirmed / self.responses if self.responses else None


def results_by_batch_and_province(*, user: AbstractBaseUser, draw_id: int | None = None) -> list[ProvinceResult]:
    """One row per (batch, province) the user's region scope covers: one aggregate query."""
    samples = SampledPayment.objects.in_scope_of(user)
    if draw_id is not None:
        samples = samples.filter(draw_id=draw_id)
    rows = (
        samples.values("draw_id", "draw__batch__reference", "province__name")
        .annotate(
            sample_size=Count("pk"),
            responses=Count("pk", filter=Q(status__in=SampledPayment.RESPONDED)),
            confirmed=Count("pk", filter=Q(status=Status.CONFIRMED)),
            discrepancies=Count("pk", filter=Q(status=Status.DISCREPANCY)),
            follow_up=Count("pk", filter=Q(status__in=[Status.FOLLOW_UP, Status.UNREACHABLE])),
        )
        .order_by("-draw_id", "province__name")
    )
    return [
        ProvinceResult(
            batch=row["draw__batch__reference"],
            draw_id=row["draw_id"],
            province=row["province__name"],
            sample_size=row["sample_size"],
            responses=row["responses"],
            confirmed=row["confirmed"],
            discrepancies=row["discrepancies"],
            follow_up=row["follow_up"],
        )
        for row in rows[:2000]
    ]
