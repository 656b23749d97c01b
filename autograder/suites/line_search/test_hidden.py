"""Hidden checks of `line_search` (SPEC §1.5): accuracy at the interval's ends, on flat,
asymmetric and non-smooth functions and on shifted/scaled intervals; `tol` and
`max_iter` honoured; f evaluated only inside [a, b]; the evaluation bound elsewhere.
"""
import pytest

from autograder.checks import CheckFailed
from autograder.checks.agreement import fmt
from autograder.remote import StudentException
from autograder.checks.minimizers import (
    INV_PHI, assert_inside_interval, assert_minimizer, assert_within_tol_result, assert_returns_final_midpoint,
    final_bracket_width, midpoint_shrinks)
from autograder.suites.line_search.cases import (
    ASYMMETRIC, FLAT_BOTTOM, KINK, MIN_AT_A, MIN_AT_B, NARROW, QUADRATIC, SHIFTED, WIDE, WITHIN_TOL)
from autograder.suites.line_search.searches import (  # noqa: F401 - `searches` is a fixture
    assert_evaluation_counts, assert_finds_minimizers, searches)

pytestmark = pytest.mark.hidden


# The accuracy checks, one per family of functions, each its own rubric line (deliberate parallel).
@pytest.mark.points(1)
@pytest.mark.unit("golden_section_search")
@pytest.mark.kind("convergence")
def test_minimizer_at_interval_end(searches):
    """Finds a minimizer that sits at a or at b"""
    assert_finds_minimizers(searches, (MIN_AT_A, MIN_AT_B))


@pytest.mark.points(2)
@pytest.mark.unit("golden_section_search")
@pytest.mark.kind("convergence")
def test_flat_asymmetric_and_kinked_functions(searches):
    """Minimizer of flat, asymmetric and kinked functions"""
    assert_finds_minimizers(searches, (FLAT_BOTTOM, ASYMMETRIC, KINK))


@pytest.mark.points(1)
@pytest.mark.unit("golden_section_search")
@pytest.mark.kind("convergence")
def test_shifted_and_scaled_intervals(searches):
    """Finds the minimizer on shifted, wide and narrow intervals"""
    assert_finds_minimizers(searches, (SHIFTED, WIDE, NARROW))


@pytest.mark.points(1)
@pytest.mark.unit("golden_section_search")
@pytest.mark.kind("convergence")
def test_evaluation_count_other_intervals(searches):
    """Evaluation bound on shifted, wide and narrow intervals"""
    assert_evaluation_counts(searches, (SHIFTED, WIDE, NARROW))


@pytest.mark.points(1)
@pytest.mark.unit("golden_section_search")
@pytest.mark.kind("convergence")
def test_tol_honoured(searches):
    """A looser tol stops the search earlier, still within tol"""
    for tol in (1e-3, 1e-5):
        x, objective = searches(QUADRATIC, tol=tol)
        what = QUADRATIC.what(tol=tol)
        assert_minimizer(x, QUADRATIC.x_star, tol=tol, what=what, objective=objective)
        # Stopping at b - a <= tol leaves a final bracket wider than tol/phi (tol/phi^2 for a
        # search that evaluates once more after the last shrink); tol/phi^3 leaves room for
        # any stopping rule that honours tol. A search ignoring tol ends orders of magnitude
        # below. The width comes from the evaluations, so the per-iteration cost is not graded here.
        width = final_bracket_width(objective, QUADRATIC.a, QUADRATIC.b)
        if width < tol * INV_PHI ** 3:
            raise CheckFailed(f"{what} kept shrinking the bracket to width {fmt(width, 3)}, far below tol = {tol:g} "
                              f"({objective.evaluations} calls of f): stop as soon as b - a <= tol, using the "
                              "`tol` argument rather than a fixed value.")


