"""Visible checks of `line_search` (SPEC §1.5): golden_section_search finds the minimizer,
returns a float, evaluates f once per iteration, and stays within the evaluation bound.

The objective is the grader's own (a `RecordedObjective`): every point the search
evaluates is recorded on the trusted side.
"""
import pytest

from autograder.checks.minimizers import (
    assert_minimizer, assert_one_evaluation_per_iteration, assert_returns_float, golden_section_artifact)
from autograder.suites.line_search.cases import QUADRATIC, QUARTIC
from autograder.suites.line_search.searches import assert_evaluation_counts, searches  # noqa: F401 - a fixture


@pytest.mark.points(2)
@pytest.mark.unit("golden_section_search")
@pytest.mark.kind("convergence")
def test_quadratic_minimizer(student):
    """Minimizer of (x - 0.3)^2 on [0, 2] within the default tol"""
    objective = QUADRATIC.objective()
    x = student.golden_section_search(objective, QUADRATIC.a, QUADRATIC.b)
    assert_minimizer(x, QUADRATIC.x_star, tol=1e-8, what=f"golden_section_search(f, 0, 2) with f(x) = "
                                                         f"{QUADRATIC.name}", objective=objective)


@pytest.mark.points(1)
@pytest.mark.unit("golden_section_search")
@pytest.mark.kind("contract")
def test_returns_float(student):
    """Returns a float, also for integer interval ends"""
    objective = QUARTIC.objective()
    x = student.golden_section_search(objective, -1, 3)
    assert_returns_float(x, what=f"golden_section_search(f, -1, 3) with f(x) = {QUARTIC.name}")


@pytest.mark.points(3)
@pytest.mark.unit("golden_section_search")
@pytest.mark.kind("convergence")
def test_one_evaluation_per_iteration(searches, feedback):
    """One new evaluation per iteration: brackets shrink by 1/phi"""
    _, objective = searches(QUADRATIC)
    feedback.attach("golden_section", **golden_section_artifact(objective, QUADRATIC.a, QUADRATIC.b,
                                                                QUADRATIC.tol))
    assert_one_evaluation_per_iteration(objective, QUADRATIC.a, QUADRATIC.b, what=QUADRATIC.what())


@pytest.mark.points(2)
@pytest.mark.unit("golden_section_search")
@pytest.mark.kind("convergence")
def test_evaluation_count(searches):
    """Calls f at most ceil(log(tol/(b-a))/log(1/phi)) + 2 times"""
    assert_evaluation_counts(searches, (QUADRATIC, QUARTIC))
