"""Hidden checks of `quasi_newton` (SPEC §1.6): secant equation and symmetry of each
update, positive definiteness kept by BFGS, the SR1 skip rule, L-BFGS against the dense
BFGS inverse and in oldest-first order, the BFGS driver on Rosenbrock, its path,
`tol`, `max_iter`, and no function modifying its inputs.
"""
import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.remote import StudentException
from autograder.checks.agreement import assert_agrees, fmt
from autograder.checks.contract import assert_no_mutation, snapshot
from autograder.checks.minimizers import (
    assert_matrix, assert_new_array, assert_path_not_aliased, assert_positive_definite, assert_secant, assert_symmetric,
    damped_line_search, exact_line_search, rosenbrock, rosenbrock_grad)
from autograder.suites.quasi_newton.contract import assert_update_leaves_inputs_unchanged, calls_watched
from autograder.suites.quasi_newton.cases import (
    DENSE_DIRECTION, DENSE_G, EMPTY_G, DENSE_PS, DENSE_QS, EXPECTED_ORDER, EXPECTED_SR1_SKIP, ISOLATE, LBFGS_CASES,
    ORDER_CASE, PD_CHAIN, QUADRATIC, QUADRATIC_DAMPED_REFERENCE, QUADRATIC_LOOSE_TOL, QUADRATIC_LOOSE_TOL_NIT, QUADRATIC_REFERENCE,
    QUADRATIC_REFERENCE_NORMS, ROSENBROCK_REFERENCE, ROSENBROCK_X0, SR1_SKIP_CASES, UPDATE_CASES, agreement_tol,
    golden_line_search)
from autograder.suites.quasi_newton.mistakes import lbfgs_mistakes, sr1_skip_mistakes

pytestmark = pytest.mark.hidden


def _assert_secant_and_symmetry(student, name):
    for (B, p, q), got in zip(UPDATE_CASES, getattr(student, name).map(UPDATE_CASES)):
        what = f"{name}(B, p, q)"
        assert_matrix(got, len(p), what=what)
        assert_secant(got, p, q, what=what)
        assert_symmetric(got, what=what)


# One secant-and-symmetry check per update, as the agreement checks of test_visible.py (deliberate parallel).
@pytest.mark.points(1)
@pytest.mark.unit("bfgs_update")
@pytest.mark.kind("contract")
def test_bfgs_update_secant_and_symmetry(student):
    """bfgs_update: B_new q = p and B_new symmetric"""
    _assert_secant_and_symmetry(student, "bfgs_update")


@pytest.mark.points(1)
@pytest.mark.unit("dfp_update")
@pytest.mark.kind("contract")
def test_dfp_update_secant_and_symmetry(student):
    """dfp_update: B_new q = p and B_new symmetric"""
    _assert_secant_and_symmetry(student, "dfp_update")


@pytest.mark.points(1)
@pytest.mark.unit("sr1_update")
@pytest.mark.kind("contract")
def test_sr1_update_secant_and_symmetry(student):
    """sr1_update: B_new q = p and B_new symmetric"""
    _assert_secant_and_symmetry(student, "sr1_update")


@pytest.mark.points(1)
@pytest.mark.unit("bfgs_update")
@pytest.mark.kind("contract")
def test_bfgs_update_keeps_positive_definite(student):
    """bfgs_update keeps B positive definite"""
    for k, ((B, p, q), got) in enumerate(zip(PD_CHAIN, student.bfgs_update.map(PD_CHAIN))):
        what = f"bfgs_update(B_{k}, p_{k}, q_{k}) (update {k + 1} of {len(PD_CHAIN)}, B_{k} from the reference)"
        assert_matrix(got, len(p), what=what)
        assert_symmetric(got, what=what)
        assert_positive_definite(got, what=what)


