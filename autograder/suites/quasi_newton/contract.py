"""Input watching for the quasi-Newton updates (trusted side).

A function may modify its inputs in one branch only (the skipped update, a particular
shape), so the contract checks call it on every case its agreement checks use, not on one
representative case.
"""
from __future__ import annotations

from autograder.checks.contract import assert_no_mutation, snapshot
from autograder.remote import StudentException


def calls_watched(student, name: str, cases):
    """``(case, CallResult)`` of ``name(*case)`` for each case whose call returns. A call that
    raises is skipped (a crash is graded by the agreement checks; this check watches inputs),
    unless every call raises: then the first exception propagates, since nothing was watched."""
    first_error = None
    watched = 0
    for case in cases:
        try:
            result = student.call(name, *case, details=True)
        except StudentException as exc:
            first_error = first_error or exc
            continue
        watched += 1
        yield case, result
    if not watched and first_error is not None:
        raise first_error


def assert_update_leaves_inputs_unchanged(student, name: str, cases) -> None:
    """``name(B, p, q)`` modifies none of B, p, q on any of ``cases`` (see `calls_watched`)."""
    for (B, p, q), result in calls_watched(student, name, cases):
        assert_no_mutation(result, snapshot((B, p, q)), names=("B", "p", "q"), what=f"{name}(B, p, q)")
