"""Points per unit, from the grading suite's rubric (collected, never run)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class UnitPoints:
    """Points of one unit's checks: visible + hidden = total."""

    visible: float = 0.0
    hidden: float = 0.0

    @property
    def total(self) -> float:
        return round(self.visible + self.hidden, 6)


def unit_points(assignment: str) -> dict[str | None, UnitPoints]:
    """Points per unit (None for checks without a unit), units in suite order;
    empty while the assignment's suite holds no checks."""
    from autograder.runtime.rubric import collect

    units: dict[str | None, UnitPoints] = {}
    for check in collect(assignment):
        points = units.setdefault(check["unit"], UnitPoints())
        if check["hidden"]:
            points.hidden = round(points.hidden + check["points"], 6)
        else:
            points.visible = round(points.visible + check["points"], 6)
    return units
