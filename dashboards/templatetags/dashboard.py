from django import template

from dashboards.figures import mask_nik

register = template.Library()


@register.filter
def masked_nik(nik: str | None) -> str:
    """``{{ application.ketua_nik|masked_nik }}`` → ``3204********0001``."""
    return mask_nik(nik or "")


@register.filter
def percent(value: float | None) -> str:
    """``12,5%`` (Indonesian decimal comma), or an en dash when there is nothing to divide by."""
    return "–" if value is None else f"{value:.1f}%".replace(".", ",")


@register.filter
def number(value: int | None) -> str:
    """``1.985`` (dots between thousands)."""
    return "–" if value is None else f"{value:,}".replace(",", ".")


@register.filter
def days(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".replace(".", ",")