@pytest.mark.points(1)
@pytest.mark.unit("sr1_update")
@pytest.mark.kind("agreement")
def test_sr1_update_skip_rule(student):
    """sr1_update skip rule: |w^T q| <= 1e-8 |q| |w| (relative, w = 0 included); a skip returns a copy of B"""
    for label, case in SR1_SKIP_CASES.items():
        B, p, q = case
        what = f"sr1_update(B, p, q) with {label}"
        try:
            result = student.call("sr1_update", B, p, q, details=True)
        except StudentException as exc:
            raise CheckFailed(f"{what} raised {exc}. The update is skipped (a copy of B returned) when "
                              "|w^T q| <= 1e-8 |q| |w|, which includes w = 0 and w^T q = 0 exactly: test it "
                              "before dividing by w^T q.") from None
        expected = EXPECTED_SR1_SKIP[label]
        assert_agrees(result.value, expected, **agreement_tol(expected), what=what, inputs={"p": p, "q": q},
                      mistakes=sr1_skip_mistakes(case))
        assert_new_array(result, what=what, names=("B", "p", "q"))


@pytest.mark.points(1)
@pytest.mark.unit("lbfgs_direction")
@pytest.mark.kind("agreement")
def test_lbfgs_direction_matches_dense_bfgs(student):
    """lbfgs_direction equals -H g of dense BFGS from gamma I"""
    got = student.lbfgs_direction(DENSE_G, DENSE_PS, DENSE_QS)
    assert_agrees(got, DENSE_DIRECTION, **agreement_tol(DENSE_DIRECTION), dtype=np.float64,
                  what="lbfgs_direction(g, ps, qs) with 3 pairs", inputs={"g": DENSE_G},
                  mistakes=lbfgs_mistakes(DENSE_G, DENSE_PS, DENSE_QS),
                  hint="Expected -H g with H0 = gamma I updated by bfgs_update(H, p, q) for each pair, oldest first.")


@pytest.mark.points(1)
@pytest.mark.unit("lbfgs_direction")
@pytest.mark.kind("agreement")
def test_lbfgs_direction_oldest_first(student):
    """lbfgs_direction reads ps, qs oldest first"""
    g, ps, qs = ORDER_CASE
    got = student.lbfgs_direction(g, ps, qs)
    assert_agrees(got, EXPECTED_ORDER, **agreement_tol(EXPECTED_ORDER), dtype=np.float64,
                  what="lbfgs_direction(g, ps, qs) with 3 pairs of very different curvature", inputs={"g": g},
                  mistakes=lbfgs_mistakes(g, ps, qs))


@pytest.mark.points(2)
@pytest.mark.unit("bfgs_minimize")
@pytest.mark.kind("convergence")
def test_bfgs_minimize_rosenbrock(student, feedback):
    """bfgs_minimize reaches (1, 1) on Rosenbrock to 1e-6"""
    result = student.call("bfgs_minimize", rosenbrock, rosenbrock_grad, ROSENBROCK_X0, golden_line_search,
                          isolate=ISOLATE)
    path = result.get("path") if isinstance(result, dict) else None
    feedback.attach("bfgs_path", function="rosenbrock",
                    student=[list(map(float, x)) for x in path] if isinstance(path, list) else [],
                    reference=[list(map(float, x)) for x in ROSENBROCK_REFERENCE["path"]])
    what = "bfgs_minimize(rosenbrock, grad, x0 = (-1.2, 1), golden-section line search on [0, 2])"
    x = result.get("x") if isinstance(result, dict) else None
    if not isinstance(x, np.ndarray) or x.shape != (2,):
        raise CheckFailed(f"{what} must return a dict whose 'x' is the final iterate, an array of shape (2,); "
                          f"got {fmt(result)[:300]}.")
    error = float(np.max(np.abs(x - 1.0)))
    if not error <= 1e-6:
        raise CheckFailed(f"{what} stopped at x = {fmt(x, 10)} after nit = {fmt(result.get('nit'))} iterations, "
                          f"{fmt(error, 3)} from the minimizer (1, 1); expected within 1e-6 (the reference takes "
                          f"{ROSENBROCK_REFERENCE['nit']} iterations). Likely: d = -B g, alpha = line_search(phi) "
                          "with phi(alpha) = f(x + alpha d), and B = bfgs_update(B, x_new - x, g_new - g).")


