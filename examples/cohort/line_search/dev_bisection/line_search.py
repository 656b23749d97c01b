"""Line search (Dev's submission): halve the interval around the midpoint."""


def golden_section_search(f, a, b, tol=1e-8, max_iter=500):
    eps = tol / 4
    for _ in range(max_iter):
        if b - a <= tol:
            break
        m = (a + b) / 2
        if f(m - eps) < f(m + eps):
            b = m + eps
        else:
            a = m - eps
    return (a + b) / 2
