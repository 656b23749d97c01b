"""Visible checks of `activations` (the handout: the module's and each function's docstring):
values, derivatives, kink conventions, stability for |z| up to 1e3, the contract.

Every call isolates the unit under test: the other activations it may reuse
(`silu_grad` calling `sigmoid`, `selu` calling `elu`, ...) are the reference's.
"""
import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks.agreement import assert_agrees, assert_same_structure, fmt
from autograder.checks.gradient import assert_gradient, elementwise_derivative
from autograder.suites import each_unit
from autograder.suites.activations.cases import (
    ATOL, FUNCTIONS, GRADS, KINK_ATOL, KINK_CONVENTIONS, KINK_STEP, RTOL, UNITS, Z_VALUES, base_name, reference,
    smooth_points)
from autograder.suites.activations.calls import call_value
from autograder.suites.activations.mistakes import mistakes_at
from autograder.suites.activations.stability import check_contract, check_stability, keywords


@pytest.mark.points(2)
@pytest.mark.kind("agreement")
@each_unit("unit", FUNCTIONS)
def test_values(student, unit):
    """Values agree with the reference (default parameters)"""
    expected = getattr(reference, unit)(Z_VALUES)
    got = call_value(student, unit, Z_VALUES)
    assert_agrees(got, expected, rtol=RTOL, atol=ATOL, what=f"{unit}(z)", inputs={"z": Z_VALUES},
                  mistakes=mistakes_at(unit, Z_VALUES, {}))


@pytest.mark.points(2)
@pytest.mark.kind("gradient")
@each_unit("unit", GRADS)
def test_gradient(student, feedback, unit):
    """Derivative matches central differences of the activation (default parameters)"""
    name = base_name(unit)
    z = smooth_points(name)
    numeric = elementwise_derivative(getattr(reference, name), z)
    got = call_value(student, unit, z)
    assert_gradient(got, numeric, what=f"{unit}(z)", unit=unit, names=(f"d{name}/dz",),
                    inputs={"z": z}, feedback=feedback, mistakes=mistakes_at(unit, z, {}))


@pytest.mark.points(1)
@pytest.mark.kind("agreement")
@each_unit("unit", KINK_CONVENTIONS)
def test_kink_convention(student, unit):
    """Derivative at the kink takes the one-sided value its docstring names"""
    for z0, params, side, rule in KINK_CONVENTIONS[unit]:
        z = np.array([z0 - KINK_STEP, z0, z0 + KINK_STEP])
        shown = keywords(params)
        got = call_value(student, unit, z, **params)
        assert_same_structure(got, z, what=f"{unit}(z{shown})", inputs={"z": z})
        # Judged against the student's own one-sided limits: a wrong formula is graded by
        # test_gradient, this check only asks which side's value is taken at the kink.
        left, at_kink, right = (float(v) for v in np.asarray(got, dtype=np.float64))
        named, other = (left, right) if side < 0 else (right, left)
        if not abs(at_kink - named) <= KINK_ATOL:
            side_name = "left" if side < 0 else "right"
            took_other = abs(at_kink - other) <= KINK_ATOL
            raise CheckFailed(
                f"{unit}({z0:g}{shown}) returned {fmt(at_kink)}. The {unit} docstring: {rule}, the {side_name}-hand "
                f"value, which your own {unit} gives as {fmt(named)} just {side_name} of {z0:g}"
                + (" (you took the other side's value: check `>` versus `>=` in your condition)."
                   if took_other else "."))


@pytest.mark.points(1)
@pytest.mark.kind("contract")
@each_unit("unit", UNITS)
def test_stability(student, unit):
    """Finite, warning-free and correct for magnitudes of z up to 1e3"""
    check_stability(student, unit, {})


@pytest.mark.points(1)
@pytest.mark.kind("contract")
@each_unit("unit", UNITS)
def test_contract(student, unit):
    """Same shape in and out (2-D, 1-D, 0-d, Python float), float64, input not modified, no global RNG"""
    check_contract(student, unit)
