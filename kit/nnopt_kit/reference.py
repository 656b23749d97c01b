"""The reference, as the kit knows it: recorded answers only (`nnopt_kit.replay`).

`load(NAME)` gives the recorded stand-in of the reference module of assignment NAME. Where a
visible check hands a reference function or class to the student's code (dependency isolation:
reference gates inside `sigmoid_neuron`, the reference `bfgs_update` inside `bfgs_minimize`,
reference activations inside an activation that reuses another), the student's code would call
it on inputs of its own, which no recording can answer: the kit leaves those stand-ins out of
the call, so the student's own dependency is used (docs/student-kit.md lists these checks).
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from nnopt_kit import replay
from nnopt_kit.remote.calls import RemoteCalls

ASSIGNMENTS = ("gates", "activations", "initializers", "optimizers", "line_search", "quasi_newton")
HANDOUTS_DIR = Path(__file__).resolve().parent / "handouts"


@cache
def load(assignment: str) -> replay.ReplayModule:
    """The recorded reference module of `assignment`."""
    if assignment not in ASSIGNMENTS:
        raise ValueError(f"unknown assignment {assignment!r}; choose from {', '.join(ASSIGNMENTS)}")
    return replay.module(assignment)


def definitions_source(assignment: str) -> str:
    """The source whose top-level names a submission of `assignment` defines for grading: the
    handout stub shipped with the kit (the grader reads the reference solution's names; the stub
    binds the same ones, which `release` checks)."""
    return (HANDOUTS_DIR / assignment / f"{assignment}.py").read_text(encoding="utf-8")


def _without_recorded_isolation(call):
    """`RemoteCalls.call` that drops recorded stand-ins from `isolate` (module docstring)."""

    def _call(self, target, attr, key, args, kwargs, *, isolate=None, **options):
        if isolate:
            isolate = {name: value for name, value in isolate.items() if not replay.is_replayed(value)} or None
        return call(self, target, attr, key, args, kwargs, isolate=isolate, **options)

    _call.__wrapped__ = call
    return _call


if not hasattr(RemoteCalls.call, "__wrapped__"):
    RemoteCalls.call = _without_recorded_isolation(RemoteCalls.call)
