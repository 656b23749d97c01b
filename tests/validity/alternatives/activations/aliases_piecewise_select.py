"""Aliases and callables other than plain functions (tanh = np.tanh, relu as a lambda, leaky_relu_grad as an
np.vectorize with a keyword), a sigmoid by np.where under np.errstate, masked scaling of a copy, np.piecewise
and np.select, elu_grad as elu + alpha, celu through elu, swish through silu, gelu by a module-level
vectorized math.erf defined after its user, gelu_grad by scipy.stats.norm, an int default alpha=1."""
import math
import numpy as np
from scipy.special import expit, ndtr

SELU_LAMBDA = 1.0507009873554805
SELU_ALPHA = 1.6732632423543772


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        out = np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
    return out


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 - s)


tanh = np.tanh


def tanh_grad(z):
    return 1 - np.tanh(z) ** 2


relu = lambda z: np.maximum(z, 0.0)


def relu_grad(z):
    return (np.asarray(z) > 0) * 1.0


def leaky_relu(z, slope=0.01):
    z = np.array(z, dtype=float)
    out = z.copy()
    out[out < 0] *= slope
    return out


leaky_relu_grad = np.vectorize(lambda z, slope=0.01: 1.0 if z > 0 else float(slope), otypes=[float])


def elu(z, alpha=1):
    z = np.asarray(z, dtype=float)
    return np.piecewise(z, [z > 0, z <= 0], [lambda t: t, lambda t: alpha * np.expm1(t)])


def elu_grad(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, elu(z, alpha) + alpha)


def celu(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    return alpha * elu(z / alpha, 1.0)


def celu_grad(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0) / alpha))


def selu(z, lam=SELU_LAMBDA, alpha=SELU_ALPHA):
    return lam * elu(z, alpha)


def selu_grad(z, lam=SELU_LAMBDA, alpha=SELU_ALPHA):
    return lam * elu_grad(z, alpha)


def softplus(z, beta=1.0):
    return np.logaddexp(0.0, beta * np.asarray(z, dtype=float)) / beta


def softplus_grad(z, beta=1.0):
    return expit(beta * np.asarray(z, dtype=float))


def gelu(z, approximate=False):
    z = np.asarray(z, dtype=float)
    if approximate:
        return z * expit(1.702 * z)
    return z * 0.5 * (1 + _erf(z / math.sqrt(2)))


_erf = np.vectorize(math.erf, otypes=[float])


def gelu_grad(z, approximate=False):
    z = np.asarray(z, dtype=float)
    if approximate:
        s = expit(1.702 * z)
        return s + 1.702 * z * s * (1 - s)
    with np.errstate(under="ignore"):
        from scipy.stats import norm
        return norm.cdf(z) + z * norm.pdf(z)


def silu(z):
    return z * expit(z)


def silu_grad(z):
    s = expit(z)
    return s * (1 + z * (1 - s))


def swish(z, beta=1.0):
    return silu(beta * np.asarray(z, dtype=float)) / beta


def swish_grad(z, beta=1.0):
    z = np.asarray(z, dtype=float)
    s = expit(beta * z)
    return s + beta * z * s * (1 - s)


def hardswish(z):
    z = np.asarray(z, dtype=float)
    return np.select([z <= -3, z >= 3], [0.0, z], z * (z + 3) / 6)


def hardswish_grad(z):
    z = np.asarray(z, dtype=float)
    return np.select([z <= -3, z >= 3], [0.0, 1.0], (2 * z + 3) / 6)
