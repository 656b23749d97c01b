"""Inputs, reference values and known mistakes of the `gates` suite (SPEC §1.1).

Trusted-side data, computed once per process with fixed seeds. Every case is
(constructor arguments, forward inputs, upstream gradient `dout`); the numerical
gradients come from the reference gate's forward pass, so a wrong forward costs
points only on its own check.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pytest

from autograder import reference as references
from autograder.checks.gradient import avoid_kinks, upstream_gradients

reference = references.load("gates")

GATES = ("AddGate", "MultiplyGate", "MaxGate", "ExpGate", "ReciprocalGate", "ScaleGate", "OffsetGate",
         "SigmoidGate", "ReLUGate", "MatMulGate", "SquaredL2Gate", "SoftmaxCrossEntropyGate", "SoftIoUGate")
LOSS_GATES = ("SquaredL2Gate", "SoftmaxCrossEntropyGate", "SoftIoUGate")
INPUT_NAMES = {"AddGate": ("x", "y"), "MultiplyGate": ("x", "y"), "MaxGate": ("x", "y"),
               "MatMulGate": ("W", "x"), "SquaredL2Gate": ("q",), "SoftmaxCrossEntropyGate": ("o",),
               "SoftIoUGate": ("X",)}

# Forward values of different but correct algebra (log-sum-exp vs log of softmax, 1/(1+e^-x)
# vs expit, I/U summed in another order) agree to ~1e-15 relative; rtol 1e-9 / atol 1e-12
# leave a wide margin while every wrong formula below errs by more than 1e-3.
RTOL, ATOL = 1e-9, 1e-12


@dataclass(frozen=True)
class Case:
    """One way of exercising a gate: `Gate(*ctor).forward(*inputs)`, then `backward(dout)`."""
    ctor: tuple
    inputs: tuple
    dout: object

    def names(self, gate: str) -> tuple:
        return INPUT_NAMES.get(gate, ("x",))


def _build_cases() -> dict:
    rng = np.random.default_rng(7012)
    normal = lambda *shape: rng.normal(0.0, 1.0, size=shape)  # noqa: E731
    y = normal(3, 4)
    one_hot = np.eye(3)[rng.integers(0, 3, size=4)]
    soft_target = rng.dirichlet(np.ones(5))
    cases = {
        "AddGate": [Case((), (normal(3, 4), normal(3, 4)), normal(3, 4))],
        "MultiplyGate": [Case((), (normal(3, 4), normal(3, 4)), normal(3, 4))],
        # x - y kept KINK_MARGIN away from 0: no tie, no central difference across the switch
        "MaxGate": [Case((), (y + avoid_kinks(normal(3, 4), (0.0,)), y), normal(3, 4))],
        "ExpGate": [Case((), (normal(3, 4),), normal(3, 4))],
        "ReciprocalGate": [Case((), (rng.choice([-1.0, 1.0], (3, 4)) * rng.uniform(0.5, 2.0, (3, 4)),),
                                normal(3, 4))],
        "ScaleGate": [Case((2.5,), (normal(3, 4),), normal(3, 4))],
        "OffsetGate": [Case((-1.5,), (normal(3, 4),), normal(3, 4))],
        "SigmoidGate": [Case((), (2.0 * normal(3, 4),), normal(3, 4))],
        "ReLUGate": [Case((), (avoid_kinks(normal(3, 4), (0.0,)),), normal(3, 4))],
        "MatMulGate": [Case((), (normal(4, 3), normal(3)), normal(4)),
                       Case((), (normal(4, 3), normal(3, 2)), normal(4, 2))],
        "SquaredL2Gate": [Case((normal(5),), (normal(5),), 0.7)],
        "SoftmaxCrossEntropyGate": [Case((one_hot,), (2.0 * normal(4, 3),), 0.7),
                                    Case((soft_target,), (2.0 * normal(5),), -1.3)],
        "SoftIoUGate": [Case((rng.integers(0, 2, size=(3, 4)).astype(float),),
                             (rng.uniform(0.05, 0.95, size=(3, 4)),), 0.7)],
    }
    return cases


CASES = _build_cases()

# Python floats everywhere (SPEC: scalars are allowed); MatMulGate needs matrices and
# SoftmaxCrossEntropyGate a score vector, so they have no scalar case.
SCALAR_CASES = {
    "AddGate": Case((), (0.7, -1.3), 0.4), "MultiplyGate": Case((), (0.7, -1.3), 0.4),
    "MaxGate": Case((), (0.7, -1.3), 0.4), "ExpGate": Case((), (0.7,), 0.4),
    "ReciprocalGate": Case((), (-1.3,), 0.4), "ScaleGate": Case((2.5,), (0.7,), 0.4),
    "OffsetGate": Case((-1.5,), (0.7,), 0.4), "SigmoidGate": Case((), (0.7,), 0.4),
    "ReLUGate": Case((), (0.7,), 0.4), "SquaredL2Gate": Case((0.25,), (0.7,), 0.4),
    "SoftIoUGate": Case((1.0,), (0.7,), 0.4),
}

# Ties and kinks: conventions, not derivatives (checked exactly).
# Only tie / zero elements: routing elsewhere is graded by test_backward.
MAX_TIES = Case((), (np.array([1.0, -2.0, 0.5]), np.array([1.0, -2.0, 0.5])), np.array([0.3, -0.6, 0.9]))
RELU_AT_ZERO = Case((), (np.zeros(3),), np.array([0.3, -0.6, 0.9]))

# Softmax at scores of magnitude 1e3: a naive exp overflows.
SOFTMAX_EXTREME = Case((np.eye(3)[[0, 2]],), (np.array([[1000.0, -1000.0, 0.0], [-1000.0, 999.0, 1000.0]]),), 1.0)

SIGMOID_NEURON_EXAMPLE = (np.array([2.0, -3.0, -3.0]), np.array([-1.0, -2.0]))
_neuron_rng = np.random.default_rng(3301)
SIGMOID_NEURON_RANDOM = [(_neuron_rng.normal(0.0, 1.0, 3), _neuron_rng.normal(0.0, 1.0, 2)) for _ in range(3)]


def ref_forward(gate: str, case: Case):
    """The reference gate's forward value."""
    return getattr(reference, gate)(*case.ctor).forward(*case.inputs)


