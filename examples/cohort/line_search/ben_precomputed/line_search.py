"""Golden-section search (Ben's submission: iteration count computed up front)."""
import math

import numpy as np


def golden_section_search(f, a, b, tol=1e-8, max_iter=500):
    r = (np.sqrt(5) - 1) / 2
    lo, hi = float(a), float(b)
    # (b - a) r^n <= tol  <=>  n >= log(tol / (b - a)) / log(r)
    n = max(0, math.ceil(math.log(tol / (hi - lo)) / math.log(r))) if hi - lo > tol else 0
    n = min(n, max_iter)
    left = (hi - r * (hi - lo), None)
    right = (lo + r * (hi - lo), None)
    left = (left[0], f(left[0]))
    right = (right[0], f(right[0]))
    for k in range(n):
        if left[1] < right[1]:
            hi = right[0]
            right = left
            if k < n - 1:
                x = hi - r * (hi - lo)
                left = (x, f(x))
        else:
            lo = left[0]
            left = right
            if k < n - 1:
                x = lo + r * (hi - lo)
                right = (x, f(x))
    return float(np.mean([lo, hi]))
