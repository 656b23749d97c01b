"""Validity of the `initializers` rubric (issue 3 item 7): the shared checks of harness.py on its
mutants (each with the diagnosis its check's feedback must give), its demo cohort
(examples/cohort/initializers) and its stubs; and every named mistake of the distribution checks
lies outside their acceptance region.
(Initializers take no input arrays, so there is nothing to modify in place; the
in-place mutants live in test_optimizers.py. Reading the global np.random state is
among the mutants here.)
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from autograder.checks.statistics import ALPHA, chi2_mean_square_interval, uniform_max_lower_bound
from autograder.suites.initializers import cases, mistakes

from harness import (  # the shared tests, collected in this module too
    Validity, mutate, test_cohort_gets_expected_results, test_empty_file_scores_zero,
    test_every_check_catches_a_known_mistake, test_filled_released_notebook_gets_full_marks,
    test_mutant_fails_the_check_that_names_it, test_reference_gets_full_marks,
    test_every_mutant_names_its_diagnosis, test_released_stub_scores_zero, test_stub_scores_zero,
    test_correct_alternative_gets_full_marks, test_every_kind_of_hidden_rule_has_a_visible_check)

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
        "test_gain_leaky_relu_slope", "slope not squared: sqrt(2/(1 + slope)) instead of sqrt(2/(1 + slope**2))"),
    # Round three (a held-out panel's styles): a falsy slope replaced by the default, and a sample
    # variance's n - 1 that divides by zero on a one-input layer.
    "gain_slope_zero_treated_as_missing": (
        [("    table = {\n", "    slope = slope or 0.01\n    table = {\n")],
        "test_gain_leaky_relu_slope", "slope=0.0 treated as missing"),
    "lecun_divides_by_fan_in_minus_one": (
        [(LECUN_DRAW, "rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in - 1)")],
        "test_lecun_normal_contract", "a division by zero, such as 1/(fan_in - 1)"),
    # Missed before the contract covered one-row, one-column and square shapes and a thin layer
    # was sampled: np.squeeze, and a variance off by one term of fan_in (0.8% at fan_in = 120).
    "lecun_squeezes": (
        [(LECUN_DRAW, LECUN_DRAW + ".squeeze()")],
        "test_lecun_normal_contract", "lecun_normal(1, 5, rng) must return shape (1, 5), got shape (5,)"),
    "zeros_squeezes": (
        [("return np.zeros((fan_in, fan_out), dtype=np.float64)", "return np.zeros((fan_in, fan_out)).squeeze()")],
        "test_zeros", "zeros(1, 5, rng) must return shape (1, 5), got shape (5,)"),
    "lecun_sample_variance_fan_in_minus_one": (
        [(LECUN_DRAW, "rng.normal(0.0, 1.0 / math.sqrt(fan_in - 1), size=(fan_in, fan_out))")],
        "test_lecun_normal_small_fan_in", "1/(fan_in - 1)"),
    "zeros_draws_from_rng": (
        [("return np.zeros((fan_in, fan_out), dtype=np.float64)",
          "return np.zeros((fan_in, fan_out)) if rng is None else 0.0 * rng.random((fan_in, fan_out))")],
        "test_zeros", "zeros uses no randomness"),
    "lecun_counts_the_bias_in_fan_in": (
        [(LECUN_DRAW, "rng.normal(0.0, 1.0 / math.sqrt(fan_in + 1), size=(fan_in, fan_out))")],
        "test_lecun_normal_small_fan_in", "1/(fan_in + 1) (the bias counted as an input)"),
    "small_random_squeezes": (
        [("return rng.normal(0.0, scale, size=(fan_in, fan_out))",
          "return np.squeeze(rng.normal(0.0, scale, size=(fan_in, fan_out)))")],
        "test_small_random_contract", "small_random(1, 5, rng) must return shape (1, 5), got shape (5,)"),
    "kaiming_uniform_mode_keyword_renamed": (
        [('def kaiming_uniform(fan_in, fan_out, rng, mode="fan_in"):', 'def kaiming_uniform(fan_in, fan_out, rng, fan="fan_in"):'),
         ('    n = fan_in if mode == "fan_in" else fan_out\n    bound', '    n = fan_in if fan == "fan_in" else fan_out\n    bound'),
         ('    if mode not in ("fan_in", "fan_out"):\n        raise ValueError(f"mode must be \'fan_in\' or \'fan_out\', got {mode!r}")\n'
          '    n = fan_in if fan == "fan_in"', '    n = fan_in if fan == "fan_in"')],
        "test_kaiming_uniform_contract", "unexpected keyword argument 'mode'"),
}

VALIDITY = Validity("initializers", notebook_student="gia_notebook", mutants=MUTANTS)


# (initializer, shape, params) of every distribution check of the suite
DISTRIBUTION_CASES = [(name, cases.VISIBLE_SHAPE, {}) for name in cases.NORMAL_INITIALIZERS + cases.UNIFORM_INITIALIZERS] + [
    ("small_random", cases.HIDDEN_SHAPE, {"scale": 0.05}), ("lecun_normal", cases.HIDDEN_SHAPE, {}),
    ("xavier_normal", cases.HIDDEN_SHAPE, {"gain": 2**0.5}), ("xavier_uniform", cases.HIDDEN_SHAPE, {"gain": 4.0}),
    ("kaiming_normal", cases.HIDDEN_SHAPE, {"mode": "fan_out"}),
    ("kaiming_uniform", cases.HIDDEN_SHAPE, {"mode": "fan_out"}), ("lecun_normal", cases.THIN_SHAPE, {})]


@pytest.mark.parametrize("name, shape, params", DISTRIBUTION_CASES)
def test_every_named_mistake_is_outside_the_acceptance_region(name, shape, params):
    """A diagnosis can only be reached by a failing sample: no named mistake may pass the check."""
    n = shape[0] * shape[1]
    if name in cases.NORMAL_INITIALIZERS:
        sigma = cases.normal_std(name, *shape, **params)
        lo, hi = chi2_mean_square_interval(sigma**2, n, ALPHA / 3)
        for label, wrong in ((m.label, m.output) for m in mistakes.normal_std_mistakes(name, *shape, **params)):
            assert not lo <= wrong**2 <= hi, label
    else:
        bound = cases.uniform_bound(name, *shape, **params)
        lo = uniform_max_lower_bound(bound, n, ALPHA / 4)
        for label, wrong in ((m.label, m.output) for m in mistakes.uniform_bound_mistakes(name, *shape, **params)):
            assert not lo <= wrong <= bound * (1 + 1e-15), label


ALTERNATIVES = Path(__file__).with_name("alternatives") / "initializers"

# Correct implementations in styles the cohort lacks; each must get full marks.
CORRECT = {
    # Element by element with Python loops (the uniform ones: not in the 500 x 500 network), a flat
    # draw reshaped, and gain by a match statement.
    "element_loops_match_gain": mutate(VALIDITY.reference, [
        ("    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))\n    return rng.uniform(-bound, bound, size=(fan_in, fan_out))\n",
         "    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))\n"
         "    return np.array([[rng.uniform(-bound, bound) for _ in range(fan_out)] for _ in range(fan_in)])\n"),
        ("    bound = math.sqrt(6.0 / n)\n    return rng.uniform(-bound, bound, size=(fan_in, fan_out))\n",
         "    bound = math.sqrt(6.0 / n)\n    w = np.empty((fan_in, fan_out))\n"
         "    for i in range(fan_in):\n        for j in range(fan_out):\n            w[i, j] = rng.uniform(-bound, bound)\n"
         "    return w\n"),
        ("    return rng.normal(0.0, scale, size=(fan_in, fan_out))\n",
         "    return rng.normal(0.0, scale, size=fan_in * fan_out).reshape(fan_in, fan_out)\n"),
        ("    table = {\n", "    match nonlinearity:\n        case \"leaky_relu\":\n"
         "            return math.sqrt(2.0 / (1.0 + slope**2))\n        case \"relu\" | \"silu\":\n"
         "            return math.sqrt(2.0)\n    table = {\n")]),
    **{path.stem: path.read_text() for path in sorted(ALTERNATIVES.glob("*.py"))},
}


def test_at_least_five_correct_alternatives():
    """The corpus holds at least five correct styles besides the reference and the cohort."""
    assert len(CORRECT) >= 5


@pytest.mark.parametrize("wrong", ["xavier_normal_fan_in_only", "xavier_uniform_on_zero_to_b"])
def test_a_failed_distribution_check_draws_the_weights(wrong):
    """The failed distribution check attaches a weight histogram whose counts leave the band a
    correct sampler lands in (the reference's counts stay inside it)."""
    result = VALIDITY.grade(mutate(VALIDITY.reference, MUTANTS[wrong][0]))
    check = {c.check_id: c for c in result.checks}[MUTANTS[wrong][1]]
    assert check.status == "failed"
    (figure,) = [a for a in check.artifacts if a["kind"] == "weight_histogram"]
    counts, low, high = (np.array(figure[k]) for k in ("counts", "band_low", "band_high"))
    assert ((counts < low) | (counts > high)).sum() >= 3
    passed = {c.check_id: c for c in VALIDITY.grade(VALIDITY.reference).checks}[MUTANTS[wrong][1]]
    assert passed.status == "passed" and not passed.artifacts