@pytest.mark.points(1)
@pytest.mark.unit("bfgs_minimize")
@pytest.mark.kind("agreement")
def test_bfgs_minimize_path_matches_reference(student):
    """bfgs_minimize's iterates agree with the reference's, with exact and with inexact (half) steps"""
    problem = QUADRATIC.problem()
    # Exact line searches hide the scale of (p, q) (Dixon's theorem): the half-step search shows it.
    for line_search, expected, searched in (
            (exact_line_search, QUADRATIC_REFERENCE["path"], "exact line searches"),
            (damped_line_search, QUADRATIC_DAMPED_REFERENCE["path"], "a line search returning half the exact step")):
        result = student.call("bfgs_minimize", problem.f, problem.grad, QUADRATIC.x0, line_search,
                              isolate=ISOLATE)
        path = result.get("path") if isinstance(result, dict) else None
        if not isinstance(path, list):
            raise CheckFailed("bfgs_minimize must return a dict with the list of iterates under 'path'; "
                              f"got {fmt(result)[:300]}.")
        assert_path_not_aliased(path, what="bfgs_minimize(...)['path']")
        # The iterates agree to ~1e-14 for correct code; atol 1e-8 leaves room for the last
        # iterate (the minimizer up to rounding) and any algebra.
        assert_agrees(path[: len(expected)], expected, rtol=1e-8, atol=1e-8,
                      what=f"bfgs_minimize(...)['path'] on a 5-dimensional quadratic ({searched})",
                      hint="The first step is steepest descent (B0 = I); then d = -B g with B = bfgs_update(B, p, q), "
                           "p = x_new - x = alpha d (the step actually taken, not d), q = grad(x_new) - grad(x).")


def _stopped_after(result, steps: int) -> bool:
    """The result says the loop took `steps` steps: its nit, or its path (x0 and one iterate per step)."""
    if not isinstance(result, dict):
        return False
    path = result.get("path")
    return result.get("nit") == steps or (isinstance(path, list) and len(path) == steps + 1)


@pytest.mark.points(1)
@pytest.mark.unit("bfgs_minimize")
@pytest.mark.kind("convergence")
def test_bfgs_minimize_honours_tol(student):
    """bfgs_minimize stops once norm(grad) < tol, and takes no step from a minimizer"""
    problem, tol = QUADRATIC.problem(), QUADRATIC_LOOSE_TOL
    result = student.call("bfgs_minimize", problem.f, problem.grad, QUADRATIC.x0, exact_line_search, tol=tol,
                          isolate=ISOLATE)
    what = f"bfgs_minimize(f, grad, x0, line_search, tol={tol:g}) on a quadratic"
    x = result.get("x") if isinstance(result, dict) else None
    if not isinstance(x, np.ndarray) or x.shape != QUADRATIC.x0.shape:
        raise CheckFailed(f"{what} must return a dict whose 'x' is the final iterate; got {fmt(result)[:300]}.")
    norm = float(np.linalg.norm(problem.grad(x)))
    if not norm < tol:
        raise CheckFailed(f"{what} stopped at |grad| = {fmt(norm, 4)} >= tol: iterate until norm(grad(x)) < tol.")
    # Where the loop stopped is read from nit OR from the path (nit + 1 iterates): a result whose
    # nit and path disagree stopped where one of them says, and the disagreement itself is graded
    # by test_bfgs_minimize_result_dict (one mistake, one point).
    expected = QUADRATIC_LOOSE_TOL_NIT
    if not _stopped_after(result, expected):
        raise CheckFailed(f"{what} returned nit = {fmt(result.get('nit'))}; the gradient norm first drops below tol "
                          f"at iterate {expected} (norms along the path: "
                          f"{', '.join(fmt(v, 3) for v in QUADRATIC_REFERENCE_NORMS)}). Check norm(grad(x)) < tol "
                          "before each step, with the `tol` argument.")
    # Started at the minimizer (grad(x0) = 0 exactly): the test comes before the first step.
    start = QUADRATIC.x_star.copy()
    result = student.call("bfgs_minimize", problem.f, problem.grad, start, exact_line_search, isolate=ISOLATE)
    nit = result.get("nit") if isinstance(result, dict) else None
    path = result.get("path") if isinstance(result, dict) else None
    if not _stopped_after(result, 0):
        raise CheckFailed(f"bfgs_minimize(f, grad, x0, line_search) with x0 the minimizer (grad(x0) = 0) returned "
                          f"nit = {fmt(nit)} and {len(path) if isinstance(path, list) else 'no'} iterate(s) in 'path'; "
                          "expected nit = 0 and path = [x0]: test norm(grad(x)) < tol BEFORE each step (a loop that "
                          "steps first and tests afterwards always takes one step).")


