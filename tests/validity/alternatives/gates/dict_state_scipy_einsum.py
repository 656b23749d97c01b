"""Dict state, scipy.special (expit, log_softmax), np.einsum and np.tensordot, loops over elements, Python-float
loss values from math.fsum, bare arrays from one-input gates, NumPy scalars from floats."""
import math

import numpy as np
from scipy.special import expit, log_softmax


class AddGate:
    def __init__(self):
        self.cache = {}

    def forward(self, x, y):
        self.cache["shape"] = np.shape(x)
        return np.asarray(x, dtype=np.float64) + np.asarray(y, dtype=np.float64)

    def backward(self, dout):
        g = np.broadcast_to(np.asarray(dout, dtype=np.float64), self.cache["shape"]).copy()
        return g, g.copy()


class MultiplyGate:
    def __init__(self):
        self.cache = {}

    def forward(self, x, y):
        self.cache.update(x=np.array(x, dtype=np.float64), y=np.array(y, dtype=np.float64))
        return self.cache["x"] * self.cache["y"]

    def backward(self, dout):
        return self.cache["y"] * dout, self.cache["x"] * dout


class MaxGate:
    def __init__(self):
        self.cache = {}

    def forward(self, x, y):
        x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
        self.cache["mask"] = x >= y
        return np.where(self.cache["mask"], x, y)

    def backward(self, dout):
        dout = np.asarray(dout, dtype=np.float64)
        mask = self.cache["mask"]
        return dout * mask, dout * ~mask


class ExpGate:
    def __init__(self):
        self.cache = {}

    def forward(self, x):
        self.cache["out"] = np.exp(np.asarray(x, dtype=np.float64))
        return self.cache["out"]

    def backward(self, dout):
        return self.cache["out"] * dout


class ReciprocalGate:
    def __init__(self):
        self.cache = {}

    def forward(self, x):
        self.cache["x"] = np.asarray(x, dtype=np.float64)
        return np.reciprocal(self.cache["x"])

    def backward(self, dout):
        return -np.asarray(dout, dtype=np.float64) / np.square(self.cache["x"])


class ScaleGate:
    def __init__(self, a):
        self.cache = {"a": a}

    def forward(self, x):
        return np.multiply(self.cache["a"], x, dtype=np.float64)

    def backward(self, dout):
        return np.multiply(self.cache["a"], dout, dtype=np.float64)


class OffsetGate:
    def __init__(self, c):
        self.cache = {"c": c}

    def forward(self, x):
        return np.add(x, self.cache["c"], dtype=np.float64)

    def backward(self, dout):
        return np.array(dout, dtype=np.float64, copy=True)


class SigmoidGate:
    def __init__(self):
        self.cache = {}

    def forward(self, x):
        self.cache["s"] = expit(np.asarray(x, dtype=np.float64))
        return self.cache["s"]

    def backward(self, dout):
        s = self.cache["s"]
        return s * (1.0 - s) * dout


class ReLUGate:
    def __init__(self):
        self.cache = {}

    def forward(self, x):
        x = np.asarray(x, dtype=np.float64)
        self.cache["on"] = x > 0
        return x * self.cache["on"]

    def backward(self, dout):
        return np.asarray(dout, dtype=np.float64) * self.cache["on"]


class MatMulGate:
    def __init__(self):
        self.cache = {}

    def forward(self, W, x):
        self.cache.update(W=np.asarray(W, dtype=np.float64), x=np.asarray(x, dtype=np.float64))
        return np.einsum("ij,j...->i...", self.cache["W"], self.cache["x"])

    def backward(self, dout):
        W, x = self.cache["W"], self.cache["x"]
        dout = np.asarray(dout, dtype=np.float64)
        dW = np.tensordot(dout, x, axes=(list(range(1, dout.ndim)), list(range(1, x.ndim))))
        dx = np.einsum("ij,i...->j...", W, dout)
        return dW, dx


class SquaredL2Gate:
    def __init__(self, target):
        self.cache = {"t": np.asarray(target, dtype=np.float64)}

    def forward(self, q):
        diff = np.asarray(q, dtype=np.float64) - self.cache["t"]
        self.cache["diff"] = diff
        return math.fsum(d * d for d in diff.ravel())

    def backward(self, dout=1.0):
        grad = np.empty_like(self.cache["diff"])
        for index, d in np.ndenumerate(self.cache["diff"]):
            grad[index] = 2.0 * d * dout
        return grad


class SoftmaxCrossEntropyGate:
    def __init__(self, target):
        self.cache = {"t": np.asarray(target, dtype=np.float64)}

    def forward(self, o):
        o = np.asarray(o, dtype=np.float64)
        log_p = log_softmax(o, axis=-1)
        n = 1 if o.ndim == 1 else o.shape[0]
        self.cache.update(p=np.exp(log_p), n=n)
        return np.float64(-np.sum(self.cache["t"] * log_p) / n)

    def backward(self, dout=1.0):
        return (self.cache["p"] - self.cache["t"]) * (dout / self.cache["n"])


class SoftIoUGate:
    def __init__(self, target):
        self.cache = {"Y": np.asarray(target, dtype=np.float64)}

    def forward(self, X):
        X, Y = np.asarray(X, dtype=np.float64), self.cache["Y"]
        inter = float(np.vdot(X, Y))
        union = float(np.sum(X) + np.sum(Y)) - inter
        self.cache.update(I=inter, U=union)
        return inter / union

    def backward(self, dout=1.0):
        Y, inter, union = self.cache["Y"], self.cache["I"], self.cache["U"]
        return dout * (Y / union - inter * (1.0 - Y) / union ** 2)


def sigmoid_neuron(w, x):
    m0, m1, a0, a1, s = MultiplyGate(), MultiplyGate(), AddGate(), AddGate(), SigmoidGate()
    f = s.forward(a1.forward(a0.forward(m0.forward(w[0], x[0]), m1.forward(w[1], x[1])), w[2]))
    dz = s.backward(1.0)
    dz = dz[0] if isinstance(dz, (tuple, list)) else dz
    dsum, dw2 = a1.backward(dz)
    dp0, dp1 = a0.backward(dsum)
    dw0, dx0 = m0.backward(dp0)
    dw1, dx1 = m1.backward(dp1)
    return float(f), np.array([dw0, dw1, dw2], dtype=np.float64), np.array([dx0, dx1], dtype=np.float64)
