"""Validity of the `quasi_newton` rubric (issue 3 item 7).

- Mutants: realistic wrong implementations, each a text replacement applied to the
  reference source (in-place modification of inputs among them); the check that names
  the mistake must fail and the score drop.
- Correct alternatives (the demo cohort's correct students) get full marks; the whole
  cohort gets what examples/cohort/quasi_newton/expected.json says.
- The untouched stub and an empty file score exactly 0.
"""
from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from autograder import submission
from autograder.runtime.runner import grade_source

pytestmark = pytest.mark.slow

ASSIGNMENT = "quasi_newton"
ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "solutions" / f"{ASSIGNMENT}.py").read_text()
COHORT = ROOT / "examples" / "cohort" / ASSIGNMENT
RELEASED_STUB = ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.py"
RELEASED_NOTEBOOK = ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
NOTEBOOK_STUDENT = "fay_notebook"

# id: (replacements applied to the reference, the check that names the mistake)
MUTANTS = {
    "bfgs_modifies_B_in_place": (
        [("    return V @ B @ V.T + rho * np.outer(p, p)\n",
          "    B[:] = V @ B @ V.T + rho * np.outer(p, p)\n    return B\n")],
        "test_bfgs_update_leaves_inputs_unchanged"),
    "bfgs_without_curvature_guard": (
        [("    qp = q @ p\n    if qp <= 0:\n        return B.copy()\n", "    qp = q @ p\n")],
        "test_bfgs_update_skips_without_curvature"),
    "bfgs_wrong_transpose": (
        [("V @ B @ V.T", "V @ B @ V")],
        "test_bfgs_update_matches_reference"),
    "dfp_sign_error": (
        [("- np.outer(Bq, qB) / (q @ Bq)", "+ np.outer(Bq, qB) / (q @ Bq)")],
        "test_dfp_update_matches_reference"),
    "dfp_modifies_B_in_place": (
        [("    return B + np.outer(p, p) / (p @ q) - np.outer(Bq, qB) / (q @ Bq)\n",
          "    B += np.outer(p, p) / (p @ q) - np.outer(Bq, qB) / (q @ Bq)\n    return B\n")],
        "test_dfp_update_leaves_inputs_unchanged"),
    "sr1_absolute_threshold": (
        [("if abs(denom) <= 1e-8 * np.linalg.norm(q) * np.linalg.norm(w):", "if abs(denom) <= 1e-8:")],
        "test_sr1_update_skip_rule"),
    "sr1_hessian_form": (
        [("    w = p - B @ q\n    denom = w @ q\n", "    w = q - B @ p\n    denom = w @ p\n")],
        "test_sr1_update_matches_reference"),
    "lbfgs_newest_first": (
        [("    r = np.array(g, dtype=np.float64)\n",
          "    r = np.array(g, dtype=np.float64)\n    ps, qs = ps[::-1], qs[::-1]\n")],
        "test_lbfgs_direction_oldest_first"),
    "lbfgs_gamma_of_oldest_pair": (
        [("(ps[-1] @ qs[-1]) / (qs[-1] @ qs[-1])", "(ps[0] @ qs[0]) / (qs[0] @ qs[0])")],
        "test_lbfgs_direction_matches_reference"),
    "lbfgs_no_empty_history_case": (
        [("    if ps:\n        r = (ps[-1] @ qs[-1])", "    if True:\n        r = (ps[-1] @ qs[-1])")],
        "test_lbfgs_direction_empty_history"),
    "lbfgs_modifies_g_in_place": (
        [("    r = np.array(g, dtype=np.float64)\n", "    r = g\n"),
         ("        r = r - alphas[i] * qs[i]\n", "        r -= alphas[i] * qs[i]\n")],
        "test_lbfgs_direction_leaves_inputs_unchanged"),
    "bfgs_minimize_solves_with_B": (
        [("        d = -B @ g\n", "        d = -np.linalg.solve(B, g)\n")],
        "test_bfgs_minimize_quadratic_finite_termination"),
    "bfgs_minimize_swaps_p_and_q": (
        [("B = bfgs_update(B, x_new - x, g_new - g)", "B = bfgs_update(B, g_new - g, x_new - x)")],
        "test_bfgs_minimize_rosenbrock"),
    "bfgs_minimize_modifies_x0": (
        [("    x = np.array(x0, dtype=np.float64)\n", "    x = np.asarray(x0, dtype=np.float64)\n"),
         ("        x, g = x_new, g_new\n", "        x[:] = x_new\n        g = g_new\n")],
        "test_bfgs_minimize_leaves_x0_unchanged"),
    "bfgs_minimize_ignores_max_iter": (
        [("while nit < max_iter and np.linalg.norm(g) >= tol:", "while np.linalg.norm(g) >= tol:")],
        "test_bfgs_minimize_honours_max_iter"),
    "bfgs_minimize_fixed_tol": (
        [("np.linalg.norm(g) >= tol:", "np.linalg.norm(g) >= 1e-6:")],
        "test_bfgs_minimize_honours_tol"),
    "bfgs_minimize_path_without_x0": (
        [("    path = [x.copy()]\n", "    path = []\n")],
        "test_bfgs_minimize_result_dict"),
}


def mutate(source: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        assert old in source, f"the mutant does not apply: {old!r} is not in the reference"
        source = source.replace(old, new)
    return source


def stub_of(source: str) -> str:
    """The reference with every solution region replaced by `raise NotImplementedError`."""
    return re.sub(r"^( *)### BEGIN SOLUTION\n.*?^ *### END SOLUTION\n",
                  lambda m: f"{m.group(1)}raise NotImplementedError\n", source, flags=re.S | re.M)


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
    result = grade(stub_of(REFERENCE))
    assert "raise NotImplementedError" in stub_of(REFERENCE)
    assert result.score == 0 and result.max_score > 0


def test_released_stub_scores_zero():
    result = grade(RELEASED_STUB.read_text())
    assert result.score == 0 and result.max_score > 0


def test_empty_file_scores_zero():
    result = grade("")
    assert result.score == 0 and result.max_score > 0
