"""The grading suites, one package per assignment, all of the same shape.

    suites/<assignment>/
        cases.py        the inputs the checks give and the reference values they expect
        mistakes.py     the known mistakes (`checks.mistakes.KnownMistake`) the checks diagnose
        test_visible.py the checks students run themselves (`check`)
        test_hidden.py  the checks only `grade` runs (`pytestmark = pytest.mark.hidden`)

plus, where a suite needs them, modules named for one family of checks (`stability.py`,
`contract.py`, `distribution.py`, ...) and `calls.py`, how its checks call the student's code
(dependency isolation, reading a return form). `each_unit` is how a check is repeated over the
units it grades.
"""
from __future__ import annotations

from collections.abc import Iterable

import pytest


def each_unit(argname: str, units: Iterable[str]):
    """`pytest.mark.parametrize` over graded units: one check per unit, with the unit's name as the
    test id and a `unit` marker (the rubric and the per-unit points read it)."""
    return pytest.mark.parametrize(argname, [pytest.param(u, marks=pytest.mark.unit(u), id=u) for u in units])
