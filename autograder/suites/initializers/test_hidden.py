"""Hidden checks of the initializers assignment: the visible checks' rules on other inputs.

The transposed shape (280, 120) with non-default parameters (`scale`, `gain`,
`mode="fan_out"`), a thin layer (3, 4000) for lecun_normal, and the leaky_relu slope of `gain`.
Same sampling-theory tolerances as the visible checks (<= 1e-6 false-fail per check).
"""
import math

import pytest

from autograder.checks import CheckFailed
from autograder.checks.agreement import assert_agrees
from autograder.suites.initializers.cases import (
    GAIN_RTOL, HIDDEN_SEED, HIDDEN_SHAPE, THIN_SHAPE, VISIBLE_SEED, VISIBLE_SHAPE)
from autograder.suites.initializers.distribution import check_distribution, distribution_check
from autograder.suites.initializers.mistakes import gain_slope_mistakes

pytestmark = pytest.mark.hidden


def transposed_checks(checks: dict) -> None:
    """Bind one distribution check per entry, check id -> (initializer, keyword parameters, the check's
    name), each on the transposed shape (280, 120) for 3 points, under its own check id as in
    test_visible (the gradebooks and the rubric key on them)."""
    for check_id, (unit, params, name) in checks.items():
        globals()[check_id] = distribution_check(unit, HIDDEN_SHAPE, HIDDEN_SEED, points=3, doc=name, **params)


transposed_checks({
    "test_small_random_scale": ("small_random", {"scale": 0.05}, "small_random(280, 120, scale=0.05): N(0, scale^2)"),
    "test_lecun_normal_transposed": ("lecun_normal", {}, "lecun_normal(280, 120): N(0, 1/fan_in) with fan_in > fan_out"),
})


@pytest.mark.points(2)
@pytest.mark.unit("lecun_normal")
@pytest.mark.kind("statistics")
def test_lecun_normal_small_fan_in(student, feedback, remembered):
    """lecun_normal(3, 4000): N(0, 1/fan_in) with a small fan_in"""
    try:
        check_distribution(student, "lecun_normal", VISIBLE_SHAPE, VISIBLE_SEED, remembered=remembered)
    except CheckFailed:
        return  # a wrong law at fan_in = 120 is graded once, by test_lecun_normal_distribution
    check_distribution(student, "lecun_normal", THIN_SHAPE, HIDDEN_SEED, remembered=remembered, feedback=feedback)


transposed_checks({
    "test_xavier_normal_gain": ("xavier_normal", {"gain": math.sqrt(2.0)},
                                "xavier_normal(280, 120, gain=sqrt(2)): the gain multiplies the std"),
    "test_xavier_uniform_gain": ("xavier_uniform", {"gain": 4.0},
                                 "xavier_uniform(280, 120, gain=4.0): the gain multiplies the bound"),
    "test_kaiming_normal_fan_out": ("kaiming_normal", {"mode": "fan_out"},
                                    'kaiming_normal(280, 120, mode="fan_out"): N(0, 2/fan_out)'),
    "test_kaiming_uniform_fan_out": ("kaiming_uniform", {"mode": "fan_out"},
                                     'kaiming_uniform(280, 120, mode="fan_out"): U(-b, b), b = sqrt(6/fan_out)'),
})


@pytest.mark.points(2)
@pytest.mark.unit("gain")
@pytest.mark.kind("agreement")
def test_gain_leaky_relu_slope(student, reference):
    """gain('leaky_relu', slope): sqrt(2/(1 + slope^2)) for other slopes"""
    for slope in (0.2, 0.0, 1.0, 3.0):
        assert_agrees(student.gain("leaky_relu", slope=slope), reference.gain("leaky_relu", slope=slope),
                      rtol=GAIN_RTOL, atol=0.0, what=f"gain('leaky_relu', slope={slope})",
                      mistakes=gain_slope_mistakes(slope, reference.gain("leaky_relu")))
