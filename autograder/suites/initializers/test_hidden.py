"""Hidden checks of the initializers assignment: the visible checks' rules on other inputs.

The transposed shape (280, 120) with non-default parameters (`scale`, `gain`,
`mode="fan_out"`), a thin layer (3, 4000) for lecun_normal, and the leaky_relu slope of `gain`.
Same sampling-theory tolerances as the visible checks (<= 1e-6 false-fail per check).
"""
import math

import pytest

from autograder.checks import CheckFailed
from autograder.checks.agreement import assert_agrees
from autograder.suites.initializers import common

pytestmark = pytest.mark.hidden

# See test_visible.GAIN_RTOL: a few ulp of other correct algebra.
GAIN_RTOL = 1e-12


@pytest.mark.points(3)
@pytest.mark.unit("small_random")
@pytest.mark.kind("statistics")
def test_small_random_scale(student, feedback, remembered):
    """small_random(280, 120, scale=0.05): N(0, scale^2)"""
    common.check_distribution(student, "small_random", common.HIDDEN_SHAPE, common.HIDDEN_SEED,
                              remembered=remembered, feedback=feedback, scale=0.05)


@pytest.mark.points(3)
@pytest.mark.unit("lecun_normal")
@pytest.mark.kind("statistics")
def test_lecun_normal_transposed(student, feedback, remembered):
    """lecun_normal(280, 120): N(0, 1/fan_in) with fan_in > fan_out"""
    common.check_distribution(student, "lecun_normal", common.HIDDEN_SHAPE, common.HIDDEN_SEED,
                              remembered=remembered, feedback=feedback)


@pytest.mark.points(2)
@pytest.mark.unit("lecun_normal")
@pytest.mark.kind("statistics")
def test_lecun_normal_small_fan_in(student, feedback, remembered):
    """lecun_normal(3, 4000): N(0, 1/fan_in) with a small fan_in"""
    try:
        common.check_distribution(student, "lecun_normal", common.VISIBLE_SHAPE, common.VISIBLE_SEED,
                                  remembered=remembered)
    except CheckFailed:
        return  # a wrong law at fan_in = 120 is graded once, by test_lecun_normal_distribution
    common.check_distribution(student, "lecun_normal", common.THIN_SHAPE, common.HIDDEN_SEED,
                              remembered=remembered, feedback=feedback)


@pytest.mark.points(3)
@pytest.mark.unit("xavier_normal")
@pytest.mark.kind("statistics")
def test_xavier_normal_gain(student, feedback, remembered):
    """xavier_normal(280, 120, gain=sqrt(2)): the gain multiplies the std"""
    common.check_distribution(student, "xavier_normal", common.HIDDEN_SHAPE, common.HIDDEN_SEED,
                              remembered=remembered, feedback=feedback, gain=math.sqrt(2.0))


@pytest.mark.points(3)
@pytest.mark.unit("xavier_uniform")
@pytest.mark.kind("statistics")
def test_xavier_uniform_gain(student, feedback, remembered):
    """xavier_uniform(280, 120, gain=4.0): the gain multiplies the bound"""
    common.check_distribution(student, "xavier_uniform", common.HIDDEN_SHAPE, common.HIDDEN_SEED,
                              remembered=remembered, feedback=feedback, gain=4.0)


@pytest.mark.points(3)
@pytest.mark.unit("kaiming_normal")
@pytest.mark.kind("statistics")
def test_kaiming_normal_fan_out(student, feedback, remembered):
    """kaiming_normal(280, 120, mode="fan_out"): N(0, 2/fan_out)"""
    common.check_distribution(student, "kaiming_normal", common.HIDDEN_SHAPE, common.HIDDEN_SEED,
                              remembered=remembered, feedback=feedback, mode="fan_out")


@pytest.mark.points(3)
@pytest.mark.unit("kaiming_uniform")
@pytest.mark.kind("statistics")
def test_kaiming_uniform_fan_out(student, feedback, remembered):
    """kaiming_uniform(280, 120, mode="fan_out"): U(-b, b), b = sqrt(6/fan_out)"""
    common.check_distribution(student, "kaiming_uniform", common.HIDDEN_SHAPE, common.HIDDEN_SEED,
                              remembered=remembered, feedback=feedback, mode="fan_out")


@pytest.mark.points(2)
@pytest.mark.unit("gain")
@pytest.mark.kind("agreement")
def test_gain_leaky_relu_slope(student, reference):
    """gain('leaky_relu', slope): sqrt(2/(1 + slope^2)) for other slopes"""
    for slope in (0.2, 0.0, 1.0, 3.0):
        what = f"gain('leaky_relu', slope={slope})"
        mistakes = {"slope not squared: sqrt(2/(1 + slope)) instead of sqrt(2/(1 + slope**2))":
                    math.sqrt(2 / (1 + slope))}
        if slope == 0.0:  # the default's value here has a more precise cause than "ignored"
            mistakes["slope=0.0 treated as missing (`slope or 0.01`, `if not slope:`): 0.0 is a valid slope "
                     "(plain ReLU), gain sqrt(2)"] = reference.gain("leaky_relu")
        else:
            mistakes["the slope argument is ignored"] = reference.gain("leaky_relu")
        assert_agrees(student.gain("leaky_relu", slope=slope), reference.gain("leaky_relu", slope=slope),
                      rtol=GAIN_RTOL, atol=0.0, what=what, mistakes=mistakes)
