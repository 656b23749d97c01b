"""Validity of the `initializers` rubric (issue 3 item 7): the shared checks of harness.py on its
mutants (each with the diagnosis its check's feedback must give), its demo cohort
(examples/cohort/initializers) and its stubs; and every named mistake of the distribution checks
lies outside their acceptance region.
(Initializers take no input arrays, so there is nothing to modify in place; the
in-place mutants live in test_optimizers.py. Reading the global np.random state is
among the mutants here.)
"""
from __future__ import annotations

import pytest

from autograder.checks.statistics import ALPHA, chi2_mean_square_interval, uniform_max_lower_bound
from autograder.suites.initializers import common

from harness import (  # the shared tests, collected in this module too
    Validity, test_cohort_gets_expected_results, test_empty_file_scores_zero,
    test_every_check_catches_a_known_mistake, test_filled_released_notebook_gets_full_marks,
    test_mutant_fails_the_check_that_names_it, test_reference_gets_full_marks,
    test_released_stub_scores_zero, test_stub_scores_zero)

pytestmark = pytest.mark.slow

LECUN_DRAW = "rng.normal(0.0, 1.0 / math.sqrt(fan_in), size=(fan_in, fan_out))"

# id: (replacements applied to the reference (see harness.mutate), the check that names the mistake,
#      a fragment of that check's feedback naming the mistake)
MUTANTS = {
    "lecun_uses_fan_out": (
        [(LECUN_DRAW, "rng.normal(0.0, 1.0 / math.sqrt(fan_out), size=(fan_in, fan_out))")],
        "test_lecun_normal_distribution", "fan_out instead of fan_in"),
    "lecun_with_he_variance": (
        [(LECUN_DRAW, "rng.normal(0.0, math.sqrt(2.0 / fan_in), size=(fan_in, fan_out))")],
        "test_tanh_network_activations", "the weights are too large"),
    "xavier_normal_fan_in_only": (
        [("std = gain * math.sqrt(2.0 / (fan_in + fan_out))", "std = gain * math.sqrt(2.0 / fan_in)")],
        "test_xavier_normal_distribution", "fan_in alone"),
    "xavier_uniform_sqrt3": (
        [("bound = gain * math.sqrt(6.0 / (fan_in + fan_out))", "bound = gain * math.sqrt(3.0 / (fan_in + fan_out))")],
        "test_xavier_uniform_distribution", "sqrt(3/(fan_in + fan_out))"),
    "xavier_uniform_ignores_gain": (
        [("bound = gain * math.sqrt(6.0 / (fan_in + fan_out))", "bound = math.sqrt(6.0 / (fan_in + fan_out))")],
        "test_xavier_uniform_gain", "`gain` ignored"),
    "xavier_uniform_on_zero_to_b": (
        [("    return rng.uniform(-bound, bound, size=(fan_in, fan_out))\n    ### END SOLUTION\n\n\ndef kaiming_normal",
          "    return rng.uniform(0.0, bound, size=(fan_in, fan_out))\n    ### END SOLUTION\n\n\ndef kaiming_normal")],
        "test_xavier_uniform_distribution", "not [0, b]"),
    "kaiming_normal_ignores_mode": (
        [('    n = fan_in if mode == "fan_in" else fan_out\n    return rng.normal(',
          '    n = fan_in\n    return rng.normal(')],
        "test_kaiming_normal_fan_out", "`mode` mixed up"),
    "kaiming_normal_uniform_bound_as_std": (
        [("    return rng.normal(0.0, math.sqrt(2.0 / n), size=(fan_in, fan_out))",
          "    return rng.normal(0.0, math.sqrt(6.0 / n), size=(fan_in, fan_out))")],
        "test_kaiming_normal_distribution", "the uniform bound sqrt(6/n) used as the standard deviation"),
    "kaiming_normal_without_relu_gain": (
        [("    return rng.normal(0.0, math.sqrt(2.0 / n), size=(fan_in, fan_out))",
          "    return rng.normal(0.0, 1.0 / math.sqrt(n), size=(fan_in, fan_out))")],
        "test_kaiming_normal_distribution", "LeCun's variance 1/n instead of He's 2/n"),
    "kaiming_uniform_draws_normal": (
        [("    bound = math.sqrt(6.0 / n)\n    return rng.uniform(-bound, bound, size=(fan_in, fan_out))",
          "    bound = math.sqrt(6.0 / n)\n    return rng.normal(0.0, bound / math.sqrt(3.0), size=(fan_in, fan_out))")],
        "test_kaiming_uniform_distribution", "outside [-b, b]"),
    "small_random_scale_as_variance": (
        [("return rng.normal(0.0, scale, size=(fan_in, fan_out))", "return rng.normal(0.0, math.sqrt(scale), size=(fan_in, fan_out))")],
        "test_small_random_distribution", "`scale` used as the variance"),
    "lecun_uses_global_rng": (
        [("return " + LECUN_DRAW, "return np.random.randn(fan_in, fan_out) / math.sqrt(fan_in)")],
        "test_lecun_normal_contract", "changed the global np.random state"),
    "xavier_normal_reads_global_rng_and_restores_it": (
        [("    return rng.normal(0.0, std, size=(fan_in, fan_out))\n",
          "    saved = np.random.get_state()\n"
          "    w = np.random.normal(0.0, std, size=(fan_in, fan_out))\n"
          "    np.random.set_state(saved)\n"
          "    return w\n")],
        "test_xavier_normal_contract", "never drew from `rng`"),
    "kaiming_normal_own_generator": (
        [('    return rng.normal(0.0, math.sqrt(2.0 / n), size=(fan_in, fan_out))',
          '    return np.random.default_rng(fan_in).normal(0.0, math.sqrt(2.0 / n), size=(fan_in, fan_out))')],
        "test_kaiming_normal_contract", "never drew from `rng`"),
    "small_random_float32": (
        [("return rng.normal(0.0, scale, size=(fan_in, fan_out))", "return rng.normal(0.0, scale, size=(fan_in, fan_out)).astype(np.float32)")],
        "test_small_random_contract", "float64"),
    "zeros_transposed": (
        [("return np.zeros((fan_in, fan_out), dtype=np.float64)", "return np.zeros((fan_out, fan_in))")],
        "test_zeros", "shape (120, 280)"),
    "gain_tanh_from_pytorch": (
        [('"tanh": 1.0,', '"tanh": 5.0 / 3.0,')],
        "test_gain_table", "PyTorch"),
    "gain_leaky_relu_slope_not_squared": (
        [("math.sqrt(2.0 / (1.0 + slope**2))", "math.sqrt(2.0 / (1.0 + slope))")],
        "test_gain_leaky_relu_slope", "slope not squared"),
}

