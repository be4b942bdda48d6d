"""Rupiah amounts: whole rupiah as ``int`` (or ``Decimal`` for rates), shown as ``Rp40.000.000``."""

from decimal import ROUND_HALF_UP, Decimal


def format_rupiah(amount: int | Decimal | None) -> str:
    """``Rp40.000.000``: no space, dots between thousands, no decimals (rupiah has no cents in use)."""
    if amount is None:
        return "–"
    whole = int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "-" if whole < 0 else ""
    return f"{sign}Rp{abs(whole):,}".replace(",", ".")


def split_by_percentages(total: int, percentages: list[int]) -> list[int]:
    """Split ``total`` rupiah by whole percentages; the remainder goes to the last part, so the
    parts always add up exactly to ``total``."""
    if sum(percentages) != 100:
        raise ValueError("percentages must add up to 100")
    parts = [total * percentage // 100 for percentage in percentages[:-1]]
    return [*parts, total - sum(parts)]
