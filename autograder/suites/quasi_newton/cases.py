"""Inputs and reference values of the `quasi_newton` suite (SPEC §1.6).

Trusted-side data computed once per process from fixed seeds; reference values come
from `solutions/quasi_newton.py`. Notation: B the inverse-Hessian approximation,
p = x_{k+1} - x_k, q = g_{k+1} - g_k; pairs come from SPD Hessians (q = A p), so
q^T p > 0 unless a case says otherwise.

Tolerances (`agreement_tol`): rtol 1e-8 plus atol 1e-10 times the largest reference
entry. Correct code written with other algebra (expanded BFGS, B - rho(p q^T B + B q p^T)
+ ..., einsum, solve-free two loops) differs from the reference by ~1e-14 of the largest
entry for the condition numbers used here (<= 1e4); every wrong formula differs by O(1).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograder import reference as references
from autograder.checks.minimizers import (
    QuadraticProblem, curvature_pairs, damped_line_search, dense_lbfgs_inverse, exact_line_search, random_spd, rosenbrock, rosenbrock_grad)

reference = references.load("quasi_newton")
line_search_reference = references.load("line_search")


def agreement_tol(expected) -> dict:
    """Keyword tolerances of `assert_agrees` for one reference value (see module doc)."""
    return {"rtol": 1e-8, "atol": 1e-10 * float(np.max(np.abs(expected)))}


# ----------------------------------------------------------------------------- updates
def _update_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(20240601)
    cases = []
    for n, scale in ((4, 1.0), (3, 1.0), (5, 1e-3)):
        B = random_spd(rng, n) if n != 3 else np.eye(n)
        ps, qs = curvature_pairs(rng, n, 1)
        cases.append((B, scale * ps[0], scale * qs[0]))
    # Every size the handout allows: one variable (1 x 1 B), two, and a larger n.
    sizes = np.random.default_rng(20240602)
    for n in (1, 2, 8):
        ps, qs = curvature_pairs(sizes, n, 1)
        cases.append((random_spd(sizes, n), ps[0], qs[0]))
    return cases


UPDATE_CASES = _update_cases()
UPDATES = ("bfgs_update", "dfp_update", "sr1_update")
EXPECTED_UPDATES = {name: [getattr(reference, name)(B, p, q) for B, p, q in UPDATE_CASES] for name in UPDATES}


# ----------------------------------------------------------------------------- guards
def _guard_cases():
    rng = np.random.default_rng(11)
    B = random_spd(rng, 4)
    ps, qs = curvature_pairs(rng, 4, 1)
    negative = (B, ps[0], -qs[0])                                   # q^T p < 0
    orthogonal = (B, np.array([1.0, 0.0, 0.0, 0.0]), np.array([0.0, 2.0, 0.0, 0.0]))  # q^T p = 0 exactly
    return negative, orthogonal


BFGS_GUARD_CASES = _guard_cases()


def _sr1_case(rng, B, q_norm: float, w_norm: float, cosine: float):
    """(B, p, q) with w = p - B q of norm `w_norm` at angle cos = `cosine` to q."""
    n = B.shape[0]
    q = rng.standard_normal(n)
    q *= q_norm / np.linalg.norm(q)
    u = rng.standard_normal(n)
    u -= (u @ q) / (q @ q) * q
    u /= np.linalg.norm(u)
    w = w_norm * (cosine * q / q_norm + np.sqrt(1.0 - cosine ** 2) * u)
    return B, B @ q + w, q


def _sr1_skip_cases():
    rng = np.random.default_rng(12)
    B = random_spd(rng, 4)
    return {
        # w orthogonal to q: w^T q is rounding noise -> skipped.
        "w orthogonal to q": _sr1_case(rng, B, 1.0, 1.0, 0.0),
        # |q| = |w| = 1e-5, cos = 1e-3: w^T q = 1e-13, relatively large -> updated (an absolute
        # threshold 1e-8 would skip it).
        "small p, q with w^T q = 1e-13": _sr1_case(rng, B, 1e-5, 1e-5, 1e-3),
        # |q| = |w| = 1e3, cos = 1e-10: w^T q = 1e-4, relatively tiny -> skipped (an absolute
        # threshold 1e-8 would update with a 1e10 entry).
        "large p, q with w^T q = 1e-4": _sr1_case(rng, B, 1e3, 1e3, 1e-10),
        # |w| = 100 >> |q| = 1, so |p| ~ 100: w^T q = 3e-5 lies above 1e-8 |q| |w| = 1e-6 -> updated
        # (a threshold 1e-8 |p| |w| ~ 1e-4 would skip).
        "|p| >> |q| with w^T q = 3e-5": _sr1_case(rng, np.eye(4), 1.0, 100.0, 3e-7),
        # Exact arithmetic (powers of two): w = p - B q = 0 exactly, so |w^T q| = 0 = 1e-8 |q| |w|: the
        # rule's `<=` skips (a strict `<` divides 0 by 0).
        "w = 0 exactly (B q = p already)": (np.diag([2.0, 0.5, 4.0]), np.array([2.0, 1.0, -2.0]),
                                            np.array([1.0, 2.0, -0.5])),
        # w = (0, 1, 0) != 0 orthogonal to q = (1, 0, 0) exactly: w^T q = 0 -> skipped.
        "w^T q = 0 exactly, w != 0": (np.eye(3), np.array([1.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0])),
    }


SR1_SKIP_CASES = _sr1_skip_cases()
EXPECTED_SR1_SKIP = {label: reference.sr1_update(*case) for label, case in SR1_SKIP_CASES.items()}


def _pd_chain():
    """Teacher-forced BFGS chain on an ill-conditioned quadratic (eigenvalues 1e-2 .. 1e2)."""
    rng = np.random.default_rng(13)
    n = 6
    A = random_spd(rng, n, 1e-2, 1e2)
    inputs, B = [], np.eye(n)
    for _ in range(8):
        p = rng.standard_normal(n)
        inputs.append((B, p, A @ p))
        B = reference.bfgs_update(B, p, A @ p)
    return inputs


PD_CHAIN = _pd_chain()


# ----------------------------------------------------------------------------- L-BFGS
def _lbfgs_cases():
    rng = np.random.default_rng(14)
    cases = []
    for n, m in ((6, 4), (6, 1), (3, 5), (4, 4), (1, 1), (2, 3)):
        ps, qs = curvature_pairs(rng, n, m)
        cases.append((rng.standard_normal(n), ps, qs))
    return cases


LBFGS_CASES = _lbfgs_cases()
EXPECTED_LBFGS = [reference.lbfgs_direction(*case) for case in LBFGS_CASES]


def _order_case():
    """Pairs from three different Hessians, so that their order matters a lot."""
    rng = np.random.default_rng(15)
    n = 5
    ps = [rng.standard_normal(n) for _ in range(3)]
    qs = [random_spd(rng, n, 0.1 * 10 ** k, 10 ** k) @ p for k, p in enumerate(ps)]
    return rng.standard_normal(n), ps, qs


ORDER_CASE = _order_case()
EXPECTED_ORDER = reference.lbfgs_direction(*ORDER_CASE)

_rng = np.random.default_rng(16)
EMPTY_G = _rng.standard_normal(4)
DENSE_G = _rng.standard_normal(4)
DENSE_PS, DENSE_QS = curvature_pairs(_rng, 4, 3)
# -H g with H built densely: H0 = gamma I, then the reference's bfgs_update per pair.
DENSE_DIRECTION = -dense_lbfgs_inverse(DENSE_PS, DENSE_QS, reference.bfgs_update) @ DENSE_G


# ----------------------------------------------------------------------------- BFGS driver
@dataclass(frozen=True)
class QuadraticSetup:
    A: np.ndarray
    x_star: np.ndarray
    x0: np.ndarray

    def problem(self) -> QuadraticProblem:
        return QuadraticProblem(self.A, self.x_star, name="quadratic")


def _quadratic_setup() -> QuadraticSetup:
    rng = np.random.default_rng(17)
    n = 5
    A = random_spd(rng, n, 1.0, 10.0)
    x_star = rng.standard_normal(n)
    return QuadraticSetup(A, x_star, x_star + 2.0 * rng.standard_normal(n))


QUADRATIC = _quadratic_setup()
QUADRATIC_REFERENCE = reference.bfgs_minimize(QUADRATIC.problem().f, QUADRATIC.problem().grad,
                                              QUADRATIC.x0, exact_line_search)
# With half the exact step (an inexact line search) the iterates depend on the scale of p and q.
QUADRATIC_DAMPED_REFERENCE = reference.bfgs_minimize(QUADRATIC.problem().f, QUADRATIC.problem().grad,
                                                     QUADRATIC.x0, damped_line_search)
# Gradient norms along the reference path: 10.7, 1.0, 0.337, 0.0757, 0.0016, 3e-16.
# tol = 0.15 stops at the third iterate, a factor >= 2 away from the norms on either side
# (rounding moves them by ~1e-14 relative).
QUADRATIC_LOOSE_TOL = 0.15
QUADRATIC_REFERENCE_NORMS = [float(np.linalg.norm(QUADRATIC.problem().grad(x))) for x in QUADRATIC_REFERENCE["path"]]
QUADRATIC_LOOSE_TOL_NIT = next(k for k, v in enumerate(QUADRATIC_REFERENCE_NORMS) if v < QUADRATIC_LOOSE_TOL)


# With tol 1e-4 the reference takes 14 iterations and ends 1.1e-9 from (1, 1) (at most 1.7e-9 for x0
# perturbed by 1e-9), as with the default tol 1e-8, but with about half the evaluations of phi (each one
# a call from the student's code back to the grader's f).
GOLDEN_TOL = 1e-4


def golden_line_search(phi) -> float:
    """The reference's line search for Rosenbrock: golden-section search of phi on [0, 2], tol GOLDEN_TOL."""
    return line_search_reference.golden_section_search(phi, 0.0, 2.0, tol=GOLDEN_TOL)


ROSENBROCK_X0 = np.array([-1.2, 1.0])
ROSENBROCK_REFERENCE = reference.bfgs_minimize(rosenbrock, rosenbrock_grad, ROSENBROCK_X0, golden_line_search)

ISOLATE = {"bfgs_update": reference.bfgs_update}
