"""Validity of the `gates` rubric (issue 3 item 7).

- Mutants: realistic wrong implementations, each a text replacement applied to the
  reference source; the check that names the mistake must fail and the score drop.
- Correct alternatives (the demo cohort's correct students, written in other styles)
  get full marks; the whole cohort gets exactly what examples/cohort/gates/expected.json says.
- The untouched stub (the reference with its solutions cleared) and an empty file score exactly 0.
"""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from autograder import submission
from autograder.release.stubs import clear_solutions
from autograder.runtime.runner import grade_source

pytestmark = pytest.mark.slow

ASSIGNMENT = "gates"
ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "solutions" / f"{ASSIGNMENT}.py").read_text()
COHORT = ROOT / "examples" / "cohort" / ASSIGNMENT
RELEASED_STUB = ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.py"
RELEASED_NOTEBOOK = ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
NOTEBOOK_STUDENT = "olga_notebook"

# id: (replacements applied to the reference, the check that names the mistake)
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


def mutate(source: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        assert source.count(old) == 1, f"the mutant does not apply: {old!r} is not (once) in the reference"
        source = source.replace(old, new)
    return source


@cache
def grade(source: str):
    return grade_source(ASSIGNMENT, source)


def failed(result) -> set[str]:
    return {c.check_id for c in result.checks if c.status == "failed"}


def cohort() -> dict:
    """student id -> Submission (folder with NAME.py or NAME.ipynb, or a zip), read as the batch grader does."""
    return {entry.stem if entry.suffix == ".zip" else entry.name: submission.load(entry, ASSIGNMENT)
            for entry in sorted(COHORT.iterdir()) if entry.is_dir() or entry.suffix == ".zip"}


def test_reference_gets_full_marks():
    result = grade(REFERENCE)
    assert result.status == "ok"
    assert failed(result) == set()
    assert result.score == result.max_score > 0


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_mutant_fails_the_check_that_names_it(mutant):
    replacements, check_id = MUTANTS[mutant]
    result = grade(mutate(REFERENCE, replacements))
    assert check_id in {c.check_id for c in result.checks}
    assert check_id in failed(result), f"{mutant}: {check_id} passed"
    assert result.score < result.max_score


def test_cohort_gets_expected_results():
    expected = json.loads((COHORT / "expected.json").read_text())
    students = cohort()
    assert sorted(students) == sorted(expected)
    assert sum(1 for e in expected.values() if e.get("full_marks")) >= 3  # two .py styles + the notebook
    assert sum(1 for e in expected.values() if e.get("fails")) >= 2
    for student, sub in students.items():
        assert sub.source is not None, f"{student}: {sub.error}"
        result = grade(sub.source)
        if expected[student].get("full_marks"):
            assert failed(result) == set(), f"{student}: {sorted(failed(result))}"
            assert result.score == result.max_score
        else:
            assert failed(result) == set(expected[student]["fails"]), student


def test_filled_released_notebook_gets_full_marks():
    """The cohort's notebook is the released notebook with only its solution cells filled in."""
    import nbformat

    released = nbformat.read(RELEASED_NOTEBOOK, as_version=4)
    filled = nbformat.read(COHORT / NOTEBOOK_STUDENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert len(released.cells) == len(filled.cells)
    for before, after in zip(released.cells, filled.cells):
        if before.metadata.get("nbgrader", {}).get("solution"):
            assert "raise NotImplementedError" in before.source and "NotImplementedError" not in after.source
        else:
            assert before.source == after.source
    result = grade(submission.load(COHORT / NOTEBOOK_STUDENT, ASSIGNMENT).source)
    assert failed(result) == set() and result.score == result.max_score > 0


def test_stub_scores_zero():
    stub = clear_solutions(REFERENCE)
    assert "raise NotImplementedError" in stub
    result = grade(stub)
    assert result.score == 0 and result.max_score > 0


def test_released_stub_scores_zero():
    result = grade(RELEASED_STUB.read_text())
    assert result.score == 0 and result.max_score > 0


def test_empty_file_scores_zero():
    result = grade("")
    assert result.score == 0 and result.max_score > 0
