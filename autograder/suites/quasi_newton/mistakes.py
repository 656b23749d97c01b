"""Every known mistake of the `quasi_newton` suite, as `KnownMistake` objects (trusted side).

Each function binds the mistakes of one unit to one input: the output of a mistake is what the
mistaken formula returns there (evaluated only when a check needs a diagnosis). Notation as in
cases.py: B the inverse-Hessian approximation, p = x_{k+1} - x_k, q = g_{k+1} - g_k.
"""
from __future__ import annotations

import numpy as np

from autograder.checks.mistakes import KnownMistake
from autograder.suites.quasi_newton.cases import reference


# ----------------------------------------------------------------------------- updates
def _hessian_bfgs(B, p, q):
    """BFGS in the Hessian form (B approximating the Hessian, not its inverse)."""
    Bp = B @ p
    return B + np.outer(q, q) / (q @ p) - np.outer(Bp, Bp) / (p @ Bp)


def _bfgs_wrong_transpose(B, p, q):
    V = np.eye(len(p)) - np.outer(p, q) / (q @ p)
    return V @ B @ V + np.outer(p, p) / (q @ p)


def _bfgs_no_rank_one(B, p, q):
    V = np.eye(len(p)) - np.outer(p, q) / (q @ p)
    return V @ B @ V.T


def _dfp_plus(B, p, q):
    Bq = B @ q
    return B + np.outer(p, p) / (p @ q) + np.outer(Bq, Bq) / (q @ Bq)


def _sr1_hessian(B, p, q):
    w = q - B @ p
    return B + np.outer(w, w) / (w @ p)


def _sr1_denominator_p(B, p, q):
    w = p - B @ q
    return B + np.outer(w, w) / (w @ p)


# unit -> (label, the wrong update f(B, p, q), message), in the order they are tried.
UPDATE_MISTAKES = {
    "bfgs_update": (
        ("DFP instead of BFGS", reference.dfp_update, "the DFP formula instead of BFGS"),
        ("p and q swapped", lambda B, p, q: reference.bfgs_update(B, q, p),
         "p and q swapped (p = x_new - x, q = g_new - g)"),
        ("Hessian form", _hessian_bfgs, "the Hessian form of BFGS; here B approximates the INVERSE Hessian"),
        ("right factor not transposed", _bfgs_wrong_transpose,
         "(I - rho p q^T) B (I - rho p q^T): the right factor is the transpose, (I - rho q p^T)"),
        ("rank-one term missing", _bfgs_no_rank_one, "the rank-one term + p p^T/(q^T p) is missing"),
    ),
    "dfp_update": (
        ("BFGS instead of DFP", reference.bfgs_update, "the BFGS formula instead of DFP"),
        ("p and q swapped", lambda B, p, q: reference.dfp_update(B, q, p),
         "p and q swapped (p = x_new - x, q = g_new - g)"),
        ("B q q^T B term added", _dfp_plus, "+ B q q^T B/(q^T B q): that term is subtracted"),
    ),
    "sr1_update": (
        ("Hessian form", _sr1_hessian,
         "w = q - B p with w^T p, the Hessian form (p and q swapped); here B approximates the INVERSE "
         "Hessian: w = p - B q"),
        ("denominator w^T p", _sr1_denominator_p, "denominator w^T p instead of w^T q"),
    ),
}


def update_mistakes(name: str, case: tuple) -> list[KnownMistake]:
    """The known mistakes of update `name` bound to one (B, p, q)."""
    return [KnownMistake(label, lambda f=f: f(*case), message) for label, f, message in UPDATE_MISTAKES[name]]


# ----------------------------------------------------------------------------- SR1 skip rule
def _sr1_absolute(B, p, q):
    w = p - B @ q
    if abs(w @ q) < 1e-8:
        return B.copy()
    return B + np.outer(w, w) / (w @ q)


def _sr1_no_skip(B, p, q):
    w = p - B @ q
    return B + np.outer(w, w) / (w @ q)


def _sr1_strict(B, p, q):
    w = p - B @ q
    if abs(w @ q) < 1e-8 * np.linalg.norm(q) * np.linalg.norm(w):
        return B.copy()
    return B + np.outer(w, w) / (w @ q)


