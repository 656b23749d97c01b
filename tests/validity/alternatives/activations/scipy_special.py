"""scipy.special throughout: expit, log_expit, ndtr, erf; tanh from expit(2z)."""
import numpy as np
from scipy import special

SELU_LAMBDA = 1.0507009873554805
SELU_ALPHA = 1.6732632423543772


def _f(z):
    return np.asarray(z, dtype=np.float64)


def sigmoid(z):
    return special.expit(_f(z))


def sigmoid_grad(z):
    z = _f(z)
    return special.expit(z) * special.expit(-z)


def tanh(z):
    return 2.0 * special.expit(2.0 * _f(z)) - 1.0


def tanh_grad(z):
    z = _f(z)
    return 4.0 * special.expit(2.0 * z) * special.expit(-2.0 * z)


def relu(z):
    return np.fmax(_f(z), 0.0)


def relu_grad(z):
    return np.heaviside(_f(z), 0.0)


def leaky_relu(z, slope=0.01):
    z = _f(z)
    return np.where(z > 0, z, slope * z)


def leaky_relu_grad(z, slope=0.01):
    return np.where(_f(z) > 0, 1.0, slope).astype(np.float64)


def elu(z, alpha=1.0):
    z = _f(z)
    return np.where(z > 0, z, alpha * special.expm1(np.fmin(z, 0.0)))


def elu_grad(z, alpha=1.0):
    z = _f(z)
    return np.where(z > 0, 1.0, alpha * special.exp2(np.fmin(z, 0.0) / np.log(2.0)))


def celu(z, alpha=1.0):
    z = _f(z)
    return np.fmax(z, 0.0) + np.fmin(0.0, alpha * special.expm1(np.fmin(z, 0.0) / alpha))


def celu_grad(z, alpha=1.0):
    z = _f(z)
    return np.where(z > 0, 1.0, np.exp(np.fmin(z, 0.0) / alpha))


def selu(z, lam=SELU_LAMBDA, alpha=SELU_ALPHA):
    return lam * elu(z, alpha=alpha)


def selu_grad(z, lam=SELU_LAMBDA, alpha=SELU_ALPHA):
    return lam * elu_grad(z, alpha=alpha)


def softplus(z, beta=1.0):
    return -special.log_expit(-beta * _f(z)) / beta


def softplus_grad(z, beta=1.0):
    return special.expit(beta * _f(z))


def gelu(z, approximate=False):
    z = _f(z)
    if approximate:
        return z * special.expit(1.702 * z)
    return z * special.ndtr(z)


def gelu_grad(z, approximate=False):
    z = _f(z)
    if approximate:
        s = special.expit(1.702 * z)
        return s + 1.702 * z * s * special.expit(-1.702 * z)
    return 0.5 * (1.0 + special.erf(z / np.sqrt(2.0))) + z * np.exp(-0.5 * z**2) / np.sqrt(2.0 * np.pi)


def silu(z):
    z = _f(z)
    return z * special.expit(z)


def silu_grad(z):
    z = _f(z)
    return special.expit(z) * (1.0 + z * special.expit(-z))


def swish(z, beta=1.0):
    z = _f(z)
    return z * special.expit(beta * z)


def swish_grad(z, beta=1.0):
    z = _f(z)
    s = special.expit(beta * z)
    return s + beta * z * s * special.expit(-beta * z)


def hardswish(z):
    z = _f(z)
    return z * np.clip(z + 3.0, 0.0, 6.0) / 6.0


def hardswish_grad(z):
    z = _f(z)
    return np.select([z <= -3, z >= 3], [0.0, 1.0], (2.0 * z + 3.0) / 6.0)
