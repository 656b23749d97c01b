"""A base class `Gate`, inputs cached as tuples (by reference, never changed), lists from every backward,
scipy.special.expit, NumPy-scalar / 0-d-array loss values, `dout=None` defaults, a reshape-to-2-D MatMulGate,
a softmax through np.atleast_2d, backward passes that reuse the gate's own output buffer in place (ExpGate,
SigmoidGate: not an argument, so allowed), and a sigmoid_neuron returning Python lists for dw and dx."""
import numpy as np
from scipy.special import logsumexp, expit


class Gate:
    """Base class: stores inputs as a tuple."""
    def __init__(self):
        self.inputs = None
        self.out = None

    def __call__(self, *inputs):
        return self.forward(*inputs)


class AddGate(Gate):
    def forward(self, x, y):
        self.inputs = (x, y)
        self.out = np.add(x, y)
        return self.out

    def backward(self, dout):
        return [dout * np.ones_like(self.inputs[0], dtype=float), dout * np.ones_like(self.inputs[1], dtype=float)]


class MultiplyGate(Gate):
    def forward(self, x, y):
        self.inputs = (x, y)
        return np.multiply(x, y)

    def backward(self, dout):
        x, y = self.inputs
        return [np.multiply(y, dout), np.multiply(x, dout)]


class MaxGate(Gate):
    def forward(self, x, y):
        self.inputs = (x, y)
        return np.maximum(x, y)

    def backward(self, dout):
        x, y = self.inputs
        return np.where(x >= y, dout, 0), np.where(x >= y, 0, dout)


class ExpGate(Gate):
    def forward(self, x):
        self.out = np.exp(x)
        return self.out

    def backward(self, dout):
        self.out *= dout
        return [self.out]


class ReciprocalGate(Gate):
    def forward(self, x):
        self.inputs = (x,)
        self.out = 1.0 / np.asarray(x, dtype=float)
        return self.out

    def backward(self, dout):
        return [-dout * self.out ** 2]


class ScaleGate(Gate):
    def __init__(self, a):
        super().__init__()
        self.a = a

    def forward(self, x):
        return self.a * np.asarray(x, dtype=float)

    def backward(self, dout):
        return [self.a * np.asarray(dout, dtype=float)]


class OffsetGate(Gate):
    def __init__(self, c):
        super().__init__()
        self.c = c

    def forward(self, x):
        return np.asarray(x, dtype=float) + self.c

    def backward(self, dout):
        return [1.0 * np.asarray(dout, dtype=float)]


class SigmoidGate(Gate):
    def forward(self, x):
        self.out = expit(x)
        return self.out

    def backward(self, dout):
        self.out *= (1 - self.out)
        return [self.out * dout]


class ReLUGate(Gate):
    def forward(self, x):
        self.inputs = (x,)
        return np.maximum(0.0, x)

    def backward(self, dout):
        (x,) = self.inputs
        return [dout * (np.asarray(x) > 0)]


class MatMulGate(Gate):
    def forward(self, W, x):
        self.inputs = (W, x)
        return np.dot(W, x)

    def backward(self, dout):
        W, x = self.inputs
        x2 = x.reshape(x.shape[0], -1)
        d2 = dout.reshape(dout.shape[0], -1)
        dW = d2 @ x2.T
        dx = (W.T @ d2).reshape(x.shape)
        return [dW, dx]


class SquaredL2Gate(Gate):
    def __init__(self, target):
        super().__init__()
        self.target = target

    def forward(self, q):
        self.diff = np.subtract(q, self.target)
        return np.array(np.sum(self.diff ** 2))

    def backward(self, dout=None):
        if dout is None:
            dout = 1.0
        return [2 * self.diff * dout]


class SoftmaxCrossEntropyGate(Gate):
    def __init__(self, target):
        super().__init__()
        self.target = np.asarray(target, dtype=float)

    def forward(self, o):
        o = np.asarray(o, dtype=float)
        self.shape = o.shape
        o2 = np.atleast_2d(o)
        t2 = np.atleast_2d(self.target)
        self.N = o2.shape[0]
        m = o2.max(axis=1, keepdims=True)
        logp = o2 - m - np.log(np.exp(o2 - m).sum(axis=1, keepdims=True))
        self.p = np.exp(logp).reshape(self.shape)
        return -(t2 * logp).sum() / self.N

    def backward(self, dout=1.0):
        return [(self.p - self.target) * dout / self.N]


class SoftIoUGate(Gate):
    def __init__(self, target):
        super().__init__()
        self.Y = target

    def forward(self, X):
        self.X = X
        self.I = np.sum(X * self.Y)
        self.U = np.sum(X) + np.sum(self.Y) - self.I
        return self.I / self.U

    def backward(self, dout=1.0):
        Y, I, U = self.Y, self.I, self.U
        return [dout * (U * Y - I * (1 - Y)) / U ** 2]


def sigmoid_neuron(w, x):
    m0, m1, a0, a1, s = MultiplyGate(), MultiplyGate(), AddGate(), AddGate(), SigmoidGate()
    p0 = m0.forward(w[0], x[0])
    p1 = m1.forward(w[1], x[1])
    z = a1.forward(a0.forward(p0, p1), w[2])
    f = s.forward(z)
    dz = s.backward(1.0)[0]
    ds, dw2 = a1.backward(dz)
    dp0, dp1 = a0.backward(ds)
    dw0, dx0 = m0.backward(dp0)
    dw1, dx1 = m1.backward(dp1)
    return f, [dw0, dw1, dw2], [dx0, dx1]
