"""Gradients of the optimizers' 2-D test functions, in one place for both sides.

The grader's `checks.convergence` objectives use them, and so does the worker, which runs
an optimizer's closed loop on one of them in a single request (`worker.descend`). The
grader recomputes every gradient the worker used and requires the same bits, so a
submission that alters these functions in its own process fails the check instead of
being graded on another function.
"""
import numpy as np


def quadratic_grad(v):
    """Gradient of (x^2 + 100 y^2) / 2."""
    return np.array([v[0], 100.0 * v[1]])


def rosenbrock_grad(v):
    """Gradient of (1 - x)^2 + 100 (y - x^2)^2."""
    return np.array([-2.0 * (1.0 - v[0]) - 400.0 * v[0] * (v[1] - v[0] ** 2), 200.0 * (v[1] - v[0] ** 2)])


def saddle_grad(v):
    """Gradient of x^4/4 - x^2/2 + y^2/2."""
    return np.array([v[0] ** 3 - v[0], v[1]])


GRADIENTS = {"quadratic": quadratic_grad, "rosenbrock": rosenbrock_grad, "saddle": saddle_grad}
