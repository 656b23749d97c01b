"""Visible checks of the initializers assignment (the handout: the module's and each function's docstring).

Distribution checks draw one (120, 280) array with a fixed seed and test its mean,
variance (or bound) and shape against the handout's distribution with tolerances from
sampling theory: a correct initializer fails one with probability <= 1e-6 over the
choice of seed (autograder/checks/statistics.py, docs/rubric-initializers.md).
"""
import math

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks.agreement import assert_agrees
from autograder.checks.contract import assert_dtype, assert_no_global_rng, assert_shape, returned_value
from autograder.checks.statistics import check_layer_statistics
from autograder.suites.initializers import common

# gain() is a table lookup and a square root: other correct algebra, e.g.
# sqrt(2)/sqrt(1 + slope**2), differs by a few ulp; 1e-12 leaves room for that only.
GAIN_RTOL = 1e-12
# PyTorch's calculate_gain, the usual source of a wrong table (the handout follows the lecture).
PYTORCH_GAIN = {"sigmoid": 1.0, "tanh": 5.0 / 3.0}


@pytest.mark.points(2)
@pytest.mark.unit("zeros")
@pytest.mark.kind("contract")
def test_zeros(student):
    """zeros: an all-zero float64 array of shape (fan_in, fan_out) (square, one row, one column too), rng optional"""
    (a, b), rng = common.VISIBLE_SHAPE, student.rng(0)
    state_before = common.rng_state(rng)
    calls = (((a, b), f"zeros({a}, {b})"), ((b, a, None), f"zeros({b}, {a}, None)"), ((3, 4, rng), "zeros(3, 4, rng)"),
             *(((m, n, rng), f"zeros({m}, {n}, rng)") for m, n in common.CONTRACT_OTHER_SHAPES))
    for args, what in calls:
        result = student.call("zeros", *args, details=True)
        w = returned_value(result, what=what)
        assert_shape(w, args[:2], what=what)
        assert_dtype(w, np.float64, what=what)
        assert_agrees(w, np.zeros(args[:2]), rtol=0.0, atol=0.0, what=what)
        assert_no_global_rng(result, what=what)
    if common.rng_state(rng) != state_before:
        raise CheckFailed("zeros(fan_in, fan_out, rng) drew from `rng`: zeros uses no randomness (the zeros "
                          "docstring: rng is accepted for a uniform signature and not used).")


@pytest.mark.points(2)
@pytest.mark.unit("small_random")
@pytest.mark.kind("contract")
def test_small_random_contract(student):
    """small_random: shape (square, one row, one column too), float64, keyword parameters, drawn from rng only"""
    common.check_contract(student, "small_random")


@pytest.mark.points(2)
@pytest.mark.unit("lecun_normal")
@pytest.mark.kind("contract")
def test_lecun_normal_contract(student):
    """lecun_normal: shape (square, one row, one column too), float64, keyword parameters, drawn from rng only"""
    common.check_contract(student, "lecun_normal")


@pytest.mark.points(2)
@pytest.mark.unit("xavier_normal")
@pytest.mark.kind("contract")
def test_xavier_normal_contract(student):
    """xavier_normal: shape (square, one row, one column too), float64, keyword parameters, drawn from rng only"""
    common.check_contract(student, "xavier_normal")


@pytest.mark.points(2)
@pytest.mark.unit("xavier_uniform")
@pytest.mark.kind("contract")
def test_xavier_uniform_contract(student):
    """xavier_uniform: shape (square, one row, one column too), float64, keyword parameters, drawn from rng only"""
    common.check_contract(student, "xavier_uniform")


@pytest.mark.points(2)
@pytest.mark.unit("kaiming_normal")
@pytest.mark.kind("contract")
def test_kaiming_normal_contract(student):
    """kaiming_normal: shape (square, one row, one column too), float64, keyword parameters, drawn from rng only"""
    common.check_contract(student, "kaiming_normal")


@pytest.mark.points(2)
@pytest.mark.unit("kaiming_uniform")
@pytest.mark.kind("contract")
def test_kaiming_uniform_contract(student):
    """kaiming_uniform: shape (square, one row, one column too), float64, keyword parameters, drawn from rng only"""
    common.check_contract(student, "kaiming_uniform")


@pytest.mark.points(4)
@pytest.mark.unit("small_random")
@pytest.mark.kind("statistics")
def test_small_random_distribution(student, feedback, remembered):
    """small_random(120, 280): N(0, 0.01^2) weights (mean, variance, normality)"""
    common.check_distribution(student, "small_random", common.VISIBLE_SHAPE, common.VISIBLE_SEED,
                              remembered=remembered, feedback=feedback)


