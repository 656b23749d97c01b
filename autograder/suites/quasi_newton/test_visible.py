"""Visible checks of `quasi_newton` (SPEC §1.6): the three updates and the L-BFGS
direction agree with the reference (n = 1 to 8; 0, 1, as many as n and more pairs);
BFGS skips pairs without curvature, returning a new array; bfgs_update leaves its
inputs unchanged; the BFGS driver terminates on a quadratic and returns the result
dict of its docstring.

`bfgs_minimize` is graded with the reference's `bfgs_update` (dependency isolation),
the grader's f, grad and line search.
"""
import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.remote import StudentException
from autograder.checks.agreement import assert_agrees, fmt
from autograder.checks.minimizers import assert_bfgs_result, assert_matrix, assert_new_array, exact_line_search
from autograder.suites.quasi_newton.contract import assert_update_leaves_inputs_unchanged
from autograder.suites.quasi_newton.cases import (
    BFGS_GUARD_CASES, EMPTY_G, EXPECTED_LBFGS, EXPECTED_UPDATES, ISOLATE, LBFGS_CASES, QUADRATIC, UPDATE_CASES,
    agreement_tol)
from autograder.suites.quasi_newton.mistakes import empty_history_mistakes, lbfgs_mistakes, update_mistakes


def _assert_update_matches(student, name):
    results = getattr(student, name).map(UPDATE_CASES)
    for case, got, expected in zip(UPDATE_CASES, results, EXPECTED_UPDATES[name]):
        B, p, q = case
        assert_matrix(got, len(p), what=f"{name}(B, p, q)")
        assert_agrees(got, expected, **agreement_tol(expected), what=f"{name}(B, p, q)",
                      inputs={"B": B, "p": p, "q": q}, mistakes=update_mistakes(name, case))


# One agreement check per update, each its own unit and rubric line (deliberate parallel).
@pytest.mark.points(2)
@pytest.mark.unit("bfgs_update")
@pytest.mark.kind("agreement")
def test_bfgs_update_matches_reference(student):
    """bfgs_update agrees with the reference (q^T p > 0)"""
    _assert_update_matches(student, "bfgs_update")


@pytest.mark.points(1)
@pytest.mark.unit("bfgs_update")
@pytest.mark.kind("contract")
def test_bfgs_update_skips_without_curvature(student):
    """bfgs_update returns a copy of B, unchanged, when q^T p <= 0"""
    for B, p, q in BFGS_GUARD_CASES:
        result = student.call("bfgs_update", B, p, q, details=True)
        got = result.value
        what = f"bfgs_update(B, p, q) with q^T p = {fmt(float(q @ p), 4)}"
        assert_matrix(got, len(p), what=what)
        assert_new_array(result, what=what, names=("B", "p", "q"))
        if not np.array_equal(got, B):
            # The first entry that differs (NaN and inf included: a division by q^T p = 0 gives them).
            i, j = np.argwhere(~(got == B))[0]
            raise CheckFailed(f"{what} must return B unchanged: the curvature condition q^T p > 0 fails, and "
                              f"the update would lose positive definiteness or divide by zero. Got B_new[{i}, {j}] "
                              f"= {fmt(got[i, j])} where B[{i}, {j}] = {fmt(B[i, j])}."
                              + (" Likely mistake: the skip test is `q^T p < 0`; q^T p = 0 is skipped too (`<= 0`)."
                                 if float(q @ p) == 0.0 else ""))


@pytest.mark.points(2)
@pytest.mark.unit("dfp_update")
@pytest.mark.kind("agreement")
def test_dfp_update_matches_reference(student):
    """dfp_update agrees with the reference"""
    _assert_update_matches(student, "dfp_update")


@pytest.mark.points(2)
@pytest.mark.unit("sr1_update")
@pytest.mark.kind("agreement")
def test_sr1_update_matches_reference(student):
    """sr1_update agrees with the reference"""
    _assert_update_matches(student, "sr1_update")


@pytest.mark.points(2)
@pytest.mark.unit("lbfgs_direction")
@pytest.mark.kind("agreement")
def test_lbfgs_direction_matches_reference(student):
    """lbfgs_direction agrees with the reference"""
    for case, got, expected in zip(LBFGS_CASES, student.lbfgs_direction.map(LBFGS_CASES), EXPECTED_LBFGS):
        g, ps, qs = case
        assert_agrees(got, expected, **agreement_tol(expected), dtype=np.float64,
                      what=f"lbfgs_direction(g, ps, qs) with {len(ps)} pair(s)",
                      inputs={"g": g}, mistakes=lbfgs_mistakes(g, ps, qs))


