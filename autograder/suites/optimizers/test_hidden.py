"""Hidden checks of the optimizers assignment (SPEC §1.4): non-default hyper-parameters
(on a second gradient stream), every shape family (0-d, vector, square and non-square
matrix), AMSGrad and the ema form, schedules with other
arguments, the plateau patience, and convergence on Rosenbrock and a saddle."""
import pytest

from autograder.checks.convergence import ROSENBROCK, SADDLE
from autograder.suites import each_unit
from autograder.suites.optimizers.cases import CLASSES, HIDDEN_HYPER, HIDDEN_SEED, STEP_DECAY_HIDDEN_EPOCHS
from autograder.suites.optimizers.shapes import check_shapes
from autograder.suites.optimizers.schedules import check_plateau, check_schedule
from autograder.suites.optimizers.steps import check_convergence, check_stream

pytestmark = pytest.mark.hidden

# The per-class checks, as in test_visible.py with other inputs (deliberate parallel).
@pytest.mark.points(2)
@pytest.mark.kind("agreement")
@each_unit("name", CLASSES)
def test_hyperparameters(student, name):
    """Non-default hyper-parameters (keyword arguments): every step matches the reference"""
    check_stream(student, name, HIDDEN_SEED, **HIDDEN_HYPER[name])


@pytest.mark.points(1)
@pytest.mark.kind("contract")
@each_unit("name", CLASSES)
def test_shapes(student, name):
    """step works on every shape: a single parameter (0-d), a vector, square and non-square matrices"""
    check_shapes(student, name)


@pytest.mark.points(2)
@pytest.mark.unit("Momentum")
@pytest.mark.kind("agreement")
def test_momentum_ema(student):
    """Momentum(ema=True): v = mu*v - lr*(1 - mu)*g"""
    check_stream(student, "Momentum", HIDDEN_SEED, lr=0.1, mu=0.8, ema=True)


@pytest.mark.points(2)
@pytest.mark.unit("Adam")
@pytest.mark.kind("agreement")
def test_adam_amsgrad(student):
    """Adam(amsgrad=True): vmax = max(vmax, vhat) replaces vhat"""
    check_stream(student, "Adam", HIDDEN_SEED, lr=0.01, amsgrad=True)


@pytest.mark.points(2)
@pytest.mark.unit("step_decay")
@pytest.mark.kind("agreement")
def test_step_decay_arguments(student):
    """step_decay(eta0, k, drop=0.3, every=4): the drop at every multiple of `every`"""
    check_schedule(student, "step_decay", 0.5, epochs=STEP_DECAY_HIDDEN_EPOCHS,
                          drop=0.3, every=4)


@pytest.mark.points(1)
@pytest.mark.unit("exponential_decay")
@pytest.mark.kind("agreement")
def test_exponential_decay_rate(student):
    """exponential_decay(eta0, k, rate=0.35)"""
    check_schedule(student, "exponential_decay", 0.05, rate=0.35)


@pytest.mark.points(1)
@pytest.mark.unit("inverse_time_decay")
@pytest.mark.kind("agreement")
def test_inverse_time_decay_rate(student):
    """inverse_time_decay(eta0, k, rate=0.5)"""
    check_schedule(student, "inverse_time_decay", 0.05, rate=0.5)


@pytest.mark.points(2)
@pytest.mark.unit("ReduceOnPlateau")
@pytest.mark.kind("agreement")
def test_reduce_on_plateau_patience(student):
    """ReduceOnPlateau(lr, factor=0.1, patience=2): more than `patience` bad epochs, then the count restarts"""
    check_plateau(student, 1.0, factor=0.1, patience=2)


# One convergence check per optimizer and function, each its own rubric line (deliberate parallel).
@pytest.mark.points(2)
@pytest.mark.unit("Momentum")
@pytest.mark.kind("convergence")
def test_momentum_rosenbrock(student, feedback):
    """Momentum(lr=0.002, mu=0.95) reaches Rosenbrock's minimum (1, 1) from (-1.2, 1) in 400 steps"""
    # The reference stays within 1e-3 of (1, 1) from step 335 on: a 10x margin at step 400.
    check_convergence(student, feedback, "Momentum", {"lr": 0.002, "mu": 0.95}, ROSENBROCK,
                             (-1.2, 1.0), steps=400, tol=1e-2)


@pytest.mark.points(2)
@pytest.mark.unit("AdaGrad")
@pytest.mark.kind("convergence")
def test_adagrad_saddle(student, feedback):
    """AdaGrad(lr=0.25) escapes the saddle point and reaches a minimum (+-1, 0) in 100 steps"""
    # The reference stays within 1e-4 of (1, 0) from step 55 on, within 1e-6 from step 83.
    check_convergence(student, feedback, "AdaGrad", {"lr": 0.25}, SADDLE, (1e-4, 1.0),
                             steps=100, tol=1e-3)


@pytest.mark.points(2)
@pytest.mark.unit("Adam")
@pytest.mark.kind("convergence")
def test_adam_saddle(student, feedback):
    """Adam(lr=0.05) escapes the saddle point and reaches a minimum (+-1, 0) in 200 steps"""
    # The reference stays within 1e-4 of (1, 0) from step 170 on: a 10x margin at step 200.
    check_convergence(student, feedback, "Adam", {"lr": 0.05}, SADDLE, (1e-4, 1.0),
                             steps=200, tol=1e-3)
