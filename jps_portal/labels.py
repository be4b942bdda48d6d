"""Values as an officer reads them: a status by its label (not ``submitted``), money in rupiah
(``Rp12.000.000``, not ``12000000``), a moment in Jakarta time (``05-12-2026 14.12 WIB``, not UTC ISO).

Used where a value is shown outside a form widget, e.g. the audit trail's before → after."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Field, IntegerField
from django.utils.translation import gettext as _

from applications.money import format_rupiah

JAKARTA = ZoneInfo("Asia/Jakarta")
EMPTY = "∅"


def wib(moment: datetime.datetime) -> str:
    """``05-12-2026 14.12 WIB``: Jakarta time, whatever zone the value carries (naive = UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(JAKARTA).strftime("%d-%m-%Y %H.%M WIB")


def is_money(field: Field) -> bool:
    """Whole-rupiah columns are integer fields labelled "(Rp)" (``nilai (Rp)``, ``pagu anggaran (Rp)``)."""
    return isinstance(field, IntegerField) and "(Rp)" in str(field.verbose_name)


def field_value(field: Field, value: object) -> str:
    """``value`` of ``field`` as shown to an officer."""
    if value in (None, ""):
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("ya") if value else _("tidak")
    if is_money(field) and isinstance(value, int | Decimal):
        return format_rupiah(value)
    if isinstance(value, datetime.datetime):
        return wib(value)
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    return str(value)
