"""Test problems of the `line_search` suite (SPEC §1.5): unimodal functions with known
minimizers, their intervals and tolerances.

Every tolerance sits well above the rounding floor of its function (the width below
which f can no longer tell two points apart: ~sqrt(eps |f*| / f'') for a smooth
minimum), so correct code of any style reaches it; and every log(tol/(b-a))/log(1/phi)
is at least 0.16 away from an integer (the last shrink leaves >= 7% of margin below
tol), so rounding never costs a correct search an extra shrink over the bound.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from autograder.checks.minimizers import RecordedObjective


@dataclass(frozen=True)
class Case:
    name: str  # how the student sees f, e.g. "(x - 0.3)^2"
    function: Callable[[float], float]
    a: float
    b: float
    tol: float
    x_star: float

    def objective(self) -> RecordedObjective:
        return RecordedObjective(self.function, self.name)

    def what(self, tol: float | None = None, max_iter: int | None = None) -> str:
        args = f"f, {self.a:.12g}, {self.b:.12g}, tol={self.tol if tol is None else tol:g}"
        if max_iter is not None:
            args += f", max_iter={max_iter}"
        return f"golden_section_search({args}) with f(x) = {self.name}"


QUADRATIC = Case("(x - 0.3)^2", lambda x: (x - 0.3) ** 2, 0.0, 2.0, 1e-8, 0.3)
QUARTIC = Case("(x - 0.7)^4", lambda x: (x - 0.7) ** 4, -1.0, 3.0, 1e-8, 0.7)
FLAT_BOTTOM = Case("(x - 1.2)^6", lambda x: (x - 1.2) ** 6, -2.0, 4.0, 1e-7, 1.2)
ASYMMETRIC = Case("x - log(x)", lambda x: x - math.log(x), 0.1, 4.0, 1e-6, 1.0)
KINK = Case("max(2 (x + 0.5), -(x + 0.5))", lambda x: max(2 * (x + 0.5), -(x + 0.5)), -3.0, 1.0, 1e-7, -0.5)
MIN_AT_A = Case("exp(x)", math.exp, -1.0, 2.0, 1e-8, -1.0)
MIN_AT_B = Case("(3 - x)^2", lambda x: (3.0 - x) ** 2, -1.0, 2.0, 1e-8, 2.0)
SHIFTED = Case("(x - 1000.123)^2", lambda x: (x - 1000.123) ** 2, 1000.0, 1000.5, 1e-9, 1000.123)
WIDE = Case("(x + 123.4567)^2 / 1000", lambda x: (x + 123.4567) ** 2 / 1000.0, -300.0, 500.0, 1e-6, -123.4567)
NARROW = Case("(x - 2.000777)^2", lambda x: (x - 2.000777) ** 2, 2.0, 2.001, 2e-12, 2.000777)
# Intervals already within tol (b - a <= tol, equality included): nothing shrunk, (a + b)/2 returned.
WITHIN_TOL = (Case("(x - 0.3)^2, b - a < tol", lambda x: (x - 0.3) ** 2, 0.3, 0.3 + 5e-9, 1e-8, 0.3),
              Case("(x - 0.3)^2, b - a = tol", lambda x: (x - 0.3) ** 2, 0.0, 0.25, 0.25, 0.3),
              Case("(x - 1.5)^2, a = b", lambda x: (x - 1.5) ** 2, 1.5, 1.5, 1e-8, 1.5))
