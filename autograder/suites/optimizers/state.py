"""Probes for state shared between instances (class attributes, mutable default arguments).

Asked only after a check has failed, to name the cause: correct code never shares state, so a
probe that finds it names `mistakes.SHARED_STATE`.
"""
from __future__ import annotations

import itertools

import numpy as np

from autograder.checks import CheckFailed
from autograder.remote import StudentException
from autograder.suites.optimizers.cases import SHAPES, STREAM_SHAPE
from autograder.suites.optimizers.mistakes import SHARED_STATE


def shares_state(student, name: str) -> bool:
    """True when a fresh instance's first step depends on what another instance did before it.

    Two fresh instances take the same first step (w, g): correct code returns identical outputs;
    state kept on the class (or in a mutable default argument) changes the second. The probe is
    made on every shape the suite uses, the stream's first: shared state left by another check
    has one of them, and on other shapes the first fresh step may raise (a broadcasting error),
    which tells nothing, so that shape is skipped. A second step that raises where the first,
    on the same inputs, did not, is shared state too.
    """
    rng = np.random.default_rng(7)
    for shape in (STREAM_SHAPE, (2,), *SHAPES):
        w, g = np.asarray(rng.standard_normal(shape)), np.asarray(rng.standard_normal(shape))
        try:
            first = getattr(student, name)().call("step", w, g)
        except StudentException:
            continue
        try:
            second = getattr(student, name)().call("step", w, g)
        except StudentException:
            return True
        return not same_output(first, second)
    return False


def same_output(first, second) -> bool:
    """Two results of one call (on the same inputs, by two fresh objects) are the same.

    Real numbers and real arrays compare by shape and value (NaN equal to NaN); anything else a
    step may return (None, a string, a dict, a complex number) compares by type and repr. A pair
    that cannot be compared at all counts as the same: no shared state is claimed from it.
    """
    try:
        a, b = np.asarray(first), np.asarray(second)
        if a.dtype.kind in "biuf" and b.dtype.kind in "biuf":
            return a.shape == b.shape and np.array_equal(a.astype(np.float64), b.astype(np.float64), equal_nan=True)
        return type(first) is type(second) and repr(first) == repr(second)
    except Exception:  # an object whose __array__, __eq__ or __repr__ raises: nothing to compare
        return True


def raise_with_shared_state_diagnosis(student, name: str, what: str, exc: StudentException):
    """Re-raise the student's exception `exc` from `what`, naming shared state when it is the cause."""
    if shares_state(student, name):
        raise CheckFailed(f"{what} raised {exc}. Likely mistake: {SHARED_STATE}.") from None
    raise exc


_PLATEAU_PROBES = itertools.count(1)


def plateau_shares_state(student) -> bool:
    """True when a fresh ReduceOnPlateau object's first update depends on another object's.

    Two fresh objects (lr 1.0, patience 0) each get one loss below any loss seen before (more
    negative at every probe): for each, on its own, that is an improvement and the rate stays
    1.0. State shared between the objects (a class attribute, a mutable default argument) makes
    the second see the first's loss as its best, so its loss is not strictly below it and the
    rate is cut.
    """
    loss = -1e12 * next(_PLATEAU_PROBES)
    try:
        first = student.ReduceOnPlateau(1.0).call("update", loss)
        second = student.ReduceOnPlateau(1.0).call("update", loss)
    except StudentException:
        return True
    return not same_output(first, second)
