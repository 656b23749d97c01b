"""Quasi-Newton methods (Ada's submission: expanded formulas, explicit loops)."""
import numpy as np


def sr1_update(B, p, q):
    w = p - B.dot(q)
    wq = w.dot(q)
    if abs(wq) < 1e-8 * np.linalg.norm(q) * np.linalg.norm(w) or not np.any(w):
        return B.copy()
    return B + np.outer(w, w) / wq


def dfp_update(B, p, q):
    Bq = B.dot(q)
    return B + np.outer(p, p) / p.dot(q) - np.outer(Bq, Bq) / q.dot(Bq)


def bfgs_update(B, p, q):
    # expanded form: B + (1 + q^T B q / q^T p) p p^T / q^T p - (p q^T B + B q p^T) / q^T p
    qp = q.dot(p)
    if qp <= 0:
        return B.copy()
    Bq = B.dot(q)
    qBq = q.dot(Bq)
    return (B + (1.0 + qBq / qp) * np.outer(p, p) / qp
            - (np.outer(p, Bq) + np.outer(Bq, p)) / qp)


def lbfgs_direction(g, ps, qs):
    q = g.copy()
    history = list(zip(ps, qs))
    alphas = []
    for p, y in reversed(history):
        a = p.dot(q) / y.dot(p)
        alphas.append(a)
        q = q - a * y
    if history:
        p_new, y_new = history[-1]
        q = q * (p_new.dot(y_new) / y_new.dot(y_new))
    for (p, y), a in zip(history, reversed(alphas)):
        b = y.dot(q) / y.dot(p)
        q = q + (a - b) * p
    return -q


def bfgs_minimize(f, grad, x0, line_search, tol=1e-6, max_iter=100):
    x = np.array(x0, dtype=float)
    B = np.eye(x.size)
    g = grad(x)
    path = [x]
    k = 0
    for k in range(max_iter + 1):
        if np.linalg.norm(g) < tol or k == max_iter:
            break
        d = -B.dot(g)
        alpha = line_search(lambda t: f(x + t * d))
        x_next = x + alpha * d
        g_next = grad(x_next)
        B = bfgs_update(B, x_next - x, g_next - g)
        x, g = x_next, g_next
        path.append(x)
    return {"x": x, "fun": float(f(x)), "nit": k, "path": path}
