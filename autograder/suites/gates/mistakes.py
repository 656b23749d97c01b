"""The known mistakes of the `gates` suite (`checks.mistakes.KnownMistake`), in one place.

Each function gives the mistakes of one check on one input: what a typical wrong gate (or
`sigmoid_neuron`) returns there and the sentence its author reads. A mistake whose shapes do not
fit an input is left out for that input, so evaluating one never raises.
"""
from __future__ import annotations

import numpy as np

from autograder.checks.mistakes import KnownMistake
from autograder.suites.gates.cases import Case, ref_backward

ARGMAX_TARGET = ("the target read as class labels (argmax), right for one-hot targets only: with a soft target "
                 "the loss is -sum(target * log softmax(o)) and its gradient softmax(o) - target")
SHARED_STATE = ("state shared between instances: the first gate's backward used the second gate's "
                "inputs. Keep what backward needs on the instance (`self.x = ...` in forward), not on "
                "the class (a `cache = {}` in the class body is one dict for every instance)")


def _sig(x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -700, 700)))


def _log_softmax(x, axis=-1):
    x = np.asarray(x, dtype=np.float64)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _softmax(x, axis=-1):
    return np.exp(_log_softmax(x, axis=axis))


def _argmax_target(t):
    return np.argmax(np.atleast_2d(t), axis=-1)[:, None]


def _rows(x) -> int:
    """N, the number of rows of scores `x`: a 1-D score vector is one row."""
    return 1 if np.ndim(x) == 1 else len(x)


def forward_mistakes(gate: str, case: Case) -> list[KnownMistake]:
    """Known-wrong forward values of `gate` on `case`."""
    x = case.inputs[0]
    t = case.ctor[0] if case.ctor else None
    if gate == "MaxGate":
        return [KnownMistake("np.minimum instead of np.maximum", lambda: np.minimum(*case.inputs))]
    if gate == "ExpGate":
        return [KnownMistake("e approximated by a decimal (e.g. 2.718 ** x): use np.exp(x)", lambda: 2.718 ** x)]
    if gate == "ScaleGate":
        return [KnownMistake("forgot the factor a (returned x)", lambda: np.asarray(x, dtype=np.float64))]
    if gate == "OffsetGate":
        return [KnownMistake("multiplied by c instead of adding it",
                             lambda: case.ctor[0] * np.asarray(x, dtype=np.float64))]
    if gate == "SigmoidGate":
        return [KnownMistake("the two branches of the stable form swapped (returned sigma(-x))", lambda: _sig(-x))]
    if gate == "ReciprocalGate":
        return [KnownMistake("returned -1/x", lambda: -1.0 / x)]
    if gate == "SquaredL2Gate":
        return [KnownMistake("mean instead of sum", lambda: float(np.mean((x - t) ** 2))),
                KnownMistake("forgot the square: sum(q - target)", lambda: float(np.sum(x - t)))]
    if gate == "SoftmaxCrossEntropyGate":
        one_dimensional = [KnownMistake(
            "divided by C = len(o) for 1-D scores: a (C,) score vector is one row, N = 1",
            lambda: float(-np.sum(t * _log_softmax(x, axis=-1)) / len(x)))] if np.ndim(x) == 1 else []
        return [KnownMistake("summed over rows instead of the mean",
                             lambda: float(-np.sum(t * _log_softmax(x, axis=-1)))),
                KnownMistake("forgot the minus sign", lambda: float(np.sum(t * _log_softmax(x, axis=-1)) / _rows(x))),
                *one_dimensional,
                KnownMistake(ARGMAX_TARGET, lambda: float(
                    -np.mean(np.take_along_axis(np.atleast_2d(_log_softmax(x)), _argmax_target(t), axis=-1))))]
    if gate == "SoftIoUGate":
        return [KnownMistake("U = sum(X + Y) (forgot to subtract the intersection)",
                             lambda: float(np.sum(x * t) / np.sum(x + t)))]
    return []


