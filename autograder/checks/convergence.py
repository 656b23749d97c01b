"""Convergence check primitives: does an optimizer reach a known minimum of a test function?

An optimizer is driven closed-loop through a plain callable ``step(x, g) -> x_new``:
``x_{k+1} = step(x_k, grad(x_k))`` (`run_optimizer`). A student's optimizer runs that loop
in its worker in one request, and every output and gradient of it is checked here, on the
trusted side, as if the loop had run here (`run_in_worker`). The verdict compares the final iterate
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
from autograder.wire.objectives import GRADIENTS


@dataclass(frozen=True)
class Objective:
    """A 2-D test function, its gradient (``GRADIENTS[key]``, wire/objectives.py) and every minimizer."""

    name: str
    formula: str
    f: Callable[[np.ndarray], float]
    key: str
    minima: tuple[tuple[float, float], ...]

    @property
    def grad(self) -> Callable[[np.ndarray], np.ndarray]:
        return GRADIENTS[self.key]

    def distance_to_minimum(self, x: np.ndarray) -> float:
        """Euclidean distance from ``x`` to the nearest minimizer."""
        return min(float(np.linalg.norm(np.asarray(x) - np.asarray(m))) for m in self.minima)


QUADRATIC = Objective(
    name="ill-conditioned quadratic",
    formula="f(x, y) = (x^2 + 100 y^2) / 2 (condition number 100)",
    f=lambda v: 0.5 * (v[0] ** 2 + 100.0 * v[1] ** 2),
    key="quadratic",
    minima=((0.0, 0.0),),
)

ROSENBROCK = Objective(
    name="Rosenbrock",
    formula="f(x, y) = (1 - x)^2 + 100 (y - x^2)^2",
    f=lambda v: (1.0 - v[0]) ** 2 + 100.0 * (v[1] - v[0] ** 2) ** 2,
    key="rosenbrock",
    minima=((1.0, 1.0),),
)

SADDLE = Objective(
    name="saddle",
    formula="f(x, y) = x^4/4 - x^2/2 + y^2/2 (saddle point at the origin, minima at (+-1, 0))",
    f=lambda v: 0.25 * v[0] ** 4 - 0.5 * v[0] ** 2 + 0.5 * v[1] ** 2,
    key="saddle",
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
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows in grad or f first
        path, losses = [x.tolist()], [float(function.f(x))]
        for k in range(1, steps + 1):
            new = step(x, function.grad(x))
            arr = np.asarray(new) if isinstance(new, (np.ndarray, list, tuple)) else None
            if arr is None or arr.shape != x.shape or arr.dtype.kind not in "fiu":
                got = f"shape {arr.shape}" if arr is not None else type(new).__name__
                return Run(path, losses, f"step {k} returned {got}, expected an array of shape {x.shape}")
            x = arr.astype(np.float64)
            if not np.isfinite(x).all():
                return Run(path, losses, f"step {k} returned {fmt(x)}: the iterates diverged")
            path.append(x.tolist())
            losses.append(float(function.f(x)))
    return Run(path, losses)


def run_in_worker(optimizer, function: Objective, start, steps: int) -> Run:
    """`run_optimizer` on the student's remote ``optimizer.step``, its loop run in the worker.

    One request instead of ``steps`` round trips (`RemoteObject.descend`). The worker
    sends back every output of ``step`` and every gradient it passed; here the loop is
    replayed on those outputs with the gradients recomputed, so the Run is the one a
    loop with a round trip per step would give, and a worker that reports other
    gradients (or stops early, or runs on) fails the check.
    """
    outputs, gradients = optimizer.descend("step", function.key, start, steps)
    if not isinstance(outputs, list) or not isinstance(gradients, list) or len(outputs) != len(gradients):
        raise CheckFailed("the optimizer's run came back malformed from your process.")
    replay = iter(zip(outputs, gradients))
    tampered = ("the gradients your optimizer was given in its own process were altered "
                "(does the submission change numpy or the grader's functions?)")

    def step(x, gradient):
        try:
            output, used = next(replay)
        except StopIteration:
            raise CheckFailed(f"the optimizer's run stopped early in your process; {tampered}") from None
        if not (isinstance(used, np.ndarray) and used.shape == gradient.shape
                and ((used.dtype == gradient.dtype and used.tobytes() == gradient.tobytes())  # fast path
                     or np.array_equal(used, gradient, equal_nan=True))):
            raise CheckFailed(f"at {fmt(x)}, {tampered}")
        return output

    run = run_optimizer(step, function, start, steps)
    if next(replay, None) is not None:
        raise CheckFailed(f"the optimizer's run went on after an invalid step in your process; {tampered}")
    return run


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
    """The data of a ``trajectory`` artifact (docs/checks.md)."""
    return {"function": function.name, "optimizer": optimizer,
            "student": student.path, "reference": reference.path,
            "student_loss": student.losses, "reference_loss": reference.losses}
