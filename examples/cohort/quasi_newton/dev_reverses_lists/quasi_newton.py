"""Quasi-Newton methods (Dev's submission)."""
import numpy as np


def sr1_update(B, p, q):
    w = p - B @ q
    if abs(w @ q) <= 1e-8 * np.linalg.norm(q) * np.linalg.norm(w):
        return B.copy()
    return B + np.outer(w, w) / (w @ q)


def dfp_update(B, p, q):
    Bq = B @ q
    return B + np.outer(p, p) / (p @ q) - np.outer(Bq, Bq) / (q @ Bq)


def bfgs_update(B, p, q):
    if q @ p <= 0:
        return B.copy()
    rho = 1 / (q @ p)
    I = np.eye(len(p))
    return (I - rho * np.outer(p, q)) @ B @ (I - rho * np.outer(q, p)) + rho * np.outer(p, p)


def lbfgs_direction(g, ps, qs):
    if not ps:
        return -g.copy()
    ps.reverse()  # newest first for the first loop
    qs.reverse()
    r = g.copy()
    alphas = []
    for p, q in zip(ps, qs):
        a = (p @ r) / (q @ p)
        alphas.append(a)
        r = r - a * q
    r = r * (ps[0] @ qs[0]) / (qs[0] @ qs[0])
    for p, q, a in reversed(list(zip(ps, qs, alphas))):
        r = r + (a - (q @ r) / (q @ p)) * p
    return -r


def bfgs_minimize(f, grad, x0, line_search, tol=1e-6, max_iter=100):
    x = np.array(x0, dtype=float)
    B = np.eye(len(x))
    g = grad(x)
    path = [x.copy()]
    nit = 0
    while nit < max_iter and np.linalg.norm(g) >= tol:
        d = -B @ g
        alpha = line_search(lambda a: f(x + a * d))
        x_new = x + alpha * d
        g_new = grad(x_new)
        B = bfgs_update(B, x_new - x, g_new - g)
        x, g = x_new, g_new
        path.append(x.copy())
        nit += 1
    return {"x": x, "fun": float(f(x)), "nit": nit, "path": path}
