"""Bob: log-domain identities and library helpers (scipy.stats, np.piecewise)."""
import numpy as np
from scipy.special import expit
from scipy.stats import norm

LAMBDA = 1.0507009873554805
ALPHA = 1.6732632423543772


def _f(z):
    return np.asarray(z, dtype=np.float64)


def sigmoid(z):
    # sigma(z) = exp(-softplus(-z))
    return np.exp(-np.logaddexp(0.0, -_f(z)))


def sigmoid_grad(z):
    # e^-z / (1 + e^-z)^2 in the log domain
    z = _f(z)
    return np.exp(-z - 2.0 * np.logaddexp(0.0, -z))


def tanh(z):
    return np.tanh(_f(z))


def tanh_grad(z):
    # sech^2(z) = 4 e^-2|z| / (1 + e^-2|z|)^2
    e = np.exp(-2.0 * np.abs(_f(z)))
    return 4.0 * e / (1.0 + e) ** 2


def relu(z):
    z = _f(z)
    return z * (z > 0)


def relu_grad(z):
    return (_f(z) > 0).astype(np.float64)


def leaky_relu(z, slope=0.01):
    z = _f(z)
    return z * np.where(z > 0, 1.0, slope)


def leaky_relu_grad(z, slope=0.01):
    return np.where(_f(z) > 0, 1.0, slope).astype(np.float64)


def elu(z, alpha=1.0):
    return np.piecewise(_f(z), [_f(z) > 0], [lambda v: v, lambda v: alpha * np.expm1(v)])


def elu_grad(z, alpha=1.0):
    return np.piecewise(_f(z), [_f(z) > 0], [1.0, lambda v: alpha * np.exp(v)])


def celu(z, alpha=1.0):
    return np.piecewise(_f(z), [_f(z) > 0], [lambda v: v, lambda v: alpha * np.expm1(v / alpha)])


def celu_grad(z, alpha=1.0):
    return np.piecewise(_f(z), [_f(z) > 0], [1.0, lambda v: np.exp(v / alpha)])


def selu(z, lam=LAMBDA, alpha=ALPHA):
    return np.piecewise(_f(z), [_f(z) > 0], [lambda v: lam * v, lambda v: lam * alpha * np.expm1(v)])


def selu_grad(z, lam=LAMBDA, alpha=ALPHA):
    return np.piecewise(_f(z), [_f(z) > 0], [lam, lambda v: lam * alpha * np.exp(v)])


def softplus(z, beta=1.0):
    bz = beta * _f(z)
    return (np.maximum(bz, 0.0) + np.log1p(np.exp(-np.abs(bz)))) / beta


def softplus_grad(z, beta=1.0):
    return 0.5 * (1.0 + np.tanh(0.5 * beta * _f(z)))


def gelu(z, approximate=False):
    z = _f(z)
    return z * expit(1.702 * z) if approximate else z * norm.cdf(z)


def gelu_grad(z, approximate=False):
    z = _f(z)
    if approximate:
        s = expit(1.702 * z)
        return s * (1.0 + 1.702 * z * (1.0 - s))
    return norm.cdf(z) + z * norm.pdf(z)


def silu(z):
    z = _f(z)
    return z * sigmoid(z)


def silu_grad(z):
    z = _f(z)
    s = sigmoid(z)
    return s * (1.0 + z * (1.0 - s))


def swish(z, beta=1.0):
    z = _f(z)
    return z * sigmoid(beta * z)


def swish_grad(z, beta=1.0):
    z = _f(z)
    s = sigmoid(beta * z)
    return s * (1.0 + beta * z * (1.0 - s))


def hardswish(z):
    z = _f(z)
    return z * np.clip(z + 3.0, 0.0, 6.0) / 6.0


def hardswish_grad(z):
    z = _f(z)
    return np.where(z <= -3, 0.0, np.where(z >= 3, 1.0, (2.0 * z + 3.0) / 6.0))
