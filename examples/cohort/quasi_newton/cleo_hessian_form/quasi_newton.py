"""Quasi-Newton methods (Cleo's submission: updates written for the Hessian B)."""
import numpy as np


def sr1_update(B, p, q):
    w = q - B @ p
    d = w @ p
    if abs(d) < 1e-8 * np.linalg.norm(p) * np.linalg.norm(w):
        return B.copy()
    return B + np.outer(w, w) / d


def dfp_update(B, p, q):
    Bq = B @ q
    return B + np.outer(p, p) / (p @ q) - np.outer(Bq, Bq) / (q @ Bq)


def bfgs_update(B, p, q):
    if q @ p <= 0:
        return B.copy()
    Bp = B @ p
    return B + np.outer(q, q) / (q @ p) - np.outer(Bp, Bp) / (p @ Bp)


def lbfgs_direction(g, ps, qs):
    r = g.copy()
    alphas = []
    for p, q in zip(reversed(ps), reversed(qs)):
        a = (p @ r) / (q @ p)
        r = r - a * q
        alphas.append(a)
    if ps:
        r = r * (ps[-1] @ qs[-1]) / (qs[-1] @ qs[-1])
    for (p, q), a in zip(zip(ps, qs), alphas[::-1]):
        b = (q @ r) / (q @ p)
        r = r + (a - b) * p
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