@pytest.mark.points(1)
@pytest.mark.unit("bfgs_minimize")
@pytest.mark.kind("contract")
def test_bfgs_minimize_honours_max_iter(student):
    """bfgs_minimize stops after max_iter iterations"""
    problem, max_iter = QUADRATIC.problem(), 2
    result = student.call("bfgs_minimize", problem.f, problem.grad, QUADRATIC.x0, exact_line_search,
                          max_iter=max_iter, isolate=ISOLATE)
    nit = result.get("nit") if isinstance(result, dict) else None
    path = result.get("path") if isinstance(result, dict) else None
    what = f"bfgs_minimize(f, grad, x0, line_search, max_iter={max_iter}) on a quadratic"
    if not _stopped_after(result, max_iter):  # nit or the path: their agreement is graded by the result-dict check
        raise CheckFailed(f"{what} returned nit = {fmt(nit)} with {len(path) if isinstance(path, list) else 'no'} "
                          f"iterates in 'path'; expected nit = {max_iter} and {max_iter + 1} iterates (x0 and one "
                          f"per iteration): the gradient is still large after {max_iter} iterations, so the loop "
                          "must end on the iteration count.")


@pytest.mark.points(1)
@pytest.mark.unit("bfgs_minimize")
@pytest.mark.kind("contract")
def test_bfgs_minimize_leaves_x0_unchanged(student):
    """bfgs_minimize does not modify x0"""
    problem = QUADRATIC.problem()
    before = snapshot(QUADRATIC.x0)
    result = student.call("bfgs_minimize", problem.f, problem.grad, QUADRATIC.x0, exact_line_search,
                          details=True, isolate=ISOLATE)
    assert_no_mutation(result, (None, None, before), names=("f", "grad", "x0"),
                       what="bfgs_minimize(f, grad, x0, line_search)")


@pytest.mark.points(1)
@pytest.mark.unit("dfp_update")
@pytest.mark.kind("contract")
def test_dfp_update_leaves_inputs_unchanged(student):
    """dfp_update does not modify B, p or q"""
    assert_update_leaves_inputs_unchanged(student, "dfp_update", UPDATE_CASES)


@pytest.mark.points(1)
@pytest.mark.unit("sr1_update")
@pytest.mark.kind("contract")
def test_sr1_update_leaves_inputs_unchanged(student):
    """sr1_update does not modify B, p or q (updated and skipped pairs)"""
    assert_update_leaves_inputs_unchanged(student, "sr1_update", UPDATE_CASES + list(SR1_SKIP_CASES.values()))


@pytest.mark.points(1)
@pytest.mark.unit("lbfgs_direction")
@pytest.mark.kind("contract")
def test_lbfgs_direction_leaves_inputs_unchanged(student):
    """lbfgs_direction does not modify g, ps or qs (with and without pairs)"""
    # Every history the unit is graded on, the empty one included: a mutation in one branch only
    # (`g *= -1; return g` when there are no pairs) is still a mutation.
    for (g, ps, qs), result in calls_watched(student, "lbfgs_direction", list(LBFGS_CASES) + [(EMPTY_G, [], [])]):
        what = f"lbfgs_direction(g, ps, qs) with {len(ps)} pair(s)"
        assert_no_mutation(result, snapshot((g, ps, qs)), names=("g", "ps", "qs"), what=what)
        assert_new_array(result, what=what, names=("g", "ps", "qs"))
        for name, before, after in zip(("ps", "qs"), (ps, qs), result.args_after[1:]):
            if len(after) != len(before):
                raise CheckFailed(f"{what} changed the list `{name}` in place: it held {len(before)} pairs, now "
                                  f"{len(after)} (pop/append/clear on the caller's list). Iterate over it instead, "
                                  "e.g. `for p, q in zip(reversed(ps), reversed(qs))`.")
