"""Activation functions and their derivatives.

Each activation `f(z, ...)` comes with `f_grad(z, ...) = d f / d z`. Rules every
function follows (the grader checks each one):
- Elementwise on any shape: a 2-D or 1-D array, a 0-d array or a Python float
  in; a float64 result of the same shape out (a scalar for a scalar).
- `z` is never changed in place, and no randomness is used (np.random least of all).
- Extra parameters are keyword arguments with the defaults of the signature,
  shared by `f` and `f_grad` (e.g. `elu(z, alpha=0.5)`, `elu_grad(z, alpha=0.5)`).
- At a kink the derivative takes the one-sided value its docstring states
  (e.g. `relu_grad(0) = 0`).
- Stability: for |z| up to 1e3 every function (with its default parameters, and
  gelu/gelu_grad with approximate=True too) returns finite values without
  overflow or invalid-value warnings, within 1e-12 (absolute) or 1e-9
  (relative) of the exact value. Where the exact result
  underflows (e.g. `sigmoid(-1000)`, `silu(-740)`), 0.0 or a tiny positive number
  is right; silence numpy's underflow flag locally if you like. A shortcut such as
  "sigmoid(z) = 0 below -10" is too early: the exact value is not yet 0 there.
"""
import math

import numpy as np

SELU_LAMBDA = 1.0507009873554805
SELU_ALPHA = 1.6732632423543772


def sigmoid(z):
    """Logistic sigmoid: 1 / (1 + e^-z). e^-z overflows for z < -709.78: compute
    e = e^-|z| and take 1 / (1 + e) for z >= 0, e / (1 + e) for z < 0.
    sigmoid(-1000) is 0.0 or a tiny positive number (at most 1e-12)."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):
        e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    ### END SOLUTION


def sigmoid_grad(z):
    """sigma'(z) = a (1 - a) with a = sigma(z) (equal to sigma(z) sigma(-z), which
    keeps the tails' relative precision)."""
    ### BEGIN SOLUTION
    return sigmoid(z) * sigmoid(-np.asarray(z))
    ### END SOLUTION


def tanh(z):
    """Hyperbolic tangent: (e^z - e^-z) / (e^z + e^-z)."""
    ### BEGIN SOLUTION
    return np.tanh(z)
    ### END SOLUTION


def tanh_grad(z):
    """tanh'(z) = 1 - a^2 with a = tanh(z)."""
    ### BEGIN SOLUTION
    return 1.0 - np.tanh(z) ** 2
    ### END SOLUTION


def relu(z):
    """ReLU: max(z, 0)."""
    ### BEGIN SOLUTION
    return np.maximum(z, 0.0)
    ### END SOLUTION


def relu_grad(z):
    """ReLU derivative: 1 for z > 0, else 0 (convention: relu_grad(0) = 0)."""
    ### BEGIN SOLUTION
    return np.where(np.asarray(z) > 0, 1.0, 0.0)
    ### END SOLUTION


def leaky_relu(z, slope=0.01):
    """Leaky ReLU: max(z, slope*z) (0 <= slope <= 1)."""
    ### BEGIN SOLUTION
    return np.maximum(z, slope * np.asarray(z, dtype=np.float64))
    ### END SOLUTION


def leaky_relu_grad(z, slope=0.01):
    """Leaky ReLU derivative: 1 for z > 0, else slope (convention: grad at 0 is slope)."""
    ### BEGIN SOLUTION
    return np.where(np.asarray(z) > 0, 1.0, float(slope))
    ### END SOLUTION


def elu(z, alpha=1.0):
    """ELU: z for z > 0, else alpha (e^z - 1) (via expm1 on min(z, 0): no overflow)."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))
    ### END SOLUTION


def elu_grad(z, alpha=1.0):
    """ELU derivative: 1 for z > 0, else alpha e^z (convention: grad at 0 is alpha)."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):
        return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))
    ### END SOLUTION


def celu(z, alpha=1.0):
    """CELU: z for z > 0, else alpha (e^(z/alpha) - 1)."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0) / alpha))
    ### END SOLUTION


def celu_grad(z, alpha=1.0):
    """CELU derivative: 1 for z > 0, else e^(z/alpha) (convention: grad at 0 is 1)."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):
        return np.where(z > 0, 1.0, np.exp(np.minimum(z, 0.0) / alpha))
    ### END SOLUTION


