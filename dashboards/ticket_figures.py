"""The complaint figures of the current snapshot (``TicketTally``): by province (the province rows,
all categories) or by category within one province — one query each, region-scoped."""

from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser

from dashboards.models import TallySnapshot, TicketTally
from dashboards.ticket_tallies import FIGURES
from regions.scope import scope_filter


@dataclass
class TicketRow:
    code: str
    name: str
    figures: dict[str, int] = field(default_factory=dict)
    median_days: float | None = None

    def __getattr__(self, name: str) -> int:
        try:
            return self.__dict__["figures"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def sla_percent(self) -> float | None:
        """Resolved within the SLA, as a share of the resolved."""
        resolved = self.figures["resolved"]
        return 100 * self.figures["resolved_in_time"] / resolved if resolved else None


def _scoped(snapshot: TallySnapshot, user: AbstractBaseUser):  # noqa: ANN202 - a QuerySet
    # Province rows have no regency: a user scoped to regencies only sees none (fail-closed).
    return scope_filter(TicketTally.objects.filter(snapshot=snapshot), user, province="province_id",
                        regency="province_id")  # fmt: skip


def province_rows(snapshot: TallySnapshot, *, user: AbstractBaseUser) -> list[TicketRow]:
    rows = (
        _scoped(snapshot, user)
        .filter(category__isnull=True)
        .values("province_id", "province__name", "median_days_to_resolve", *FIGURES)
        .order_by("province_id")
    )
    return [
        TicketRow(
            code=row["province_id"],
            name=row["province__name"],
            figures={f: row[f] for f in FIGURES},
            median_days=row["median_days_to_resolve"],
        )  # fmt: skip
        for row in rows
    ]


def category_rows(snapshot: TallySnapshot, *, user: AbstractBaseUser, province_code: str) -> list[TicketRow]:
    rows = (
        _scoped(snapshot, user)
        .filter(province_id=province_code, category__isnull=False)
        .values("category__code", "category__name", "median_days_to_resolve", *FIGURES)
        .order_by("category__position", "category__name")
    )
    return [
        TicketRow(
            code=row["category__code"],
            name=row["category__name"],
            figures={f: row[f] for f in FIGURES},
            median_days=row["median_days_to_resolve"],
        )  # fmt: skip
        for row in rows
    ]


def province_row(snapshot: TallySnapshot, *, user: AbstractBaseUser, province_code: str, name: str) -> TicketRow:
    """The province's own row (all categories, with its median): the drill-down's total line."""
    row = (
        _scoped(snapshot, user)
        .filter(province_id=province_code, category__isnull=True)
        .values("median_days_to_resolve", *FIGURES)
        .first()
    )
    if row is None:
        return TicketRow(code="", name=name, figures=dict.fromkeys(FIGURES, 0))
    return TicketRow(
        code="", name=name, figures={f: row[f] for f in FIGURES}, median_days=row["median_days_to_resolve"]
    )


def total_row(rows: list[TicketRow], *, name: str) -> TicketRow:
    """The sum of ``rows`` (no median: medians cannot be summed)."""
    return TicketRow(code="", name=name, figures={f: sum(r.figures[f] for r in rows) for f in FIGURES})
