"""Validity of the `gates` rubric (issue 3 item 7): the shared checks of harness.py on its mutants,
its demo cohort (examples/cohort/gates) and its stubs."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness import (  # the shared tests, collected in this module too
    Validity, failed, test_cohort_gets_expected_results, test_empty_file_scores_zero,
    test_every_check_catches_a_known_mistake, test_filled_released_notebook_gets_full_marks,
    test_mutant_fails_the_check_that_names_it, test_reference_gets_full_marks,
    test_every_mutant_names_its_diagnosis, test_released_stub_scores_zero, test_stub_scores_zero,
    test_correct_alternative_gets_full_marks, test_every_kind_of_hidden_rule_has_a_visible_check)

pytestmark = pytest.mark.slow

# id: (replacements applied to the reference (see harness.mutate), the check that names the mistake,
#      a fragment of that check's feedback naming the mistake)
MUTANTS = {
    "multiply_switcher_swapped": (
        [("return self.y * dout, self.x * dout", "return self.x * dout, self.y * dout")],
        "test_backward[MultiplyGate]", 'swapped the switcher'),
    "max_ties_to_y": (
        [("self.x_wins = np.greater_equal(x, y)", "self.x_wins = np.greater(x, y)")],
        "test_max_gate_ties", 'ties sent to y'),
    "relu_gate_passes_at_zero": (
        [("self.positive = np.asarray(x) > 0", "self.positive = np.asarray(x) >= 0")],
        "test_relu_gate_at_zero", 'the derivative at 0 must be 0'),
    "relu_gate_masks_dout_in_place": (
        [("        return (np.where(self.positive, dout, 0.0),)\n",
          "        dout = np.asarray(dout)\n        dout[~self.positive] = 0.0\n        return (dout,)\n")],
        "test_gate_contract[ReLUGate]", 'modified its input `dout` in place'),
    "add_gate_accumulates_in_place": (
        [("        return np.add(x, y, dtype=np.float64)\n", "        x += y\n        return x\n")],
        "test_gate_contract[AddGate]", 'modified its input `x` in place'),
    "reciprocal_missing_minus": (
        [("return (-dout / self.x**2,)", "return (dout / self.x**2,)")],
        "test_backward[ReciprocalGate]", 'missing minus sign'),
    "exp_gate_ignores_dout": (
        [("return (self.out * dout,)", "return (self.out,)")],
        "test_backward[ExpGate]", 'ignored the upstream gradient dout'),
    "sigmoid_gate_returns_output": (
        [("return (self.out * (1.0 - self.out) * dout,)", "return (self.out * dout,)")],
        "test_backward[SigmoidGate]", 'the output, not its derivative'),
    "matmul_dW_transposed": (
        [("dW = np.outer(dout, self.x)", "dW = np.outer(self.x, dout)")],
        "test_backward[MatMulGate]", 'dW: expected shape (4, 3), got shape (3, 4)'),
    "squared_l2_missing_two": (
        [("return (2.0 * self.diff * dout,)", "return (self.diff * dout,)")],
        "test_backward[SquaredL2Gate]", 'missing factor 2'),
    "softmax_without_max_shift": (
        [("shifted = o - np.max(o, axis=-1, keepdims=True)", "shifted = o")],
        "test_softmax_stable", "Subtract each row's maximum score"),
    "softmax_sum_over_rows": (
        [("return float(-np.sum(self.target * log_probs) / self.n_rows)",
          "return float(-np.sum(self.target * log_probs))")],
        "test_forward[SoftmaxCrossEntropyGate]", 'summed over rows instead of the mean'),
    "softmax_backward_missing_mean": (
        [("return ((self.probs - self.target) * dout / self.n_rows,)",
          "return ((self.probs - self.target) * dout,)")],
        "test_backward[SoftmaxCrossEntropyGate]", 'forgot to divide by the number of rows N'),
    "soft_iou_union_double_counts": (
        [("self.union = np.sum(X + Y - X * Y)", "self.union = np.sum(X + Y)")],
        "test_forward[SoftIoUGate]", 'forgot to subtract the intersection'),
    "soft_iou_no_default_dout": (
        [("    def backward(self, dout=1.0):\n        ### BEGIN SOLUTION\n        Y, I, U",
          "    def backward(self, dout):\n        ### BEGIN SOLUTION\n        Y, I, U")],
        "test_loss_default_dout[SoftIoUGate]", "missing 1 required positional argument: 'dout'"),
    "neuron_closed_form": (
        [("    mul0, mul1 = MultiplyGate(), MultiplyGate()\n",
          "    s = 1.0 / (1.0 + np.exp(-(w[0] * x[0] + w[1] * x[1] + w[2])))\n"
          "    ds = s * (1.0 - s)\n"
          "    return float(s), ds * np.array([x[0], x[1], 1.0]), ds * w[:2]\n"
          "    mul0, mul1 = MultiplyGate(), MultiplyGate()\n")],
        "test_sigmoid_neuron_uses_gates", '0 gate forward and 0 gate backward call(s)'),
    "neuron_swaps_dw_dx": (
        [("dw0, dx0 = mul0.backward(d_prod0)", "dx0, dw0 = mul0.backward(d_prod0)"),
         ("dw1, dx1 = mul1.backward(d_prod1)", "dx1, dw1 = mul1.backward(d_prod1)")],
        "test_sigmoid_neuron_gradient", "swapped the two outputs of a MultiplyGate's backward"),
    "neuron_forgets_bias": (
        [("f = sigmoid_gate.forward(add_bias.forward(products, w[2]))", "f = sigmoid_gate.forward(products)")],
        "test_sigmoid_neuron_value", 'forgot the bias w2'),
    # forward values
    "add_gate_sums_everything": (
        [("        return np.add(x, y, dtype=np.float64)\n", "        return np.sum(x + y)\n")],
        "test_forward[AddGate]", 'expected shape (3, 4), got shape ()'),
    "multiply_gate_np_dot": (
        [("        return self.x * self.y\n", "        return np.dot(self.x, self.y)\n")],
        "test_forward[MultiplyGate]", '`return np.dot(self.x, self.y)`'),
    "max_gate_np_minimum": (
        [("return np.maximum(x, y, dtype=np.float64)", "return np.minimum(x, y, dtype=np.float64)")],
        "test_forward[MaxGate]", 'np.minimum instead of np.maximum'),
    "exp_gate_approximates_e": (
        [("self.out = np.exp(np.asarray(x, dtype=np.float64))", "self.out = 2.718 ** np.asarray(x, dtype=np.float64)")],
        "test_forward[ExpGate]", 'e approximated by a decimal'),
    "reciprocal_forward_negated": (
        [("        return 1.0 / self.x\n", "        return -1.0 / self.x\n")],
        "test_forward[ReciprocalGate]", 'returned -1/x'),
    "scale_forward_forgets_a": (
        [("return self.a * np.asarray(x, dtype=np.float64)", "return np.asarray(x, dtype=np.float64)")],
        "test_forward[ScaleGate]", 'forgot the factor a'),
    "offset_gate_multiplies_by_c": (
        [("return self.c + np.asarray(x, dtype=np.float64)", "return self.c * np.asarray(x, dtype=np.float64)")],
        "test_forward[OffsetGate]", 'multiplied by c instead of adding it'),
    "sigmoid_gate_branches_swapped": (
        [("self.out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))",
          "self.out = np.where(x >= 0, e / (1.0 + e), 1.0 / (1.0 + e))")],
        "test_forward[SigmoidGate]", 'branches of the stable form swapped'),
    "relu_gate_np_max_reduces": (
        [("return np.maximum(x, 0.0)", "return np.max(x, 0)")],
        "test_forward[ReLUGate]", 'expected shape (3, 4), got shape (4,)'),
    "matmul_elementwise_product": (
        [("return self.W @ self.x", "return self.W * self.x")],
        "test_forward[MatMulGate]", 'expected shape (4,), got shape (4, 3)'),
    "squared_l2_mean_instead_of_sum": (
        [("return float(np.sum(self.diff**2))", "return float(np.mean(self.diff**2))")],
        "test_forward[SquaredL2Gate]", 'mean instead of sum'),
    # backward values
    "add_backward_returns_one_gradient": (
        [("        return np.array(dout, dtype=np.float64), np.array(dout, dtype=np.float64)\n",
          "        return np.array(dout, dtype=np.float64)\n")],
        "test_backward[AddGate]", 'must return a tuple of 2 gradient(s)'),
    "max_backward_distributes_dout": (
        [("return np.where(self.x_wins, dout, 0.0), np.where(self.x_wins, 0.0, dout)",
          "return np.array(dout, dtype=np.float64), np.array(dout, dtype=np.float64)")],
        "test_backward[MaxGate]", 'sent dout to both inputs'),
    "scale_backward_forgets_a": (
        [("return (self.a * np.asarray(dout, dtype=np.float64),)", "return (np.asarray(dout, dtype=np.float64),)")],
        "test_backward[ScaleGate]", 'forgot the factor a'),
    "offset_backward_multiplies_by_c": (
        [("return (np.array(dout, dtype=np.float64),)", "return (self.c * np.array(dout, dtype=np.float64),)")],
        "test_backward[OffsetGate]", 'multiplied by c (the derivative of c + x is 1)'),
    "relu_backward_passes_dout_through": (
        [("return (np.where(self.positive, dout, 0.0),)", "return (dout,)")],
        "test_backward[ReLUGate]", 'passed dout through unchanged'),
    "soft_iou_backward_treats_union_as_constant": (
        [("return (dout * (U * Y - I * (1.0 - Y)) / U**2,)", "return (dout * Y / U,)")],
        "test_backward[SoftIoUGate]", 'treated the union U as a constant'),
    # Python floats in (SPEC: scalars are allowed everywhere)
    "add_gate_copies_x_for_the_sum": (
        [("        return np.add(x, y, dtype=np.float64)\n",
          "        out = x.copy()\n        out += y\n        return out\n")],
        "test_scalar_inputs[AddGate]", "'float' object has no attribute 'copy'"),
    "multiply_gate_caches_with_copy_method": (
        [("        self.x = np.array(x, dtype=np.float64)\n        self.y = np.array(y, dtype=np.float64)\n",
          "        self.x = x.copy()\n        self.y = y.copy()\n")],
        "test_scalar_inputs[MultiplyGate]", "'float' object has no attribute 'copy'"),
    "max_backward_assumes_array_dout": (
        [("        return np.where(self.x_wins, dout, 0.0), np.where(self.x_wins, 0.0, dout)\n",
          "        dx, dy = np.zeros(dout.shape), np.zeros(dout.shape)\n"
          "        dx[self.x_wins] = dout[self.x_wins]\n"
          "        dy[~self.x_wins] = dout[~self.x_wins]\n"
          "        return dx, dy\n")],
        "test_scalar_inputs[MaxGate]", "'float' object has no attribute 'shape'"),
    "exp_gate_calls_astype": (
        [("self.out = np.exp(np.asarray(x, dtype=np.float64))", "self.out = np.exp(x.astype(np.float64))")],
        "test_scalar_inputs[ExpGate]", "'float' object has no attribute 'astype'"),
    "reciprocal_caches_with_copy_method": (
        [("        self.x = np.array(x, dtype=np.float64)\n        return 1.0 / self.x\n",
          "        self.x = x.copy()\n        return 1.0 / self.x\n")],
        "test_scalar_inputs[ReciprocalGate]", "'float' object has no attribute 'copy'"),
    "scale_gate_atleast_1d": (
        [("return self.a * np.asarray(x, dtype=np.float64)",
          "return self.a * np.atleast_1d(np.asarray(x, dtype=np.float64))")],
        "test_scalar_inputs[ScaleGate]", 'on Python floats must return a scalar, got shape (1,)'),
    "offset_backward_uses_dout_shape": (
        [("return (np.array(dout, dtype=np.float64),)", "return (np.ones(dout.shape) * dout,)")],
        "test_scalar_inputs[OffsetGate]", "'float' object has no attribute 'shape'"),
    "sigmoid_gate_loops_over_array": (
        [("        x = np.asarray(x, dtype=np.float64)\n"
          "        with np.errstate(under=\"ignore\"):  # e^-|x| below the smallest normal float is exact enough\n"
          "            e = np.exp(-np.abs(x))\n"
          "        self.out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n",
          "        self.out = np.array([1.0 / (1.0 + np.exp(-v)) for v in x.ravel()]).reshape(x.shape)\n")],
        "test_scalar_inputs[SigmoidGate]", "'float' object has no attribute 'ravel'"),
    "squared_l2_loops_with_len": (
        [("return float(np.sum(self.diff**2))",
          "return float(sum((q[i] - self.target[i]) ** 2 for i in range(len(q))))")],
        "test_scalar_inputs[SquaredL2Gate]", "object of type 'float' has no len()"),
    "soft_iou_asserts_matching_shapes": (
        [("        X = np.asarray(X, dtype=np.float64)\n        Y = self.target\n",
          "        assert X.shape == self.target.shape\n        X = np.asarray(X, dtype=np.float64)\n"
          "        Y = self.target\n")],
        "test_scalar_inputs[SoftIoUGate]", "'float' object has no attribute 'shape'"),
    # contract: inputs kept, a tuple of float64 gradients
    "multiply_backward_scales_dout_in_place": (
        [("        return self.y * dout, self.x * dout\n",
          "        dy = self.x * dout\n        dout *= self.y\n        return dout, dy\n")],
        "test_gate_contract[MultiplyGate]", 'modified its input `dout` in place'),
    "max_gate_overwrites_x": (
        [("        return np.maximum(x, y, dtype=np.float64)\n",
          "        x[~self.x_wins] = y[~self.x_wins]\n        return x\n")],
        "test_gate_contract[MaxGate]", 'modified its input `x` in place'),
    "exp_gate_exponentiates_in_place": (
        [("self.out = np.exp(np.asarray(x, dtype=np.float64))", "self.out = np.exp(x, out=x)")],
        "test_gate_contract[ExpGate]", 'modified its input `x` in place'),
    "reciprocal_float32": (
        [("        self.x = np.array(x, dtype=np.float64)\n        return 1.0 / self.x\n",
          "        self.x = np.array(x, dtype=np.float32)\n        return 1.0 / self.x\n")],
        "test_gate_contract[ReciprocalGate]", 'must return float64 values, got float32'),
    "scale_backward_scales_dout_in_place": (
        [("        return (self.a * np.asarray(dout, dtype=np.float64),)\n",
          "        dout = np.asarray(dout, dtype=np.float64)\n        dout *= self.a\n        return (dout,)\n")],
        "test_gate_contract[ScaleGate]", 'modified its input `dout` in place'),
    "offset_gate_adds_in_place": (
        [("        return self.c + np.asarray(x, dtype=np.float64)\n",
          "        x = np.asarray(x, dtype=np.float64)\n        x += self.c\n        return x\n")],
        "test_gate_contract[OffsetGate]", 'modified its input `x` in place'),
    "sigmoid_backward_scales_dout_in_place": (
        [("        return (self.out * (1.0 - self.out) * dout,)\n",
          "        dout *= self.out * (1.0 - self.out)\n        return (dout,)\n")],
        "test_gate_contract[SigmoidGate]", 'modified its input `dout` in place'),
    "squared_l2_subtracts_target_in_place": (
        [("        self.diff = np.asarray(q, dtype=np.float64) - self.target\n",
          "        q = np.asarray(q, dtype=np.float64)\n        q -= self.target\n        self.diff = q\n")],
        "test_gate_contract[SquaredL2Gate]", 'modified its input `q` in place'),
    "softmax_shifts_scores_in_place": (
        [("        shifted = o - np.max(o, axis=-1, keepdims=True)\n",
          "        o -= np.max(o, axis=-1, keepdims=True)\n        shifted = o\n")],
        "test_gate_contract[SoftmaxCrossEntropyGate]", 'modified its input `o` in place'),
    "soft_iou_multiplies_mask_in_place": (
        [("        self.intersection = np.sum(X * Y)\n        self.union = np.sum(X + Y - X * Y)\n",
          "        self.union = np.sum(X + Y - X * Y)\n        X *= Y\n        self.intersection = np.sum(X)\n")],
        "test_gate_contract[SoftIoUGate]", 'modified its input `X` in place'),
    # loss gates: backward() means dout = 1.0
    "squared_l2_no_default_dout": (
        [("    def backward(self, dout=1.0):\n        ### BEGIN SOLUTION\n        return (2.0 * self.diff",
          "    def backward(self, dout):\n        ### BEGIN SOLUTION\n        return (2.0 * self.diff")],
        "test_loss_default_dout[SquaredL2Gate]", "missing 1 required positional argument: 'dout'"),
    "softmax_no_default_dout": (
        [("    def backward(self, dout=1.0):\n        ### BEGIN SOLUTION\n        return ((self.probs",
          "    def backward(self, dout):\n        ### BEGIN SOLUTION\n        return ((self.probs")],
        "test_loss_default_dout[SoftmaxCrossEntropyGate]", "missing 1 required positional argument: 'dout'"),
    # Mistakes hidden by the shapes the suite used to grade: only a square W (x) tells W from W^T
    # (x from x^T), only a 2-D target makes np.dot fail, only an all-negative row tells a global
    # shift from a per-row one, and nothing graded SigmoidGate's stability.
    "matmul_dx_transposes_when_shapes_differ": (
        [("return dW, self.W.T @ dout",
          "dx = self.W @ dout if self.W.shape[1] == dout.shape[0] else self.W.T @ dout\n        return dW, dx")],
        "test_backward[MatMulGate]", "dx = W @ dout instead of W.T @ dout"),
    "matmul_dW_transposes_when_shapes_differ": (
        [("            dW = dout @ self.x.T\n",
          "            dW = dout @ self.x if dout.shape[1] == self.x.shape[0] else dout @ self.x.T\n")],
        "test_backward[MatMulGate]", "dW = dout @ x instead of dout @ x.T"),
    "squared_l2_np_dot": (
        [("return float(np.sum(self.diff**2))", "return float(np.dot(self.diff, self.diff))")],
        "test_forward[SquaredL2Gate]", "shapes (2,3) and (2,3) not aligned"),
    "softmax_shifts_by_the_global_max": (
        [("shifted = o - np.max(o, axis=-1, keepdims=True)", "shifted = o - np.max(o)")],
        "test_softmax_stable", "Subtract each row's maximum score"),
    "sigmoid_gate_overflows": (
        [("        self.out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n",
          "        self.out = 1.0 / (1.0 + np.exp(-x))\n")],
        "test_sigmoid_gate_stable", "raised floating-point warnings"),
    "matmul_dW_float32": (
        [("dW = np.outer(dout, self.x)", "dW = np.outer(dout, self.x).astype(np.float32)")],
        "test_gate_contract[MatMulGate]", "MatMulGate.backward: dW must return float64 values, got float32"),
    "exp_gate_float32": (
        [("self.out = np.exp(np.asarray(x, dtype=np.float64))", "self.out = np.exp(np.asarray(x, dtype=np.float32))")],
        "test_forward[ExpGate]", "the result is float32, not float64"),
    # Round three (a held-out panel's styles): inputs changed by backward one call after forward, a
    # stable softmax for 2-D scores only, N = C for 1-D scores, and a hidden check's own message.
    "multiply_backward_scales_cached_inputs_in_place": (
        [("        self.x = np.array(x, dtype=np.float64)\n        self.y = np.array(y, dtype=np.float64)\n"
          "        return self.x * self.y\n",
          "        self.x, self.y = x, y\n        return np.multiply(x, y, dtype=np.float64)\n"),
         ("        return self.y * dout, self.x * dout\n",
          "        self.y *= dout\n        self.x *= dout\n        return self.y, self.x\n")],
        "test_gate_contract[MultiplyGate]", "changed in place the input `x` that forward was given"),
    "relu_backward_turns_cached_x_into_a_mask": (
        [("self.positive = np.asarray(x) > 0", "self.x = x"),
         ("        return (np.where(self.positive, dout, 0.0),)\n",
          "        x = np.asarray(self.x)\n        x[x <= 0] = 0.0\n        x[x > 0] = 1.0\n"
          "        return (x * dout,)\n")],
        "test_gate_contract[ReLUGate]", "changed in place the input `x` that forward was given"),
    "softmax_shifts_2d_scores_only": (
        [("shifted = o - np.max(o, axis=-1, keepdims=True)",
          "shifted = o - np.max(o, axis=-1, keepdims=True) if o.ndim == 2 else o")],
        "test_softmax_stable", "(shape (3,))"),
    "softmax_divides_by_len_for_1d_scores": (
        [("self.n_rows = 1 if o.ndim == 1 else o.shape[0]", "self.n_rows = len(o)")],
        "test_forward[SoftmaxCrossEntropyGate]", "divided by C = len(o) for 1-D scores"),
    "multiply_gate_caches_on_the_class": (
        [("        self.x = np.array(x, dtype=np.float64)\n        self.y = np.array(y, dtype=np.float64)\n"
          "        return self.x * self.y\n",
          "        MultiplyGate.x = np.array(x, dtype=np.float64)\n        MultiplyGate.y = np.array(y, dtype=np.float64)\n"
          "        return self.x * self.y\n")],
        "test_backward[MultiplyGate]", "state shared between instances"),
    "sigmoid_gate_class_level_cache_dict": (
        [("class SigmoidGate:\n", "class SigmoidGate:\n    cache = {}\n\n"),
         ("        self.out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n        return self.out\n",
          "        self.cache[\"out\"] = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))\n        return self.cache[\"out\"]\n"),
         ("        return (self.out * (1.0 - self.out) * dout,)\n",
          "        out = self.cache[\"out\"]\n        return (out * (1.0 - out) * dout,)\n")],
        "test_backward[SigmoidGate]", "state shared between instances"),
    "softmax_gradient_reads_target_as_labels": (
        [("        return ((self.probs - self.target) * dout / self.n_rows,)\n",
          "        one_hot = np.zeros_like(self.probs)\n"
          "        np.put_along_axis(one_hot, np.argmax(self.target, axis=-1)[..., None], 1.0, axis=-1)\n"
          "        return ((self.probs - one_hot) * dout / self.n_rows,)\n")],
        "test_backward[SoftmaxCrossEntropyGate]", "the target read as class labels (argmax)"),
    "matmul_squeezes_x": (
        [("        self.x = np.array(x, dtype=np.float64)\n        return self.W @ self.x\n",
          "        self.x = np.squeeze(np.array(x, dtype=np.float64))\n        return self.W @ self.x\n")],
        "test_forward[MatMulGate]", "expected shape (4, 1), got shape (4,)"),
    "neuron_returns_nested_gradients": (
        [("return float(f), np.array([dw0, dw1, dw2], dtype=np.float64), np.array([dx0, dx1], dtype=np.float64)",
          "return float(f), (np.array([dw0, dw1, dw2]), np.array([dx0, dx1]))")],
        "test_sigmoid_neuron_uses_gates", "must return the tuple (f, dw, dx)"),
}

VALIDITY = Validity("gates", notebook_student="olga_notebook", mutants=MUTANTS)

ALTERNATIVES = Path(__file__).with_name("alternatives") / "gates"


def _returns_lists(source: str) -> str:
    """Every backward returns a list: `[g]` for one input, `[dx, dy]` for two."""
    source = re.sub(r"return \((.*),\)\n", r"return [\1]\n", source)
    for two in ("np.array(dout, dtype=np.float64), np.array(dout, dtype=np.float64)", "self.y * dout, self.x * dout",
                "np.where(self.x_wins, dout, 0.0), np.where(self.x_wins, 0.0, dout)", "dW, self.W.T @ dout"):
        source = source.replace(f"return {two}\n", f"return [{two}]\n")
    return source


def _returns_bare_values(source: str) -> str:
    """One-input gates return the bare gradient, and sigmoid_neuron unpacks its own gate's bare
    gradient (the wiring that is right only for this form); loss values are NumPy scalars."""
    source = re.sub(r"(    def backward\(self, dout(?:=1\.0)?\):\n        ### BEGIN SOLUTION\n(?:.*\n)*?)"
                    r"        return \((.*),\)\n", r"\1        return \2\n", source)
    source = source.replace("(d_pre,) = sigmoid_gate.backward(1.0)", "d_pre = sigmoid_gate.backward(1.0)")
    return source.replace("return float(", "return np.float64(")


# Correct implementations in styles the cohort lacks; each must get full marks.
CORRECT = {
    "backward_returns_lists": _returns_lists(VALIDITY.reference),
    "bare_gradients_numpy_scalar_losses": _returns_bare_values(VALIDITY.reference),
    **{path.stem: path.read_text() for path in sorted(ALTERNATIVES.glob("*.py"))},
}


def test_the_alternatives_differ_from_the_reference():
    """Each rewrite applied (a no-op rewrite would test nothing)."""
    assert CORRECT["backward_returns_lists"].count("return [") >= 13
    gates_part = CORRECT["bare_gradients_numpy_scalar_losses"].split("def sigmoid_neuron")[0]
    assert re.search(r"return \(.*,\)\n", gates_part) is None
    assert "d_pre = sigmoid_gate.backward(1.0)" in CORRECT["bare_gradients_numpy_scalar_losses"]
    assert len(CORRECT) >= 5


def test_every_diagnosis_evaluates_on_every_case():
    """A known-mistake variant is trusted code: it must compute on every case of its gate (one that
    raised would turn every wrong student's feedback into a grader error)."""
    import numpy as np

    from autograder.suites.gates.cases import CASES
    from autograder.suites.gates.mistakes import backward_mistakes, forward_mistakes

    evaluated = 0
    for gate, cases in CASES.items():
        for case in cases:
            for variant in (m.output for m in (*forward_mistakes(gate, case), *backward_mistakes(gate, case))):
                with np.errstate(all="ignore"):
                    variant()
                evaluated += 1
    assert evaluated > 60


def test_gate_method_aliased_as_call_and_a_helper_method_the_reference_lacks():
    """`__call__ = forward` in the class body (an alias of a reference method) and a helper method of
    the student's own (`grads`, calling `backward`) used inside sigmoid_neuron under isolation."""
    source = VALIDITY.reference.replace(
        "class MultiplyGate:\n", "class MultiplyGate:\n    def grads(self, dout):\n        return self.backward(dout)\n\n", 1)
    source = source.replace("\n\ndef sigmoid_neuron", "\n\nMultiplyGate.__call__ = MultiplyGate.forward\n\n\ndef sigmoid_neuron", 1)
    source = source.replace("mul0.forward(w[0], x[0])", "mul0(w[0], x[0])").replace(
        "dw0, dx0 = mul0.backward(d_prod0)", "dw0, dx0 = mul0.grads(d_prod0)")
    assert "mul0(w[0], x[0])" in source and "mul0.grads(d_prod0)" in source and "__call__ = " in source
    result = VALIDITY.grade(source)
    assert failed(result) == set(), {c.check_id: c.output for c in result.checks if c.status == "failed"}


def test_gate_called_through_its_own_dunder_call_alias():
    """sigmoid_neuron calling its gates through their own `__call__` (a method the reference gates
    lack) under isolation: the student's own method runs on the paired reference instance."""
    source = CORRECT["base_class_lists_scipy"]
    source = source.replace("m0.forward(w[0], x[0])", "m0(w[0], x[0])").replace("s.forward(z)", "s(z)")
    assert "m0(w[0], x[0])" in source and "def __call__" in source
    result = VALIDITY.grade(source)
    assert failed(result) == set(), {c.check_id: c.output for c in result.checks if c.status == "failed"}
