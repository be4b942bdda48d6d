"""Values as officers read them: labels not codes, rupiah not bare integers, Jakarta time not UTC ISO."""

import datetime

from applications.models import Application
from disbursements.models import Tranche
from groups.models import Member
from jps_portal.labels import field_value, is_money, wib


def _field(model, name: str):
    return model._meta.get_field(name)


def test_a_status_reads_as_its_label():
    assert field_value(_field(Application, "status"), "submitted") == "Diajukan"


def test_an_amount_reads_in_rupiah_and_a_count_stays_a_number():
    assert field_value(_field(Tranche, "amount"), 12_000_000) == "Rp12.000.000"
    assert is_money(_field(Application, "requested_amount"))
    assert not is_money(_field(Tranche, "percentage"))
    assert field_value(_field(Tranche, "percentage"), 70) == "70"


def test_a_moment_reads_in_jakarta_time():
    utc = datetime.datetime(2026, 12, 5, 7, 12, tzinfo=datetime.UTC)
    assert wib(utc) == "05-12-2026 14.12 WIB"
    assert field_value(_field(Application, "submitted_at"), utc) == "05-12-2026 14.12 WIB"


def test_empty_dates_and_flags_read_plainly():
    assert field_value(_field(Application, "approved_amount"), None) == "∅"
    assert field_value(_field(Member, "birth_date"), datetime.date(1990, 5, 17)) == "17-05-1990"
    assert field_value(_field(Member, "has_disability"), True) == "ya"
