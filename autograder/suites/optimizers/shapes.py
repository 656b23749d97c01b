"""Steps on every shape family the handout allows (0-d, vector, square and non-square matrix).

Each step is given a new random w, so a step that continues from its own last result fails here
though the teacher-forced streams (which give it back its own result) cannot see it.
"""
from __future__ import annotations

from functools import cache

import numpy as np

from autograder.checks import CheckFailed
from autograder.checks.agreement import fmt
from autograder.remote import StudentException
from autograder.suites.optimizers.cases import (
    SHAPES, VISIBLE_SEED, gradient_stream, reference_iterates, reference_shape_outputs, shape_inputs, teacher_forced)
from autograder.suites.optimizers.mistakes import SHARED_STATE, shape_mistakes
from autograder.suites.optimizers.state import shares_state
from autograder.suites.optimizers.steps import first_mismatch, validate_outputs


def _shape_outputs_ok(outputs, shape, what) -> list:
    """The outputs as float64 arrays, after failing on a wrong type, shape or dtype."""
    arrays = []
    for k, out in enumerate(outputs):
        if out is None:
            raise CheckFailed(f"{what} returned None at step t={k + 1}: step must return the new parameters.")
        scalar_ok = shape == () and isinstance(out, (float, np.floating))
        if not (isinstance(out, np.ndarray) or scalar_ok) or np.shape(out) != shape:
            got = f"shape {np.shape(out)}" if isinstance(out, (np.ndarray, np.generic)) else type(out).__name__
            raise CheckFailed(f"{what} returned {got} at step t={k + 1}; expected an array of w's shape {shape}.")
        if np.asarray(out).dtype != np.float64:
            raise CheckFailed(f"{what} returned dtype {np.asarray(out).dtype} at step t={k + 1}; keep float64.")
        arrays.append(np.asarray(out, dtype=np.float64))
    return arrays


def _update_mistake_graded_elsewhere(student, name: str, shape: tuple, outputs: list, fails_stream) -> bool:
    """True when the values a step gives on `shape` are wrong for a reason that is not the shape.

    Two facts together: the student's own step gives the same values on the same data laid out
    as a vector (0-d data as a 1-vector), so it treats every shape alike; and it already fails the
    default-stream check, where its update rule is graded and diagnosed. One mistake then costs
    the stream checks, not this one too. A step that is wrong only on some shapes (a square-only
    transpose, a 0-d special case) or only when given a new w (continuing from its own result:
    the stream cannot see that) is not excused.
    """
    if not fails_stream():
        return False
    ws, gs = shape_inputs(shape)
    flat = [(np.ravel(w).copy(), np.ravel(g).copy()) for w, g in zip(ws, gs)]
    try:
        flat_outputs = getattr(student, name)().map("step", flat)
        as_vectors = [np.ravel(np.asarray(out, dtype=np.float64)) for out in flat_outputs]
    except (StudentException, TypeError, ValueError):
        return False
    if any(v.shape != (max(1, int(np.prod(shape))),) for v in as_vectors):
        return False
    return first_mismatch([np.ravel(o) for o in outputs], as_vectors, [w for w, _ in flat]) is None


def _fails_default_stream(student, name: str) -> bool:
    """The student's ``name()`` disagrees with the reference somewhere on the default stream (or
    cannot be run on it): the check `test_defaults` fails it."""
    grads = gradient_stream(VISIBLE_SEED)[1]
    ws = reference_iterates(name, {}, VISIBLE_SEED)
    try:
        outputs = getattr(student, name)().map("step", [(ws[k], grads[k]) for k in range(len(grads))])
        validate_outputs(outputs, name)
    except (StudentException, CheckFailed):
        return True
    return first_mismatch(outputs, ws[1:], ws) is not None


def check_shapes(student, name: str) -> None:
    """``name()``'s steps on every shape family of SHAPES agree with the reference, each step from
    the (new) w it is given."""
    fails_stream = cache(lambda: _fails_default_stream(student, name))  # asked at most once per check
    for shape, label in SHAPES.items():
        ws, gs = shape_inputs(shape)
        what = f"{name}().step(w, g) with w, g of shape {shape} ({label})"
        try:
            outputs = getattr(student, name)().map("step", list(zip(ws, gs)))
        except StudentException as exc:
            if shares_state(student, name):
                raise CheckFailed(f"{what} raised {exc}. Likely mistake: {SHARED_STATE}.") from None
            raise CheckFailed(f"{what} raised {exc}. step must work for parameters of any shape, a single "
                              "number (0-d array) included: build the state with np.zeros_like(w) and "
                              "elementwise operations, not len(w), w.shape[0] or loops over rows.") from None
        outputs = _shape_outputs_ok(outputs, shape, what)
        expected = reference_shape_outputs(name, shape)
        k = first_mismatch(outputs, expected, ws)
        if k is None or _update_mistake_graded_elsewhere(student, name, shape, outputs, fails_stream):
            continue
        message = (f"{what}: step t={k + 1} returned {fmt(outputs[k])}, expected {fmt(expected[k])} "
                   f"(given w = {fmt(ws[k])}, g = {fmt(gs[k])}; "
                   f"{'the very first step' if k == 0 else 'step 1 agrees' if k == 1 else f'steps 1..{k} agree'}). "
                   "Each step here is given a "
                   "new w, not the previous result.")
        mistake = next((m.feedback for m in shape_mistakes(name)
                        if first_mismatch(outputs, teacher_forced(m.output(), ws, gs), ws) is None), None)
        if mistake is None and shares_state(student, name):
            mistake = SHARED_STATE
        if mistake:
            message += f" Likely mistake: {mistake}."
        raise CheckFailed(message)
