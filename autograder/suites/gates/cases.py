"""Inputs and reference values of the `gates` suite (the handout: solutions/gates.py's docstrings).

Trusted-side data, computed once per process with fixed seeds. Every case is
(constructor arguments, forward inputs, upstream gradient `dout`); the numerical
gradients come from the reference gate's forward pass, so a wrong forward costs
points only on its own check.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

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
# leave a wide margin while every known mistake (mistakes.py) errs by more than 1e-3.
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
        # Non-square and square W: a "transpose it if the shapes do not match" fix of a wrong
        # gradient is invisible on non-square shapes (it then happens to be right) and wrong on square ones.
        "MatMulGate": [Case((), (normal(4, 3), normal(3)), normal(4)),
                       Case((), (normal(4, 3), normal(3, 2)), normal(4, 2)),
                       Case((), (normal(3, 3), normal(3)), normal(3)),
                       Case((), (normal(3, 3), normal(3, 3)), normal(3, 3)),
                       # a batch of one column: np.squeeze(x) turns it into the 1-D case and W @ x into (n,)
                       Case((), (normal(4, 3), normal(3, 1)), normal(4, 1))],
        "SquaredL2Gate": [Case((normal(5),), (normal(5),), 0.7), Case((normal(2, 3),), (normal(2, 3),), -0.4)],
        # (N, C), 1-D (C,) (N = 1) and a batch of one (1, C): N is the number of rows, never C.
        "SoftmaxCrossEntropyGate": [Case((one_hot,), (2.0 * normal(4, 3),), 0.7),
                                    Case((soft_target,), (2.0 * normal(5),), -1.3),
                                    Case((np.eye(4)[[2]],), (2.0 * normal(1, 4),), 1.1)],
        "SoftIoUGate": [Case((rng.integers(0, 2, size=(3, 4)).astype(float),),
                             (rng.uniform(0.05, 0.95, size=(3, 4)),), 0.7)],
    }
    # Every elementwise gate on a 1-D input as well (its contract allows any shape): a mistake that
    # assumes two axes (`x.shape[1]`, `np.sum(axis=1)`, `x.T`) shows there.
    for gate in ("AddGate", "MultiplyGate", "MaxGate", "ExpGate", "ReciprocalGate", "ScaleGate", "OffsetGate",
                 "SigmoidGate", "ReLUGate", "SoftIoUGate"):
        first = cases[gate][0]
        cases[gate].append(Case(tuple(np.ravel(c)[:5] if isinstance(c, np.ndarray) else c for c in first.ctor),
                                tuple(np.ravel(x)[:5] for x in first.inputs),
                                np.ravel(first.dout)[:5] if isinstance(first.dout, np.ndarray) else first.dout))
    return cases


CASES = _build_cases()

# Python floats everywhere (the module docstring: scalars are allowed); MatMulGate needs matrices and
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

# Softmax at scores of magnitude 1e3: a naive exp overflows. The last row's scores are all near
# -1000: shifting by the maximum of the whole array instead of each row's underflows it to log(0).
# Every shape family the contract allows -- (N, C), (C,) and a batch of one (1, C) -- since a
# stable path for one shape (`if o.ndim == 2`) says nothing of the others.
SOFTMAX_EXTREME = [Case((np.eye(3)[[0, 2, 1]],),
                        (np.array([[1000.0, -1000.0, 0.0], [-1000.0, 999.0, 1000.0], [-1000.0, -999.0, -1001.0]]),),
                        1.0),
                   Case((np.array([0.0, 1.0, 0.0]),), (np.array([-1000.0, -999.0, -1001.0]),), 1.0),
                   Case((np.array([[0.0, 0.0, 1.0]]),), (np.array([[1000.0, -1000.0, 999.0]]),), 1.0)]
# Sigmoid at |x| up to 1e3: 1/(1 + e^-x) overflows for x < -709.78; 1-D and 2-D.
SIGMOID_EXTREME = [Case((), (np.array([-1000.0, -710.0, -40.0, 40.0, 710.0, 1000.0]),),
                        np.array([0.3, -0.6, 0.9, 1.2, -0.5, 0.7])),
                   Case((), (np.array([[-1000.0, 1000.0], [-745.0, 3.0]]),), np.array([[0.3, -0.6], [0.9, 1.2]]))]

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
