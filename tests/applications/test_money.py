from decimal import Decimal

import pytest
from django.template import Context, Template

from applications.money import format_rupiah, split_by_percentages


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (40_000_000, "Rp40.000.000"),
        (0, "Rp0"),
        (999, "Rp999"),
        (1_000, "Rp1.000"),
        (500_000_000_000, "Rp500.000.000.000"),
        (Decimal("100000.50"), "Rp100.001"),
        (-12_500, "-Rp12.500"),
        (None, "–"),
    ],
)
def test_it_shows_rupiah_the_indonesian_way(amount, shown):
    assert format_rupiah(amount) == shown


def test_the_template_filter_uses_the_same_format():
    rendered = Template("{% load money %}{{ amount|rupiah }}").render(Context({"amount": 20_000_000}))
    assert rendered == "Rp20.000.000"


@pytest.mark.parametrize(
    ("total", "plan", "parts"),
    [
        (40_000_000, [100], [40_000_000]),
        (40_000_000, [70, 30], [28_000_000, 12_000_000]),
        (100_000_001, [70, 30], [70_000_000, 30_000_001]),
        (10, [33, 33, 34], [3, 3, 4]),
    ],
)
def test_tranches_add_up_exactly_with_the_remainder_on_the_last(total, plan, parts):
    assert split_by_percentages(total, plan) == parts
    assert sum(split_by_percentages(total, plan)) == total


def test_a_plan_that_does_not_add_up_to_100_is_refused():
    with pytest.raises(ValueError, match="100"):
        split_by_percentages(1_000, [70, 20])