def ref_backward(gate: str, case: Case, dout=None):
    """The reference gate's backward value (for `dout`, default the case's)."""
    g = getattr(reference, gate)(*case.ctor)
    g.forward(*case.inputs)
    return g.backward(case.dout if dout is None else dout)


@cache
def numerical_gradients(gate: str, index: int) -> tuple:
    """Central-difference gradients of sum(dout * forward) for CASES[gate][index]."""
    case = CASES[gate][index]
    return upstream_gradients(lambda *xs: getattr(reference, gate)(*case.ctor).forward(*xs),
                              case.inputs, case.dout)


def as_gradients(value, n_inputs: int):
    """The backward value as a tuple (a bare array is accepted for a one-input gate)."""
    if isinstance(value, (tuple, list)):
        return tuple(value)
    return (value,) if n_inputs == 1 else value


def gate_cases(gates) -> list:
    return [pytest.param(g, marks=pytest.mark.unit(g), id=g) for g in gates]


def _sig(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -700, 700)))


def _log_softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _softmax(x, axis=-1):
    return np.exp(_log_softmax(x, axis=axis))


def forward_mistakes(gate: str, case: Case) -> dict:
    """Known-wrong forward variants: label -> zero-argument callable."""
    x = case.inputs[0]
    t = case.ctor[0] if case.ctor else None
    table = {
        "MaxGate": {"np.minimum instead of np.maximum": lambda: np.minimum(*case.inputs)},
        "ReciprocalGate": {"returned -1/x": lambda: -1.0 / x},
        "SquaredL2Gate": {"mean instead of sum": lambda: float(np.mean((x - t) ** 2)),
                          "forgot the square: sum(q - target)": lambda: float(np.sum(x - t))},
        "SoftmaxCrossEntropyGate": {
            "summed over rows instead of the mean": lambda: float(
                -np.sum(t * _log_softmax(x, axis=-1))),
            "forgot the minus sign": lambda: float(np.sum(t * _log_softmax(x, axis=-1))
                                                   / (1 if np.ndim(x) == 1 else len(x)))},
        "SoftIoUGate": {"U = sum(X + Y) (forgot to subtract the intersection)":
                        lambda: float(np.sum(x * t) / np.sum(x + t))},
    }
    return table.get(gate, {})


