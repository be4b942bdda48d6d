from django import template

from groups.nik import mask_nik

register = template.Library()


@register.filter
def masked_nik(nik: str | None) -> str:
    """``{{ application.ketua_nik|masked_nik }}`` → ``320412******00**`` (``groups.nik.mask_nik``)."""
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


@register.simple_tag
def may_open_dashboard(user: object) -> bool:
    """``{% may_open_dashboard user as show %}``: whether to link the dashboard in the page header.

    Staff only (a ketua's pages never ask), and answered from the same short-lived cache as the
    dashboard's own permission check, so a page does not pay two permission queries for a link."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return False
    from dashboards.views import _may_view

    return _may_view(user)
