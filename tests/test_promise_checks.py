"""Check primitives that grade promises of the handout: from autograder/checks/minimizers.py the
final midpoint of a golden-section search, an interval already within tol, the value returned
instead of the argument, a result that is the caller's own array; from autograder/checks/contract.py
an array an earlier call received or returned, changed by a later call."""
import math
from types import SimpleNamespace

import numpy as np
import pytest

from autograder import reference
from autograder.checks import CheckFailed
from autograder.checks.contract import assert_earlier_inputs_unchanged, local_call
from autograder.checks.minimizers import (
    RecordedObjective, assert_minimizer, assert_new_array, assert_returns_final_midpoint, assert_within_tol_result)

golden = reference.load("line_search").golden_section_search


def textbook(f, a, b, tol=1e-8, max_iter=500):
    """The textbook loop: evaluates the new point after every shrink (one more than the reference)."""
    r = (math.sqrt(5) - 1) / 2
    c, d = b - r * (b - a), a + r * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - r * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + r * (b - a)
            fd = f(d)
    return (a + b) / 2


@pytest.mark.parametrize("function, a, b", [(math.exp, -1.0, 2.0), (lambda x: (3.0 - x) ** 2, -1.0, 2.0)])
def test_final_midpoint_accepts_correct_searches_and_names_other_results(function, a, b):
    for search in (golden, textbook):
        objective = RecordedObjective(function, "f")
        assert_returns_final_midpoint(search(objective, a, b), objective, a, b, what="search")
    objective = RecordedObjective(function, "f")
    golden(objective, a, b)
    inside = sorted((p for p in objective.points if a < p < b), reverse=function(b) > function(a))
    best, end = inside[-1], (a if function(b) > function(a) else b)
    with pytest.raises(CheckFailed, match="the best interior point"):
        assert_returns_final_midpoint(best, objective, a, b, what="search")
    with pytest.raises(CheckFailed, match="an end of the final bracket"):
        assert_returns_final_midpoint(end, objective, a, b, what="search")


def test_within_tol_accepts_the_midpoint_with_at_most_two_evaluations():
    a, b = 0.3, 0.3 + 5e-9
    for search in (golden, textbook):
        objective = RecordedObjective(lambda x: (x - 0.3) ** 2, "f")
        assert_within_tol_result(search(objective, a, b), objective, a, b, 1e-8, what="search")
    objective = RecordedObjective(lambda x: (x - 0.3) ** 2, "f")
    for x in (a, b, a + 1e-9):
        objective(x)
    with pytest.raises(CheckFailed, match="called f 3 times"):
        assert_within_tol_result((a + b) / 2, objective, a, b, 1e-8, what="search")
    with pytest.raises(CheckFailed, match="the result is the midpoint"):
        assert_within_tol_result(a, RecordedObjective(math.exp, "f"), a, b, 1e-8, what="search")


def test_minimizer_names_a_returned_value_of_f():
    objective = RecordedObjective(lambda x: (x - 0.3) ** 2 + 1.0, "f")
    x = golden(objective, 0.0, 2.0)
    assert_minimizer(x, 0.3, tol=1e-8, what="search", objective=objective)
    with pytest.raises(CheckFailed, match="returns a value of f"):
        assert_minimizer(objective(x), 0.3, tol=1e-8, what="search", objective=objective)
    with pytest.raises(CheckFailed, match="the wrong sub-bracket is kept"):
        assert_minimizer(1.7, 0.3, tol=1e-8, what="search", objective=objective)


def test_new_array_names_the_input_returned_itself():
    assert_new_array(SimpleNamespace(returned_input=None), what="bfgs_update(B, p, q)", names=("B", "p", "q"))
    with pytest.raises(CheckFailed, match="returned the caller's `B` object itself"):
        assert_new_array(SimpleNamespace(returned_input=0), what="bfgs_update(B, p, q)", names=("B", "p", "q"))


def test_earlier_inputs_unchanged_names_the_call_and_the_argument():
    g = np.ones(3)
    clean = SimpleNamespace(earlier_changed=[])
    assert_earlier_inputs_unchanged(clean, [(np.zeros(3), g)], what="step", names=("w", "g"))
    kept = SimpleNamespace(earlier_changed=[(0, 1, 0.5 * g)])
    with pytest.raises(CheckFailed, match=r"changed in place the `g` that call 1 was given \(g\[0\] was 1, is now 0.5\)"):
        assert_earlier_inputs_unchanged(kept, [(np.zeros(3), g)], what="step", names=("w", "g"))
    returned = SimpleNamespace(earlier_changed=[(2, -1, g)])
    with pytest.raises(CheckFailed, match="the array that call 3 RETURNED"):
        assert_earlier_inputs_unchanged(returned, [], what="step", names=("w", "g"))


def test_local_call_reports_a_returned_input():
    x = np.zeros(2)
    assert local_call(lambda a: a, x).returned_input == 0
    assert local_call(lambda a: a + 1, x).returned_input is None
