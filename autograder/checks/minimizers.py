"""Check primitives for minimizers: golden-section search (SPEC §1.5) and quasi-Newton
methods (SPEC §1.6).

Golden section. The objective handed to the student is a trusted `RecordedObjective`:
every point the search evaluates is recorded on the grader's side, so the checks see
the whole search. From the record alone (`known_brackets`) the grader rebuilds the
bracket the search has established after each evaluation: the neighbours, among `a`,
`b` and the points evaluated so far, of the best point so far (for a unimodal `f` the
minimizer lies between them). Golden-section search shrinks that bracket by exactly
1/phi = (sqrt(5) - 1)/2 per evaluation, whatever its bookkeeping looks like; reaching
width `tol` from `b - a` then takes `golden_evaluation_bound(a, b, tol)` evaluations.

Quasi-Newton. `B` is the inverse-Hessian approximation, `p = x_{k+1} - x_k`,
`q = g_{k+1} - g_k`; every update satisfies the secant equation `B_new q = p` and
keeps `B` symmetric. `QuadraticProblem` + `exact_line_search` give the setting of
finite termination (BFGS with exact line searches minimizes an n-dimensional convex
quadratic in at most n iterations).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from autograder.checks import CheckFailed
from autograder.checks.agreement import fmt

INV_PHI = (math.sqrt(5.0) - 1.0) / 2.0  # 1/phi = phi - 1 = 0.6180339887...

# Deviation allowed between a reconstructed bracket ratio and 1/phi: RATIO_RTOL relative
# plus 16 ulps of the interval's magnitude (the points themselves are rounded to those
# ulps, which matters once the bracket is ~1e-9 wide at |x| ~ 1e3). The reference
# deviates by <= 7e-9 relative on [0, 2] with tol 1e-8 and by 7e-4 (all of it within
# the ulp term) on [1000, 1000.5] with tol 1e-10. A 3-digit constant 0.618 drifts past
# 1e-3 within ~10 evaluations; bisection (0.5) and 1/phi^2 (0.382) miss it by far.
RATIO_RTOL = 1e-3


# ----------------------------------------------------------------------------- golden section
def golden_evaluation_bound(a: float, b: float, tol: float) -> int:
    """Calls of f golden-section search needs: ceil(log(tol/(b-a)) / log(1/phi)) + 2.

    n = ceil(log(tol/(b-a)) / log(1/phi)) shrinks by 1/phi bring the bracket to width
    <= tol; one evaluation per shrink plus the two initial interior points.
    """
    shrinks = math.ceil(math.log(tol / (b - a)) / math.log(INV_PHI)) if b - a > tol else 0
    return shrinks + 2


class RecordedObjective:
    """A trusted scalar objective that records every call: `f(x) -> float`."""

    def __init__(self, function: Callable[[float], float], name: str):
        self.function, self.name = function, name
        self.points: list[float] = []
        self.values: list[float] = []
        self.__name__ = name

    def __call__(self, x):
        try:
            x = float(x)
        except (TypeError, ValueError):
            raise TypeError(f"{self.name}(x) takes one number, got {type(x).__name__}") from None
        try:
            value = float(self.function(x))
        except OverflowError:  # far outside any sensible bracket; the test functions grow to +inf
            value = math.inf
        self.points.append(x)
        self.values.append(value)
        return value

    @property
    def evaluations(self) -> int:
        return len(self.points)


def known_brackets(points: Sequence[float], values: Sequence[float], a: float,
                   b: float) -> list[tuple[float, float]]:
    """The bracket established after each evaluation, starting with (a, b).

    After k >= 2 evaluations: the neighbours, among a, b and the first k points, of the
    best point so far (for unimodal f the minimizer lies between them); one entry per
    evaluation from the second on.
    """
    brackets = [(float(a), float(b))]
    for k in range(2, len(points) + 1):
        xs, fs = np.asarray(points[:k], dtype=float), np.asarray(values[:k], dtype=float)
        best = xs[int(np.argmin(fs))]
        grid = np.unique(np.concatenate(([a, b], xs)))
        i = int(np.searchsorted(grid, best))
        brackets.append((float(grid[max(i - 1, 0)]), float(grid[min(i + 1, grid.size - 1)])))
    return brackets


def _interior(objective: RecordedObjective, a: float, b: float) -> tuple[list, list]:
    """Points strictly inside (a, b) and their values (calls at a or b place no interior point)."""
    inside = [(x, y) for x, y in zip(objective.points, objective.values) if a < x < b]
    return [x for x, _ in inside], [y for _, y in inside]


def final_bracket_width(objective: RecordedObjective, a: float, b: float) -> float:
    """Width of the bracket the whole search established (b - a when it evaluated < 2 points)."""
    lo, hi = known_brackets(*_interior(objective, a, b), a, b)[-1]
    return hi - lo


def golden_section_artifact(objective: RecordedObjective, a: float, b: float, tol: float) -> dict:
    """Data of the `golden_section` figure: brackets, number of evaluations, bound (+ the points)."""
    return {
        "function": objective.name,
        "interval": [float(a), float(b)],
        "tol": float(tol),
        "brackets": [list(br) for br in known_brackets(*_interior(objective, a, b), a, b)],
        "evaluations": objective.evaluations,
        "bound": golden_evaluation_bound(a, b, tol),
        "points": [[x, y] for x, y in zip(objective.points, objective.values)],
    }


def assert_returns_float(value, *, what: str) -> float:
    """Fail unless `value` is a float (Python float or NumPy float64); returns it."""
    if value is None:
        raise CheckFailed(f"{what} returned None: return the minimizer (is a `return` missing?).")
    if not isinstance(value, float):
        shape = f" of shape {value.shape}" if isinstance(value, np.ndarray) else ""
        raise CheckFailed(f"{what} must return a float, got {type(value).__name__}{shape} ({fmt(value)}). "
                          "Return the point itself, e.g. `(a + b) / 2`, not an array, a tuple or f's value.")
    return value


def _as_number(value, *, what: str) -> float:
    """`value` as a float when it holds one number (the type itself is `assert_returns_float`'s)."""
    if value is None:
        raise CheckFailed(f"{what} returned None: return the minimizer (is a `return` missing?).")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        array = np.asarray(None)
    if array.size == 1 and array.dtype.kind in "iuf":
        return float(array.ravel()[0])
    raise CheckFailed(f"{what} must return the minimizer, a float; got {type(value).__name__} ({fmt(value)}).")


def assert_minimizer(x, x_star: float, *, tol: float, what: str,
                     objective: RecordedObjective | None = None) -> None:
    """Fail unless |x - x_star| <= tol: the final bracket (width <= tol) holds the minimizer.

    A slack of 8 ulps of x_star covers rounding of the returned point itself. With the search's
    `objective`, a result equal to one of the values f returned is named as such (the value
    returned instead of the argument).
    """
    x = _as_number(x, what=what)
    allowed = tol + 8 * np.spacing(abs(x_star))
    if not abs(x - x_star) <= allowed:
        if objective is not None and x in objective.values:
            likely = ("the search returns a value of f (e.g. f(x*) or min(f(c), f(d))) instead of the argument: "
                      "return the point x* that minimizes f, the midpoint (a + b)/2 of the final bracket")
        else:
            likely = ("the wrong sub-bracket is kept (f(c) < f(d) keeps [a, d], otherwise [c, b]), the "
                      "interior points lose their order c < d (use 1/phi = (sqrt(5) - 1)/2 exactly), or the "
                      "loop stops before b - a <= tol")
        raise CheckFailed(f"{what} returned {fmt(x, 12)}; the minimizer is {fmt(x_star, 12)} "
                          f"(error {fmt(abs(x - x_star), 3)}, allowed tol = {tol:g}). Likely: {likely}.")


def assert_returns_final_midpoint(x, objective: RecordedObjective, a: float, b: float, *, what: str) -> None:
    """Fail unless `x` is the midpoint of the final bracket of a search on a MONOTONE f.

    On an increasing f every comparison keeps the left part, whatever the search's bookkeeping:
    the best point is the smallest evaluated one, p1, and the final bracket is [a, p2] (p2 the
    second smallest), or [a, p3] for a search that evaluated once more after its last shrink.
    Mirrored for a decreasing f ([p2, b] or [p3, b], from the largest points). Slack: 16 ulps of
    the interval's magnitude plus 1e-6 of the bracket's width: the rounding of (a + b)/2 against
    a + (b - a)/2, and bracket ends recomputed from the ends (d = a + r (b - a)) rather than
    copied from the evaluated point, which differ from it by a few ulps. The nearest wrong
    answers are 0.118 (the best interior point) and 0.5 (an end) of the width away. Which way f
    goes is read from f(a) and f(b), computed here (not recorded).
    """
    x = _as_number(x, what=what)
    increasing = objective.function(b) > objective.function(a)
    inside = sorted({p for p in objective.points if a < p < b}, reverse=not increasing)
    end = a if increasing else b
    slack = 16 * np.spacing(max(abs(a), abs(b)))
    brackets = [tuple(sorted((end, p))) for p in inside[1:3]]
    for lo, hi in brackets:
        if abs(x - (lo + hi) / 2) <= slack + 1e-6 * (hi - lo):
            return
    if not brackets:
        raise CheckFailed(f"{what} evaluated f at {len(inside)} point(s) inside [{fmt(a)}, {fmt(b)}]: golden-section "
                          "search evaluates two interior points and then one per shrink.")
    lo, hi = brackets[0]
    if inside and abs(x - inside[0]) <= slack + 1e-6 * (hi - lo):
        likely = ("the best interior point (c or d, or (c + d)/2 once they coincide) is returned; the handout's "
                  "result is the midpoint (a + b)/2 of the final bracket")
    elif any(min(abs(x - lo_), abs(x - hi_)) <= slack + 1e-6 * (hi_ - lo_) for lo_, hi_ in brackets):
        likely = "an end of the final bracket is returned; the handout's result is its midpoint (a + b)/2"
    else:
        likely = "the handout's result is the midpoint (a + b)/2 of the final bracket [a, b]"
    raise CheckFailed(f"{what} returned {fmt(x, 12)}; f is {'increasing' if increasing else 'decreasing'} on "
                      f"[{fmt(a)}, {fmt(b)}], so the final bracket your evaluations establish is "
                      f"[{fmt(lo, 12)}, {fmt(hi, 12)}], whose midpoint is {fmt((lo + hi) / 2, 12)}. Likely: {likely}.")


def assert_within_tol_result(x, objective: RecordedObjective, a: float, b: float, tol: float, *,
                             what: str) -> None:
    """Fail unless a search on an interval already within `tol` (b - a <= tol) shrank nothing and
    returned (a + b)/2 (within 4 ulps), evaluating f at most twice (the two initial interior points
    a textbook loop evaluates before it tests the stopping rule)."""
    if objective.evaluations > 2:
        raise CheckFailed(f"{what} called f {objective.evaluations} times although b - a = {fmt(b - a)} <= tol = "
                          f"{tol:g} already: test b - a <= tol before shrinking, and return (a + b)/2 at once.")
    x = _as_number(x, what=what)
    if not abs(x - (a + b) / 2) <= 4 * np.spacing(max(abs(a), abs(b), 1e-300)):
        at_tol = " (or tests b - a < tol: the handout stops at b - a <= tol, equality included)" if b - a == tol else ""
        raise CheckFailed(f"{what} returned {fmt(x, 12)}; with b - a <= tol already nothing is shrunk and the "
                          f"result is the midpoint (a + b)/2 = {fmt((a + b) / 2, 12)}. Likely: the loop shrinks "
                          f"once before it tests b - a <= tol{at_tol}, or returns an end of [a, b] instead of its "
                          "midpoint.")


def assert_inside_interval(objective: RecordedObjective, a: float, b: float, *, what: str) -> None:
    """Fail when f was evaluated outside [a, b] (4 ulps of slack for the rounding of a + r(b - a))."""
    slack = 4 * np.spacing(max(abs(a), abs(b)))
    for i, x in enumerate(objective.points):
        if not a - slack <= x <= b + slack:
            raise CheckFailed(f"{what} evaluated f at x = {fmt(x, 12)} (call #{i + 1}), outside [{fmt(a)}, "
                              f"{fmt(b)}]. Interior points are c = b - (b - a)/phi and d = a + (b - a)/phi "
                              "with phi = (1 + sqrt(5))/2: multiply by 1/phi = 0.618..., not by phi = 1.618...")


def _repeated_evaluation(points: Sequence[float], scale: float) -> tuple[int, int] | None:
    """(j, i), j < i, of the first point evaluated again (equal within 64 ulps of the interval's scale)."""
    tol = 64 * np.spacing(scale)
    for i in range(1, len(points)):
        for j in range(i):
            if abs(points[i] - points[j]) <= tol:
                return j, i
    return None


def _ratio_diagnosis(ratios: np.ndarray, first_off: int) -> str:
    """Name the shrink pattern the bracket ratios show (`first_off`: index of the first bad ratio)."""
    first = ratios[0]
    if abs(first - INV_PHI) > 1e-9 * INV_PHI:
        named = {0.5: "1/2, bisection", 2.0 / 3.0: "2/3, ternary search (thirds)",
                 INV_PHI ** 2: "1/phi^2 = 0.382: 1/phi and 1/phi^2 = 1 - 1/phi are mixed up"}
        for value, label in named.items():
            if abs(first - value) < 0.01:
                return f"the two initial points shrink [a, b] by {fmt(first, 6)} ({label}); use 1/phi"
        if abs(first - INV_PHI) < 1e-3:
            return (f"1/phi is approximated ({fmt(first, 8)}): compute it exactly, (sqrt(5) - 1)/2; with an "
                    "approximate ratio the reused point drifts off the golden position")
        return f"the two initial points shrink [a, b] by {fmt(first, 6)} instead of 1/phi"
    if np.any(ratios >= 1.0):
        k = int(np.flatnonzero(ratios >= 1.0)[0])
        return (f"evaluation #{k + 2} did not shrink the bracket (the point lies outside the bracket the "
                "previous values establish): c must be the left interior point, c = b - (b - a)/phi < "
                "d = a + (b - a)/phi, and f(c) < f(d) keeps [a, d]")
    pairs = ratios[: ratios.size // 2 * 2].reshape(-1, 2).prod(axis=1)
    if pairs.size and np.allclose(pairs, 0.5, rtol=0.05):
        return ("the bracket halves every two evaluations: that is bisection (dichotomous search), which "
                "cannot reuse a point; golden section keeps 1/phi per evaluation")
    if first_off >= 15:
        return ("rounding drift: after many golden steps the new point no longer mirrors the reused one. "
                "Compute each new point from the bracket ends, c = b - (b - a)/phi or d = a + (b - a)/phi "
                "(placing it as a + b - x amplifies rounding errors by phi per step)")
    return "each new point must mirror the reused one: c = b - (b - a)/phi, d = a + (b - a)/phi"


def assert_one_evaluation_per_iteration(objective: RecordedObjective, a: float, b: float, *,
                                        what: str) -> None:
    """Fail unless every evaluation is new and shrinks the known bracket by 1/phi (see module doc).

    Evaluations at a or b themselves are left out of the brackets (they cost evaluations,
    which `assert_evaluation_count` grades, but place no interior point).
    """
    repeated = _repeated_evaluation(objective.points, max(abs(a), abs(b), b - a))
    if repeated is not None:
        j, i = repeated
        raise CheckFailed(f"{what} evaluated f at x = {fmt(objective.points[i], 12)} twice (calls #{j + 1} and "
                          f"#{i + 1}). Two evaluations per iteration: reuse one interior point and its value "
                          "f(c) or f(d), so that each iteration costs one new evaluation.")
    brackets = known_brackets(*_interior(objective, a, b), a, b)
    widths = np.array([hi - lo for lo, hi in brackets])
    if widths.size < 2:
        raise CheckFailed(f"{what} evaluated f only {objective.evaluations} time(s) on [{fmt(a)}, {fmt(b)}]: "
                          "golden-section search starts from two interior points.")
    ratios = widths[1:] / widths[:-1]
    rounding = 16 * np.spacing(max(abs(a), abs(b)))  # points are rounded to the ulps of the interval
    off = np.flatnonzero(np.abs(widths[1:] - INV_PHI * widths[:-1]) > RATIO_RTOL * INV_PHI * widths[:-1] + rounding)
    if off.size:
        k = int(off[0])
        shown = ", ".join(fmt(r, 4) for r in ratios[:8]) + (", ..." if ratios.size > 8 else "")
        raise CheckFailed(
            f"{what}: the bracket the evaluations establish should shrink by 1/phi = {INV_PHI:.6f} with each "
            f"new evaluation; it shrank by {fmt(ratios[k], 6)} at evaluation #{k + 2} (bracket "
            f"[{fmt(brackets[k][0], 10)}, {fmt(brackets[k][1], 10)}] -> [{fmt(brackets[k + 1][0], 10)}, "
            f"{fmt(brackets[k + 1][1], 10)}]). Ratios: {shown}. Likely: {_ratio_diagnosis(ratios, k)}.")


def assert_evaluation_count(objective: RecordedObjective, a: float, b: float, tol: float, *,
                            what: str) -> None:
    """Fail when f was called more than `golden_evaluation_bound(a, b, tol)` times."""
    bound = golden_evaluation_bound(a, b, tol)
    if objective.evaluations > bound:
        extra = objective.evaluations - bound
        likely = ("one evaluation per iteration plus the two initial points is the budget; an extra final "
                  "call such as f((a + b)/2), or evaluating f(a) and f(b), costs more than it needs"
                  if extra <= 3 else
                  "stop as soon as b - a <= tol, and reuse one interior point so that each iteration "
                  "costs one evaluation")
        raise CheckFailed(f"{what} called f {objective.evaluations} times; golden-section search needs at most "
                          f"ceil(log(tol/(b - a))/log(1/phi)) + 2 = {bound} for b - a = {fmt(b - a)}, "
                          f"tol = {tol:g}. Likely: {likely}.")


# ----------------------------------------------------------------------------- quasi-Newton
def random_spd(rng: np.random.Generator, n: int, low: float = 0.5, high: float = 4.0) -> np.ndarray:
    """Q diag(lambda) Q^T with eigenvalues uniform in [low, high] (condition <= high/low)."""
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    return (Q * rng.uniform(low, high, n)) @ Q.T


def curvature_pairs(rng: np.random.Generator, n: int, count: int) -> tuple[list, list]:
    """`count` pairs (p, q = A p) of one random SPD Hessian A, so q^T p > 0 as on a convex function."""
    A = random_spd(rng, n, 1.0, 10.0)
    ps = [rng.standard_normal(n) for _ in range(count)]
    return ps, [A @ p for p in ps]


def assert_matrix(value, n: int, *, what: str) -> np.ndarray:
    """Fail unless `value` is an (n, n) float64 array; returns it."""
    if value is None:
        raise CheckFailed(f"{what} returned None: return the updated matrix (is a `return` missing?).")
    if not isinstance(value, np.ndarray) or value.shape != (n, n) or value.dtype != np.float64:
        got = (f"an array of shape {value.shape} and dtype {value.dtype}" if isinstance(value, np.ndarray)
               else type(value).__name__)
        raise CheckFailed(f"{what} must return an ({n}, {n}) float64 array, got {got}.")
    return value


def assert_finite_matrix(B_new: np.ndarray, *, what: str) -> None:
    """Fail when `B_new` holds NaN or inf: the property checks (norms, eigenvalues) cannot be
    computed on it, and no update of finite inputs should produce it (a division by zero)."""
    bad = np.argwhere(~np.isfinite(B_new))
    if len(bad):
        index = tuple(int(i) for i in bad[0])
        raise CheckFailed(f"{what} returned {len(bad)} non-finite value(s) (B_new{list(index)} = "
                          f"{fmt(B_new[index])}) for finite B, p, q: a division by zero or an overflow "
                          "(check each denominator: q^T p, w^T q, q^T B q).")


def assert_secant(B_new: np.ndarray, p: np.ndarray, q: np.ndarray, *, what: str, rtol: float = 1e-8) -> None:
    """Fail unless B_new q = p within rtol * (|B_new| |q| + |p|) (rounding of the product).

    1e-8 is far above rounding (~1e-15 relative for the condition numbers used) and far
    below any wrong term (O(1) relative).
    """
    assert_finite_matrix(B_new, what=what)
    residual = np.linalg.norm(B_new @ q - p)
    scale = np.linalg.norm(B_new, 2) * np.linalg.norm(q) + np.linalg.norm(p)
    if not residual <= rtol * scale:
        raise CheckFailed(f"{what}: the secant equation B_new q = p fails: |B_new q - p| = {fmt(residual, 3)} "
                          f"(|p| = {fmt(np.linalg.norm(p), 4)}), B_new q = {fmt(B_new @ q)}, p = {fmt(p)}. "
                          "B approximates the inverse Hessian here: p = x_new - x, q = g_new - g, and the "
                          "update must map q to p.")


def assert_symmetric(B_new: np.ndarray, *, what: str, rtol: float = 1e-10) -> None:
    """Fail unless max|B_new - B_new^T| <= rtol * max|B_new| (rounding gives ~1e-16)."""
    assert_finite_matrix(B_new, what=what)
    asym = np.max(np.abs(B_new - B_new.T))
    if not asym <= rtol * np.max(np.abs(B_new)):
        i, j = np.unravel_index(int(np.argmax(np.abs(B_new - B_new.T))), B_new.shape)
        raise CheckFailed(f"{what} is not symmetric: B[{i}, {j}] = {fmt(B_new[i, j])} but B[{j}, {i}] = "
                          f"{fmt(B_new[j, i])}. Check the transposes: (I - rho p q^T) B (I - rho q p^T), "
                          "and B q q^T B (B q times its transpose).")


def assert_positive_definite(B_new: np.ndarray, *, what: str) -> None:
    """Fail unless the smallest eigenvalue of the symmetric part is positive."""
    assert_finite_matrix(B_new, what=what)
    smallest = float(np.linalg.eigvalsh((B_new + B_new.T) / 2)[0])
    if not smallest > 0:
        raise CheckFailed(f"{what} is not positive definite (smallest eigenvalue {fmt(smallest, 4)}): with "
                          "q^T p > 0 the BFGS update of an SPD matrix stays SPD.")


def dense_lbfgs_inverse(ps: Sequence[np.ndarray], qs: Sequence[np.ndarray],
                        update: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """H of L-BFGS built densely: H0 = gamma I (gamma = p^T q / q^T q, newest pair), then
    `update(H, p, q)` for each pair, oldest first; -H g is then the L-BFGS direction."""
    n = len(ps[0])
    H = (ps[-1] @ qs[-1]) / (qs[-1] @ qs[-1]) * np.eye(n)
    for p, q in zip(ps, qs):
        H = update(H, p, q)
    return H


@dataclass
class QuadraticProblem:
    """f(x) = 1/2 (x - x*)^T A (x - x*), grad = A (x - x*), minimum 0 at x*; counts calls."""

    A: np.ndarray
    x_star: np.ndarray
    name: str = "quadratic"
    f_calls: int = field(default=0, init=False)
    grad_calls: int = field(default=0, init=False)

    def f(self, x) -> float:
        self.f_calls += 1
        e = np.asarray(x, dtype=float) - self.x_star
        return float(0.5 * e @ self.A @ e)

    def grad(self, x) -> np.ndarray:
        self.grad_calls += 1
        return self.A @ (np.asarray(x, dtype=float) - self.x_star)


def exact_line_search(phi: Callable[[float], float]) -> float:
    """Exact minimizer of a quadratic phi from phi(-1), phi(0), phi(1):
    alpha = -(phi(1) - phi(-1)) / (2 (phi(1) - 2 phi(0) + phi(-1))); 0 when phi is not convex."""
    minus, zero, plus = float(phi(-1.0)), float(phi(0.0)), float(phi(1.0))
    curvature = plus - 2.0 * zero + minus
    return -(plus - minus) / (2.0 * curvature) if curvature > 0 else 0.0


def damped_line_search(phi: Callable[[float], float]) -> float:
    """Half the exact step of a quadratic phi: ``0.5 * exact_line_search(phi)``.

    An inexact line search makes BFGS's iterates depend on the scale of the pair (p, q):
    with exact line searches every Broyden-class update, and any update fed p = d instead
    of p = alpha d, gives the same iterates on a quadratic (Dixon's theorem), so only an
    inexact step shows those mistakes. Half the exact step keeps every step a smooth
    function of x (no comparisons), so rounding stays at rounding size along the path."""
    return 0.5 * exact_line_search(phi)


def rosenbrock(x) -> float:
    """(1 - x0)^2 + 100 (x1 - x0^2)^2, minimum 0 at (1, 1)."""
    x = np.asarray(x, dtype=float)
    return float((1.0 - x[0]) ** 2 + 100.0 * (x[1] - x[0] ** 2) ** 2)


def rosenbrock_grad(x) -> np.ndarray:
    """(-2 (1 - x0) - 400 x0 (x1 - x0^2), 200 (x1 - x0^2))."""
    x = np.asarray(x, dtype=float)
    return np.array([-2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] ** 2), 200.0 * (x[1] - x[0] ** 2)])


def assert_new_array(result, *, what: str, names: Sequence[str]) -> None:
    """Fail when a call (a `CallResult`) returned one of its input arrays itself instead of a new array."""
    if result.returned_input is not None:
        name = names[result.returned_input] if result.returned_input < len(names) else "an input"
        raise CheckFailed(f"{what} returned the caller's `{name}` object itself: every function returns a NEW array, "
                          f"also when nothing changes (return `{name}.copy()`); the caller may change the result "
                          f"in place and would change its own `{name}` with it.")


def assert_path_not_aliased(path, *, what: str) -> None:
    """Fail when every iterate in a path of several is the same point (one array appended repeatedly)."""
    if isinstance(path, list) and len(path) > 2 and all(
            isinstance(x, np.ndarray) and np.array_equal(x, path[0]) for x in path[1:]):
        raise CheckFailed(f"{what}: all {len(path)} entries of result['path'] are the same point {fmt(path[0])}: "
                          "the same array was appended and then updated in place. Append a copy "
                          "(path.append(x.copy())) or build each iterate as a new array (x = x + alpha * d).")


def assert_bfgs_result(result, x0: np.ndarray, f: Callable, *, what: str) -> dict:
    """Fail unless `result` is the SPEC dict: `x` float64 array like x0, `fun` float = f(x),
    `nit` int, `path` list of len nit + 1 with path[0] = x0 and path[-1] = x. Returns it."""
    if result is None:
        raise CheckFailed(f"{what} returned None: return the result dict (is a `return` missing?).")
    if not isinstance(result, dict):
        raise CheckFailed(f"{what} must return a dict with keys x, fun, nit, path; got {type(result).__name__}.")
    missing = [k for k in ("x", "fun", "nit", "path") if k not in result]
    if missing:
        raise CheckFailed(f"{what} returned a dict without {missing}: the keys are x, fun, nit, path.")
    x, fun, nit, path = result["x"], result["fun"], result["nit"], result["path"]
    if not isinstance(x, np.ndarray) or x.shape != x0.shape or x.dtype != np.float64:
        raise CheckFailed(f"{what}: result['x'] must be a float64 array of shape {x0.shape}, got {fmt(x)}.")
    if not isinstance(fun, float):
        raise CheckFailed(f"{what}: result['fun'] must be a float (use float(f(x))), got "
                          f"{type(fun).__name__} {fmt(fun)}.")
    if isinstance(nit, bool) or not isinstance(nit, (int, np.integer)):
        raise CheckFailed(f"{what}: result['nit'] must be an int, got {type(nit).__name__} {fmt(nit)}.")
    if not isinstance(path, list) or not all(isinstance(pt, np.ndarray) and pt.shape == x0.shape for pt in path):
        raise CheckFailed(f"{what}: result['path'] must be a list of arrays of shape {x0.shape} (the iterates), "
                          f"got {fmt(path)[:200]}.")
    assert_path_not_aliased(path, what=what)
    if len(path) != nit + 1:
        raise CheckFailed(f"{what}: result['path'] has {len(path)} iterates for nit = {nit}; it holds x0 and "
                          "one iterate per iteration (nit + 1 in all).")
    if not np.array_equal(path[0], x0):
        raise CheckFailed(f"{what}: result['path'][0] is {fmt(path[0])}, not x0 = {fmt(x0)}: the path starts "
                          "with x0 (store a copy of it: an iterate updated in place changes earlier entries).")
    if not np.array_equal(path[-1], x):
        raise CheckFailed(f"{what}: the last iterate of result['path'] ({fmt(path[-1])}) is not result['x'] "
                          f"({fmt(x)}).")
    expected_fun = float(f(x))
    if not abs(fun - expected_fun) <= 1e-12 * (1.0 + abs(expected_fun)):
        raise CheckFailed(f"{what}: result['fun'] = {fmt(fun)} but f(result['x']) = {fmt(expected_fun)}.")
    return result


def midpoint_shrinks(x, a: float, b: float, max_shrinks: int) -> int | None:
    """k when ``x`` is the midpoint ``a + (b - a) r^k / 2`` of the bracket golden-section search
    leaves after k shrinks on an INCREASING f (r = 1/phi), within a relative 1e-6 of that offset;
    None for any other result (not a real number, or not such a midpoint for k <= max_shrinks).
    Consecutive k differ by the factor r, far beyond the tolerance, so at most one k matches."""
    try:
        offset = (float(x) - a) / (b - a)
    except (TypeError, ValueError, OverflowError):
        return None
    for k in range(max_shrinks + 1):
        half = INV_PHI ** k / 2.0
        if abs(offset - half) <= 1e-6 * half:
            return k
    return None
