"""Computational-graph gates.

Every gate has `forward(*inputs)`, which caches what the backward pass needs and
returns the output, and `backward(dout)`, which returns one gradient per forward
input, each with that input's shape: a tuple or a list (`(dx, dy)`; a one-input
gate may return `(dx,)`, `[dx]` or the bare `dx`).

Rules every gate follows (the grader checks each one):
- Inputs may be NumPy arrays of any shape (1-D, 2-D, square or not) or Python
  floats; the two inputs of a two-input gate have equal shapes. On Python floats a
  gate returns a scalar value and scalar gradients.
- Values and gradients are float64 (not float32 or float16).
- `forward` and `backward` never change their arguments (`x`, `y`, `dout`, ...) in
  place: compute into new arrays.
- Conventions: MaxGate sends all of `dout` to x on ties (x == y); ReLUGate passes
  no gradient where x == 0.
- Stability: SigmoidGate and SoftmaxCrossEntropyGate give finite values, without
  overflow or invalid-value warnings, for inputs of magnitude up to 1e3 (where the
  exact result underflows, 0.0 or a tiny positive number is right).
- The three loss gates (`SquaredL2Gate`, `SoftmaxCrossEntropyGate`, `SoftIoUGate`)
  default to `dout = 1.0`.
"""
import numpy as np


class AddGate:
    """x + y. Backward, the distributor: (dout, dout)."""

    def forward(self, x, y):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError()


class MultiplyGate:
    """x * y elementwise. Backward, the switcher: (y dout, x dout)."""

    def forward(self, x, y):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError()


class MaxGate:
    """max(x, y) elementwise. Backward, the router: dout goes to x where
    x >= y (ties go to x), else to y."""

    def forward(self, x, y):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError()


class ExpGate:
    """exp(x). Backward: (exp(x) dout,)."""

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError()


class ReciprocalGate:
    """1 / x. Backward: (-dout / x^2,)."""

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError()


class ScaleGate:
    """a * x for a constant a. Backward: (a dout,)."""

    def __init__(self, a):
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError()


class OffsetGate:
    """c + x for a constant c. Backward: (dout,)."""

    def __init__(self, c):
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError()


class SigmoidGate:
    """sigma(x) = 1 / (1 + e^-x). Stable for |x| up to 1e3: e^-x overflows for
    x < -709.78, so compute e = e^-|x| and take 1/(1 + e) for x >= 0, e/(1 + e) for x < 0.
    Backward: (sigma(x) (1 - sigma(x)) dout,)."""

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError()


class ReLUGate:
    """max(x, 0). Backward: (dout * (x > 0),), so the derivative at 0 is 0."""

    def forward(self, x):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError()


class MatMulGate:
    """W @ x with W (n, m) and x (m,) or (m, k); W may be square (n == m).
    Backward: dW = dout x^T (np.outer(dout, x) for 1-D x), dx = W^T dout: the transposes
    are needed on every shape, also where the shapes would fit without them."""

    def forward(self, W, x):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError()


class SquaredL2Gate:
    """Loss sum((q - target)^2), returned as a scalar (a Python float or a
    NumPy scalar, not a 1-element array).
    Backward: (2 (q - target) dout,)."""

    def __init__(self, target):
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, q):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, dout=1.0):
        # YOUR CODE HERE
        raise NotImplementedError()


class SoftmaxCrossEntropyGate:
    """Mean over the N rows of -sum(target * log softmax(o)) for scores o of
    shape (N, C) (N may be 1) or (C,) (then N = 1), returned as a scalar.
    Stable for scores of magnitude 1e3: log softmax(o) = s - log(sum(e^s)) with
    s = o - max(o) taken per row (the maximum of each row, not of the whole array).
    Backward: ((softmax(o) - target) dout / N,)."""

    def __init__(self, target):
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, o):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, dout=1.0):
        # YOUR CODE HERE
        raise NotImplementedError()


class SoftIoUGate:
    """Soft intersection over union of a soft mask X and a binary target Y, returned
    as a scalar: I / U with I = sum(X Y), U = sum(X + Y - X Y).
    Backward: (dout (U Y - I (1 - Y)) / U^2,)."""

    def __init__(self, target):
        # YOUR CODE HERE
        raise NotImplementedError()

    def forward(self, X):
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, dout=1.0):
        # YOUR CODE HERE
        raise NotImplementedError()


def sigmoid_neuron(w, x):
    """f = sigma(w0 x0 + w1 x1 + w2) and its gradients, wired from the gates
    above (two MultiplyGates, two AddGates, one SigmoidGate): forward through
    the graph, then backward from df = 1 (no autograd, no hand-derived closed
    form: the grader counts the gate calls). Returns (f, dw, dx) with f a float,
    dw of shape (3,) and dx of shape (2,)."""
    # YOUR CODE HERE
    raise NotImplementedError()
