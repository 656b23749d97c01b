"""Activation functions and their derivatives.

Each activation `f(z, ...)` comes with `f_grad(z, ...) = d f / d z`; both are
elementwise, accept any shape (or a Python float) and return new float64 values
of the same shape. Extra parameters are keyword arguments shared by `f` and
`f_grad`. At a kink the derivative takes the one-sided value stated in the
docstring (see docs/conventions.md).

Stability: for |z| up to 1e3 every function returns finite values without
overflow or invalid-value warnings. Where the exact result is smaller than the
smallest normal float64 (e.g. `silu(-740)`), numpy's underflow flag is silenced
locally: rounding such a value to a subnormal or to 0 is the correct result.
"""
import math

import numpy as np

SELU_LAMBDA = 1.0507009873554805
SELU_ALPHA = 1.6732632423543772


def sigmoid(z):
    """Logistic sigmoid: 1 / (1 + e^-z), computed as e / (1 + e) with e = e^-|z| for
    z < 0, so that e^-z never overflows."""
    # YOUR CODE HERE
    raise NotImplementedError()


def sigmoid_grad(z):
    """sigma'(z) = a (1 - a) with a = sigma(z), computed as sigma(z) sigma(-z)
    so that the tails keep full relative precision."""
    # YOUR CODE HERE
    raise NotImplementedError()


def tanh(z):
    """Hyperbolic tangent: (e^z - e^-z) / (e^z + e^-z)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def tanh_grad(z):
    """tanh'(z) = 1 - a^2 with a = tanh(z)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def relu(z):
    """ReLU: max(z, 0)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def relu_grad(z):
    """ReLU derivative: 1 for z > 0, else 0 (convention: relu_grad(0) = 0)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def leaky_relu(z, slope=0.01):
    """Leaky ReLU: max(z, slope*z) (0 <= slope <= 1)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def leaky_relu_grad(z, slope=0.01):
    """Leaky ReLU derivative: 1 for z > 0, else slope (convention: grad at 0 is slope)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def elu(z, alpha=1.0):
    """ELU: z for z > 0, else alpha (e^z - 1) (via expm1 on min(z, 0): no overflow)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def elu_grad(z, alpha=1.0):
    """ELU derivative: 1 for z > 0, else alpha e^z (convention: grad at 0 is alpha)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def celu(z, alpha=1.0):
    """CELU: z for z > 0, else alpha (e^(z/alpha) - 1)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def celu_grad(z, alpha=1.0):
    """CELU derivative: 1 for z > 0, else e^(z/alpha) (convention: grad at 0 is 1)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def selu(z, lam=SELU_LAMBDA, alpha=SELU_ALPHA):
    """SELU: lam * elu(z, alpha)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def selu_grad(z, lam=SELU_LAMBDA, alpha=SELU_ALPHA):
    """SELU derivative: lam * elu_grad(z, alpha) (convention: grad at 0 is lam*alpha)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def softplus(z, beta=1.0):
    """Softplus: log(1 + e^(beta z)) / beta, computed as logaddexp(0, beta z) / beta
    (= max(0, x) + log1p(e^-|x|)), so softplus(1000) == 1000 exactly."""
    # YOUR CODE HERE
    raise NotImplementedError()


def softplus_grad(z, beta=1.0):
    """Softplus derivative: sigma(beta z)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def gelu(z, approximate=False):
    """GELU: z Phi(z), Phi(z) = erfc(-z / sqrt(2)) / 2 the standard normal CDF.
    With approximate=True: z sigma(1.702 z) (the sigmoid approximation, not
    PyTorch's tanh approximation)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def gelu_grad(z, approximate=False):
    """GELU derivative: Phi(z) + z phi(z), phi(z) = e^(-z^2/2)/sqrt(2 pi).
    With approximate=True: s + 1.702 z s (1 - s), s = sigma(1.702 z)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def silu(z):
    """SiLU: z sigma(z)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def silu_grad(z):
    """SiLU derivative: phi + sigma (1 - phi) with phi = silu(z), computed as
    sigma(z) (1 + z sigma(-z)) (same value, no cancellation)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def swish(z, beta=1.0):
    """Swish: z sigma(beta z)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def swish_grad(z, beta=1.0):
    """Swish derivative: s + beta z s (1 - s), s = sigma(beta z)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def hardswish(z):
    """Hard swish: 0 for z <= -3, z for z >= 3, else z (z + 3) / 6."""
    # YOUR CODE HERE
    raise NotImplementedError()


def hardswish_grad(z):
    """Hard swish derivative: 0 for z <= -3, 1 for z >= 3, else (2z + 3) / 6
    (conventions at the kinks: 0 at z = -3, 1 at z = 3)."""
    # YOUR CODE HERE
    raise NotImplementedError()