def backward_mistakes(gate: str, case: Case) -> dict:
    """Known-wrong backward variants: label -> zero-argument callable giving the gradient tuple."""
    xs, dout = case.inputs, np.asarray(case.dout, dtype=np.float64)
    x = np.asarray(xs[0], dtype=np.float64)
    t = np.asarray(case.ctor[0], dtype=np.float64) if case.ctor else None
    ones = np.ones_like(dout)
    generic = {"ignored the upstream gradient dout (returned the local derivative)":
               lambda: tuple(ref_backward(gate, case, ones))}
    table = {
        "AddGate": {"multiplied by the other input": lambda: (xs[1] * dout, xs[0] * dout)},
        "MultiplyGate": {"swapped the switcher: returned (x*dout, y*dout); dx needs y, dy needs x":
                         lambda: (xs[0] * dout, xs[1] * dout)},
        "MaxGate": {"sent dout to both inputs": lambda: (dout, dout),
                    "routed dout to the smaller input": lambda: (np.where(xs[0] < xs[1], dout, 0.0),
                                                                 np.where(xs[0] < xs[1], 0.0, dout))},
        "ExpGate": {"returned dout without the factor exp(x)": lambda: (dout,)},
        "ReciprocalGate": {"missing minus sign: dout/x^2": lambda: (dout / x**2,),
                           "-dout/x instead of -dout/x^2": lambda: (-dout / x,)},
        "ScaleGate": {"forgot the factor a": lambda: (dout,)},
        "OffsetGate": {"multiplied by c (the derivative of c + x is 1)": lambda: (case.ctor[0] * dout,)},
        "SigmoidGate": {"used x instead of sigma(x): x(1 - x) dout": lambda: (x * (1 - x) * dout,),
                        "returned sigma(x) dout (the output, not its derivative)": lambda: (_sig(x) * dout,)},
        "ReLUGate": {"passed dout through unchanged": lambda: (dout,)},
        "SquaredL2Gate": {"missing factor 2": lambda: ((x - t) * dout,),
                          "sign flipped: 2(target - q)": lambda: (2 * (t - x) * dout,)},
        "SoftmaxCrossEntropyGate": {
            "forgot to divide by the number of rows N": lambda: (
                (_softmax(x, axis=-1) - t) * dout,),
            "sign flipped: target - softmax(o)": lambda: (
                (t - _softmax(x, axis=-1)) * dout / (1 if x.ndim == 1 else len(x)),)},
        "SoftIoUGate": {"I(1 + Y) instead of I(1 - Y) in the numerator": lambda: (
            dout * (np.sum(x + t - x * t) * t - np.sum(x * t) * (1 + t)) / np.sum(x + t - x * t) ** 2,)},
    }
    return {**table.get(gate, {}), **generic}


def method_call(obj, method: str, *args):
    """`obj.method(*args)` on a student's object, as a CallResult with the contract facts."""
    return obj.call(method, *args, details=True)


class GateCounter:
    """Reference gates that count their forward/backward calls (dependency isolation that
    also shows whether a function is wired from gates)."""

    def __init__(self):
        self.calls: dict[str, int] = {}

    def isolation(self) -> dict:
        return {name: self._counted(name) for name in GATES}

    def _counted(self, name: str):
        calls = self.calls

        class Counted(getattr(reference, name)):
            def forward(self, *inputs):
                calls[f"{name}.forward"] = calls.get(f"{name}.forward", 0) + 1
                return super().forward(*inputs)

            def backward(self, *dout):
                calls[f"{name}.backward"] = calls.get(f"{name}.backward", 0) + 1
                return super().backward(*dout)

        Counted.__name__ = Counted.__qualname__ = name
        return Counted
