"""Quasi-Newton updates of the inverse-Hessian approximation B, the L-BFGS
direction, and a BFGS driver.

Notation of the slides: p = x_{k+1} - x_k, q = grad_{k+1} - grad_k. Every
function returns a new array and leaves its inputs unchanged.
"""
import numpy as np


def sr1_update(B, p, q):
    """Symmetric rank one: B + w w^T / (w^T q) with w = p - B q.
    Skipped (a copy of B is returned) when |w^T q| <= 1e-8 |q| |w|, which also
    covers w = 0 (B already satisfies the secant equation B q = p)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def dfp_update(B, p, q):
    """Davidon-Fletcher-Powell: B + p p^T / (p^T q) - B q q^T B / (q^T B q)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def bfgs_update(B, p, q):
    """BFGS: (I - rho p q^T) B (I - rho q p^T) + rho p p^T with rho = 1/(q^T p).
    Skipped (a copy of B is returned) when q^T p <= 0 (curvature condition fails)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def lbfgs_direction(g, ps, qs):
    """L-BFGS two-loop recursion: the direction -H g, with H the inverse-Hessian
    approximation built from the pairs (ps[i], qs[i]) (oldest first) on top of
    H0 = gamma I, gamma = p^T q / q^T q of the newest pair (H0 = I when there
    are no pairs)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def bfgs_minimize(f, grad, x0, line_search, tol=1e-6, max_iter=100):
    """BFGS with B0 = I: d = -B g; alpha = line_search(phi) with
    phi(alpha) = f(x + alpha d); x_new = x + alpha d; B = bfgs_update(B, p, q).
    Stops when norm(grad(x)) < tol or after `max_iter` iterations.

    Returns {"x": array, "fun": float, "nit": int, "path": [x0, x1, ...]}.
    The line search is the caller's. On Rosenbrock from (-1.2, 1),
    `lambda phi: golden_section_search(phi, 0.0, 1.0)` reaches (1, 1) to 1e-6
    (17 iterations, no skipped update): the bracket ends at alpha = 1, the full
    quasi-Newton step that BFGS takes near the minimum, and it keeps the first
    steps (B = I, d = -g with norm ~ 230) from jumping out of the valley.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
