"""Stability of an activation for |z| up to 1e3 (the rule of the module docstring) and its
contract (shape, float64, input kept, no global RNG) on every input shape the handout allows.

Values at extreme z are compared by ``|got - expected| <= ATOL + RTOL |expected|``
(cases.py): by absolute error 1e-12 where the exact value underflows, by relative error
where it does not. Beyond |z| ~ 40 the exact results are 0, 1, z or a constant to float64
precision, so a correct formula cut off there (a sigmoid clipped to [-500, 500], softplus(z) = z
above 20) passes; one cut off early (below |z| = 25) does not.
"""
from __future__ import annotations

import numpy as np

from autograder.checks import CheckFailed
from autograder.checks.agreement import agrees, assert_agrees
from autograder.checks.contract import (
    assert_dtype, assert_finite, assert_no_fp_warnings, assert_no_global_rng, assert_no_mutation, assert_shape,
    returned_value, snapshot)
from autograder.suites.activations.cases import (
    ATOL, RTOL, Z_CONTRACT, Z_CONTRACT_SHAPES, Z_EXTREME, base_name, reference, smooth_points)
from autograder.suites.activations.calls import call, call_value

EXTREME_TEXT = "z in {±1000, ±710, ±200, ±40, ±25, ±12, ±1}"


def keywords(params: dict) -> str:
    return "".join(f", {k}={v}" for k, v in params.items())


def check_stability(student, unit: str, params: dict) -> None:
    """`unit(Z_EXTREME, **params)`: no floating-point warning, finite, and -- when the formula is
    right at moderate z -- the reference's values within the tolerances above. A formula wrong at
    moderate z is graded by the value or gradient check; it does not cost this check's point too."""
    what = f"{unit}(z{keywords(params)})"
    result = call(student, unit, Z_EXTREME, **params)
    assert_no_fp_warnings(result, what=what, inputs=EXTREME_TEXT)
    assert_finite(result.value, what=what, inputs={"z": Z_EXTREME})
    moderate_z = smooth_points(base_name(unit))
    moderate = call_value(student, unit, moderate_z, **params)
    if not agrees(moderate, getattr(reference, unit)(moderate_z, **params), rtol=RTOL, atol=ATOL):
        return  # a wrong formula is graded by the value or gradient check, once
    assert_agrees(result.value, getattr(reference, unit)(Z_EXTREME, **params), rtol=RTOL, atol=ATOL,
                  what=what, inputs={"z": Z_EXTREME},
                  hint="Where the exact value underflows, any result within 1e-12 of it is right; elsewhere "
                       "a cut-off (e.g. 'sigmoid is 0 below -10') is too early: the exact value is not yet "
                       "0, 1 or z there.")
    if unit == "softplus" and not params:
        got = call_value(student, unit, 1000.0)
        if got != 1000.0:
            raise CheckFailed(f"softplus(1000.0) must be exactly 1000.0 (the softplus docstring), got {got!r}: "
                              "use softplus(z) = max(z, 0) + log1p(e^-|z|).")
    if unit == "sigmoid" and not params:
        got = call_value(student, unit, -1000.0)
        if not 0.0 <= got <= ATOL:
            raise CheckFailed(f"sigmoid(-1000.0) must be 0.0 or a tiny positive number (at most {ATOL:g}; the "
                              f"sigmoid docstring), got {got!r}.")


def check_contract(student, unit: str) -> None:
    """Same shape in and out, float64, input not modified, no global RNG: on a 2-D input, then
    on a 1-D array, a 0-d array and a Python float."""
    what = f"{unit}(z)"
    before = snapshot(Z_CONTRACT)
    result = call(student, unit, Z_CONTRACT.copy())
    value = returned_value(result, what=what)
    assert_no_mutation(result, (before,), what=what, names=("z",))
    assert_no_global_rng(result, what=what)
    assert_shape(value, Z_CONTRACT.shape, what=f"{what} for z of shape {Z_CONTRACT.shape}")
    assert_dtype(value, np.float64, what=what)
    for z in Z_CONTRACT_SHAPES:
        kind = ("a Python float" if isinstance(z, float) else "a 0-d array" if np.ndim(z) == 0
                else f"an array of shape {np.shape(z)}")
        shown = f"{unit}({z!r}) ({kind} in)"
        got = call_value(student, unit, z)
        assert_shape(got, np.shape(z), what=shown)
        assert_dtype(got, np.float64, what=shown)
