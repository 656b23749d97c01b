"""Alice: textbook formulas, made stable by hand (e^-|z| and the sign of z)."""
import numpy as np
from scipy.special import erf

SQRT2 = np.sqrt(2.0)


def sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z):
    return 2.0 * sigmoid(2.0 * np.asarray(z, dtype=float)) - 1.0


def tanh_grad(z):
    t = tanh(z)
    return 1.0 - t * t


def relu(z):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, 0.0)


def relu_grad(z):
    return np.where(np.asarray(z) > 0, 1.0, 0.0)


def leaky_relu(z, slope=0.01):
    z = np.asarray(z, dtype=float)
    return np.where(z > 0, z, slope * z)


def leaky_relu_grad(z, slope=0.01):
    return np.where(np.asarray(z) > 0, 1.0, float(slope))


def elu(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    out = z.copy()
    neg = z <= 0
    out[neg] = alpha * (np.exp(z[neg]) - 1.0)
    return out


def elu_grad(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    out = np.ones_like(z)
    neg = z <= 0
    out[neg] = alpha * np.exp(z[neg])
    return out


def celu(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    out = z.copy()
    neg = z <= 0
    out[neg] = alpha * (np.exp(z[neg] / alpha) - 1.0)
    return out


def celu_grad(z, alpha=1.0):
    z = np.asarray(z, dtype=float)
    out = np.ones_like(z)
    neg = z <= 0
    out[neg] = np.exp(z[neg] / alpha)
    return out


def selu(z, lam=1.0507009873554805, alpha=1.6732632423543772):
    return lam * elu(z, alpha=alpha)


def selu_grad(z, lam=1.0507009873554805, alpha=1.6732632423543772):
    return lam * elu_grad(z, alpha=alpha)


def softplus(z, beta=1.0):
    return np.logaddexp(0.0, beta * np.asarray(z, dtype=float)) / beta


def softplus_grad(z, beta=1.0):
    return sigmoid(beta * np.asarray(z, dtype=float))


def gelu(z, approximate=False):
    z = np.asarray(z, dtype=float)
    if approximate:
        return z * sigmoid(1.702 * z)
    return 0.5 * z * (1.0 + erf(z / SQRT2))


def gelu_grad(z, approximate=False):
    z = np.asarray(z, dtype=float)
    if approximate:
        s = sigmoid(1.702 * z)
        return s + 1.702 * z * s * (1.0 - s)
    return 0.5 * (1.0 + erf(z / SQRT2)) + z * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)


def silu(z):
    z = np.asarray(z, dtype=float)
    return z * sigmoid(z)


def silu_grad(z):
    phi = silu(z)
    s = sigmoid(z)
    return phi + s * (1.0 - phi)


def swish(z, beta=1.0):
    z = np.asarray(z, dtype=float)
    return z * sigmoid(beta * z)


def swish_grad(z, beta=1.0):
    z = np.asarray(z, dtype=float)
    s = sigmoid(beta * z)
    return s + beta * z * s * (1.0 - s)


def hardswish(z):
    z = np.asarray(z, dtype=float)
    return np.select([z <= -3, z >= 3], [0.0, z], z * (z + 3.0) / 6.0)


def hardswish_grad(z):
    z = np.asarray(z, dtype=float)
    return np.select([z <= -3, z >= 3], [0.0, 1.0], (2.0 * z + 3.0) / 6.0)
