"""Visible checks of the optimizers assignment (SPEC §1.4).

Optimizers are graded by teacher forcing over a seeded 60-step gradient stream (the
student's step is fed the reference's iterates, so the first wrong step is named) with
a rounding-only tolerance; see cases.py for the stream and steps.py for the tolerance.
"""
import pytest

from autograder.checks.convergence import QUADRATIC
from autograder.suites import each_unit
from autograder.suites.optimizers.cases import CLASSES, VISIBLE_SEED
from autograder.suites.optimizers.contract import check_contract
from autograder.suites.optimizers.schedules import check_plateau, check_schedule
from autograder.suites.optimizers.steps import check_convergence, check_stream


# The per-class checks; test_hidden.py repeats their shape with other inputs (deliberate parallel).
@pytest.mark.points(3)
@pytest.mark.kind("agreement")
@each_unit("name", CLASSES)
def test_defaults(student, name):
    """Default hyper-parameters: every step of a 60-step gradient stream matches the reference"""
    check_stream(student, name, VISIBLE_SEED)


@pytest.mark.points(1)
@pytest.mark.kind("contract")
@each_unit("name", CLASSES)
def test_contract(student, name):
    """step returns a new float64 array, never changes a w or g it was given (then or later); instances do not share state"""
    check_contract(student, name)


# One check per schedule, each its own unit and rubric line (deliberate parallel).
@pytest.mark.points(1)
@pytest.mark.unit("step_decay")
@pytest.mark.kind("agreement")
def test_step_decay(student):
    """step_decay(eta0, k): eta0 * 0.5**floor(k/10), including k at multiples of 10"""
    check_schedule(student, "step_decay", 0.1)


@pytest.mark.points(1)
@pytest.mark.unit("exponential_decay")
@pytest.mark.kind("agreement")
def test_exponential_decay(student):
    """exponential_decay(eta0, k): eta0 * exp(-0.1 k)"""
    check_schedule(student, "exponential_decay", 0.1)


@pytest.mark.points(1)
@pytest.mark.unit("inverse_time_decay")
@pytest.mark.kind("agreement")
def test_inverse_time_decay(student):
    """inverse_time_decay(eta0, k): eta0 / (1 + 0.1 k)"""
    check_schedule(student, "inverse_time_decay", 0.1)


@pytest.mark.points(2)
@pytest.mark.unit("ReduceOnPlateau")
@pytest.mark.kind("agreement")
def test_reduce_on_plateau(student):
    """ReduceOnPlateau(lr) with patience 0: halves the rate on every loss not strictly below the best"""
    check_plateau(student, 0.1)


@pytest.mark.points(2)
@pytest.mark.unit("Nesterov")
@pytest.mark.kind("convergence")
def test_nesterov_quadratic(student, feedback):
    """Nesterov(lr=0.01, mu=0.9) reaches the minimum of an ill-conditioned quadratic in 200 steps"""
    # The reference stays within 1e-4 of (0, 0) from step 168 on: a 10x margin at step 200.
    check_convergence(student, feedback, "Nesterov", {"lr": 0.01, "mu": 0.9}, QUADRATIC,
                             (-4.0, 0.5), steps=200, tol=1e-3)
