"""The generator's scales: the national profile and its fractions (for profiling)."""

import pytest

from ketenplan.benchmark.generator import SCALES, fraction_of


def test_national_is_the_issue_size():
    national = SCALES["national"]
    assert national.cases == 250_000
    assert national.cases * national.persons_per_case == 1_000_000
    assert national.cases * national.audit_per_case == 20_000_000


def test_a_fraction_keeps_the_shape_per_case():
    part = fraction_of(SCALES["national"], 0.04)
    assert part.cases == 10_000
    assert part.regions == 1
    assert part.audit_per_case == SCALES["national"].audit_per_case
    assert part.contributions_per_case == SCALES["national"].contributions_per_case
    assert fraction_of(SCALES["national"], 1.0) == SCALES["national"]
    with pytest.raises(ValueError):
        fraction_of(SCALES["national"], 0)
