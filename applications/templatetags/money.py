from decimal import Decimal

from django import template

from applications.money import format_rupiah

register = template.Library()


@register.filter
def rupiah(amount: int | Decimal | None) -> str:
    """``{{ application.requested_amount|rupiah }}`` → ``Rp40.000.000``."""
    return format_rupiah(amount)