def backward_mistakes(gate: str, case: Case) -> list[KnownMistake]:
    """Known-wrong backward values (gradient tuples) of `gate` on `case`; last, ignoring dout."""
    ones = np.ones_like(np.asarray(case.dout, dtype=np.float64))
    generic = KnownMistake("ignored the upstream gradient dout (returned the local derivative)",
                           lambda: tuple(ref_backward(gate, case, ones)))
    return [*_specific_backward_mistakes(gate, case), generic]


def _specific_backward_mistakes(gate: str, case: Case) -> list[KnownMistake]:
    xs, dout = case.inputs, np.asarray(case.dout, dtype=np.float64)
    x = np.asarray(xs[0], dtype=np.float64)
    t = np.asarray(case.ctor[0], dtype=np.float64) if case.ctor else None
    if gate == "AddGate":
        return [KnownMistake("multiplied by the other input", lambda: (xs[1] * dout, xs[0] * dout))]
    if gate == "MultiplyGate":
        return [KnownMistake("swapped the switcher: returned (x*dout, y*dout); dx needs y, dy needs x",
                             lambda: (xs[0] * dout, xs[1] * dout))]
    if gate == "MaxGate":
        return [KnownMistake("sent dout to both inputs", lambda: (dout, dout)),
                KnownMistake("routed dout to the smaller input", lambda: (np.where(xs[0] < xs[1], dout, 0.0),
                                                                          np.where(xs[0] < xs[1], 0.0, dout)))]
    if gate == "ExpGate":
        return [KnownMistake("returned dout without the factor exp(x)", lambda: (dout,))]
    if gate == "ReciprocalGate":
        return [KnownMistake("missing minus sign: dout/x^2", lambda: (dout / x**2,)),
                KnownMistake("-dout/x instead of -dout/x^2", lambda: (-dout / x,))]
    if gate == "ScaleGate":
        return [KnownMistake("forgot the factor a", lambda: (dout,))]
    if gate == "OffsetGate":
        return [KnownMistake("multiplied by c (the derivative of c + x is 1)", lambda: (case.ctor[0] * dout,))]
    if gate == "SigmoidGate":
        return [KnownMistake("used x instead of sigma(x): x(1 - x) dout", lambda: (x * (1 - x) * dout,)),
                KnownMistake("returned sigma(x) dout (the output, not its derivative)", lambda: (_sig(x) * dout,))]
    if gate == "ReLUGate":
        return [KnownMistake("passed dout through unchanged", lambda: (dout,))]
    if gate == "MatMulGate":
        return _matmul_mistakes(xs, dout)
    if gate == "SquaredL2Gate":
        return [KnownMistake("missing factor 2", lambda: ((x - t) * dout,)),
                KnownMistake("sign flipped: 2(target - q)", lambda: (2 * (t - x) * dout,))]
    if gate == "SoftmaxCrossEntropyGate":
        def argmax_gradient():
            one_hot = np.zeros_like(np.atleast_2d(x))
            np.put_along_axis(one_hot, _argmax_target(t), 1.0, axis=-1)
            return ((_softmax(x, axis=-1) - one_hot.reshape(x.shape)) * dout / _rows(x),)
        one_dimensional = [KnownMistake(
            "divided by C = len(o) for 1-D scores: a (C,) score vector is one row, N = 1",
            lambda: ((_softmax(x, axis=-1) - t) * dout / len(x),))] if x.ndim == 1 else []
        return [KnownMistake("forgot to divide by the number of rows N", lambda: ((_softmax(x, axis=-1) - t) * dout,)),
                KnownMistake("sign flipped: target - softmax(o)", lambda: ((t - _softmax(x, axis=-1)) * dout / _rows(x),)),
                *one_dimensional,
                KnownMistake(ARGMAX_TARGET, argmax_gradient)]
    if gate == "SoftIoUGate":
        union = np.sum(x + t - x * t)
        return [KnownMistake("I(1 + Y) instead of I(1 - Y) in the numerator",
                             lambda: (dout * (union * t - np.sum(x * t) * (1 + t)) / union ** 2,)),
                KnownMistake("treated the union U as a constant (dout Y / U): U depends on X too (quotient rule)",
                             lambda: (dout * t / union,))]
    return []


