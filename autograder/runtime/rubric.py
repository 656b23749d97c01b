"""An assignment's rubric, read from its suite: every check with its points and visibility."""
from __future__ import annotations

import io
from contextlib import redirect_stdout
from functools import cache

from autograder.runtime.plugin import MARKERS, marker_metadata


class _Collector:
    def __init__(self):
        self.items = []

    def pytest_configure(self, config):
        for line in MARKERS:
            config.addinivalue_line("markers", line)

    def pytest_collection_finish(self, session):
        self.items = [marker_metadata(item) for item in session.items]


@cache
def collect(assignment: str) -> tuple[dict, ...]:
    """Metadata of every check (check_id, name, points, hidden, unit, kind), in suite order."""
    import pytest

    from autograder.runtime.runner import no_plugin_autoload, pytest_args

    collector = _Collector()
    with no_plugin_autoload(), redirect_stdout(io.StringIO()):
        code = pytest.main(pytest_args(assignment, hidden=True) + ["--collect-only", "-q"], plugins=[collector])
    if code not in (0, 5):
        raise RuntimeError(f"cannot collect the {assignment} suite (pytest exit {code})")
    return tuple(collector.items)


def unit_points(assignment: str) -> dict[str, float]:
    """Total points per graded unit (function or class)."""
    totals: dict[str, float] = {}
    for check in collect(assignment):
        totals[check["unit"]] = totals.get(check["unit"], 0.0) + check["points"]
    return totals


def rubric_table(assignment: str) -> str:
    """The rubric as a Markdown table."""
    rows = ["| check | unit | kind | points | visibility |", "|---|---|---|---|---|"]
    checks = collect(assignment)
    for c in checks:
        rows.append(f"| {c['name']} | {c['unit'] or ''} | {c['kind'] or ''} | {c['points']:g} | "
                     f"{'hidden' if c['hidden'] else 'visible'} |")
    rows.append(f"| **total** | | | **{sum(c['points'] for c in checks):g}** | |")
    return "\n".join(rows)
