"""Golden-section search for the minimizer of a unimodal function on [a, b]."""
import math


def golden_section_search(f, a, b, tol=1e-8, max_iter=500):
    """Minimizer of a unimodal `f` on [a, b], to within `tol`.

    Keeps two interior points c = b - r (b - a) < d = a + r (b - a), with
    r = 1/phi = (sqrt(5) - 1)/2 computed exactly (not 0.618). Each iteration
    compares f(c) and f(d), keeps [a, d] or [c, b] (a width r times the old
    one), reuses the surviving interior point and its value, and evaluates f
    once at the new one. f is evaluated only inside [a, b].

    Stopping rule: the bracket is shrunk until its width is <= tol (or after
    `max_iter` shrinks, whatever tol says); the shrink that reaches the
    tolerance evaluates nothing new. With n = ceil(log(tol/(b-a)) / log(r))
    shrinks, f is called n + 1 times (n + 2 at most: a loop that evaluates the
    new point before testing the rule, or rounding that costs one extra shrink).
    When b - a <= tol already, nothing is shrunk and (a + b)/2 is returned
    (evaluating the two initial points first is allowed).

    Returns the midpoint (a + b)/2 of the final bracket, as a float (also for
    integer a and b): the point x*, never the value f(x*).
    """
    # YOUR CODE HERE
    raise NotImplementedError()
