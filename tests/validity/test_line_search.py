"""Validity of the `line_search` rubric (issue 3 item 7).

- Mutants: realistic wrong implementations, each a text replacement applied to the
  reference source; the check that names the mistake must fail and the score drop.
  (golden_section_search takes only numbers and a callable, so it has no input array
  to modify in place: the mutation mutants live in test_quasi_newton.py.)
- Correct alternatives (the demo cohort's correct students) get full marks; the whole
  cohort gets what examples/cohort/line_search/expected.json says.
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

ASSIGNMENT = "line_search"
ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "solutions" / f"{ASSIGNMENT}.py").read_text()
COHORT = ROOT / "examples" / "cohort" / ASSIGNMENT
RELEASED_STUB = ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.py"
RELEASED_NOTEBOOK = ROOT / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
NOTEBOOK_STUDENT = "fay_notebook"

# id: (replacements applied to the reference, the check that names the mistake)
MUTANTS = {
    "two_evaluations_per_iteration": (
        [("            fc = f(c)\n", "            fc, fd = f(c), f(d)\n"),
         ("            fd = f(d)\n", "            fc, fd = f(c), f(d)\n")],
        "test_one_evaluation_per_iteration"),
    "bisection": (
        [("    c = b - ratio * (b - a)\n    d = a + ratio * (b - a)\n    fc, fd = f(c), f(d)\n",
          "    for _ in range(max_iter):\n"
          "        if b - a <= tol:\n"
          "            break\n"
          "        m, delta = (a + b) / 2.0, 1e-3 * (b - a)\n"
          "        if f(m - delta) < f(m + delta):\n"
          "            b = m + delta\n"
          "        else:\n"
          "            a = m - delta\n"
          "    return (a + b) / 2.0\n")],
        "test_one_evaluation_per_iteration"),
    "one_over_phi_squared": (
        [("ratio = (math.sqrt(5.0) - 1.0) / 2.0", "ratio = ((math.sqrt(5.0) - 1.0) / 2.0) ** 2")],
        "test_one_evaluation_per_iteration"),
    "approximate_constant": (
        [("ratio = (math.sqrt(5.0) - 1.0) / 2.0", "ratio = 0.618")],
        "test_one_evaluation_per_iteration"),
    "phi_instead_of_inverse": (
        [("ratio = (math.sqrt(5.0) - 1.0) / 2.0", "ratio = (math.sqrt(5.0) + 1.0) / 2.0")],
        "test_evaluates_only_inside_interval"),
    "keeps_the_wrong_side": (
        [("if fc < fd:", "if fc > fd:")],
        "test_quadratic_minimizer"),
    "fixed_tolerance": (
        [("if b - a <= tol:", "if b - a <= 1e-8:")],
        "test_tol_honoured"),
    "ignores_max_iter": (
        [("    for _ in range(max_iter):\n", "    while True:\n")],
        "test_max_iter_honoured"),
    "evaluates_the_endpoints": (
        [("    fc, fd = f(c), f(d)\n", "    fa, fb, fc, fd = f(a), f(b), f(c), f(d)\n")],
        "test_evaluation_count"),
    "returns_a_list": (
        [("return (a + b) / 2.0", "return [(a + b) / 2.0]")],
        "test_returns_float"),
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