def _matmul_mistakes(inputs, dout) -> list[KnownMistake]:
    """Known-wrong (dW, dx) of MatMulGate. On a square W the shapes of W and W^T agree, so a
    missing transpose returns the wrong values instead of raising (mistakes are listed only
    where their shapes fit: a diagnosis never raises)."""
    W, x = (np.asarray(v, dtype=np.float64) for v in inputs)
    dW = np.outer(dout, x) if x.ndim == 1 else dout @ x.T
    if W.shape[0] != W.shape[1]:
        return []
    mistakes = [KnownMistake("dx = W @ dout instead of W.T @ dout (on a square W both shapes fit; only W.T is right)",
                             lambda: (dW, W @ dout))]
    if x.ndim == 1:
        mistakes.append(KnownMistake(
            "dW = np.outer(x, dout) instead of np.outer(dout, x) (the transpose of the right dW)",
            lambda: (np.outer(x, dout), W.T @ dout)))
    elif x.shape[0] == x.shape[1]:
        mistakes.append(KnownMistake(
            "dW = dout @ x instead of dout @ x.T (on a square x both shapes fit; only x.T is right)",
            lambda: (dout @ x, W.T @ dout)))
    return mistakes


def max_tie_mistakes(x, y, dout) -> list[KnownMistake]:
    """Known-wrong (dx, dy) of MaxGate where x and y tie."""
    return [KnownMistake("ties sent to y: x > y instead of x >= y (the MaxGate docstring: ties go to x)",
                         (np.where(x > y, dout, 0.0), np.where(x > y, 0.0, dout))),
            KnownMistake("ties split between x and y (the MaxGate docstring: ties go to x)",
                         (np.where(x > y, dout, np.where(x == y, dout / 2, 0.0)),
                          np.where(x < y, dout, np.where(x == y, dout / 2, 0.0)))),
            KnownMistake("ties sent to both x and y (the MaxGate docstring: ties go to x only)",
                         (np.where(x >= y, dout, 0.0), np.where(x <= y, dout, 0.0)))]


def relu_at_zero_mistakes(x, dout) -> list[KnownMistake]:
    """Known-wrong dx of ReLUGate at x == 0."""
    return [KnownMistake("(x >= 0) instead of (x > 0): the derivative at 0 must be 0 (the ReLUGate docstring)",
                         (np.where(x >= 0, dout, 0.0),))]


def shared_state_mistakes(got, shared: bool) -> list[KnownMistake]:
    """The instance-independence check's mistake: when the first gate's gradients `got` are those
    the student's own gate gives the second one's inputs (`shared`), its state is on the class."""
    return [KnownMistake(SHARED_STATE, got)] if shared else []


def neuron_value_mistakes(w, x) -> list[KnownMistake]:
    """Known-wrong f of sigmoid_neuron."""
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))  # noqa: E731
    return [KnownMistake("forgot the bias w2: f = sigma(w0 x0 + w1 x1)", sig(w[0] * x[0] + w[1] * x[1])),
            KnownMistake("returned the pre-activation w0 x0 + w1 x1 + w2 without the sigmoid",
                         w[0] * x[0] + w[1] * x[1] + w[2])]


def neuron_gradient_mistakes(w, x) -> list[KnownMistake]:
    """Known-wrong (dw, dx) of sigmoid_neuron."""
    z = w[0] * x[0] + w[1] * x[1] + w[2]
    local = 1.0 / (1.0 + np.exp(-z)) * (1.0 - 1.0 / (1.0 + np.exp(-z)))
    return [KnownMistake("skipped the sigmoid's local gradient (dw = [x0, x1, 1], dx = [w0, w1])",
                         (np.array([x[0], x[1], 1.0]), np.array([w[0], w[1]]))),
            KnownMistake("swapped the two outputs of a MultiplyGate's backward (dw gets w, dx gets x)",
                         (local * np.array([w[0], w[1], 1.0]), local * np.array([x[0], x[1]])))]
