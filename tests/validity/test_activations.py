"""Validity of the `activations` rubric (issue 3 item 7): the shared checks of harness.py on its
mutants, its demo cohort (examples/cohort/activations) and its stubs."""
from __future__ import annotations

from pathlib import Path

import pytest

from harness import (  # the shared tests, collected in this module too
    Validity, mutate, test_cohort_gets_expected_results, test_empty_file_scores_zero,
    test_every_check_catches_a_known_mistake, test_filled_released_notebook_gets_full_marks,
    test_mutant_fails_the_check_that_names_it, test_reference_gets_full_marks,
    test_every_mutant_names_its_diagnosis, test_released_stub_scores_zero, test_stub_scores_zero,
    test_correct_alternative_gets_full_marks, test_every_kind_of_hidden_rule_has_a_visible_check)

pytestmark = pytest.mark.slow


def overflow_guard(line: str) -> list[tuple]:
    """The guard students copy from their sigmoid, `z = np.clip(z, -500, 500)`, put before `line`:
    harmless inside an exponent, wrong for a function that grows with z (relu(1000) becomes 500)."""
    indent = line[:len(line) - len(line.lstrip())]
    return [(line, f"{indent}z = np.clip(z, -500.0, 500.0)\n{line}")]


# id: (replacements applied to the reference (see harness.mutate), the check that names the mistake,
#      a fragment of that check's feedback naming the mistake)
MUTANTS = {
    "sigmoid_overflows": (
        [("    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n",
          "    return 1.0 / (1.0 + np.exp(-z))\n")],
        "test_stability[sigmoid]", 'raised floating-point warnings'),
    "sigmoid_grad_of_z": (
        [("    return sigmoid(z) * sigmoid(-np.asarray(z))\n",
          "    z = np.asarray(z, dtype=np.float64)\n    return z * (1.0 - z)\n")],
        "test_gradient[sigmoid_grad]", 'applied a(1-a) to z instead of to a = sigmoid(z)'),
    "tanh_grad_missing_square": (
        [("return 1.0 - np.tanh(z) ** 2", "return 1.0 - np.tanh(z)")],
        "test_gradient[tanh_grad]", 'missing square: 1 - tanh(z)'),
    "relu_grad_one_at_zero": (
        [("return np.where(np.asarray(z) > 0, 1.0, 0.0)", "return np.where(np.asarray(z) >= 0, 1.0, 0.0)")],
        "test_kink_convention[relu_grad]", 'check `>` versus `>=`'),
    "relu_in_place": (
        [("    return np.maximum(z, 0.0)\n",
          "    z = np.asarray(z, dtype=np.float64)\n    z[z < 0] = 0.0\n    return z\n")],
        "test_contract[relu]", 'modified its input `z` in place'),
    "relu_grad_boolean_mask": (
        [("return np.where(np.asarray(z) > 0, 1.0, 0.0)", "return np.asarray(z) > 0")],
        "test_contract[relu_grad]", 'a boolean mask: convert it'),
    "leaky_relu_grad_ignores_slope": (
        [("return np.where(np.asarray(z) > 0, 1.0, float(slope))",
          "return np.where(np.asarray(z) > 0, 1.0, 0.01)")],
        "test_gradient_with_parameters[leaky_relu_grad]", 'ignored the `slope` keyword'),
    "elu_grad_is_the_function": (
        [("return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))",
          "return np.where(z > 0, 1.0, alpha * np.expm1(np.minimum(z, 0.0)))")],
        "test_gradient[elu_grad]", 'used the function alpha(e^z - 1) instead of its derivative'),
    "celu_grad_extra_alpha": (
        [("return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0) / alpha))",
          "return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0) / alpha))")],
        "test_gradient_with_parameters[celu_grad]", 'alpha e^(z/alpha) instead of e^(z/alpha)'),
    "selu_forgot_lambda": (
        [("return lam * elu(z, alpha=alpha)", "return elu(z, alpha=alpha)")],
        "test_values[selu]", 'forgot the scale lam'),
    "softplus_overflows": (
        [("return np.logaddexp(0.0, beta * np.asarray(z, dtype=np.float64)) / beta",
          "return np.log(1.0 + np.exp(beta * np.asarray(z, dtype=np.float64))) / beta")],
        "test_stability[softplus]", 'raised floating-point warnings'),
    "gelu_tanh_approximation": (
        [("return z * sigmoid(1.702 * z)",
          "return 0.5 * z * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (z + 0.044715 * z**3)))")],
        "test_values_with_parameters[gelu]", 'used the tanh approximation'),
    "gelu_grad_missing_product_term": (
        [("return cdf + z * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)", "return cdf")],
        "test_gradient[gelu_grad]", 'the product rule also gives z phi(z)'),
    "swish_grad_missing_chain_beta": (
        [("return s + beta * z * s * sigmoid(-beta * z)", "return s + z * s * sigmoid(-beta * z)")],
        "test_gradient_with_parameters[swish_grad]", 'forgot the chain-rule beta'),
    "hardswish_grad_kinks": (
        [("return np.where(z <= -3, 0.0, np.where(z >= 3, 1.0, (2 * z + 3) / 6))",
          "return np.where(z < -3, 0.0, np.where(z > 3, 1.0, (2 * z + 3) / 6))")],
        "test_kink_convention[hardswish_grad]", 'hardswish_grad(-3) = 0'),
    # values (default parameters)
    "sigmoid_branches_swapped": (
        [("return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))",
          "return np.where(z >= 0, e / (1.0 + e), 1.0 / (1.0 + e))")],
        "test_values[sigmoid]", 'used e^z instead of e^-z'),
    "tanh_via_sigmoid_without_doubling_z": (
        [("    return np.tanh(z)\n", "    return 2.0 * sigmoid(z) - 1.0\n")],
        "test_values[tanh]", 'the identity is tanh(z) = 2 sigmoid(2z) - 1'),
    "relu_np_max_instead_of_maximum": (
        [("    return np.maximum(z, 0.0)\n", "    return np.max(z, 0)\n")],
        "test_values[relu]", "expected shape (5, 8), got shape (8,)"),
    "leaky_relu_slope_hard_coded_0_1": (
        [("slope * np.asarray(z, dtype=np.float64))", "0.1 * np.asarray(z, dtype=np.float64))")],
        "test_values[leaky_relu]", 'slope 0.1 instead of the default 0.01'),
    "elu_forgot_minus_one": (
        [("np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))",
          "np.where(z > 0, z, alpha * np.exp(np.minimum(z, 0.0)))")],
        "test_values[elu]", 'forgot the - 1'),
    "celu_pytorch_form_without_min": (
        [("return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0) / alpha))",
          "return np.maximum(z, 0.0) + alpha * np.expm1(z / alpha)")],
        "test_values[celu]", 'without the min(0, .)'),
    "softplus_drops_the_max_term": (
        [("return np.logaddexp(0.0, beta * np.asarray(z, dtype=np.float64)) / beta",
          "return np.log1p(np.exp(-np.abs(beta * np.asarray(z, dtype=np.float64)))) / beta")],
        "test_values[softplus]", 'dropped the max(x, 0) term'),
    "gelu_erfc_without_sqrt2": (
        [("        return z * 0.5 * np.vectorize(math.erfc, otypes=[np.float64])(-z / math.sqrt(2.0))\n",
          "        return z * 0.5 * np.vectorize(math.erfc, otypes=[np.float64])(-z)\n")],
        "test_values[gelu]", 'Phi(z) without the sqrt(2)'),
    "silu_sign_slip": (
        [("        return z * sigmoid(z)\n", "        return z * sigmoid(-z)\n")],
        "test_values[silu]", 'z sigmoid(-z) instead of z sigmoid(z)'),
    "swish_returns_the_gate": (
        [("        return z * sigmoid(beta * z)\n", "        return sigmoid(beta * z)\n")],
        "test_values[swish]", 'without the factor z'),
    "hardswish_is_hard_sigmoid": (
        [("return np.where(z <= -3, 0.0, np.where(z >= 3, z, z * (z + 3) / 6))",
          "return np.clip(z + 3, 0.0, 6.0) / 6")],
        "test_values[hardswish]", 'returned the hard sigmoid'),
    # values and derivatives for non-default keyword parameters
    "leaky_relu_ignores_slope": (
        [("slope * np.asarray(z, dtype=np.float64))", "0.01 * np.asarray(z, dtype=np.float64))")],
        "test_values_with_parameters[leaky_relu]", 'ignored the `slope` keyword'),
    "elu_without_alpha": (
        [("alpha * np.expm1(np.minimum(z, 0.0)))", "np.expm1(np.minimum(z, 0.0)))")],
        "test_values_with_parameters[elu]", 'ignored the `alpha` keyword'),
    "celu_times_alpha_in_exponent": (
        [("alpha * np.expm1(np.minimum(z, 0.0) / alpha)", "alpha * np.expm1(np.minimum(z, 0.0) * alpha)")],
        "test_values_with_parameters[celu]", 'e^(z alpha) instead of e^(z/alpha)'),
    "softplus_beta_only_outside": (
        [("return np.logaddexp(0.0, beta * np.asarray(z, dtype=np.float64)) / beta",
          "return np.logaddexp(0.0, np.asarray(z, dtype=np.float64)) / beta")],
        "test_values_with_parameters[softplus]", 'beta only outside the log'),
    "swish_ignores_beta": (
        [("        return z * sigmoid(beta * z)\n", "        return z * sigmoid(z)\n")],
        "test_values_with_parameters[swish]", 'ignored `beta`'),
    "selu_grad_drops_alpha": (
        [("return lam * elu_grad(z, alpha=alpha)", "return lam * elu_grad(z)")],
        "test_gradient_with_parameters[selu_grad]", '`alpha` not passed on to elu_grad'),
    "gelu_grad_ignores_approximate": (
        [("        if approximate:\n            s = sigmoid(1.702 * z)\n"
          "            return s + 1.702 * z * s * sigmoid(-1.702 * z)\n", "")],
        "test_gradient_with_parameters[gelu_grad]", 'ignored approximate=True'),
    # derivatives (default parameters)
    "relu_grad_returns_relu": (
        [("return np.where(np.asarray(z) > 0, 1.0, 0.0)", "return np.maximum(z, 0.0)")],
        "test_gradient[relu_grad]", 'returned relu(z) instead of its derivative'),
    "leaky_relu_grad_zero_for_negatives": (
        [("return np.where(np.asarray(z) > 0, 1.0, float(slope))", "return np.where(np.asarray(z) > 0, 1.0, 0.0)")],
        "test_gradient[leaky_relu_grad]", 'returned 0 for negative z'),
    "celu_grad_is_the_function": (
        [("return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0) / alpha))",
          "return np.where(z > 0, 1.0, np.expm1(np.minimum(z, 0.0) / alpha))")],
        "test_gradient[celu_grad]", 'used the function e^(z/alpha) - 1 instead of its derivative'),
    "selu_grad_forgot_lambda": (
        [("return lam * elu_grad(z, alpha=alpha)", "return elu_grad(z, alpha=alpha)")],
        "test_gradient[selu_grad]", 'forgot the scale lam'),
    "softplus_grad_sigmoid_of_minus_z": (
        [("return sigmoid(beta * np.asarray(z, dtype=np.float64))",
          "return sigmoid(-beta * np.asarray(z, dtype=np.float64))")],
        "test_gradient[softplus_grad]", 'sigmoid(-beta z) instead of sigmoid(beta z)'),
    "silu_grad_sigmoid_only": (
        [("return sigmoid(z) * (1.0 + z * sigmoid(-z))", "return sigmoid(z)")],
        "test_gradient[silu_grad]", 'returned sigmoid(z) only'),
    "swish_grad_product_rule_sign": (
        [("return s + beta * z * s * sigmoid(-beta * z)", "return s - beta * z * s * sigmoid(-beta * z)")],
        "test_gradient[swish_grad]", 'the product rule adds the second term'),
    "hardswish_grad_forgot_product_rule": (
        [("np.where(z >= 3, 1.0, (2 * z + 3) / 6)", "np.where(z >= 3, 1.0, (z + 3) / 6)")],
        "test_gradient[hardswish_grad]", '(z + 3)/6 instead of (2z + 3)/6'),
    # the derivative at a kink
    "leaky_relu_grad_one_at_zero": (
        [("np.where(np.asarray(z) > 0, 1.0, float(slope))", "np.where(np.asarray(z) >= 0, 1.0, float(slope))")],
        "test_kink_convention[leaky_relu_grad]", 'leaky_relu_grad(0) = slope'),
    "elu_grad_one_at_zero": (
        [("np.where(z > 0, 1.0, alpha * np.exp(", "np.where(z >= 0, 1.0, alpha * np.exp(")],
        "test_kink_convention[elu_grad]", 'elu_grad(0) = alpha'),
    "celu_grad_masks_miss_zero": (
        [("return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0) / alpha))",
          "return (z > 0) * 1.0 + (z < 0) * np.exp(np.minimum(z, 0.0) / alpha)")],
        "test_kink_convention[celu_grad]", 'celu_grad(0) = 1'),
    "selu_grad_lambda_at_zero": (
        [("return lam * elu_grad(z, alpha=alpha)",
          "return np.where(np.asarray(z) >= 0, lam, lam * elu_grad(z, alpha=alpha))")],
        "test_kink_convention[selu_grad]", 'selu_grad(0) = lam*alpha'),
    # stability for |z| up to 1e3: overflowing exponentials, the clip guard, numerical derivatives
    "tanh_from_exponentials": (
        [("    return np.tanh(z)\n", "    return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))\n")],
        "test_stability[tanh]", 'raised floating-point warnings'),
    "relu_clips_z": (overflow_guard("    return np.maximum(z, 0.0)\n"), "test_stability[relu]", 'expected 1000, got 500'),
    "leaky_relu_clips_z": (overflow_guard("    return np.maximum(z, slope * np.asarray(z, dtype=np.float64))\n"),
                           "test_stability[leaky_relu]", "expected 1000, got 500"),
    "elu_exp_in_both_branches": (
        [("alpha * np.expm1(np.minimum(z, 0.0)))", "alpha * (np.exp(z) - 1.0))")],
        "test_stability[elu]", 'raised floating-point warnings'),
    "celu_exp_in_both_branches": (
        [("alpha * np.expm1(np.minimum(z, 0.0) / alpha))", "alpha * (np.exp(z / alpha) - 1.0))")],
        "test_stability[celu]", 'raised floating-point warnings'),
    "selu_exp_in_both_branches": (
        [("    return lam * elu(z, alpha=alpha)\n",
          "    z = np.asarray(z, dtype=np.float64)\n    return lam * np.where(z > 0, z, alpha * (np.exp(z) - 1.0))\n")],
        "test_stability[selu]", 'raised floating-point warnings'),
    "gelu_clips_z": (overflow_guard("        if approximate:\n            return z * sigmoid(1.702 * z)\n"),
                     "test_stability[gelu]", "expected 1000, got 500"),
    "silu_naive_sigmoid": (
        [("        return z * sigmoid(z)\n", "        return z / (1.0 + np.exp(-z))\n")],
        "test_stability[silu]", 'raised floating-point warnings'),
    "swish_naive_sigmoid": (
        [("        return z * sigmoid(beta * z)\n", "        return z / (1.0 + np.exp(-beta * z))\n")],
        "test_stability[swish]", 'raised floating-point warnings'),
    "hardswish_clips_z": (overflow_guard("    return np.where(z <= -3, 0.0, np.where(z >= 3, z, z * (z + 3) / 6))\n"),
                          "test_stability[hardswish]", "expected 1000, got 500"),
    "sigmoid_grad_naive_sigmoid": (
        [("    return sigmoid(z) * sigmoid(-np.asarray(z))\n",
          "    s = 1.0 / (1.0 + np.exp(-np.asarray(z)))\n    return s * (1.0 - s)\n")],
        "test_stability[sigmoid_grad]", 'raised floating-point warnings'),
    "tanh_grad_sech_from_exponentials": (
        [("return 1.0 - np.tanh(z) ** 2", "return 4.0 / (np.exp(z) + np.exp(-z)) ** 2")],
        "test_stability[tanh_grad]", 'raised floating-point warnings'),
    # backward differences with h = 1e-6: right to ~1e-10 for |z| <= 8, off by ~1e-9 relative at 1e3
    "relu_grad_by_finite_differences": (
        [("return np.where(np.asarray(z) > 0, 1.0, 0.0)", "return (relu(z) - relu(np.asarray(z) - 1e-6)) / 1e-6")],
        "test_stability[relu_grad]", 'expected 1, got 0.9999999975'),
    "leaky_relu_grad_by_finite_differences": (
        [("return np.where(np.asarray(z) > 0, 1.0, float(slope))",
          "return (leaky_relu(z, slope) - leaky_relu(np.asarray(z) - 1e-6, slope)) / 1e-6")],
        "test_stability[leaky_relu_grad]", 'expected 1, got 0.9999999975'),
    "elu_grad_exp_in_both_branches": (
        [("alpha * np.exp(np.minimum(z, 0.0)))", "alpha * np.exp(z))")],
        "test_stability[elu_grad]", 'raised floating-point warnings'),
    "celu_grad_exp_in_both_branches": (
        [("np.exp(np.minimum(z, 0.0) / alpha))", "np.exp(z / alpha))")],
        "test_stability[celu_grad]", 'raised floating-point warnings'),
    "selu_grad_exp_in_both_branches": (
        [("return lam * elu_grad(z, alpha=alpha)", "return lam * np.where(np.asarray(z) > 0, 1.0, alpha * np.exp(z))")],
        "test_stability[selu_grad]", 'raised floating-point warnings'),
    "softplus_grad_naive_sigmoid": (
        [("return sigmoid(beta * np.asarray(z, dtype=np.float64))",
          "return 1.0 / (1.0 + np.exp(-beta * np.asarray(z, dtype=np.float64)))")],
        "test_stability[softplus_grad]", 'raised floating-point warnings'),
    "gelu_grad_divides_by_exp": (
        [("return cdf + z * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)",
          "return cdf + z / np.exp(0.5 * z * z) / np.sqrt(2.0 * np.pi)")],
        "test_stability[gelu_grad]", 'raised floating-point warnings'),
    "silu_grad_naive_sigmoid": (
        [("        return sigmoid(z) * (1.0 + z * sigmoid(-z))\n",
          "        s = 1.0 / (1.0 + np.exp(-z))\n        return s * (1.0 + z * (1.0 - s))\n")],
        "test_stability[silu_grad]", 'raised floating-point warnings'),
    "swish_grad_naive_sigmoid": (
        [("        s = sigmoid(beta * z)\n        return s + beta * z * s * sigmoid(-beta * z)\n",
          "        s = 1.0 / (1.0 + np.exp(-beta * z))\n        return s + beta * z * s * (1.0 - s)\n")],
        "test_stability[swish_grad]", 'raised floating-point warnings'),
    # central differences with the SPEC's kink values patched in (the least common mistake here:
    # a piecewise-linear derivative has no formula that overflows)
    "hardswish_grad_by_finite_differences": (
        [("    return np.where(z <= -3, 0.0, np.where(z >= 3, 1.0, (2 * z + 3) / 6))\n",
          "    slope = (hardswish(z + 1e-6) - hardswish(z - 1e-6)) / 2e-6\n"
          "    return np.where(z == -3, 0.0, np.where(z == 3, 1.0, slope))\n")],
        "test_stability[hardswish_grad]", 'expected 1, got 0.9999999975'),
    # contract: same shape, float64, input kept, no global RNG, a scalar for a Python float
    "sigmoid_masks_in_place": (
        [("    z = np.asarray(z, dtype=np.float64)\n    with np.errstate(under=\"ignore\"):\n"
          "        e = np.exp(-np.abs(z))\n    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n",
          "    z = np.asarray(z, dtype=np.float64)\n    positive = z >= 0\n"
          "    z[positive] = 1.0 / (1.0 + np.exp(-z[positive]))\n"
          "    e = np.exp(z[~positive])\n    z[~positive] = e / (1.0 + e)\n    return z\n")],
        "test_contract[sigmoid]", 'modified its input `z` in place'),
    # a reseed leaves the global state equal to what an earlier call of the same unit left: the
    # worker starts each detailed call from a fresh global state, so it is still seen
    "relu_reseeds_global_rng": (
        [("    return np.maximum(z, 0.0)\n", "    np.random.seed(0)\n    return np.maximum(z, 0.0)\n")],
        "test_contract[relu]", 'changed the global np.random state'),
    "tanh_float32": (
        [("    return np.tanh(z)\n", "    return np.tanh(np.asarray(z, dtype=np.float32))\n")],
        "test_contract[tanh]", 'must return float64 values, got float32'),
    "leaky_relu_scales_negatives_in_place": (
        [("    return np.maximum(z, slope * np.asarray(z, dtype=np.float64))\n",
          "    z = np.asarray(z, dtype=np.float64)\n    z[z < 0] *= slope\n    return z\n")],
        "test_contract[leaky_relu]", 'modified its input `z` in place'),
    "elu_in_place": (
        [("    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))\n",
          "    negative = z <= 0\n    z[negative] = alpha * np.expm1(z[negative])\n    return z\n")],
        "test_contract[elu]", 'modified its input `z` in place'),
    "celu_float32": (
        [("    z = np.asarray(z, dtype=np.float64)\n"
          "    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0) / alpha))",
          "    z = np.asarray(z, dtype=np.float32)\n"
          "    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0) / alpha))")],
        "test_contract[celu]", 'must return float64 values, got float32'),
    "selu_atleast_1d": (
        [("return lam * elu(z, alpha=alpha)", "return lam * elu(np.atleast_1d(z), alpha=alpha)")],
        "test_contract[selu]", '(a 0-d array in) must return a scalar, got shape (1,)'),
    "softplus_float32": (
        [("return np.logaddexp(0.0, beta * np.asarray(z, dtype=np.float64)) / beta",
          "return np.logaddexp(0.0, beta * np.asarray(z, dtype=np.float32)) / beta")],
        "test_contract[softplus]", 'must return float64 values, got float32'),
    "gelu_python_loop_flattens": (
        [("        return z * 0.5 * np.vectorize(math.erfc, otypes=[np.float64])(-z / math.sqrt(2.0))\n",
          "        return np.array([v * 0.5 * math.erfc(-v / math.sqrt(2.0)) for v in z.ravel()])\n")],
        "test_contract[gelu]", 'must return shape (3, 4), got shape (12,)'),
    "silu_multiplies_in_place": (
        [("        return z * sigmoid(z)\n", "        z *= sigmoid(z)\n        return z\n")],
        "test_contract[silu]", 'modified its input `z` in place'),
    "swish_multiplies_in_place": (
        [("        return z * sigmoid(beta * z)\n", "        z *= sigmoid(beta * z)\n        return z\n")],
        "test_contract[swish]", 'modified its input `z` in place'),
    "hardswish_masks_in_place": (
        [("    return np.where(z <= -3, 0.0, np.where(z >= 3, z, z * (z + 3) / 6))\n",
          "    middle = (z > -3) & (z < 3)\n    z[middle] = z[middle] * (z[middle] + 3) / 6\n"
          "    z[z <= -3] = 0.0\n    return z\n")],
        "test_contract[hardswish]", 'modified its input `z` in place'),
    "sigmoid_grad_float32": (
        [("    return sigmoid(z) * sigmoid(-np.asarray(z))\n",
          "    return (sigmoid(z) * sigmoid(-np.asarray(z))).astype(np.float32)\n")],
        "test_contract[sigmoid_grad]", 'must return float64 values, got float32'),
    "tanh_grad_tanh_in_place": (
        [("    return 1.0 - np.tanh(z) ** 2\n",
          "    z = np.asarray(z, dtype=np.float64)\n    np.tanh(z, out=z)\n    return 1.0 - z**2\n")],
        "test_contract[tanh_grad]", 'modified its input `z` in place'),
    "leaky_relu_grad_random_subgradient_at_zero": (
        [("    return np.where(np.asarray(z) > 0, 1.0, float(slope))\n",
          "    z = np.asarray(z, dtype=np.float64)\n"
          "    at_zero = np.random.uniform(slope, 1.0, size=z.shape)\n"
          "    return np.where(z > 0, 1.0, np.where(z < 0, float(slope), at_zero))\n")],
        "test_contract[leaky_relu_grad]", 'changed the global np.random state'),
    "elu_grad_in_place": (
        [("        return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))\n",
          "        negative = z <= 0\n        z[negative] = alpha * np.exp(z[negative])\n"
          "        z[~negative] = 1.0\n        return z\n")],
        "test_contract[elu_grad]", 'modified its input `z` in place'),
    "celu_grad_reuses_the_input_buffer": (
        [("        return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0) / alpha))\n",
          "        np.minimum(z, 0.0, out=z)\n        z /= alpha\n        return np.exp(z)\n")],
        "test_contract[celu_grad]", 'modified its input `z` in place'),
    "selu_grad_python_loop_flattens": (
        [("        return lam * elu_grad(z, alpha=alpha)\n",
          "        return np.array([lam if v > 0 else lam * alpha * math.exp(v) for v in np.ravel(z)])\n")],
        "test_contract[selu_grad]", 'must return shape (3, 4), got shape (12,)'),
    "softplus_grad_returns_list": (
        [("return sigmoid(beta * np.asarray(z, dtype=np.float64))",
          "return sigmoid(beta * np.asarray(z, dtype=np.float64)).tolist()")],
        "test_contract[softplus_grad]", 'must return shape (3, 4), got list'),
    "gelu_grad_atleast_1d": (
        [("    z = np.asarray(z, dtype=np.float64)\n    with np.errstate(under=\"ignore\"):\n"
          "        if approximate:\n            s = sigmoid(1.702 * z)\n",
          "    z = np.atleast_1d(np.asarray(z, dtype=np.float64))\n    with np.errstate(under=\"ignore\"):\n"
          "        if approximate:\n            s = sigmoid(1.702 * z)\n")],
        "test_contract[gelu_grad]", '(a 0-d array in) must return a scalar, got shape (1,)'),
    "silu_grad_returns_list": (
        [("        return sigmoid(z) * (1.0 + z * sigmoid(-z))\n",
          "        return (sigmoid(z) * (1.0 + z * sigmoid(-z))).tolist()\n")],
        "test_contract[silu_grad]", 'must return shape (3, 4), got list'),
    "swish_grad_accumulates_in_z": (
        [("        s = sigmoid(beta * z)\n        return s + beta * z * s * sigmoid(-beta * z)\n",
          "        s = sigmoid(beta * z)\n        z *= beta * s * sigmoid(-beta * z)\n        return s + z\n")],
        "test_contract[swish_grad]", 'modified its input `z` in place'),
    "hardswish_grad_assumes_an_array": (
        [("    z = np.asarray(z, dtype=np.float64)\n"
          "    return np.where(z <= -3, 0.0, np.where(z >= 3, 1.0, (2 * z + 3) / 6))\n",
          "    out = np.zeros(z.shape)\n    out[z >= 3] = 1.0\n    middle = (z > -3) & (z < 3)\n"
          "    out[middle] = (2 * z[middle] + 3) / 6\n    return out\n")],
        "test_contract[hardswish_grad]", "'float' object has no attribute 'shape'"),
    # Missed before the stability inputs reached 12 and 25, before gelu's approximate=True was
    # graded at 1e3, and before 1-D and 0-d inputs were graded.
    "gelu_approximate_overflows": (
        [("            return z * sigmoid(1.702 * z)\n", "            return z / (1.0 + np.exp(-1.702 * z))\n")],
        "test_stability_with_parameters[gelu]", "raised floating-point warnings"),
    "gelu_grad_approximate_overflows": (
        [("            s = sigmoid(1.702 * z)\n", "            s = 1.0 / (1.0 + np.exp(-1.702 * z))\n")],
        "test_stability_with_parameters[gelu_grad]", "raised floating-point warnings"),
    "sigmoid_cut_off_beyond_10": (
        [("    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n",
          "    return np.where(z > 10, 1.0, np.where(z < -10, 0.0, np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))))\n")],
        "test_stability[sigmoid]", "a cut-off (e.g. 'sigmoid is 0 below -10') is too early"),
    "softplus_linear_beyond_10": (
        [("        return np.logaddexp(0.0, beta * np.asarray(z, dtype=np.float64)) / beta\n",
          "        z = np.asarray(z, dtype=np.float64)\n"
          "        return np.where(beta * z > 10, z, np.logaddexp(0.0, beta * z) / beta)\n")],
        "test_stability[softplus]", "a cut-off (e.g. 'sigmoid is 0 below -10') is too early"),
    "sigmoid_grad_cuts_off_tails": (
        [("    return sigmoid(z) * sigmoid(-np.asarray(z))\n",
          "    z = np.asarray(z, dtype=np.float64)\n    return np.where(np.abs(z) > 10, 0.0, sigmoid(z) * sigmoid(-z))\n")],
        "test_stability[sigmoid_grad]", "a cut-off (e.g. 'sigmoid is 0 below -10') is too early"),
    "gelu_loops_over_rows": (
        [("        return z * 0.5 * np.vectorize(math.erfc, otypes=[np.float64])(-z / math.sqrt(2.0))\n",
          "        if z.ndim == 0:\n"
          "            return 0.5 * z * math.erfc(-z / math.sqrt(2.0))\n"
          "        return np.array([[0.5 * v * math.erfc(-v / math.sqrt(2.0)) for v in row] for row in z])\n")],
        "test_contract[gelu]", "'numpy.float64' object is not iterable"),
    "tanh_grad_float16": (
        [("return 1.0 - np.tanh(z) ** 2", "return (1.0 - np.tanh(z) ** 2).astype(np.float16)")],
        "test_gradient[tanh_grad]", "the result is float16, not float64"),
    "silu_zero_below_minus_10": (
        [("        return z * sigmoid(z)\n", "        return np.where(z < -10, 0.0, z * sigmoid(z))\n")],
        "test_stability[silu]", "a cut-off (e.g. 'sigmoid is 0 below -10') is too early"),
    # Round three (a held-out panel's styles): formulas right for the default parameters only.
    "elu_minus_one_outside_alpha": (
        [("    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))\n",
          "    return np.where(z > 0, z, alpha * np.exp(np.minimum(z, 0.0)) - 1.0)\n")],
        "test_values_with_parameters[elu]", "alpha e^z - 1 instead of alpha (e^z - 1)"),
    "selu_lambda_and_alpha_swapped": (
        [("    return lam * elu(z, alpha=alpha)\n", "    return alpha * elu(z, alpha=lam)\n")],
        "test_values[selu]", "lam and alpha swapped"),
    "gelu_approximate_factor_outside_sigmoid": (
        [("            return z * sigmoid(1.702 * z)\n", "            return 1.702 * z * sigmoid(z)\n")],
        "test_values_with_parameters[gelu]", "the 1.702 belongs inside the sigmoid"),
}

