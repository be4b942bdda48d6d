"""Rupiah amounts: whole rupiah as ``int`` (or ``Decimal`` for rates), shown as ``Rp40.000.000``."""

from decimal import ROUND_HALF_UP, Decimal


def format_rupiah(amount: int | Decimal | None) -> str:
    """``Rp40.000.000``: no space, dots between thousands, no decimals (rupiah has no cents in use)."""
    if amount is None:
        return "–"
    whole = int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    sign = "-" if whole < 0 else ""
    return f"{sign}Rp{abs(whole):,}".replace(",", ".")


# Indonesian short scales: juta (10^6), miliar (10^9), triliun (10^12).
_COMPACT_UNITS = ((10**12, "T"), (10**9, "M"), (10**6, "jt"))


def format_rupiah_compact(amount: int | Decimal | None) -> str:
    """``Rp6,92 M`` for 6.920.000.000: three significant digits with the Indonesian unit (jt, M, T),
    the decimal comma and no trailing zeros; below a million the full ``format_rupiah``. The full
    figure goes beside it (a ``title``, the exports): ``money_compact`` in the templates."""
    if amount is None:
        return "–"
    whole = int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if abs(whole) < _COMPACT_UNITS[-1][0]:
        return format_rupiah(whole)
    # Round to three significant digits first, so 999.500.000 reads "Rp1 M", not "Rp1000 jt".
    step = Decimal(10) ** (len(str(abs(whole))) - 3)
    rounded = (Decimal(abs(whole)) / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    size, unit = next((size, unit) for size, unit in _COMPACT_UNITS if rounded >= size)
    text = f"{(rounded / size).normalize():f}"
    sign = "-" if whole < 0 else ""
    return f"{sign}Rp{text.replace('.', ',')}\u00a0{unit}"
    return format_rupiah(whole)


def split_by_percentages(total: int, percentages: list[int]) -> list[int]:
    """Split ``total`` rupiah by whole percentages; the remainder goes to the last part, so the
    parts always add up exactly to ``total``."""
    if sum(percentages) != 100:
        raise ValueError("percentages must add up to 100")
    parts = [total * percentage // 100 for percentage in percentages[:-1]]
    return [*parts, total - sum(parts)]