@pytest.mark.points(4)
@pytest.mark.unit("lecun_normal")
@pytest.mark.kind("statistics")
def test_lecun_normal_distribution(student, feedback, remembered):
    """lecun_normal(120, 280): N(0, 1/fan_in) weights (mean, variance, normality)"""
    common.check_distribution(student, "lecun_normal", common.VISIBLE_SHAPE, common.VISIBLE_SEED,
                              remembered=remembered, feedback=feedback)


@pytest.mark.points(4)
@pytest.mark.unit("xavier_normal")
@pytest.mark.kind("statistics")
def test_xavier_normal_distribution(student, feedback, remembered):
    """xavier_normal(120, 280): N(0, 2/(fan_in + fan_out)) weights (mean, variance, normality)"""
    common.check_distribution(student, "xavier_normal", common.VISIBLE_SHAPE, common.VISIBLE_SEED,
                              remembered=remembered, feedback=feedback)


@pytest.mark.points(4)
@pytest.mark.unit("xavier_uniform")
@pytest.mark.kind("statistics")
def test_xavier_uniform_distribution(student, feedback, remembered):
    """xavier_uniform(120, 280): U(-b, b), b = sqrt(6/(fan_in + fan_out)) (bound, variance, uniformity)"""
    common.check_distribution(student, "xavier_uniform", common.VISIBLE_SHAPE, common.VISIBLE_SEED,
                              remembered=remembered, feedback=feedback)


@pytest.mark.points(4)
@pytest.mark.unit("kaiming_normal")
@pytest.mark.kind("statistics")
def test_kaiming_normal_distribution(student, feedback, remembered):
    """kaiming_normal(120, 280): N(0, 2/fan_in) weights (mean, variance, normality)"""
    common.check_distribution(student, "kaiming_normal", common.VISIBLE_SHAPE, common.VISIBLE_SEED,
                              remembered=remembered, feedback=feedback)


@pytest.mark.points(4)
@pytest.mark.unit("kaiming_uniform")
@pytest.mark.kind("statistics")
def test_kaiming_uniform_distribution(student, feedback, remembered):
    """kaiming_uniform(120, 280): U(-b, b), b = sqrt(6/fan_in) (bound, variance, uniformity)"""
    common.check_distribution(student, "kaiming_uniform", common.VISIBLE_SHAPE, common.VISIBLE_SEED,
                              remembered=remembered, feedback=feedback)


@pytest.mark.points(3)
@pytest.mark.unit("gain")
@pytest.mark.kind("agreement")
def test_gain_table(student, reference):
    """gain: the lecture's table (linear, sigmoid, tanh, relu, silu, leaky_relu)"""
    for nonlinearity in ("linear", "sigmoid", "tanh", "relu", "silu", "leaky_relu"):
        what = f"gain({nonlinearity!r})"
        mistakes = {}
        if nonlinearity in PYTORCH_GAIN:
            mistakes["PyTorch's calculate_gain value; this course's table (the gain docstring) differs"] = \
                PYTORCH_GAIN[nonlinearity]
        if nonlinearity == "leaky_relu":
            mistakes["slope not squared: sqrt(2/(1 + slope)) instead of sqrt(2/(1 + slope**2))"] = math.sqrt(2 / 1.01)
            mistakes["slope ignored (the default slope is 0.01)"] = math.sqrt(2)
        assert_agrees(student.gain(nonlinearity), reference.gain(nonlinearity), rtol=GAIN_RTOL, atol=0.0,
                      what=what, mistakes=mistakes)


@pytest.mark.points(3)
@pytest.mark.unit("lecun_normal")
@pytest.mark.kind("statistics")
def test_tanh_network_activations(student, feedback, remembered):
    """lecun_normal in the slides' 10-layer tanh network: layer-by-layer activation mean and std"""
    init, activation = "lecun_normal", "tanh"
    what = f"10-layer tanh network with {init}(500, 500, rng) weights"
    got = common.network_statistics(student.lecun_normal, activation, common.NETWORK_GRADING_SEED, what=what,
                                   rng_factory=student.rng, stream=student.stream,
                                   remembered=remembered)
    ref = common.reference_statistics()[f"{init}/{activation}"]
    feedback.attach("layer_stats", initializer=init, activation=activation, student=got,
                    reference=ref["grading_run"])
    check_layer_statistics(got, ref["runs"], what=what)
