"""Validity of the `activations` rubric (issue 3 item 7).

- Mutants: realistic wrong implementations, each a text replacement applied to the
  reference source; the check that names the mistake must fail and the score drop.
- Correct alternatives (the demo cohort's correct students, written in other styles)
  get full marks; the whole cohort gets exactly what examples/cohort/activations/expected.json says.
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

ASSIGNMENT = "activations"
ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "solutions" / f"{ASSIGNMENT}.py").read_text()
COHORT = ROOT / "examples" / "cohort" / ASSIGNMENT
RELEASED_STUB = ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.py"
RELEASED_NOTEBOOK = ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
NOTEBOOK_STUDENT = "nora_notebook"

# id: (replacements applied to the reference, the check that names the mistake)
MUTANTS = {
    "sigmoid_overflows": (
        [("    return special.expit(z)\n", "    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))\n")],
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
        [("return -special.log_expit(-beta * np.asarray(z, dtype=np.float64)) / beta",
          "return np.log(1.0 + np.exp(beta * np.asarray(z, dtype=np.float64))) / beta")],
        "test_stability[softplus]"),
    "gelu_tanh_approximation": (
        [("return z * sigmoid(1.702 * z)",
          "return 0.5 * z * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (z + 0.044715 * z**3)))")],
        "test_values_with_parameters[gelu]"),
    "gelu_grad_missing_product_term": (
        [("return special.ndtr(z) + z * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)", "return special.ndtr(z)")],
        "test_gradient[gelu_grad]"),
    "swish_grad_missing_chain_beta": (
        [("return s + beta * z * s * sigmoid(-beta * z)", "return s + z * s * sigmoid(-beta * z)")],
        "test_gradient_with_parameters[swish_grad]"),
    "hardswish_grad_kinks": (
        [("return np.where(z <= -3, 0.0, np.where(z >= 3, 1.0, (2 * z + 3) / 6))",
          "return np.where(z < -3, 0.0, np.where(z > 3, 1.0, (2 * z + 3) / 6))")],
        "test_kink_convention[hardswish_grad]"),
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
