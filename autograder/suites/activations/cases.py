"""Inputs, parameters, kinks and known mistakes of the `activations` suite (the handout:
solutions/activations.py's docstrings).

Everything here is trusted-side data, computed once per process: the reference
values come from `solutions/activations.py`. Inputs use fixed seeds so grading
is deterministic.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

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
# while every wrong formula below errs by more than 1e-4. An element passes when
# |got - expected| <= ATOL + RTOL |expected|: where the exact value underflows (sigmoid(-1000)
# = 5e-435) that is an absolute error of 1e-12, so 0.0, a subnormal or the 7.1e-218 of a sigmoid
# clipped to [-500, 500] are all the "0.0 or a tiny positive number" the handout promises.
RTOL, ATOL = 1e-9, 1e-12


def smooth_points(name: str) -> np.ndarray:
    """The gradient-check points for activation `name`, KINK_MARGIN away from its kinks."""
    return avoid_kinks(_Z_RAW, KINKS.get(name, ()))


def base_name(unit: str) -> str:
    return unit[:-5] if unit.endswith("_grad") else unit


def isolation(student, unit: str) -> dict:
    """Every other activation of the assignment that the student's `unit` may call, replaced by the
    reference's (dependency isolation; `StudentCode.uses` says which: each stand-in costs every
    call a trusted handle both ways, ~25% of this assignment's grading time for all eleven)."""
    used = student.uses(unit)
    return {name: getattr(reference, name) for name in UNITS if name != unit and (used is None or name in used)}


def call(student, unit: str, *args, **kwargs):
    """The student's `unit` called with dependency isolation; a CallResult (the contract facts too)."""
    return student.call(unit, *args, details=True, isolate=isolation(student, unit), **kwargs)


def call_value(student, unit: str, *args, **kwargs):
    """What the student's `unit` returns, called with dependency isolation (no contract facts: cheaper)."""
    return student.call(unit, *args, isolate=isolation(student, unit), **kwargs)


def params_cases(units) -> list:
    return [pytest.param(u, marks=pytest.mark.unit(u), id=u) for u in units]


def _sig(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -700, 700)))


def _ndtr(z):
    """The standard normal CDF."""
    return 0.5 * np.vectorize(math.erfc, otypes=[np.float64])(-np.asarray(z) / math.sqrt(2.0))


