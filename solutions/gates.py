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
        ### BEGIN SOLUTION
        return np.add(x, y, dtype=np.float64)
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        return np.array(dout, dtype=np.float64), np.array(dout, dtype=np.float64)
        ### END SOLUTION


class MultiplyGate:
    """x * y elementwise. Backward, the switcher: (y dout, x dout)."""

    def forward(self, x, y):
        ### BEGIN SOLUTION
        self.x = np.array(x, dtype=np.float64)
        self.y = np.array(y, dtype=np.float64)
        return self.x * self.y
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        return self.y * dout, self.x * dout
        ### END SOLUTION


class MaxGate:
    """max(x, y) elementwise. Backward, the router: dout goes to x where
    x >= y (ties go to x), else to y."""

    def forward(self, x, y):
        ### BEGIN SOLUTION
        self.x_wins = np.greater_equal(x, y)
        return np.maximum(x, y, dtype=np.float64)
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        return np.where(self.x_wins, dout, 0.0), np.where(self.x_wins, 0.0, dout)
        ### END SOLUTION


class ExpGate:
    """exp(x). Backward: (exp(x) dout,)."""

    def forward(self, x):
        ### BEGIN SOLUTION
        self.out = np.exp(np.asarray(x, dtype=np.float64))
        return self.out
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        return (self.out * dout,)
        ### END SOLUTION


class ReciprocalGate:
    """1 / x. Backward: (-dout / x^2,)."""

    def forward(self, x):
        ### BEGIN SOLUTION
        self.x = np.array(x, dtype=np.float64)
        return 1.0 / self.x
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        return (-dout / self.x**2,)
        ### END SOLUTION


class ScaleGate:
    """a * x for a constant a. Backward: (a dout,)."""

    def __init__(self, a):
        ### BEGIN SOLUTION
        self.a = a
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return self.a * np.asarray(x, dtype=np.float64)
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        return (self.a * np.asarray(dout, dtype=np.float64),)
        ### END SOLUTION


class OffsetGate:
    """c + x for a constant c. Backward: (dout,)."""

    def __init__(self, c):
        ### BEGIN SOLUTION
        self.c = c
        ### END SOLUTION

    def forward(self, x):
        ### BEGIN SOLUTION
        return self.c + np.asarray(x, dtype=np.float64)
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        return (np.array(dout, dtype=np.float64),)
        ### END SOLUTION


class SigmoidGate:
    """sigma(x) = 1 / (1 + e^-x). Stable for |x| up to 1e3: e^-x overflows for
    x < -709.78, so compute e = e^-|x| and take 1/(1 + e) for x >= 0, e/(1 + e) for x < 0.
    Backward: (sigma(x) (1 - sigma(x)) dout,)."""

    def forward(self, x):
        ### BEGIN SOLUTION
        x = np.asarray(x, dtype=np.float64)
        with np.errstate(under="ignore"):  # e^-|x| below the smallest normal float is exact enough
            e = np.exp(-np.abs(x))
        self.out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return self.out
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        return (self.out * (1.0 - self.out) * dout,)
        ### END SOLUTION


class ReLUGate:
    """max(x, 0). Backward: (dout * (x > 0),), so the derivative at 0 is 0."""

    def forward(self, x):
        ### BEGIN SOLUTION
        self.positive = np.asarray(x) > 0
        return np.maximum(x, 0.0)
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        return (np.where(self.positive, dout, 0.0),)
        ### END SOLUTION


class MatMulGate:
    """W @ x with W (n, m) and x (m,) or (m, k); W may be square (n == m).
    Backward: dW = dout x^T (np.outer(dout, x) for 1-D x), dx = W^T dout: the transposes
    are needed on every shape, also where the shapes would fit without them."""

    def forward(self, W, x):
        ### BEGIN SOLUTION
        self.W = np.array(W, dtype=np.float64)
        self.x = np.array(x, dtype=np.float64)
        return self.W @ self.x
        ### END SOLUTION

    def backward(self, dout):
        ### BEGIN SOLUTION
        dout = np.asarray(dout, dtype=np.float64)
        if self.x.ndim == 1:
            dW = np.outer(dout, self.x)
        else:
            dW = dout @ self.x.T
        return dW, self.W.T @ dout
        ### END SOLUTION


