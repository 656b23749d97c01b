"""How the `activations` checks call the student's units: with every other activation the unit
may reach replaced by the reference's (dependency isolation), so a wrong dependency costs points
only on its own checks.
"""
from __future__ import annotations

from autograder.suites.activations.cases import UNITS, reference


def isolation(student, unit: str) -> dict:
    """Every other activation of the assignment that the student's `unit` may call, replaced by the
    reference's (dependency isolation). Only those `StudentCode.uses` says the unit reaches: each
    stand-in costs every call a trusted handle both ways."""
    used = student.uses(unit)
    return {name: getattr(reference, name) for name in UNITS if name != unit and (used is None or name in used)}


def call(student, unit: str, *args, **kwargs):
    """The student's `unit` called with dependency isolation; a CallResult (the contract facts too)."""
    return student.call(unit, *args, details=True, isolate=isolation(student, unit), **kwargs)


def call_value(student, unit: str, *args, **kwargs):
    """What the student's `unit` returns, called with dependency isolation (no contract facts: cheaper)."""
    return student.call(unit, *args, isolate=isolation(student, unit), **kwargs)
