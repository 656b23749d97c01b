"""Quasi-Newton updates of the inverse-Hessian approximation B, the L-BFGS
direction, and a BFGS driver.

Notation of the slides: p = x_{k+1} - x_k, q = grad_{k+1} - grad_k; B is the
approximation of the INVERSE Hessian, a symmetric n x n float64 array, and p, q,
g are float64 vectors of length n, for any n >= 1 (n = 1 included).

Every function returns a NEW float64 array, also when an update is skipped
(return `B.copy()`, never the caller's `B` object itself), and leaves its
inputs unchanged: no array modified in place, no list of pairs changed
(no pop, append or reverse on `ps` or `qs`).
"""
import numpy as np


def sr1_update(B, p, q):
    """Symmetric rank one: B + w w^T / (w^T q) with w = p - B q.
    Skipped (a copy of B is returned) when |w^T q| <= 1e-8 |q| |w| (norms of q
    and w, `<=`), which also covers w = 0 exactly (B already satisfies the
    secant equation B q = p: both sides are 0)."""
    ### BEGIN SOLUTION
    B = np.asarray(B, dtype=np.float64)
    w = p - B @ q
    denom = w @ q
    if abs(denom) <= 1e-8 * np.linalg.norm(q) * np.linalg.norm(w):
        return B.copy()
    return B + np.outer(w, w) / denom
    ### END SOLUTION


def dfp_update(B, p, q):
    """Davidon-Fletcher-Powell: B + p p^T / (p^T q) - B q q^T B / (q^T B q)."""
    ### BEGIN SOLUTION
    B = np.asarray(B, dtype=np.float64)
    Bq = B @ q
    qB = q @ B
    return B + np.outer(p, p) / (p @ q) - np.outer(Bq, qB) / (q @ Bq)
    ### END SOLUTION


def bfgs_update(B, p, q):
    """BFGS: (I - rho p q^T) B (I - rho q p^T) + rho p p^T with rho = 1/(q^T p).
    Skipped (a copy of B is returned) when q^T p <= 0 (curvature condition fails)."""
    ### BEGIN SOLUTION
    B = np.asarray(B, dtype=np.float64)
    qp = q @ p
    if qp <= 0:
        return B.copy()
    rho = 1.0 / qp
    V = np.eye(len(p)) - rho * np.outer(p, q)
    return V @ B @ V.T + rho * np.outer(p, p)
    ### END SOLUTION


def lbfgs_direction(g, ps, qs):
    """L-BFGS two-loop recursion: the direction -H g, with H the inverse-Hessian
    approximation built from the pairs (ps[i], qs[i]) (oldest first; any
    number of pairs, 0 included, fewer or more than n) on top of H0 = gamma I,
    gamma = p^T q / q^T q of the newest pair (H0 = I when there are no pairs,
    so the direction is -g). Returns a new float64 vector; g, ps and qs are
    left unchanged."""
    ### BEGIN SOLUTION
    r = np.array(g, dtype=np.float64)
    rhos = [1.0 / (q @ p) for p, q in zip(ps, qs)]
    alphas = [0.0] * len(ps)
    for i in reversed(range(len(ps))):
        alphas[i] = rhos[i] * (ps[i] @ r)
        r = r - alphas[i] * qs[i]
    if ps:
        r = (ps[-1] @ qs[-1]) / (qs[-1] @ qs[-1]) * r
    for i in range(len(ps)):
        beta = rhos[i] * (qs[i] @ r)
        r = r + (alphas[i] - beta) * ps[i]
    return -r
    ### END SOLUTION


def bfgs_minimize(f, grad, x0, line_search, tol=1e-6, max_iter=100):
    """BFGS with B0 = I: d = -B g; alpha = line_search(phi) with
    phi(alpha) = f(x + alpha d); x_new = x + alpha d; B = bfgs_update(B, p, q).
    Stops when norm(grad(x)) < tol, tested before each step (x0 already
    within tol: no step, nit = 0), or after `max_iter` iterations.
    x0 is left unchanged.

    Returns {"x": float64 array, "fun": float(f(x)), "nit": int, the number of
    iterations, "path": [x0, x1, ..., x]}: the iterates, each a separate array
    (x0 first, nit + 1 in all, the last equal to "x").
    The line search is the caller's. On Rosenbrock from (-1.2, 1),
    `lambda phi: golden_section_search(phi, 0.0, 1.0)` reaches (1, 1) to 1e-6
    (17 iterations, no skipped update): the bracket ends at alpha = 1, the full
    quasi-Newton step that BFGS takes near the minimum, and it keeps the first
    steps (B = I, d = -g with norm ~ 230) from jumping out of the valley.
    """
    ### BEGIN SOLUTION
    x = np.array(x0, dtype=np.float64)
    g = np.asarray(grad(x), dtype=np.float64)
    B = np.eye(len(x))
    path = [x.copy()]
    nit = 0
    while nit < max_iter and np.linalg.norm(g) >= tol:
        d = -B @ g
        alpha = line_search(lambda step: f(x + step * d))
        x_new = x + alpha * d
        g_new = np.asarray(grad(x_new), dtype=np.float64)
        B = bfgs_update(B, x_new - x, g_new - g)
        x, g = x_new, g_new
        path.append(x.copy())
        nit += 1
    return {"x": x, "fun": float(f(x)), "nit": nit, "path": path}
    ### END SOLUTION
