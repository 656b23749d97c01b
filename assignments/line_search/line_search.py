"""Golden-section search for the minimizer of a unimodal function on [a, b]."""
import math


def golden_section_search(f, a, b, tol=1e-8, max_iter=500):
    """Minimizer of a unimodal `f` on [a, b], to within `tol`.

    Keeps two interior points c = b - r (b - a) < d = a + r (b - a), with
    r = 1/phi = (sqrt(5) - 1)/2. Each iteration compares f(c) and f(d), keeps
    [a, d] or [c, b] (a width r times the old one), reuses the surviving
    interior point and evaluates f once at the new one.

    Stopping rule: the bracket is shrunk until its width is <= tol (or after
    `max_iter` shrinks); the shrink that reaches the tolerance evaluates
    nothing new. Returns the midpoint of the final bracket, a float.
    With n = ceil(log(tol/(b-a)) / log(r)) shrinks, f is called n + 1 times
    (n + 2 at most, should rounding cost one extra shrink); not at all when
    b - a <= tol already.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
