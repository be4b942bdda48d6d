import datetime

from grievances.sla import add_working_days, is_working_day, working_days_between


def test_weekends_and_public_holidays_are_not_working_days():
    assert not is_working_day(datetime.date(2026, 8, 15))  # Saturday
    assert not is_working_day(datetime.date(2026, 8, 17))  # Monday, Hari Kemerdekaan
    assert is_working_day(datetime.date(2026, 8, 18))


def test_a_deadline_skips_the_weekend_and_independence_day():
    # Friday 14 August 2026 + 1 working day: not Saturday, Sunday or Monday 17 August.
    assert add_working_days(datetime.date(2026, 8, 14), 1) == datetime.date(2026, 8, 18)
    assert add_working_days(datetime.date(2026, 8, 10), 4) == datetime.date(2026, 8, 14)
    assert add_working_days(datetime.date(2026, 8, 10), 5) == datetime.date(2026, 8, 18)


def test_working_days_between_counts_both_ways():
    assert working_days_between(datetime.date(2026, 8, 14), datetime.date(2026, 8, 18)) == 1
    assert working_days_between(datetime.date(2026, 8, 18), datetime.date(2026, 8, 14)) == -1
