"""Validity of the `activations` rubric (issue 3 item 7): the shared checks of harness.py on its
mutants, its demo cohort (examples/cohort/activations) and its stubs."""
from __future__ import annotations

import pytest

from harness import Validity

pytestmark = pytest.mark.slow

# id: (replacements applied to the reference (see harness.mutate), the check that names the mistake)
MUTANTS = {
    "sigmoid_overflows": (
        [("    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n",
          "    return 1.0 / (1.0 + np.exp(-z))\n")],
        "test_stability[sigmoid]"),
    "sigmoid_grad_of_z": (
        [("    return sigmoid(z) * sigmoid(-np.asarray(z))\n",
          "    z = np.asarray(z, dtype=np.float64)\n    return z * (1.0 - z)\n")],
        "test_gradient[sigmoid_grad]"),
    "tanh_grad_missing_square": (
        [("return 1.0 - np.tanh(z) ** 2", "return 1.0 - np.tanh(z)")],
        "test_gradient[tanh_grad]"),
    "relu_grad_one_at_zero": (
        [("return np.where(np.asarray(z) > 0, 1.0, 0.0)", "return np.where(np.asarray(z) >= 0, 1.0, 0.0)")],
        "test_kink_convention[relu_grad]"),
    "relu_in_place": (
        [("    return np.maximum(z, 0.0)\n",
          "    z = np.asarray(z, dtype=np.float64)\n    z[z < 0] = 0.0\n    return z\n")],
        "test_contract[relu]"),
    "relu_grad_boolean_mask": (
        [("return np.where(np.asarray(z) > 0, 1.0, 0.0)", "return np.asarray(z) > 0")],
        "test_contract[relu_grad]"),
    "leaky_relu_grad_ignores_slope": (
        [("return np.where(np.asarray(z) > 0, 1.0, float(slope))",
          "return np.where(np.asarray(z) > 0, 1.0, 0.01)")],
        "test_gradient_with_parameters[leaky_relu_grad]"),
    "elu_grad_is_the_function": (
        [("return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))",
          "return np.where(z > 0, 1.0, alpha * np.expm1(np.minimum(z, 0.0)))")],
        "test_gradient[elu_grad]"),
    "celu_grad_extra_alpha": (
        [("return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0) / alpha))",
          "return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0) / alpha))")],
        "test_gradient_with_parameters[celu_grad]"),
    "selu_forgot_lambda": (
        [("return lam * elu(z, alpha=alpha)", "return elu(z, alpha=alpha)")],
        "test_values[selu]"),
    "softplus_overflows": (
        [("return np.logaddexp(0.0, beta * np.asarray(z, dtype=np.float64)) / beta",
          "return np.log(1.0 + np.exp(beta * np.asarray(z, dtype=np.float64))) / beta")],
        "test_stability[softplus]"),
    "gelu_tanh_approximation": (
        [("return z * sigmoid(1.702 * z)",
          "return 0.5 * z * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (z + 0.044715 * z**3)))")],
        "test_values_with_parameters[gelu]"),
    "gelu_grad_missing_product_term": (
        [("return cdf + z * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)", "return cdf")],
        "test_gradient[gelu_grad]"),
    "swish_grad_missing_chain_beta": (
        [("return s + beta * z * s * sigmoid(-beta * z)", "return s + z * s * sigmoid(-beta * z)")],
        "test_gradient_with_parameters[swish_grad]"),
    "hardswish_grad_kinks": (
        [("return np.where(z <= -3, 0.0, np.where(z >= 3, 1.0, (2 * z + 3) / 6))",
          "return np.where(z < -3, 0.0, np.where(z > 3, 1.0, (2 * z + 3) / 6))")],
        "test_kink_convention[hardswish_grad]"),
}

VALIDITY = Validity("activations", notebook_student="nora_notebook")


def test_reference_gets_full_marks():
    VALIDITY.reference_gets_full_marks()


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_mutant_fails_the_check_that_names_it(mutant):
    VALIDITY.mutant_fails_the_check_that_names_it(mutant, *MUTANTS[mutant])


def test_cohort_gets_expected_results():
    VALIDITY.cohort_gets_expected_results()


def test_filled_released_notebook_gets_full_marks():
    VALIDITY.filled_released_notebook_gets_full_marks()


def test_stub_scores_zero():
    VALIDITY.stub_scores_zero()


def test_released_stub_scores_zero():
    VALIDITY.released_stub_scores_zero()


def test_empty_file_scores_zero():
    VALIDITY.empty_file_scores_zero()
