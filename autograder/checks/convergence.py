"""Convergence check primitives: does an optimizer reach a known minimum of a test function?

An optimizer is driven closed-loop through a plain callable ``step(x, g) -> x_new`` (the
student's remote ``opt.step`` or a local one): ``x_{k+1} = step(x_k, grad(x_k))``, the
gradient computed here, on the trusted side. The verdict compares the final iterate
with the function's known minimizers; the whole path is returned for the feedback plot
(``trajectory`` artifact). Step budgets and tolerances are per use: the suites pick a
budget at which the reference optimizer is far inside the tolerance (a correct
implementation differs from it by rounding only, and these iterations are contractive
near the minimum, so rounding does not grow).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from autograder.checks import CheckFailed
from autograder.checks.agreement import fmt


@dataclass(frozen=True)
class Objective:
    """A 2-D test function with its gradient and every minimizer."""

    name: str
    formula: str
    f: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]
    minima: tuple[tuple[float, float], ...]

    def distance_to_minimum(self, x: np.ndarray) -> float:
        """Euclidean distance from ``x`` to the nearest minimizer."""
        return min(float(np.linalg.norm(np.asarray(x) - np.asarray(m))) for m in self.minima)


QUADRATIC = Objective(
    name="ill-conditioned quadratic",
    formula="f(x, y) = (x^2 + 100 y^2) / 2 (condition number 100)",
    f=lambda v: 0.5 * (v[0] ** 2 + 100.0 * v[1] ** 2),
    grad=lambda v: np.array([v[0], 100.0 * v[1]]),
    minima=((0.0, 0.0),),
)

ROSENBROCK = Objective(
    name="Rosenbrock",
    formula="f(x, y) = (1 - x)^2 + 100 (y - x^2)^2",
    f=lambda v: (1.0 - v[0]) ** 2 + 100.0 * (v[1] - v[0] ** 2) ** 2,
    grad=lambda v: np.array([-2.0 * (1.0 - v[0]) - 400.0 * v[0] * (v[1] - v[0] ** 2),
                             200.0 * (v[1] - v[0] ** 2)]),
    minima=((1.0, 1.0),),
)

SADDLE = Objective(
    name="saddle",
    formula="f(x, y) = x^4/4 - x^2/2 + y^2/2 (saddle point at the origin, minima at (+-1, 0))",
    f=lambda v: 0.25 * v[0] ** 4 - 0.5 * v[0] ** 2 + 0.5 * v[1] ** 2,
    grad=lambda v: np.array([v[0] ** 3 - v[0], v[1]]),
    minima=((1.0, 0.0), (-1.0, 0.0)),
)


@dataclass
class Run:
    """The iterates ``x_0 .. x_n`` (as a list of [x, y]) and their losses; ``error`` if stopped early."""

    path: list
    losses: list
    error: str = ""


def run_optimizer(step: Callable, function: Objective, start, steps: int) -> Run:
    """Iterate ``x = step(x, grad(x))`` ``steps`` times from ``start``.

    Stops early when an iterate is not a finite 2-vector (the error says which step).
    """
    x = np.asarray(start, dtype=np.float64)
    path, losses = [x.tolist()], [float(function.f(x))]
    for k in range(1, steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows here first
            gradient = function.grad(x)
        new = step(x, gradient)
        arr = np.asarray(new) if isinstance(new, (np.ndarray, list, tuple)) else None
        if arr is None or arr.shape != x.shape or arr.dtype.kind not in "fiu":
            got = f"shape {arr.shape}" if arr is not None else type(new).__name__
            return Run(path, losses, f"step {k} returned {got}, expected an array of shape {x.shape}")
        x = arr.astype(np.float64)
        if not np.all(np.isfinite(x)):
            return Run(path, losses, f"step {k} returned {fmt(x)}: the iterates diverged")
        path.append(x.tolist())
        with np.errstate(over="ignore", invalid="ignore"):
            losses.append(float(function.f(x)))
    return Run(path, losses)


def check_converges(run: Run, function: Objective, tol: float, *, what: str,
                    reference: Run | None = None) -> None:
    """Fail unless the last iterate of ``run`` lies within ``tol`` of a minimizer of ``function``."""
    setting = f"{what} on the {function.name} {function.formula}, from {fmt(np.array(run.path[0]))}"
    ref_text = ""
    if reference is not None:
        ref_text = (f" The reference reaches {fmt(np.array(reference.path[-1]))} "
                    f"(loss {fmt(reference.losses[-1])}) in {len(reference.path) - 1} steps.")
    if run.error:
        raise CheckFailed(f"{setting}: {run.error}.{ref_text}")
    final = np.array(run.path[-1])
    distance = function.distance_to_minimum(final)
    if distance > tol:
        minima = " or ".join(fmt(np.array(m)) for m in function.minima)
        raise CheckFailed(
            f"{setting}: after {len(run.path) - 1} steps the iterate is {fmt(final)} (loss "
            f"{fmt(run.losses[-1])}), {distance:.3g} away from the minimizer {minima}; it must be "
            f"within {tol:g}.{ref_text}")


def trajectory_artifact(function: Objective, optimizer: str, student: Run, reference: Run) -> dict:
    """The data of a ``trajectory`` artifact (docs/architecture.md)."""
    return {"function": function.name, "optimizer": optimizer,
            "student": student.path, "reference": reference.path,
            "student_loss": student.losses, "reference_loss": reference.losses}
