"""Golden-section search (Ada's submission: the textbook while loop)."""
import math

INVPHI = 2.0 / (1.0 + math.sqrt(5.0))  # 1/phi


def golden_section_search(f, a, b, tol=1e-8, max_iter=500):
    """Minimizer of a unimodal f on [a, b]; the loop evaluates the new point after each shrink."""
    c = b - INVPHI * (b - a)
    d = a + INVPHI * (b - a)
    fc = f(c)
    fd = f(d)
    it = 0
    while b - a > tol and it < max_iter:
        if fc < fd:
            # minimum in [a, d]: old c becomes the new d
            b = d
            d, fd = c, fc
            c = b - INVPHI * (b - a)
            fc = f(c)
        else:
            # minimum in [c, b]: old d becomes the new c
            a = c
            c, fc = d, fd
            d = a + INVPHI * (b - a)
            fd = f(d)
        it += 1
    return (a + b) / 2