def _sr1_threshold_with_p(B, p, q):
    w = p - B @ q
    if abs(w @ q) <= 1e-8 * np.linalg.norm(p) * np.linalg.norm(w):
        return B.copy()
    return B + np.outer(w, w) / (w @ q)


SR1_SKIP_MISTAKES = (
    ("absolute threshold", _sr1_absolute,
     "an absolute threshold |w^T q| < 1e-8; the handout's (sr1_update's docstring) is relative, 1e-8 |q| |w|"),
    # Before "no skip rule": both divide 0 by 0 at w = 0, the only case where they differ from the rule.
    ("strict <", _sr1_strict,
     "a strict < in the skip test: with w = 0 (B q = p already) |w^T q| = 0 = 1e-8 |q| |w|, and the rule is "
     "|w^T q| <= 1e-8 |q| |w| (skip)"),
    ("no skip rule", _sr1_no_skip, "no skip rule"),
    ("threshold with |p|", _sr1_threshold_with_p, "the threshold uses |p|; the rule is |w^T q| <= 1e-8 |q| |w|"),
)


def sr1_skip_mistakes(case: tuple) -> list[KnownMistake]:
    """The known mistakes of sr1_update's skip rule bound to one (B, p, q)."""
    return [KnownMistake(label, lambda f=f: f(*case), message) for label, f, message in SR1_SKIP_MISTAKES]


# ----------------------------------------------------------------------------- L-BFGS
def _gamma_scaled(g, ps, qs, gamma):
    """-H g of the BFGS updates of H0 = gamma I (dense), for the mistakes below."""
    H = gamma * np.eye(len(g))
    for p, q in zip(ps, qs):
        H = reference.bfgs_update(H, p, q)
    return -H @ g


def _loops_swapped(g, ps, qs):
    """Two-loop recursion with the loops' directions exchanged (oldest first in the first loop)."""
    r = np.array(g, dtype=float)
    rhos = [1.0 / (q @ p) for p, q in zip(ps, qs)]
    alphas = [0.0] * len(ps)
    for i in range(len(ps)):
        alphas[i] = rhos[i] * (ps[i] @ r)
        r = r - alphas[i] * qs[i]
    r = (ps[-1] @ qs[-1]) / (qs[-1] @ qs[-1]) * r
    for i in reversed(range(len(ps))):
        r = r + (alphas[i] - rhos[i] * (qs[i] @ r)) * ps[i]
    return -r


def lbfgs_mistakes(g, ps, qs) -> list[KnownMistake]:
    """The known mistakes of lbfgs_direction bound to one (g, ps, qs) with at least one pair."""
    newest = (ps[-1] @ qs[-1]) / (qs[-1] @ qs[-1])
    return [
        KnownMistake("pairs read newest first", lambda: reference.lbfgs_direction(g, ps[::-1], qs[::-1]),
                     "ps, qs read newest first; they are oldest first (ps[-1] is the newest pair)"),
        KnownMistake("loops swapped", lambda: _loops_swapped(g, ps, qs),
                     "the loops run in the wrong order: the first loop goes newest to oldest, the second oldest to "
                     "newest"),
        KnownMistake("gamma from the oldest pair", lambda: _gamma_scaled(g, ps, qs, (ps[0] @ qs[0]) / (qs[0] @ qs[0])),
                     "gamma from the oldest pair; H0 = gamma I uses the newest pair (ps[-1], qs[-1])"),
        KnownMistake("H0 = I", lambda: _gamma_scaled(g, ps, qs, 1.0),
                     "H0 = I: scale by gamma = p^T q / q^T q of the newest pair"),
        KnownMistake("gamma inverted", lambda: _gamma_scaled(g, ps, qs, 1.0 / newest),
                     "gamma inverted (q^T q / p^T q)"),
        KnownMistake("+H g", lambda: -reference.lbfgs_direction(g, ps, qs), "returned +H g: the direction is -H g"),
    ]


def empty_history_mistakes(g) -> list[KnownMistake]:
    """The known mistakes of lbfgs_direction with no pairs (where the direction is -g)."""
    return [KnownMistake("returned g", g, "returned g: the direction is -H0 g = -g")]
