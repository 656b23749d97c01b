"""Inputs, parameters and kinks of the `activations` suite (the handout:
solutions/activations.py's docstrings).

Everything here is trusted-side data, computed once per process: the reference
values come from `solutions/activations.py`. Inputs use fixed seeds so grading
is deterministic.
"""
from __future__ import annotations

import numpy as np

from autograder import reference as references
from autograder.checks.gradient import avoid_kinks

reference = references.load("activations")

FUNCTIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "celu", "selu",
             "softplus", "gelu", "silu", "swish", "hardswish")
GRADS = tuple(f"{name}_grad" for name in FUNCTIONS)
UNITS = FUNCTIONS + GRADS

# Non-default keyword parameters (taken by f and f_grad alike), chosen so that
# ignoring the parameter changes the result everywhere it matters.
PARAMS = {
    "leaky_relu": {"slope": 0.2},
    "elu": {"alpha": 0.5},
    "celu": {"alpha": 2.0},
    "selu": {"lam": 1.2, "alpha": 0.7},
    "softplus": {"beta": 2.0},
    "gelu": {"approximate": True},
    "swish": {"beta": 2.5},
}

KINKS = {"relu": (0.0,), "leaky_relu": (0.0,), "elu": (0.0,), "celu": (0.0,), "selu": (0.0,),
         "hardswish": (-3.0, 3.0)}

# The derivative's value AT a kink is a convention of the handout (each derivative's docstring): the one-sided limit it
# names. (z, keyword parameters, side: -1 left / +1 right, the rule in words); alpha=0.5
# for ELU because with alpha=1 both one-sided derivatives are 1 and the side would not show.
KINK_CONVENTIONS = {
    "relu_grad": [(0.0, {}, -1, "relu_grad(0) = 0")],
    "leaky_relu_grad": [(0.0, {}, -1, "leaky_relu_grad(0) = slope"),
                        (0.0, {"slope": 0.2}, -1, "leaky_relu_grad(0) = slope")],
    "elu_grad": [(0.0, {"alpha": 0.5}, -1, "elu_grad(0) = alpha")],
    "celu_grad": [(0.0, {"alpha": 2.0}, -1, "celu_grad(0) = 1")],
    "selu_grad": [(0.0, {}, -1, "selu_grad(0) = lam*alpha")],
    "hardswish_grad": [(-3.0, {}, -1, "hardswish_grad(-3) = 0"), (3.0, {}, +1, "hardswish_grad(3) = 1")],
}
# The student's own derivative 1e-9 beside the kink is its one-sided limit to within
# |f''| * 1e-9 < 1e-8; 1e-6 separates that from every jump of the handout's kinks (all >= 0.5).
KINK_STEP, KINK_ATOL = 1e-9, 1e-6

_rng = np.random.default_rng(20240601)
# Values: a grid through every kink plus random points, as a 2-D array (elementwise, any shape).
Z_VALUES = np.concatenate([np.linspace(-8.0, 8.0, 33), _rng.normal(0.0, 3.0, 7)]).reshape(5, 8)
# Gradients: random points kept KINK_MARGIN away from kinks (per function, see `smooth_points`).
_Z_RAW = _rng.uniform(-6.0, 6.0, size=(4, 6))
# Stability: magnitudes up to 1e3, including the float64 overflow edge of exp (~709.78) and the
# tails between the values grid (|z| <= 8) and 40, where a function cut off early ("sigmoid is 0
# below -10") is wrong by more than the tolerance; no kink here (the kink conventions are graded
# once, by their own checks).
Z_EXTREME = np.array([-1000.0, -710.0, -200.0, -40.0, -25.0, -12.0, -1.0, 1.0, 12.0, 25.0, 40.0, 200.0, 710.0,
                      1000.0])
# Contract: a small 2-D input with negatives and exact zeros.
Z_CONTRACT = np.array([[-2.0, -0.5, 0.0, 0.5], [1.5, -3.0, 3.0, 0.0], [4.0, -4.0, 0.25, -0.25]])
# ... and the other shapes the handout allows: 1-D, a 0-d array and a Python float.
Z_CONTRACT_SHAPES = (np.array([-2.0, 0.0, 0.5, 3.0]), np.array(-0.75), 0.5)

# Values of different but correct algebra (expit vs 1/(1+e^-z), erf vs ndtr, tanh from
# exponentials, log1p vs log(1+x)) agree to ~1e-15 relative; cancellation where the result
# is near 0 costs ~1e-16 absolute. rtol 1e-9 / atol 1e-12 leave a 1e3+ margin over both,
# while every known mistake (mistakes.py) errs by more than 1e-4. An element passes when
# |got - expected| <= ATOL + RTOL |expected|: where the exact value underflows (sigmoid(-1000)
# = 5e-435) that is an absolute error of 1e-12, so 0.0, a subnormal or the 7.1e-218 of a sigmoid
# clipped to [-500, 500] are all the "0.0 or a tiny positive number" the handout promises.
RTOL, ATOL = 1e-9, 1e-12


def smooth_points(name: str) -> np.ndarray:
    """The gradient-check points for activation `name`, KINK_MARGIN away from its kinks."""
    return avoid_kinks(_Z_RAW, KINKS.get(name, ()))


def base_name(unit: str) -> str:
    return unit[:-5] if unit.endswith("_grad") else unit