@pytest.mark.points(1)
@pytest.mark.unit("golden_section_search")
@pytest.mark.kind("contract")
def test_max_iter_honoured(searches):
    """Stops after max_iter iterations"""
    max_iter, tol = 10, 1e-12
    x, objective = searches(QUADRATIC, tol=tol, max_iter=max_iter)
    what = QUADRATIC.what(tol=tol, max_iter=max_iter)
    # Up to two calls per iteration are tolerated here: the cost of an iteration is graded by
    # the evaluation checks, this check grades only where the loop stops.
    if objective.evaluations > 2 * max_iter + 2:
        raise CheckFailed(f"{what} called f {objective.evaluations} times: with max_iter = {max_iter} the "
                          f"search must stop after {max_iter} iterations ({max_iter + 2} calls, counting the "
                          "two initial points), whatever tol says.")
    # After max_iter shrinks the bracket is (b - a)/phi^max_iter wide; one shrink of slack
    # admits counting the initial pair as an iteration.
    width = (QUADRATIC.b - QUADRATIC.a) * INV_PHI ** (max_iter - 1)
    assert_minimizer(x, QUADRATIC.x_star, tol=width, what=what, objective=objective)
    # The number of shrinks: on an increasing f the final bracket after k shrinks is
    # [a, a + (b - a) r^k], so a midpoint result names k exactly. Only results that ARE such a
    # midpoint with k outside [max_iter - 1, max_iter] are refused here (max_iter - 1: the initial
    # pair counted as an iteration); any other result is graded by the midpoint and accuracy checks.
    # Extra shrinks count here only when they cost evaluations too (more than max_iter + 2 calls):
    # one final shrink without an evaluation changes the returned midpoint, which the midpoint
    # check grades, not where the loop stops.
    x, objective = searches(MIN_AT_A, tol=tol, max_iter=max_iter)
    shrinks = midpoint_shrinks(x, MIN_AT_A.a, MIN_AT_A.b, max_shrinks=max_iter + 60)
    too_many = shrinks is not None and shrinks > max_iter and objective.evaluations > max_iter + 2
    if too_many or (shrinks is not None and shrinks < max_iter - 1):
        raise CheckFailed(f"{MIN_AT_A.what(tol=tol, max_iter=max_iter)} returned {fmt(x)}, the midpoint of the "
                          f"bracket [a, a + (b - a)/phi^{shrinks}]: the bracket was shrunk {shrinks} times; with "
                          f"max_iter = {max_iter} and a tol it cannot reach, it is shrunk exactly {max_iter} times "
                          "(an off-by-one in the loop bound, e.g. `range(max_iter + 1)`, `range(max_iter - 2)` or "
                          "`while it <= max_iter`).")


# Parallel by convention with quasi_newton's checks (a message, then the next check's markers); no logic in common.
@pytest.mark.points(1)
@pytest.mark.unit("golden_section_search")
@pytest.mark.kind("contract")
def test_evaluates_only_inside_interval(searches):
    """Evaluates f only inside [a, b]"""
    for case in (QUADRATIC, WIDE, MIN_AT_B):
        _, objective = searches(case)
        assert_inside_interval(objective, case.a, case.b, what=case.what())


@pytest.mark.points(1)
@pytest.mark.unit("golden_section_search")
@pytest.mark.kind("contract")
def test_returns_final_bracket_midpoint(searches):
    """Returns the midpoint of the final bracket (on monotone functions, where that bracket is known)"""
    for case in (MIN_AT_A, MIN_AT_B):
        x, objective = searches(case)
        assert_returns_final_midpoint(x, objective, case.a, case.b, what=case.what())


@pytest.mark.points(1)
@pytest.mark.unit("golden_section_search")
@pytest.mark.kind("contract")
def test_interval_within_tol(searches):
    """Shrinks nothing when b - a <= tol already, and returns (a + b)/2"""
    for case in WITHIN_TOL:
        try:
            x, objective = searches(case)
        except StudentException as exc:
            raise CheckFailed(f"{case.what()} raised {exc}. With b - a <= tol already (a = b included) the "
                              "search shrinks nothing and returns (a + b)/2.") from None
        assert_within_tol_result(x, objective, case.a, case.b, case.tol, what=case.what())
