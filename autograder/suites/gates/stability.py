"""Stability of a gate at extreme inputs: the rule of the SigmoidGate and
SoftmaxCrossEntropyGate docstrings ("finite for inputs of magnitude 1e3").

Tolerances: the exact results there underflow (sigma(-1000) = 5e-435) or are of the
order of the inputs (a loss near 1e3), so values are compared by
``|got - expected| <= ATOL + RTOL |expected|``: by absolute error 1e-12 where the result
underflows -- 0.0, a subnormal or any tiny positive number (a sigmoid clipped to
[-500, 500] gives 7.1e-218 at -1000) is the promised result -- and by relative error
where it does not.
"""
from __future__ import annotations

import numpy as np

from autograder.checks.agreement import agrees, assert_agrees
from autograder.checks.contract import assert_finite, assert_no_fp_warnings, returned_value
from autograder.suites.gates.cases import (
    ATOL, CASES, RTOL, Case, ref_backward, ref_forward)
from autograder.suites.gates.calls import as_gradients, method_call


def check_stable(student, gate: str, cases, *, advice: str) -> None:
    """`gate` on each of `cases` (extreme inputs of every shape family): see `check_stable_case`."""
    for case in cases:
        check_stable_case(student, gate, case, advice=advice)


def ordinary_case_like(gate: str, case: Case) -> Case:
    """The ordinary (moderate-input) case of `gate` in `case`'s shape family -- same number of axes, and
    a batch of one only for a batch of one -- so a formula wrong for one family only (N = C for 1-D
    scores) is graded by the value checks and not a second time here."""
    def family(c):
        x = np.asarray(c.inputs[0])
        return x.ndim, x.ndim == 2 and x.shape[0] == 1
    return next((c for c in CASES[gate] if family(c) == family(case)), CASES[gate][0])


def check_stable_case(student, gate: str, case: Case, *, advice: str) -> None:
    """`gate` on `case`'s extreme inputs: no floating-point warning, finite forward and backward
    values, and the reference's forward (backward) values when the gate's forward (backward) is
    right on its first ordinary case: a wrong formula is graded by the value and gradient checks,
    so it costs its points once."""
    names = case.names(gate)
    shown = dict(zip(names, case.inputs))
    n = len(case.inputs)
    magnitude = max(float(abs(x).max()) for x in case.inputs)
    on = f"inputs of magnitude up to {magnitude:g} (shape {np.shape(case.inputs[0])})"
    what = f"{gate}(...).forward({', '.join(names)})"
    obj = getattr(student, gate)(*case.ctor)
    forward = method_call(obj, "forward", *case.inputs)
    assert_no_fp_warnings(forward, what=what, inputs=on, advice=advice)
    assert_finite(returned_value(forward, what=what), what=what, inputs=shown)
    backward = method_call(obj, "backward", case.dout)
    back_what = f"{gate}.backward(dout)"
    grads = as_gradients(returned_value(backward, what=back_what), n)
    assert_no_fp_warnings(backward, what=back_what, inputs=on, advice=advice)
    assert_finite(grads, what=back_what, inputs=shown)
    moderate = ordinary_case_like(gate, case)
    with student.batch() as b:
        g = getattr(b, gate)(*moderate.ctor)
        moderate_out = g.forward(*moderate.inputs)
        moderate_grads = g.backward(moderate.dout)
    right_forward = agrees(moderate_out.value, ref_forward(gate, moderate), rtol=RTOL, atol=ATOL)
    right_backward = agrees(as_gradients(moderate_grads.value, n), ref_backward(gate, moderate), rtol=RTOL, atol=ATOL)
    if right_forward:
        assert_agrees(forward.value, ref_forward(gate, case), rtol=RTOL, atol=ATOL, what=what, inputs=shown,
                      hint=advice)
    if right_backward:
        assert_agrees(grads, ref_backward(gate, case), rtol=RTOL, atol=ATOL, what=back_what,
                      inputs={**shown, "dout": case.dout}, hint=advice)