@pytest.mark.points(1)
@pytest.mark.unit("lbfgs_direction")
@pytest.mark.kind("agreement")
def test_lbfgs_direction_empty_history(student):
    """lbfgs_direction with no pairs is -g"""
    try:
        got = student.lbfgs_direction(EMPTY_G, [], [])
    except StudentException as exc:
        raise CheckFailed(f"lbfgs_direction(g, [], []) raised {exc}. Likely mistake: the empty history is not "
                          "handled: with no pairs there is no ps[-1] for gamma; H0 = I, so the direction is -g.") from None
    assert_agrees(got, -EMPTY_G, rtol=0.0, atol=0.0, dtype=np.float64, what="lbfgs_direction(g, [], [])",
                  inputs={"g": EMPTY_G}, mistakes=empty_history_mistakes(EMPTY_G),
                  hint="With no pairs H0 = I, so the direction is -g.")


@pytest.mark.points(2)
@pytest.mark.unit("bfgs_minimize")
@pytest.mark.kind("convergence")
def test_bfgs_minimize_quadratic_finite_termination(student):
    """bfgs_minimize ends on a quadratic in <= n + 1 iterations"""
    problem = QUADRATIC.problem()
    result = student.call("bfgs_minimize", problem.f, problem.grad, QUADRATIC.x0, exact_line_search,
                          isolate=ISOLATE)
    n = len(QUADRATIC.x0)
    what = f"bfgs_minimize on a {n}-dimensional convex quadratic with exact line searches"
    if not isinstance(result, dict) or not isinstance(result.get("x"), np.ndarray):
        raise CheckFailed(f"{what} must return a dict whose 'x' is the final iterate (an array); got {fmt(result)}.")
    x, nit = result["x"], result.get("nit")
    gradient_norm = float(np.linalg.norm(problem.grad(x))) if x.shape == QUADRATIC.x0.shape else np.inf
    if not gradient_norm < 1e-6:
        raise CheckFailed(f"{what} stopped at x = {fmt(x)} where |grad| = {fmt(gradient_norm, 4)} >= tol = 1e-6 "
                          f"(the minimizer is {fmt(QUADRATIC.x_star)}). Likely: d = -B g with B the INVERSE "
                          "Hessian approximation (no solve), p = x_new - x, q = g_new - g, "
                          "B = bfgs_update(B, p, q), and stop only when norm(grad(x)) < tol.")
    if not isinstance(nit, (int, np.integer)) or nit > n + 1:
        raise CheckFailed(f"{what} took nit = {fmt(nit)} iterations; BFGS with exact line searches needs at most "
                          f"n = {n} (n + 1 = {n + 1} allowed for rounding). Likely: d = -B^-1 g "
                          "(np.linalg.solve(B, g)) although B approximates the INVERSE Hessian (d = -B g), B is not "
                          "updated with bfgs_update(B, p, q) after every step, B is reset, or the line search's "
                          "phi(alpha) = f(x + alpha d) uses another direction than the step x + alpha d.")


@pytest.mark.points(1)
@pytest.mark.unit("bfgs_minimize")
@pytest.mark.kind("contract")
def test_bfgs_minimize_result_dict(student):
    """bfgs_minimize returns the dict {x, fun, nit, path}"""
    problem = QUADRATIC.problem()
    result = student.call("bfgs_minimize", problem.f, problem.grad, QUADRATIC.x0, exact_line_search,
                          isolate=ISOLATE)
    assert_bfgs_result(result, QUADRATIC.x0, QUADRATIC.problem().f, what="bfgs_minimize(f, grad, x0, line_search)")


@pytest.mark.points(1)
@pytest.mark.unit("bfgs_update")
@pytest.mark.kind("contract")
def test_bfgs_update_leaves_inputs_unchanged(student):
    """bfgs_update does not modify B, p or q (updated and skipped pairs)"""
    assert_update_leaves_inputs_unchanged(student, "bfgs_update", UPDATE_CASES + list(BFGS_GUARD_CASES))
