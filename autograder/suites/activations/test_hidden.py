"""Hidden checks of `activations` (SPEC §1.2): keyword parameters, numerical
stability for |z| up to 1e3, and the contract (shape, dtype, no mutation)."""
import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks.agreement import agrees, assert_agrees
from autograder.checks.contract import (
    assert_dtype, assert_finite, assert_no_fp_warnings, assert_no_global_rng, assert_no_mutation,
    assert_shape, returned_value, snapshot)
from autograder.checks.gradient import assert_gradient, elementwise_derivative
from autograder.suites.activations.cases import (
    ATOL, FUNCTIONS, PARAMS, RTOL, UNITS, Z_CONTRACT, Z_EXTREME, Z_VALUES, base_name, call,
    call_value, mistakes_at, params_cases, reference, smooth_points)

pytestmark = pytest.mark.hidden


def _keywords(params):
    return "".join(f", {k}={v}" for k, v in params.items())


@pytest.mark.points(1)
@pytest.mark.kind("agreement")
@pytest.mark.parametrize("unit", params_cases(name for name in FUNCTIONS if name in PARAMS))
def test_values_with_parameters(student, unit):
    """Values agree with the reference for non-default keyword parameters"""
    params = PARAMS[unit]
    expected = getattr(reference, unit)(Z_VALUES, **params)
    got = call_value(student, unit, Z_VALUES, **params)
    assert_agrees(got, expected, rtol=RTOL, atol=ATOL, what=f"{unit}(z{_keywords(params)})",
                  inputs={"z": Z_VALUES}, mistakes=mistakes_at(unit, Z_VALUES, params))


@pytest.mark.points(1)
@pytest.mark.kind("gradient")
@pytest.mark.parametrize("unit", params_cases(f"{name}_grad" for name in FUNCTIONS if name in PARAMS))
def test_gradient_with_parameters(student, feedback, unit):
    """Derivative matches central differences for non-default keyword parameters"""
    name = base_name(unit)
    params = PARAMS[name]
    z = smooth_points(name)
    numeric = elementwise_derivative(lambda x: getattr(reference, name)(x, **params), z)
    got = call_value(student, unit, z, **params)
    assert_gradient(got, numeric, what=f"{unit}(z{_keywords(params)})", unit=unit,
                    names=(f"d{name}/dz",), inputs={"z": z}, feedback=feedback,
                    mistakes=mistakes_at(unit, z, params))


@pytest.mark.points(1)
@pytest.mark.kind("contract")
@pytest.mark.parametrize("unit", params_cases(UNITS))
def test_stability(student, unit):
    """Finite, warning-free and correct for magnitudes of z up to 1e3"""
    result = call(student, unit, Z_EXTREME)
    what = f"{unit}(z)"
    assert_no_fp_warnings(result, what=what, inputs="z in {±1000, ±710, ±200, ±40, ±1}")
    assert_finite(result.value, what=what, inputs={"z": Z_EXTREME})
    # "Correct up to 1e3" needs the formula right at moderate z first, else any finite output
    # (zeros included) would pass. Moderate z away from kinks: the value AT a kink is graded
    # once, by the kink-convention check. Beyond |z| ~ 40 the exact results are 0, 1, z or a
    # constant to float64 precision; same tolerances.
    moderate_z = smooth_points(base_name(unit))
    moderate = call_value(student, unit, moderate_z)
    if not agrees(moderate, getattr(reference, unit)(moderate_z), rtol=RTOL, atol=ATOL):
        raise CheckFailed(f"{what} is not right yet for moderate z (see its values or gradient check), "
                          "so it cannot be correct up to |z| = 1e3: this check passes once it is.")
    assert_agrees(result.value, getattr(reference, unit)(Z_EXTREME), rtol=RTOL, atol=ATOL,
                  what=what, inputs={"z": Z_EXTREME})
    if unit == "softplus":
        got = call_value(student, unit, 1000.0)
        if got != 1000.0:
            raise CheckFailed(f"softplus(1000.0) must be exactly 1000.0 (SPEC), got {got!r}: "
                              "use softplus(z) = max(z, 0) + log1p(e^-|z|).")
    if unit == "sigmoid":
        got = call_value(student, unit, -1000.0)
        if not 0.0 <= got < 1e-300:
            raise CheckFailed(f"sigmoid(-1000.0) must be 0.0 or a tiny positive number (SPEC), got {got!r}.")


@pytest.mark.points(1)
@pytest.mark.kind("contract")
@pytest.mark.parametrize("unit", params_cases(UNITS))
def test_contract(student, unit):
    """Same shape in and out, float64, input not modified, no global RNG"""
    before = snapshot(Z_CONTRACT)
    result = call(student, unit, Z_CONTRACT.copy())
    what = f"{unit}(z)"
    value = returned_value(result, what=what)
    assert_no_mutation(result, (before,), what=what, names=("z",))
    assert_no_global_rng(result, what=what)
    assert_shape(value, Z_CONTRACT.shape, what=f"{what} for z of shape {Z_CONTRACT.shape}")
    assert_dtype(value, np.float64, what=what)
    scalar = call_value(student, unit, 0.5)
    assert_shape(scalar, (), what=f"{unit}(0.5) (a Python float in)")
    assert_dtype(scalar, np.float64, what=f"{unit}(0.5)")
