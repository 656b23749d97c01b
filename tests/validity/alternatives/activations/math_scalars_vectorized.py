"""Every function written for one Python float with the math module, then lifted to arrays
with np.vectorize (a float in gives a 0-d float64 array out); the stable forms by branching."""
import math

import numpy as np

SELU_LAMBDA = 1.0507009873554805
SELU_ALPHA = 1.6732632423543772


def _lift(scalar):
    vectorized = np.vectorize(scalar, otypes=[np.float64])

    def apply(z, *args):
        return vectorized(np.asarray(z, dtype=np.float64), *args)
    return apply


def _sig(x):
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


_sigmoid = _lift(_sig)


def sigmoid(z):
    return _sigmoid(z)


def sigmoid_grad(z):
    return _lift(lambda x: _sig(x) * _sig(-x))(z)


def tanh(z):
    return _lift(math.tanh)(z)


def tanh_grad(z):
    return _lift(lambda x: 1.0 - math.tanh(x) ** 2)(z)


def relu(z):
    return _lift(lambda x: x if x > 0 else 0.0)(z)


def relu_grad(z):
    return _lift(lambda x: 1.0 if x > 0 else 0.0)(z)


def leaky_relu(z, slope=0.01):
    return _lift(lambda x: x if x > 0 else slope * x)(z)


def leaky_relu_grad(z, slope=0.01):
    return _lift(lambda x: 1.0 if x > 0 else float(slope))(z)


def elu(z, alpha=1.0):
    return _lift(lambda x: x if x > 0 else alpha * math.expm1(x))(z)


def elu_grad(z, alpha=1.0):
    return _lift(lambda x: 1.0 if x > 0 else alpha * math.exp(x))(z)


def celu(z, alpha=1.0):
    return _lift(lambda x: x if x > 0 else alpha * math.expm1(x / alpha))(z)


def celu_grad(z, alpha=1.0):
    return _lift(lambda x: 1.0 if x > 0 else math.exp(x / alpha))(z)


def selu(z, lam=SELU_LAMBDA, alpha=SELU_ALPHA):
    return _lift(lambda x: lam * (x if x > 0 else alpha * math.expm1(x)))(z)


def selu_grad(z, lam=SELU_LAMBDA, alpha=SELU_ALPHA):
    return _lift(lambda x: lam * (1.0 if x > 0 else alpha * math.exp(x)))(z)


def softplus(z, beta=1.0):
    return _lift(lambda x: _softplus(beta * x) / beta)(z)


def softplus_grad(z, beta=1.0):
    return _lift(lambda x: _sig(beta * x))(z)


def _phi_cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def gelu(z, approximate=False):
    if approximate:
        return _lift(lambda x: x * _sig(1.702 * x))(z)
    return _lift(lambda x: x * _phi_cdf(x))(z)


def gelu_grad(z, approximate=False):
    if approximate:
        return _lift(lambda x: _sig(1.702 * x) + 1.702 * x * _sig(1.702 * x) * _sig(-1.702 * x))(z)
    return _lift(lambda x: _phi_cdf(x) + x * math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi))(z)


def silu(z):
    return _lift(lambda x: x * _sig(x))(z)


def silu_grad(z):
    return _lift(lambda x: _sig(x) * (1.0 + x * _sig(-x)))(z)


def swish(z, beta=1.0):
    return _lift(lambda x: x * _sig(beta * x))(z)


def swish_grad(z, beta=1.0):
    return _lift(lambda x: _sig(beta * x) + beta * x * _sig(beta * x) * _sig(-beta * x))(z)


def hardswish(z):
    return _lift(lambda x: 0.0 if x <= -3 else (x if x >= 3 else x * (x + 3) / 6))(z)


def hardswish_grad(z):
    return _lift(lambda x: 0.0 if x <= -3 else (1.0 if x >= 3 else (2 * x + 3) / 6))(z)