class SquaredL2Gate:
    """Loss sum((q - target)^2), returned as a scalar (a Python float or a
    NumPy scalar, not a 1-element array).
    Backward: (2 (q - target) dout,)."""

    def __init__(self, target):
        ### BEGIN SOLUTION
        self.target = np.array(target, dtype=np.float64)
        ### END SOLUTION

    def forward(self, q):
        ### BEGIN SOLUTION
        self.diff = np.asarray(q, dtype=np.float64) - self.target
        return float(np.sum(self.diff**2))
        ### END SOLUTION

    def backward(self, dout=1.0):
        ### BEGIN SOLUTION
        return (2.0 * self.diff * dout,)
        ### END SOLUTION


class SoftmaxCrossEntropyGate:
    """Mean over the N rows of -sum(target * log softmax(o)) for scores o of
    shape (N, C) (N may be 1) or (C,) (then N = 1), returned as a scalar.
    Stable for scores of magnitude 1e3: log softmax(o) = s - log(sum(e^s)) with
    s = o - max(o) taken per row (the maximum of each row, not of the whole array).
    Backward: ((softmax(o) - target) dout / N,)."""

    def __init__(self, target):
        ### BEGIN SOLUTION
        self.target = np.array(target, dtype=np.float64)
        ### END SOLUTION

    def forward(self, o):
        ### BEGIN SOLUTION
        o = np.asarray(o, dtype=np.float64)
        shifted = o - np.max(o, axis=-1, keepdims=True)
        with np.errstate(under="ignore"):
            exp_shifted = np.exp(shifted)
        log_probs = shifted - np.log(np.sum(exp_shifted, axis=-1, keepdims=True))
        self.probs = exp_shifted / np.sum(exp_shifted, axis=-1, keepdims=True)
        self.n_rows = 1 if o.ndim == 1 else o.shape[0]
        return float(-np.sum(self.target * log_probs) / self.n_rows)
        ### END SOLUTION

    def backward(self, dout=1.0):
        ### BEGIN SOLUTION
        return ((self.probs - self.target) * dout / self.n_rows,)
        ### END SOLUTION


class SoftIoUGate:
    """Soft intersection over union of a soft mask X and a binary target Y, returned
    as a scalar: I / U with I = sum(X Y), U = sum(X + Y - X Y).
    Backward: (dout (U Y - I (1 - Y)) / U^2,)."""

    def __init__(self, target):
        ### BEGIN SOLUTION
        self.target = np.array(target, dtype=np.float64)
        ### END SOLUTION

    def forward(self, X):
        ### BEGIN SOLUTION
        X = np.asarray(X, dtype=np.float64)
        Y = self.target
        self.intersection = np.sum(X * Y)
        self.union = np.sum(X + Y - X * Y)
        return float(self.intersection / self.union)
        ### END SOLUTION

    def backward(self, dout=1.0):
        ### BEGIN SOLUTION
        Y, I, U = self.target, self.intersection, self.union
        return (dout * (U * Y - I * (1.0 - Y)) / U**2,)
        ### END SOLUTION


def sigmoid_neuron(w, x):
    """f = sigma(w0 x0 + w1 x1 + w2) and its gradients, wired from the gates
    above (two MultiplyGates, two AddGates, one SigmoidGate): forward through
    the graph, then backward from df = 1 (no autograd, no hand-derived closed
    form: the grader counts the gate calls). Returns (f, dw, dx) with f a float,
    dw of shape (3,) and dx of shape (2,)."""
    ### BEGIN SOLUTION
    w = np.asarray(w, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    mul0, mul1 = MultiplyGate(), MultiplyGate()
    add_products, add_bias = AddGate(), AddGate()
    sigmoid_gate = SigmoidGate()

    products = add_products.forward(mul0.forward(w[0], x[0]), mul1.forward(w[1], x[1]))
    f = sigmoid_gate.forward(add_bias.forward(products, w[2]))

    (d_pre,) = sigmoid_gate.backward(1.0)
    d_products, dw2 = add_bias.backward(d_pre)
    d_prod0, d_prod1 = add_products.backward(d_products)
    dw0, dx0 = mul0.backward(d_prod0)
    dw1, dx1 = mul1.backward(d_prod1)
    return float(f), np.array([dw0, dw1, dw2], dtype=np.float64), np.array([dx0, dx1], dtype=np.float64)
    ### END SOLUTION