VALIDITY = Validity("initializers", notebook_student="gia_notebook", mutants=MUTANTS)


# (initializer, shape, params) of every distribution check of the suite
DISTRIBUTION_CASES = [(name, common.VISIBLE_SHAPE, {}) for name in common.NORMAL_INITIALIZERS + common.UNIFORM_INITIALIZERS] + [
    ("small_random", common.HIDDEN_SHAPE, {"scale": 0.05}), ("lecun_normal", common.HIDDEN_SHAPE, {}),
    ("xavier_normal", common.HIDDEN_SHAPE, {"gain": 2**0.5}), ("xavier_uniform", common.HIDDEN_SHAPE, {"gain": 4.0}),
    ("kaiming_normal", common.HIDDEN_SHAPE, {"mode": "fan_out"}),
    ("kaiming_uniform", common.HIDDEN_SHAPE, {"mode": "fan_out"})]


@pytest.mark.parametrize("name, shape, params", DISTRIBUTION_CASES)
def test_every_named_mistake_is_outside_the_acceptance_region(name, shape, params):
    """A diagnosis can only be reached by a failing sample: no named mistake may pass the check."""
    n = shape[0] * shape[1]
    if name in common.NORMAL_INITIALIZERS:
        sigma, mistakes = common.normal_expectation(name, *shape, **params)
        lo, hi = chi2_mean_square_interval(sigma**2, n, ALPHA / 3)
        for label, wrong in mistakes.items():
            assert not lo <= wrong**2 <= hi, label
    else:
        bound, mistakes = common.uniform_expectation(name, *shape, **params)
        lo = uniform_max_lower_bound(bound, n, ALPHA / 4)
        for label, wrong in mistakes.items():
            assert not lo <= wrong <= bound * (1 + 1e-15), label
