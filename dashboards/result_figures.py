"""The "after the money" figures of the current snapshot (``ResultTally``), by province or by the
regencies of one province: one ``GROUP BY`` query over a few hundred snapshot rows, region-scoped."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Max, Sum

from dashboards.figures import Selection
from dashboards.models import ResultTally, TallySnapshot
from dashboards.results import FIGURES
from regions.scope import scope_filter

SUMMED = (*FIGURES, "members", "women", "disabled")


def _percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


@dataclass
class ResultRow:
    code: str
    name: str
    figures: dict[str, int] = field(default_factory=dict)
    women_target: Decimal | None = None
    disability_target: Decimal | None = None

    def __getattr__(self, name: str) -> int:
        try:
            return self.__dict__["figures"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def registered(self) -> int:
        return self.figures["registered_offline"] + self.figures["registered_online"]

    @property
    def attended(self) -> int:
        return self.figures["attended_offline"] + self.figures["attended_online"]

    @property
    def visited_30_percent(self) -> float | None:
        return _percent(self.figures["visited_30"], self.figures["groups_funded"])

    @property
    def visited_90_percent(self) -> float | None:
        return _percent(self.figures["visited_90"], self.figures["groups_funded"])

    @property
    def survival_6_percent(self) -> float | None:
        return _percent(self.figures["alive_6"], self.figures["reported_6"])

    @property
    def survival_12_percent(self) -> float | None:
        return _percent(self.figures["alive_12"], self.figures["reported_12"])

    @property
    def jobs(self) -> int:
        return self.figures["jobs_members"] + self.figures["jobs_others"]

    @property
    def rupiah_per_job(self) -> int | None:
        """Money paid to the groups that reported, per person they report at work."""
        return round(self.figures["paid_reporting"] / self.jobs) if self.jobs else None

    @property
    def women_percent(self) -> float | None:
        return _percent(self.figures["women"], self.figures["members"])

    @property
    def disability_percent(self) -> float | None:
        return _percent(self.figures["disabled"], self.figures["members"])

    @property
    def women_below_target(self) -> bool:
        share = self.women_percent
        return share is not None and bool(self.women_target) and share < float(self.women_target)

    @property
    def disability_below_target(self) -> bool:
        share = self.disability_percent
        return share is not None and bool(self.disability_target) and share < float(self.disability_target)


def result_rows(
    snapshot: TallySnapshot, selection: Selection, *, user: AbstractBaseUser, province_code: str | None = None
) -> list[ResultRow]:
    """One row per province (or per regency of ``province_code``), in code order. The targets shown are
    the highest of the selected programmes' schemes."""
    rows = scope_filter(
        ResultTally.objects.filter(snapshot=snapshot, year=selection.year, programme__in=selection.programmes),
        user,
        province="province_id",
        regency="regency_id",
    )
    if province_code is None:
        keys = ("province_id", "province__name")
    else:
        rows = rows.filter(province_id=province_code)
        keys = ("regency_id", "regency__name")
    grouped = (
        rows.values(*keys)
        .annotate(
            **{name: Sum(name) for name in SUMMED},
            wt=Max("women_target_percent"),
            dt=Max("disability_target_percent"),
        )
        .order_by(keys[0])
    )
    return [
        ResultRow(
            code=row[keys[0]], name=row[keys[1]], figures={name: row[name] or 0 for name in SUMMED},
            women_target=row["wt"], disability_target=row["dt"],
        )
        for row in grouped
    ]  # fmt: skip


def total_row(rows: list[ResultRow], *, name: str) -> ResultRow:
    """The sum of the rows already read (no query): the table's last line."""
    targets = [r.women_target for r in rows if r.women_target is not None]
    disability = [r.disability_target for r in rows if r.disability_target is not None]
    return ResultRow(
        code="",
        name=name,
        figures={key: sum(r.figures[key] for r in rows) for key in SUMMED},
        women_target=max(targets, default=None),
        disability_target=max(disability, default=None),
    )
