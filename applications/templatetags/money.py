from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from applications.money import format_rupiah, format_rupiah_compact

register = template.Library()


@register.filter
def rupiah(amount: int | Decimal | None) -> str:
    """``{{ application.requested_amount|rupiah }}`` → ``Rp40.000.000``."""
    return format_rupiah(amount)


@register.filter
def rupiah_compact(amount: int | Decimal | None) -> SafeString:
    """``{{ total|rupiah_compact }}`` → ``<span class="money" title="Rp6.920.000.000">Rp6,92 M</span>``:
    short and never wrapped, the full figure on hover (and read by screen readers)."""
    full = format_rupiah(amount)
    short = format_rupiah_compact(amount)
    if short == full:
        return format_html('<span class="money">{}</span>', full)
    return format_html('<span class="money" title="{}" aria-label="{}">{}</span>', full, full, short)


@register.filter
def rupiah_nowrap(amount: int | Decimal | None) -> SafeString:
    """``Rp40.000.000`` that never breaks across lines."""
    return format_html('<span class="money">{}</span>', format_rupiah(amount))
