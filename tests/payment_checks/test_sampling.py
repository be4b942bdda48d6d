"""Cochran's sample size with the finite-population correction, against known values."""

from decimal import Decimal

import pytest

from payment_checks.sampling import cochran_sample_size, z_score


def test_the_z_score_of_95_percent_is_1_96():
    assert z_score(Decimal("0.95")) == pytest.approx(1.959964, abs=1e-6)


@pytest.mark.parametrize(
    ("population", "confidence", "margin", "proportion", "expected"),
    [
        (100_000, "0.95", "0.05", "0.5", 383),  # the textbook 384, corrected for N = 100,000
        (1_000_000, "0.95", "0.05", "0.5", 384),
        (1_000, "0.95", "0.05", "0.5", 278),
        (500, "0.95", "0.05", "0.5", 218),
        (100_000, "0.99", "0.05", "0.5", 660),
        (100_000, "0.95", "0.03", "0.5", 1056),
        (100_000, "0.95", "0.05", "0.1", 139),
    ],
)
def test_it_matches_the_known_sample_sizes(population, confidence, margin, proportion, expected):
    size = cochran_sample_size(
        population,
        confidence_level=Decimal(confidence),
        margin_of_error=Decimal(margin),
        expected_proportion=Decimal(proportion),
    )
    assert size == expected


def test_a_small_province_is_sampled_whole_and_never_beyond_its_size():
    assert cochran_sample_size(40, confidence_level=0.95, margin_of_error=0.05) == 37
    assert cochran_sample_size(5, confidence_level=0.95, margin_of_error=0.05, minimum=10) == 5
    assert cochran_sample_size(0, confidence_level=0.95, margin_of_error=0.05, minimum=10) == 0


def test_the_minimum_per_province_lifts_a_small_sample():
    assert cochran_sample_size(100_000, confidence_level=0.95, margin_of_error=0.5, minimum=10) == 10