def selu(z, lam=SELU_LAMBDA, alpha=SELU_ALPHA):
    """SELU: lam * elu(z, alpha)."""
    ### BEGIN SOLUTION
    return lam * elu(z, alpha=alpha)
    ### END SOLUTION


def selu_grad(z, lam=SELU_LAMBDA, alpha=SELU_ALPHA):
    """SELU derivative: lam * elu_grad(z, alpha) (convention: grad at 0 is lam*alpha)."""
    ### BEGIN SOLUTION
    with np.errstate(under="ignore"):
        return lam * elu_grad(z, alpha=alpha)
    ### END SOLUTION


def softplus(z, beta=1.0):
    """Softplus: log(1 + e^(beta z)) / beta. Stable as logaddexp(0, beta z) / beta
    (= (max(0, x) + log1p(e^-|x|)) / beta with x = beta z); softplus(1000) must be
    exactly 1000.0."""
    ### BEGIN SOLUTION
    with np.errstate(under="ignore"):
        return np.logaddexp(0.0, beta * np.asarray(z, dtype=np.float64)) / beta
    ### END SOLUTION


def softplus_grad(z, beta=1.0):
    """Softplus derivative: sigma(beta z)."""
    ### BEGIN SOLUTION
    return sigmoid(beta * np.asarray(z, dtype=np.float64))
    ### END SOLUTION


def gelu(z, approximate=False):
    """GELU: z Phi(z), Phi(z) = erfc(-z / sqrt(2)) / 2 the standard normal CDF.
    With approximate=True: z sigma(1.702 z) (the sigmoid approximation, not
    PyTorch's tanh approximation), stable for |z| up to 1e3 as well."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):
        if approximate:
            return z * sigmoid(1.702 * z)
        return z * 0.5 * np.vectorize(math.erfc, otypes=[np.float64])(-z / math.sqrt(2.0))
    ### END SOLUTION


def gelu_grad(z, approximate=False):
    """GELU derivative: Phi(z) + z phi(z), phi(z) = e^(-z^2/2)/sqrt(2 pi).
    With approximate=True: s + 1.702 z s (1 - s), s = sigma(1.702 z)."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):
        if approximate:
            s = sigmoid(1.702 * z)
            return s + 1.702 * z * s * sigmoid(-1.702 * z)
        cdf = 0.5 * np.vectorize(math.erfc, otypes=[np.float64])(-z / math.sqrt(2.0))
        return cdf + z * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)
    ### END SOLUTION


def silu(z):
    """SiLU: z sigma(z)."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):
        return z * sigmoid(z)
    ### END SOLUTION


def silu_grad(z):
    """SiLU derivative: phi + sigma (1 - phi) with phi = silu(z), computed as
    sigma(z) (1 + z sigma(-z)) (same value, no cancellation)."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):
        return sigmoid(z) * (1.0 + z * sigmoid(-z))
    ### END SOLUTION


def swish(z, beta=1.0):
    """Swish: z sigma(beta z)."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):
        return z * sigmoid(beta * z)
    ### END SOLUTION


def swish_grad(z, beta=1.0):
    """Swish derivative: s + beta z s (1 - s), s = sigma(beta z)."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    with np.errstate(under="ignore"):
        s = sigmoid(beta * z)
        return s + beta * z * s * sigmoid(-beta * z)
    ### END SOLUTION


def hardswish(z):
    """Hard swish: 0 for z <= -3, z for z >= 3, else z (z + 3) / 6."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    return np.where(z <= -3, 0.0, np.where(z >= 3, z, z * (z + 3) / 6))
    ### END SOLUTION


def hardswish_grad(z):
    """Hard swish derivative: 0 for z <= -3, 1 for z >= 3, else (2z + 3) / 6
    (conventions at the kinks: 0 at z = -3, 1 at z = 3)."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=np.float64)
    return np.where(z <= -3, 0.0, np.where(z >= 3, 1.0, (2 * z + 3) / 6))
    ### END SOLUTION
