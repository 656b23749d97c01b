"""Running the student's search on the suite's cases, once per submission, and the checks that
repeat one primitive over several cases (trusted side)."""
from __future__ import annotations

import pytest

from autograder.checks import SharedCalls
from autograder.checks.minimizers import RecordedObjective, assert_evaluation_count, assert_minimizer
from autograder.suites.line_search.cases import Case


def search(student, case: Case, *, tol: float | None = None, **kwargs) -> tuple[object, RecordedObjective]:
    """Run the student's search on `case` with a fresh recorded objective; (result, objective)."""
    objective = case.objective()
    value = student.golden_section_search(objective, case.a, case.b, tol=case.tol if tol is None else tol,
                                          **kwargs)
    return value, objective


class Searches:
    """`search` on each (case, tol, max_iter), run once per submission and kept with its recorded
    objective: checks that grade different properties of the same call (its minimizer, its
    evaluation count, where it evaluated) share it."""

    def __init__(self, student):
        self._student, self._shared = student, SharedCalls()

    def __call__(self, case: Case, *, tol: float | None = None, **kwargs) -> tuple[object, RecordedObjective]:
        key = (case.name, tol, tuple(sorted(kwargs.items())))
        return self._shared(key, lambda: search(self._student, case, tol=tol, **kwargs))


@pytest.fixture(scope="session")
def searches(student) -> Searches:
    """The submission's `Searches` (one per test module that asks for it)."""
    return Searches(student)


def assert_finds_minimizers(searches: Searches, cases) -> None:
    """Each case's search returns the case's minimizer within its tol."""
    for case in cases:
        x, objective = searches(case)
        assert_minimizer(x, case.x_star, tol=case.tol, what=case.what(), objective=objective)


def assert_evaluation_counts(searches: Searches, cases) -> None:
    """Each case's search calls f at most ceil(log(tol/(b-a))/log(1/phi)) + 2 times."""
    for case in cases:
        _, objective = searches(case)
        assert_evaluation_count(objective, case.a, case.b, case.tol, what=case.what())