VALIDITY = Validity("activations", notebook_student="nora_notebook", mutants=MUTANTS)

ALTERNATIVES = Path(__file__).with_name("alternatives") / "activations"


def _loop(name_and_args: str, element: str) -> str:
    """A function body that fills a new float64 array element by element with np.ndenumerate."""
    return (f"    z = np.asarray(z, dtype=np.float64)\n    out = np.empty_like(z)\n"
            f"    for index, v in np.ndenumerate(z):\n        out[index] = {element}\n    return out\n")


# Correct implementations in styles the cohort lacks; each must get full marks.
CORRECT = {
    # The overflow guards students copy: sigmoid clipped to [-500, 500] (sigmoid(-1000) = 7.1e-218,
    # "0.0 or a tiny positive number"), PyTorch's softplus threshold 20, tanh from the sigmoid.
    "clipped_sigmoid_pytorch_softplus_threshold": mutate(VALIDITY.reference, [
        ("    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n",
         "    return 1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0)))\n"),
        ("        return np.logaddexp(0.0, beta * np.asarray(z, dtype=np.float64)) / beta\n",
         "        x = beta * np.asarray(z, dtype=np.float64)\n"
         "        return np.where(x > 20.0, x, np.log1p(np.exp(np.minimum(x, 20.0)))) / beta\n"),
        ("    return np.tanh(z)\n", "    return 2.0 * sigmoid(2.0 * np.asarray(z, dtype=np.float64)) - 1.0\n")]),
    # Element loops with np.ndenumerate into a new buffer, Python conditionals per element.
    "ndenumerate_loops": mutate(VALIDITY.reference, [
        ("    return np.maximum(z, 0.0)\n", _loop("relu", "v if v > 0 else 0.0")),
        ("    return np.where(np.asarray(z) > 0, 1.0, 0.0)\n", _loop("relu_grad", "1.0 if v > 0 else 0.0")),
        ("    return np.where(np.asarray(z) > 0, 1.0, float(slope))\n", _loop("leaky_relu_grad", "1.0 if v > 0 else slope")),
        ("    return np.where(z <= -3, 0.0, np.where(z >= 3, z, z * (z + 3) / 6))\n",
         _loop("hardswish", "0.0 if v <= -3 else (v if v >= 3 else v * (v + 3) / 6)")),
        ("    return np.where(z <= -3, 0.0, np.where(z >= 3, 1.0, (2 * z + 3) / 6))\n",
         _loop("hardswish_grad", "0.0 if v <= -3 else (1.0 if v >= 3 else (2 * v + 3) / 6)"))]),
    **{path.stem: path.read_text() for path in sorted(ALTERNATIVES.glob("*.py"))},
}


def test_at_least_five_correct_alternatives():
    """The corpus holds at least five correct styles besides the reference and the cohort."""
    assert len(CORRECT) >= 5


def test_every_diagnosis_evaluates_on_every_input():
    """A known-mistake variant is trusted code: it must compute on every input the checks use, with
    the default and the non-default parameters."""
    import numpy as np

    from autograder.suites.activations import cases, mistakes

    evaluated = 0
    for unit in mistakes.MISTAKES:
        name = cases.base_name(unit)
        for z in (cases.Z_VALUES, cases.smooth_points(name), cases.Z_EXTREME):
            for params in ({}, cases.PARAMS.get(name, {})):
                for variant in (m.output for m in mistakes.mistakes_at(unit, z, params)):
                    with np.errstate(all="ignore"):
                        assert np.shape(variant()) == np.shape(z)
                    evaluated += 1
    assert evaluated > 200
