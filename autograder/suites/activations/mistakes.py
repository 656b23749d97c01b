"""The known mistakes of the `activations` suite (`checks.mistakes.KnownMistake`), in one place:
for each unit, the formulas typical wrong implementations compute, bound to a check's input by
`mistakes_at`."""
from __future__ import annotations

import math

import numpy as np

from autograder.checks.mistakes import KnownMistake
from autograder.suites.activations.cases import reference


def _sig(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -700, 700)))


def _ndtr(z):
    """The standard normal CDF."""
    return 0.5 * np.vectorize(math.erfc, otypes=[np.float64])(-np.asarray(z) / math.sqrt(2.0))


# unit -> {label: f(z, **params)}: what a typical mistake returns (away from kinks: the kink
# conventions have their own check and feedback).
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


def mistakes_at(unit: str, z: np.ndarray, params: dict) -> list[KnownMistake]:
    """The known mistakes of `unit` at `z` with `params` (each evaluated only when a check asks)."""
    return [KnownMistake(label, lambda f=f: f(z, **params)) for label, f in MISTAKES.get(unit, {}).items()]
