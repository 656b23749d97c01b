"""Carol: inputs cached as given, gradients computed from them in backward;
log-sum-exp from scipy; sigmoid_neuron as one MatMulGate on [x0, x1, 1]."""
import numpy as np
from scipy.special import logsumexp, softmax


def _arr(v):
    return np.asarray(v, dtype=np.float64)


class AddGate:
    def forward(self, x, y):
        self.shape = np.shape(x)
        return _arr(x) + _arr(y)

    def backward(self, dout):
        d = _arr(dout) * np.ones(self.shape)
        return d, d.copy()


class MultiplyGate:
    def forward(self, x, y):
        self.x, self.y = _arr(x), _arr(y)
        return self.x * self.y

    def backward(self, dout):
        return dout * self.y, dout * self.x


class MaxGate:
    def forward(self, x, y):
        self.x, self.y = _arr(x), _arr(y)
        return np.where(self.x >= self.y, self.x, self.y)

    def backward(self, dout):
        to_x = (self.x >= self.y).astype(np.float64)
        return dout * to_x, dout * (1.0 - to_x)


class ExpGate:
    def forward(self, x):
        self.x = _arr(x)
        return np.exp(self.x)

    def backward(self, dout):
        return (np.exp(self.x) * dout,)


class ReciprocalGate:
    def forward(self, x):
        self.x = _arr(x)
        return 1.0 / self.x

    def backward(self, dout):
        return (-dout * (1.0 / self.x) ** 2,)


class ScaleGate:
    def __init__(self, a):
        self.a = float(a)

    def forward(self, x):
        self.shape = np.shape(x)
        return self.a * _arr(x)

    def backward(self, dout):
        return (self.a * _arr(dout) * np.ones(self.shape),)


class OffsetGate:
    def __init__(self, c):
        self.c = float(c)

    def forward(self, x):
        self.shape = np.shape(x)
        return _arr(x) + self.c

    def backward(self, dout):
        return (_arr(dout) * np.ones(self.shape),)


class SigmoidGate:
    def forward(self, x):
        self.x = _arr(x)
        return 0.5 * (1.0 + np.tanh(0.5 * self.x))

    def backward(self, dout):
        s = 0.5 * (1.0 + np.tanh(0.5 * self.x))
        return (dout * s * (1.0 - s),)


class ReLUGate:
    def forward(self, x):
        self.x = _arr(x)
        return self.x * (self.x > 0)

    def backward(self, dout):
        return (dout * (self.x > 0).astype(np.float64),)


class MatMulGate:
    def forward(self, W, x):
        self.W, self.x = _arr(W), _arr(x)
        return np.dot(self.W, self.x)

    def backward(self, dout):
        dout = _arr(dout)
        if self.x.ndim == 1:
            dW = dout[:, None] * self.x[None, :]
        else:
            dW = np.einsum("nk,mk->nm", dout, self.x)
        return dW, np.dot(self.W.T, dout)


class SquaredL2Gate:
    def __init__(self, target):
        self.target = _arr(target)

    def forward(self, q):
        self.q = _arr(q)
        r = (self.q - self.target).ravel()
        return float(r @ r)

    def backward(self, dout=1.0):
        return (2.0 * dout * (self.q - self.target),)


class SoftmaxCrossEntropyGate:
    def __init__(self, target):
        self.target = _arr(target)

    def forward(self, o):
        o2 = np.atleast_2d(_arr(o))
        t2 = np.atleast_2d(self.target)
        self.o = _arr(o)
        log_p = o2 - logsumexp(o2, axis=1, keepdims=True)
        return float(-np.mean(np.sum(t2 * log_p, axis=1)))

    def backward(self, dout=1.0):
        n = 1 if self.o.ndim == 1 else self.o.shape[0]
        return ((softmax(self.o, axis=-1) - self.target) * (dout / n),)


class SoftIoUGate:
    def __init__(self, target):
        self.Y = _arr(target)

    def forward(self, X):
        self.X = _arr(X)
        inter = np.sum(self.X * self.Y)
        union = np.sum(self.X) + np.sum(self.Y) - inter
        return float(inter / union)

    def backward(self, dout=1.0):
        inter = np.sum(self.X * self.Y)
        union = np.sum(self.X) + np.sum(self.Y) - inter
        # d(I/U)/dX = (Y U - I (1 - Y)) / U^2
        return (dout * (self.Y / union - inter * (1.0 - self.Y) / union**2),)


def sigmoid_neuron(w, x):
    """f = sigma(W @ [x0, x1, 1]) with W = w as a 1x3 matrix: one MatMulGate, one SigmoidGate."""
    W = np.reshape(_arr(w), (1, 3))
    xb = np.array([x[0], x[1], 1.0])
    mm, sg = MatMulGate(), SigmoidGate()
    f = sg.forward(mm.forward(W, xb))
    (dz,) = sg.backward(np.ones(1))
    dW, dxb = mm.backward(dz)
    return float(f[0]), dW.reshape(3), dxb[:2].copy()