# Known-wrong variants, label -> f(z, **params): what a typical mistake returns (away from
# kinks: the kink conventions have their own check and feedback).
MISTAKES = {
    "sigmoid": {"used e^z instead of e^-z": lambda z: 1.0 / (1.0 + np.exp(z))},
    "sigmoid_grad": {
        "applied a(1-a) to z instead of to a = sigmoid(z)": lambda z: z * (1.0 - z),
        "returned sigmoid(z) instead of its derivative": lambda z: _sig(z),
    },
    "tanh": {"2 sigmoid(z) - 1: the identity is tanh(z) = 2 sigmoid(2z) - 1": lambda z: 2.0 * _sig(z) - 1.0},
    "relu_grad": {"returned relu(z) instead of its derivative": lambda z: np.maximum(z, 0.0)},
    "celu": {"used e^z instead of e^(z/alpha)":
             lambda z, alpha=1.0: np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))),
             "e^(z alpha) instead of e^(z/alpha)":
             lambda z, alpha=1.0: np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0) * alpha)),
             "max(z, 0) + alpha (e^(z/alpha) - 1) without the min(0, .) around the second term":
             lambda z, alpha=1.0: np.maximum(z, 0.0) + alpha * np.expm1(z / alpha)},
    "hardswish": {"returned the hard sigmoid clip(z + 3, 0, 6) / 6, without the factor z":
                  lambda z: np.clip(z + 3, 0.0, 6.0) / 6},
    "silu": {"z sigmoid(-z) instead of z sigmoid(z)": lambda z: z * _sig(-z)},
    "tanh_grad": {
        "1 - z^2 instead of 1 - tanh(z)^2": lambda z: 1.0 - z**2,
        "missing square: 1 - tanh(z)": lambda z: 1.0 - np.tanh(z),
    },
    "leaky_relu": {"ignored the `slope` keyword (always 0.01)":
                   lambda z, slope=0.01: np.maximum(z, 0.01 * z),
                   "slope 0.1 instead of the default 0.01": lambda z, slope=0.01: np.maximum(z, 0.1 * z)},
    "leaky_relu_grad": {
        "ignored the `slope` keyword (always 0.01)": lambda z, slope=0.01: np.where(z > 0, 1.0, 0.01),
        "returned 0 for negative z (the ReLU derivative)": lambda z, slope=0.01: np.where(z > 0, 1.0, 0.0),
    },
    "elu": {"ignored the `alpha` keyword": lambda z, alpha=1.0: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
            "forgot the - 1: alpha e^z instead of alpha (e^z - 1) for z <= 0":
                lambda z, alpha=1.0: np.where(z > 0, z, alpha * np.exp(np.minimum(z, 0))),
            "alpha e^z - 1 instead of alpha (e^z - 1) (the same only for alpha = 1)":
                lambda z, alpha=1.0: np.where(z > 0, z, alpha * np.exp(np.minimum(z, 0)) - 1.0)},
    "elu_grad": {
        "used the function alpha(e^z - 1) instead of its derivative alpha e^z for z <= 0":
            lambda z, alpha=1.0: np.where(z > 0, 1.0, alpha * np.expm1(np.minimum(z, 0))),
        "forgot alpha: e^z instead of alpha e^z for z <= 0":
            lambda z, alpha=1.0: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0))),
    },
    "celu_grad": {
        "used the function e^(z/alpha) - 1 instead of its derivative e^(z/alpha) for z <= 0":
            lambda z, alpha=1.0: np.where(z > 0, 1.0, np.expm1(np.minimum(z, 0) / alpha)),
        "alpha e^(z/alpha) instead of e^(z/alpha) (the 1/alpha of the chain rule cancels alpha)":
            lambda z, alpha=1.0: np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0) / alpha)),
        "e^z instead of e^(z/alpha)": lambda z, alpha=1.0: np.where(z > 0, 1.0, np.exp(np.minimum(z, 0))),
    },
    "selu": {"forgot the scale lam": lambda z, lam=reference.SELU_LAMBDA, alpha=reference.SELU_ALPHA:
             np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0))),
             "lam and alpha swapped (lam = 1.0507 scales everything, alpha = 1.6733 the negative part)":
             lambda z, lam=reference.SELU_LAMBDA, alpha=reference.SELU_ALPHA:
             alpha * np.where(z > 0, z, lam * np.expm1(np.minimum(z, 0)))},
    "selu_grad": {
        "forgot the scale lam": lambda z, lam=reference.SELU_LAMBDA, alpha=reference.SELU_ALPHA:
            np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0))),
        "`alpha` not passed on to elu_grad (it used its default)":
            lambda z, lam=reference.SELU_LAMBDA, alpha=reference.SELU_ALPHA:
            lam * np.where(z > 0, 1.0, np.exp(np.minimum(z, 0))),
    },
    "softplus": {"ignored `beta`: log(1 + e^z)": lambda z, beta=1.0: np.logaddexp(0.0, z),
                 "forgot to divide by beta": lambda z, beta=1.0: np.logaddexp(0.0, beta * z),
                 "beta only outside the log: log(1 + e^z) / beta": lambda z, beta=1.0: np.logaddexp(0.0, z) / beta,
                 "dropped the max(x, 0) term of max(x, 0) + log1p(e^-|x|)":
                     lambda z, beta=1.0: np.log1p(np.exp(-np.abs(beta * z))) / beta},
    "softplus_grad": {"ignored `beta`: sigmoid(z)": lambda z, beta=1.0: _sig(z),
                      "sigmoid(-beta z) instead of sigmoid(beta z)": lambda z, beta=1.0: _sig(-beta * z),
                      "beta sigmoid(beta z): the 1/beta of softplus cancels the chain-rule beta":
                          lambda z, beta=1.0: beta * _sig(beta * z)},
    "gelu": {"used the tanh approximation; the gelu docstring's approximate=True is z sigmoid(1.702 z)":
             lambda z, approximate=False: 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3))),
             "1.702 z sigmoid(z): the 1.702 belongs inside the sigmoid, z sigmoid(1.702 z)":
             lambda z, approximate=False: 1.702 * z * _sig(z),
             "ignored approximate=True (returned the exact GELU)":
             lambda z, approximate=False: z * _ndtr(z),
             "Phi(z) without the sqrt(2): Phi(z) = erfc(-z / sqrt(2)) / 2":
             lambda z, approximate=False: z * 0.5 * np.vectorize(math.erfc, otypes=[np.float64])(-np.asarray(z))},
    "gelu_grad": {"returned Phi(z) only: the product rule also gives z phi(z)":
                  lambda z, approximate=False: _ndtr(z),
                  "ignored approximate=True (returned the exact GELU derivative)":
                  lambda z, approximate=False: _ndtr(z) + z * np.exp(-z * z / 2) / np.sqrt(2 * np.pi)},
    "silu_grad": {"returned sigmoid(z) only: the product rule also gives z sigmoid'(z)": lambda z: _sig(z),
                  "phi + sigma(1 - sigma) instead of phi + sigma(1 - phi)":
                  lambda z: z * _sig(z) + _sig(z) * (1 - _sig(z))},
    "swish": {"ignored `beta`: z sigmoid(z)": lambda z, beta=1.0: z * _sig(z),
              "returned the gate sigmoid(beta z) without the factor z": lambda z, beta=1.0: _sig(beta * z)},
    "hardswish_grad": {"(z + 3)/6 instead of (2z + 3)/6: the product rule of z (z + 3)/6 gives both terms":
                       lambda z: np.where(z <= -3, 0.0, np.where(z >= 3, 1.0, (z + 3) / 6))},
    "swish_grad": {"s - beta z s(1 - s): the product rule adds the second term":
                   lambda z, beta=1.0: _sig(beta * z) - beta * z * _sig(beta * z) * _sig(-beta * z),
                   "forgot the chain-rule beta: s + z s(1-s)":
                   lambda z, beta=1.0: _sig(beta * z) + z * _sig(beta * z) * _sig(-beta * z),
                   "ignored `beta`: the SiLU derivative":
                   lambda z, beta=1.0: _sig(z) * (1 + z * _sig(-z))},
}


def mistakes_at(unit: str, z: np.ndarray, params: dict) -> dict:
    """The known-wrong variants of `unit`, evaluated lazily at `z` with `params`."""
    return {label: (lambda f=f: f(z, **params)) for label, f in MISTAKES.get(unit, {}).items()}
