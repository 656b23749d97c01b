"""A class hierarchy: each gate states its local derivatives, one shared backward multiplies
them by dout and returns a list; ReLU by np.piecewise, sigmoid clipped to [-500, 500]."""
import numpy as np


class Gate:
    def forward(self, *inputs):
        self.inputs = [np.asarray(v, dtype=np.float64) for v in inputs]
        self.local = self.local_derivatives(*self.inputs)
        return self.value(*self.inputs)

    def backward(self, dout=1.0):
        dout = np.asarray(dout, dtype=np.float64)
        return [d * dout for d in self.local]


class AddGate(Gate):
    def value(self, x, y):
        return x + y

    def local_derivatives(self, x, y):
        return [np.ones_like(x), np.ones_like(y)]


class MultiplyGate(Gate):
    def value(self, x, y):
        return x * y

    def local_derivatives(self, x, y):
        return [y, x]


class MaxGate(Gate):
    def value(self, x, y):
        return np.where(x >= y, x, y)

    def local_derivatives(self, x, y):
        to_x = (x >= y).astype(np.float64)
        return [to_x, 1.0 - to_x]


class ExpGate(Gate):
    def value(self, x):
        return np.exp(x)

    def local_derivatives(self, x):
        return [np.exp(x)]


class ReciprocalGate(Gate):
    def value(self, x):
        return 1.0 / x

    def local_derivatives(self, x):
        return [-1.0 / (x * x)]


class ScaleGate(Gate):
    def __init__(self, a):
        self.a = a

    def value(self, x):
        return self.a * x

    def local_derivatives(self, x):
        return [np.full_like(x, self.a)]


class OffsetGate(Gate):
    def __init__(self, c):
        self.c = c

    def value(self, x):
        return x + self.c

    def local_derivatives(self, x):
        return [np.ones_like(x)]


class SigmoidGate(Gate):
    def value(self, x):
        return self.s

    def local_derivatives(self, x):
        self.s = 1.0 / (1.0 + np.exp(-np.clip(x, -500.0, 500.0)))
        return [self.s * (1.0 - self.s)]


class ReLUGate(Gate):
    def value(self, x):
        return np.piecewise(x, [x > 0], [lambda v: v, 0.0])

    def local_derivatives(self, x):
        return [np.piecewise(x, [x > 0], [1.0, 0.0])]


class MatMulGate(Gate):
    def value(self, W, x):
        return W @ x

    def local_derivatives(self, W, x):
        return []

    def backward(self, dout):
        W, x = self.inputs
        dout = np.asarray(dout, dtype=np.float64)
        if x.ndim == 1:
            return [dout[:, None] * x[None, :], W.T @ dout]
        return [dout @ x.T, W.T @ dout]


class LossGate(Gate):
    def __init__(self, target):
        self.target = np.asarray(target, dtype=np.float64)


class SquaredL2Gate(LossGate):
    def value(self, q):
        return float(np.sum((q - self.target) ** 2))

    def local_derivatives(self, q):
        return [2.0 * (q - self.target)]


class SoftmaxCrossEntropyGate(LossGate):
    def value(self, o):
        return float(-np.sum(self.target * self.log_p) / self.n)

    def local_derivatives(self, o):
        rows = np.atleast_2d(o)
        m = rows.max(axis=1, keepdims=True)
        log_p = rows - m - np.log(np.exp(rows - m).sum(axis=1, keepdims=True))
        self.n = rows.shape[0]
        self.log_p = log_p.reshape(o.shape)
        return [(np.exp(self.log_p) - self.target) / self.n]


class SoftIoUGate(LossGate):
    def value(self, X):
        return float(self.i / self.u)

    def local_derivatives(self, X):
        Y = self.target
        self.i = np.sum(X * Y)
        self.u = np.sum(X + Y - X * Y)
        return [(self.u * Y - self.i * (1.0 - Y)) / self.u ** 2]


def sigmoid_neuron(w, x):
    gates = {"m0": MultiplyGate(), "m1": MultiplyGate(), "a0": AddGate(), "a1": AddGate(), "s": SigmoidGate()}
    p0 = gates["m0"].forward(w[0], x[0])
    p1 = gates["m1"].forward(w[1], x[1])
    z = gates["a1"].forward(gates["a0"].forward(p0, p1), w[2])
    f = gates["s"].forward(z)
    (dz,) = gates["s"].backward(1.0)
    ds, dw2 = gates["a1"].backward(dz)
    dp0, dp1 = gates["a0"].backward(ds)
    dw0, dx0 = gates["m0"].backward(dp0)
    dw1, dx1 = gates["m1"].backward(dp1)
    return float(f), np.array([dw0, dw1, dw2], dtype=np.float64), np.array([dx0, dx1], dtype=np.float64)
