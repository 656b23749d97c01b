"""Golden-section search (Cleo's submission)."""
import math


def golden_section_search(f, a, b, tol=1e-8, max_iter=500):
    gr = (math.sqrt(5) - 1) / 2
    for i in range(max_iter):
        if abs(b - a) <= tol:
            break
        c = b - gr * (b - a)
        d = a + gr * (b - a)
        if f(c) < f(d):
            b = d
        else:
            a = c
    return (a + b) / 2
