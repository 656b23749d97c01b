"""Visible checks of the initializers assignment (the handout: the module's and each function's docstring).

Distribution checks draw one (120, 280) array with a fixed seed and test its mean,
variance (or bound) and shape against the handout's distribution with tolerances from
sampling theory: a correct initializer fails one with probability <= 1e-6 over the
choice of seed (autograder/checks/statistics.py, docs/rubric-initializers.md).
"""
import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks.agreement import assert_agrees
from autograder.checks.contract import assert_dtype, assert_no_global_rng, assert_shape, returned_value
from autograder.checks.statistics import check_layer_statistics
from autograder.suites.initializers.cases import (
    CONTRACT_OTHER_SHAPES, GAIN_RTOL, NETWORK_GRADING_SEED, RANDOM_INITIALIZERS, VISIBLE_SEED, VISIBLE_SHAPE,
    reference_statistics)
from autograder.suites.initializers.contract import contract_check, rng_state
from autograder.suites.initializers.distribution import distribution_check, network_statistics
from autograder.suites.initializers.mistakes import gain_table_mistakes

# The handout's law of each random initializer, as the distribution check's name states it.
VISIBLE_LAWS = {
    "small_random": "N(0, 0.01^2) weights (mean, variance, normality)",
    "lecun_normal": "N(0, 1/fan_in) weights (mean, variance, normality)",
    "xavier_normal": "N(0, 2/(fan_in + fan_out)) weights (mean, variance, normality)",
    "xavier_uniform": "U(-b, b), b = sqrt(6/(fan_in + fan_out)) (bound, variance, uniformity)",
    "kaiming_normal": "N(0, 2/fan_in) weights (mean, variance, normality)",
    "kaiming_uniform": "U(-b, b), b = sqrt(6/fan_in) (bound, variance, uniformity)",
}


@pytest.mark.points(2)
@pytest.mark.unit("zeros")
@pytest.mark.kind("contract")
def test_zeros(student):
    """zeros: an all-zero float64 array of shape (fan_in, fan_out) (square, one row, one column too), rng optional"""
    (a, b), rng = VISIBLE_SHAPE, student.rng(0)
    state_before = rng_state(rng)
    calls = (((a, b), f"zeros({a}, {b})"), ((b, a, None), f"zeros({b}, {a}, None)"), ((3, 4, rng), "zeros(3, 4, rng)"),
             *(((m, n, rng), f"zeros({m}, {n}, rng)") for m, n in CONTRACT_OTHER_SHAPES))
    for args, what in calls:
        result = student.call("zeros", *args, details=True)
        w = returned_value(result, what=what)
        assert_shape(w, args[:2], what=what)
        assert_dtype(w, np.float64, what=what)
        assert_agrees(w, np.zeros(args[:2]), rtol=0.0, atol=0.0, what=what)
        assert_no_global_rng(result, what=what)
    if rng_state(rng) != state_before:
        raise CheckFailed("zeros(fan_in, fan_out, rng) drew from `rng`: zeros uses no randomness (the zeros "
                          "docstring: rng is accepted for a uniform signature and not used).")


# One contract check and one distribution check per random initializer, each bound under its own
# check id (`test_lecun_normal_contract`, `test_lecun_normal_distribution`), which the gradebooks and
# the rubric key on (a parametrized test would be `test_contract[lecun_normal]`).
for _unit in RANDOM_INITIALIZERS:
    globals()[f"test_{_unit}_contract"] = contract_check(_unit)
for _unit, _law in VISIBLE_LAWS.items():
    globals()[f"test_{_unit}_distribution"] = distribution_check(
        _unit, VISIBLE_SHAPE, VISIBLE_SEED, points=4, doc=f"{_unit}(120, 280): {_law}")


@pytest.mark.points(3)
@pytest.mark.unit("gain")
@pytest.mark.kind("agreement")
def test_gain_table(student, reference):
    """gain: the lecture's table (linear, sigmoid, tanh, relu, silu, leaky_relu)"""
    for nonlinearity in ("linear", "sigmoid", "tanh", "relu", "silu", "leaky_relu"):
        assert_agrees(student.gain(nonlinearity), reference.gain(nonlinearity), rtol=GAIN_RTOL, atol=0.0,
                      what=f"gain({nonlinearity!r})", mistakes=gain_table_mistakes(nonlinearity))


@pytest.mark.points(3)
@pytest.mark.unit("lecun_normal")
@pytest.mark.kind("statistics")
def test_tanh_network_activations(student, feedback, remembered):
    """lecun_normal in the slides' 10-layer tanh network: layer-by-layer activation mean and std"""
    init, activation = "lecun_normal", "tanh"
    what = f"10-layer tanh network with {init}(500, 500, rng) weights"
    got = network_statistics(student.lecun_normal, activation, NETWORK_GRADING_SEED, what=what,
                             rng_factory=student.rng, stream=student.stream, remembered=remembered)
    ref = reference_statistics()[f"{init}/{activation}"]
    feedback.attach("layer_stats", initializer=init, activation=activation, student=got,
                    reference=ref["grading_run"])
    check_layer_statistics(got, ref["runs"], what=what)
