"""Validity of the `gates` rubric (issue 3 item 7): the shared checks of harness.py on its mutants,
its demo cohort (examples/cohort/gates) and its stubs."""
from __future__ import annotations

import pytest

from harness import Validity

pytestmark = pytest.mark.slow

# id: (replacements applied to the reference (see harness.mutate), the check that names the mistake)
MUTANTS = {
    "multiply_switcher_swapped": (
        [("return self.y * dout, self.x * dout", "return self.x * dout, self.y * dout")],
        "test_backward[MultiplyGate]"),
    "max_ties_to_y": (
        [("self.x_wins = np.greater_equal(x, y)", "self.x_wins = np.greater(x, y)")],
        "test_max_gate_ties"),
    "relu_gate_passes_at_zero": (
        [("self.positive = np.asarray(x) > 0", "self.positive = np.asarray(x) >= 0")],
        "test_relu_gate_at_zero"),
    "relu_gate_masks_dout_in_place": (
        [("        return (np.where(self.positive, dout, 0.0),)\n",
          "        dout = np.asarray(dout)\n        dout[~self.positive] = 0.0\n        return (dout,)\n")],
        "test_gate_contract[ReLUGate]"),
    "add_gate_accumulates_in_place": (
        [("        return np.add(x, y, dtype=np.float64)\n", "        x += y\n        return x\n")],
        "test_gate_contract[AddGate]"),
    "reciprocal_missing_minus": (
        [("return (-dout / self.x**2,)", "return (dout / self.x**2,)")],
        "test_backward[ReciprocalGate]"),
    "exp_gate_ignores_dout": (
        [("return (self.out * dout,)", "return (self.out,)")],
        "test_backward[ExpGate]"),
    "sigmoid_gate_returns_output": (
        [("return (self.out * (1.0 - self.out) * dout,)", "return (self.out * dout,)")],
        "test_backward[SigmoidGate]"),
    "matmul_dW_transposed": (
        [("dW = np.outer(dout, self.x)", "dW = np.outer(self.x, dout)")],
        "test_backward[MatMulGate]"),
    "squared_l2_missing_two": (
        [("return (2.0 * self.diff * dout,)", "return (self.diff * dout,)")],
        "test_backward[SquaredL2Gate]"),
    "softmax_without_max_shift": (
        [("shifted = o - np.max(o, axis=-1, keepdims=True)", "shifted = o")],
        "test_softmax_stable"),
    "softmax_sum_over_rows": (
        [("return float(-np.sum(self.target * log_probs) / self.n_rows)",
          "return float(-np.sum(self.target * log_probs))")],
        "test_forward[SoftmaxCrossEntropyGate]"),
    "softmax_backward_missing_mean": (
        [("return ((self.probs - self.target) * dout / self.n_rows,)",
          "return ((self.probs - self.target) * dout,)")],
        "test_backward[SoftmaxCrossEntropyGate]"),
    "soft_iou_union_double_counts": (
        [("self.union = np.sum(X + Y - X * Y)", "self.union = np.sum(X + Y)")],
        "test_forward[SoftIoUGate]"),
    "soft_iou_no_default_dout": (
        [("    def backward(self, dout=1.0):\n        ### BEGIN SOLUTION\n        Y, I, U",
          "    def backward(self, dout):\n        ### BEGIN SOLUTION\n        Y, I, U")],
        "test_loss_default_dout[SoftIoUGate]"),
    "neuron_closed_form": (
        [("    mul0, mul1 = MultiplyGate(), MultiplyGate()\n",
          "    s = 1.0 / (1.0 + np.exp(-(w[0] * x[0] + w[1] * x[1] + w[2])))\n"
          "    ds = s * (1.0 - s)\n"
          "    return float(s), ds * np.array([x[0], x[1], 1.0]), ds * w[:2]\n"
          "    mul0, mul1 = MultiplyGate(), MultiplyGate()\n")],
        "test_sigmoid_neuron_uses_gates"),
    "neuron_swaps_dw_dx": (
        [("dw0, dx0 = mul0.backward(d_prod0)", "dx0, dw0 = mul0.backward(d_prod0)"),
         ("dw1, dx1 = mul1.backward(d_prod1)", "dx1, dw1 = mul1.backward(d_prod1)")],
        "test_sigmoid_neuron_gradient"),
}

VALIDITY = Validity("gates", notebook_student="olga_notebook")


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
