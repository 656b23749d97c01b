"""Helper objects (a Saved record per gate, a module-level Stable helper), the math module for
Python-float inputs, tuples built with tuple(), loss values as NumPy scalars."""
import math
from types import SimpleNamespace

import numpy as np


class Stable:
    """Numerically stable helpers shared by the gates."""

    @staticmethod
    def sigmoid(x):
        if isinstance(x, float):
            return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        x = np.asarray(x, dtype=np.float64)
        out = np.empty_like(x)
        pos = x >= 0
        out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
        e = np.exp(x[~pos])
        out[~pos] = e / (1.0 + e)
        return out

    @staticmethod
    def log_softmax(o):
        shifted = o - o.max(axis=-1, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


STABLE = Stable()


def _f64(v):
    return v if isinstance(v, float) else np.asarray(v, dtype=np.float64)


class AddGate:
    def forward(self, x, y):
        self.saved = SimpleNamespace(x=_f64(x), y=_f64(y))
        return self.saved.x + self.saved.y

    def backward(self, dout):
        return tuple(_f64(dout) + 0.0 * v for v in (self.saved.x, self.saved.y))


class MultiplyGate:
    def forward(self, x, y):
        self.saved = SimpleNamespace(x=_f64(x), y=_f64(y))
        return self.saved.x * self.saved.y

    def backward(self, dout):
        return tuple([self.saved.y * dout, self.saved.x * dout])


class MaxGate:
    def forward(self, x, y):
        x, y = _f64(x), _f64(y)
        self.saved = SimpleNamespace(x_wins=np.greater_equal(x, y))
        return np.maximum(x, y)

    def backward(self, dout):
        w = self.saved.x_wins
        return np.where(w, dout, 0.0), np.where(w, 0.0, dout)


class ExpGate:
    def forward(self, x):
        self.out = math.exp(x) if isinstance(x, float) else np.exp(_f64(x))
        return self.out

    def backward(self, dout):
        return (self.out * dout,)


class ReciprocalGate:
    def forward(self, x):
        self.x = _f64(x)
        return 1.0 / self.x

    def backward(self, dout):
        return (-dout / (self.x * self.x),)


class ScaleGate:
    def __init__(self, a):
        self.a = float(a)

    def forward(self, x):
        return self.a * _f64(x)

    def backward(self, dout):
        return (self.a * _f64(dout),)


class OffsetGate:
    def __init__(self, c):
        self.c = float(c)

    def forward(self, x):
        return _f64(x) + self.c

    def backward(self, dout):
        return (_f64(dout) * 1.0,)


class SigmoidGate:
    def forward(self, x):
        self.s = STABLE.sigmoid(x)
        return self.s

    def backward(self, dout):
        return (self.s * (1.0 - self.s) * dout,)


class ReLUGate:
    def forward(self, x):
        if isinstance(x, float):
            self.on = 1.0 if x > 0 else 0.0
            return max(x, 0.0)
        x = _f64(x)
        self.on = (x > 0).astype(np.float64)
        return x * self.on

    def backward(self, dout):
        return (self.on * _f64(dout),)


class MatMulGate:
    def forward(self, W, x):
        self.W, self.x = _f64(W), _f64(x)
        return np.dot(self.W, self.x)

    def backward(self, dout):
        dout = _f64(dout)
        x2 = self.x.reshape(self.x.shape[0], -1)
        d2 = dout.reshape(dout.shape[0], -1)
        return d2 @ x2.T, np.dot(self.W.T, dout)


class SquaredL2Gate:
    def __init__(self, target):
        self.t = _f64(np.asarray(target, dtype=np.float64))

    def forward(self, q):
        self.d = np.asarray(q, dtype=np.float64) - self.t
        return np.float64(np.sum(self.d * self.d))

    def backward(self, dout=1.0):
        return (2.0 * dout * self.d,)


class SoftmaxCrossEntropyGate:
    def __init__(self, target):
        self.t = np.asarray(target, dtype=np.float64)

    def forward(self, o):
        o = np.asarray(o, dtype=np.float64)
        log_p = STABLE.log_softmax(o)
        self.p = np.exp(log_p)
        self.n = o.shape[0] if o.ndim == 2 else 1
        return float(-(self.t * log_p).sum() / self.n)

    def backward(self, dout=1.0):
        return ((self.p - self.t) / self.n * dout,)


class SoftIoUGate:
    def __init__(self, target):
        self.Y = np.asarray(target, dtype=np.float64)

    def forward(self, X):
        X = np.asarray(X, dtype=np.float64)
        self.I = (X * self.Y).sum()
        self.U = (X + self.Y - X * self.Y).sum()
        return float(self.I / self.U)

    def backward(self, dout=1.0):
        return (dout * (self.Y * self.U - self.I * (1.0 - self.Y)) / (self.U * self.U),)


def sigmoid_neuron(w, x):
    w = [float(v) for v in w]
    x = [float(v) for v in x]
    mul = [MultiplyGate(), MultiplyGate()]
    add_a, add_b, sig = AddGate(), AddGate(), SigmoidGate()
    products = [g.forward(wi, xi) for g, wi, xi in zip(mul, w[:2], x)]
    f = sig.forward(add_b.forward(add_a.forward(*products), w[2]))
    (dz,) = sig.backward(1.0)
    dsum, dw2 = add_b.backward(dz)
    dps = add_a.backward(dsum)
    pairs = [g.backward(dp) for g, dp in zip(mul, dps)]
    return float(f), np.array([p[0] for p in pairs] + [dw2], dtype=np.float64), np.array([p[1] for p in pairs], dtype=np.float64)
