"""Dave: a small base class; one-input gates return bare arrays (SPEC allows it);
sigmoid_neuron wired gate by gate, with the bias added last."""
import numpy as np


class Gate:
    """Keeps the inputs of forward; subclasses define value() and grads(dout)."""

    def forward(self, *inputs):
        self.inputs = [np.array(v, dtype=np.float64) for v in inputs]
        return self.value(*self.inputs)

    def backward(self, dout):
        return self.grads(np.asarray(dout, dtype=np.float64), *self.inputs)


class AddGate(Gate):
    def value(self, x, y):
        return x + y

    def grads(self, dout, x, y):
        return dout + 0.0 * x, dout + 0.0 * y


class MultiplyGate(Gate):
    def value(self, x, y):
        return x * y

    def grads(self, dout, x, y):
        return y * dout, x * dout


class MaxGate(Gate):
    def value(self, x, y):
        return np.maximum(x, y)

    def grads(self, dout, x, y):
        x_wins = x >= y
        return np.where(x_wins, dout, 0.0), np.where(x_wins, 0.0, dout)


class ExpGate(Gate):
    def value(self, x):
        return np.exp(x)

    def grads(self, dout, x):
        return np.exp(x) * dout


class ReciprocalGate(Gate):
    def value(self, x):
        return np.reciprocal(x)

    def grads(self, dout, x):
        return -dout / (x * x)


class ScaleGate(Gate):
    def __init__(self, a):
        self.a = a

    def value(self, x):
        return self.a * x

    def grads(self, dout, x):
        return self.a * dout + 0.0 * x


class OffsetGate(Gate):
    def __init__(self, c):
        self.c = c

    def value(self, x):
        return x + self.c

    def grads(self, dout, x):
        return dout + 0.0 * x


class SigmoidGate(Gate):
    def value(self, x):
        e = np.exp(-np.abs(x))
        self.out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        return self.out

    def grads(self, dout, x):
        return self.out * (1.0 - self.out) * dout


class ReLUGate(Gate):
    def value(self, x):
        return np.where(x > 0, x, 0.0)

    def grads(self, dout, x):
        return np.where(x > 0, dout, 0.0)


class MatMulGate(Gate):
    def value(self, W, x):
        return W @ x

    def grads(self, dout, W, x):
        dW = np.outer(dout, x) if x.ndim == 1 else dout @ x.T
        return dW, W.T @ dout


class SquaredL2Gate(Gate):
    def __init__(self, target):
        self.target = np.array(target, dtype=np.float64)

    def value(self, q):
        return float(np.sum(np.square(q - self.target)))

    def grads(self, dout, q):
        return 2.0 * (q - self.target) * dout

    def backward(self, dout=1.0):
        return super().backward(dout)


class SoftmaxCrossEntropyGate(Gate):
    def __init__(self, target):
        self.target = np.array(target, dtype=np.float64)

    def value(self, o):
        m = o.max(axis=-1, keepdims=True)
        self.log_p = o - m - np.log(np.exp(o - m).sum(axis=-1, keepdims=True))
        rows = self.target * self.log_p
        n = 1 if o.ndim == 1 else o.shape[0]
        return float(-rows.sum() / n)

    def grads(self, dout, o):
        n = 1 if o.ndim == 1 else o.shape[0]
        return (np.exp(self.log_p) - self.target) * dout / n

    def backward(self, dout=1.0):
        return super().backward(dout)


class SoftIoUGate(Gate):
    def __init__(self, target):
        self.target = np.array(target, dtype=np.float64)

    def value(self, X):
        Y = self.target
        return float(np.sum(X * Y) / np.sum(X + Y - X * Y))

    def grads(self, dout, X):
        Y = self.target
        inter, union = np.sum(X * Y), np.sum(X + Y - X * Y)
        return dout * (union * Y - inter * (1.0 - Y)) / union**2

    def backward(self, dout=1.0):
        return super().backward(dout)


def sigmoid_neuron(w, x):
    m0, m1, a0, a1, s = MultiplyGate(), MultiplyGate(), AddGate(), AddGate(), SigmoidGate()
    z = a1.forward(a0.forward(m0.forward(w[0], x[0]), m1.forward(w[1], x[1])), w[2])
    f = s.forward(z)
    ds = s.backward(1.0)
    if isinstance(ds, tuple):
        (ds,) = ds
    dsum, dw2 = a1.backward(ds)
    dp0, dp1 = a0.backward(dsum)
    dw0, dx0 = m0.backward(dp0)
    dw1, dx1 = m1.backward(dp1)
    return float(f), np.array([dw0, dw1, dw2], dtype=float), np.array([dx0, dx1], dtype=float)
