"""Hidden checks of `activations`: the rules the visible checks show (values, derivatives,
stability for |z| up to 1e3), with non-default keyword parameters."""
import pytest

from autograder.checks import CheckFailed
from autograder.checks.agreement import assert_agrees
from autograder.checks.gradient import assert_gradient, elementwise_derivative
from autograder.suites import each_unit
from autograder.suites.activations.cases import (
    ATOL, FUNCTIONS, PARAMS, RTOL, Z_VALUES, base_name, reference, smooth_points)
from autograder.suites.activations.calls import call_value
from autograder.suites.activations.mistakes import mistakes_at
from autograder.suites.activations.stability import check_stability, keywords

pytestmark = pytest.mark.hidden


@pytest.mark.points(1)
@pytest.mark.kind("agreement")
@each_unit("unit", (name for name in FUNCTIONS if name in PARAMS))
def test_values_with_parameters(student, unit):
    """Values agree with the reference for non-default keyword parameters"""
    params = PARAMS[unit]
    expected = getattr(reference, unit)(Z_VALUES, **params)
    got = call_value(student, unit, Z_VALUES, **params)
    assert_agrees(got, expected, rtol=RTOL, atol=ATOL, what=f"{unit}(z{keywords(params)})",
                  inputs={"z": Z_VALUES}, mistakes=mistakes_at(unit, Z_VALUES, params))


@pytest.mark.points(1)
@pytest.mark.kind("gradient")
@each_unit("unit", (f"{name}_grad" for name in FUNCTIONS if name in PARAMS))
def test_gradient_with_parameters(student, feedback, unit):
    """Derivative matches central differences for non-default keyword parameters"""
    name = base_name(unit)
    params = PARAMS[name]
    z = smooth_points(name)
    numeric = elementwise_derivative(lambda x: getattr(reference, name)(x, **params), z)
    got = call_value(student, unit, z, **params)
    assert_gradient(got, numeric, what=f"{unit}(z{keywords(params)})", unit=unit,
                    names=(f"d{name}/dz",), inputs={"z": z}, feedback=feedback,
                    mistakes=mistakes_at(unit, z, params))


# The units whose keyword parameter switches to another formula (gelu's approximate=True: the
# sigmoid form), which can overflow where the default formula does not.
PARAMETER_FORMULAS = ("gelu", "gelu_grad")


@pytest.mark.points(1)
@pytest.mark.kind("contract")
@each_unit("unit", PARAMETER_FORMULAS)
def test_stability_with_parameters(student, unit):
    """Finite, warning-free and correct for magnitudes of z up to 1e3, with approximate=True"""
    try:
        check_stability(student, unit, {})
    except CheckFailed:
        return  # unstable with the default parameters too: graded once, by test_stability
    check_stability(student, unit, PARAMS[base_name(unit)])
