"""Quasi-Newton methods (Ben's submission: product forms, dense L-BFGS)."""
import numpy as np


def sr1_update(B, p, q):
    B = np.array(B, dtype=float)
    w = p - B @ q
    denom = float(w @ q)
    if abs(denom) <= 1e-8 * np.linalg.norm(q) * np.linalg.norm(w):
        return B
    return B + np.einsum("i,j->ij", w, w) / denom


def dfp_update(B, p, q):
    Bq = B @ q
    return B + np.einsum("i,j->ij", p, p) / (p @ q) - np.einsum("i,j->ij", Bq, Bq) / (q @ B @ q)


def bfgs_update(B, p, q):
    rho_inv = q @ p
    if rho_inv <= 0:
        return np.array(B, dtype=float)
    n = len(p)
    left = np.eye(n) - np.outer(p, q) / rho_inv
    right = np.eye(n) - np.outer(q, p) / rho_inv
    return left @ B @ right + np.outer(p, p) / rho_inv


def lbfgs_direction(g, ps, qs):
    """-H g with H built by BFGS updates of gamma I (same matrix the two-loop recursion applies)."""
    n = len(g)
    if len(ps) == 0:
        return -np.array(g, dtype=float)
    gamma = (ps[-1] @ qs[-1]) / (qs[-1] @ qs[-1])
    H = gamma * np.eye(n)
    for p, q in zip(ps, qs):
        H = bfgs_update(H, p, q)
    return -(H @ g)


def bfgs_minimize(f, grad, x0, line_search, tol=1e-6, max_iter=100):
    x = x0.astype(float)  # astype copies
    B = np.identity(len(x))
    g = np.asarray(grad(x), dtype=float)
    iterates = [x.copy()]
    nit = 0
    while np.linalg.norm(g) >= tol:
        if nit >= max_iter:
            break
        d = -(B @ g)

        def phi(alpha):
            return f(x + alpha * d)

        step = line_search(phi) * d
        x_new = x + step
        g_new = np.asarray(grad(x_new), dtype=float)
        B = bfgs_update(B, step, g_new - g)
        x, g = x_new, g_new
        iterates.append(x.copy())
        nit += 1
    return {"x": x, "fun": float(f(x)), "nit": int(nit), "path": iterates}
