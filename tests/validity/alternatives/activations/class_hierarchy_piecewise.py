"""A class per activation (value and derivative side by side, parameters in the instance) and
module functions that delegate; np.piecewise and boolean masks into np.empty_like buffers."""
import numpy as np

SELU_LAMBDA = 1.0507009873554805
SELU_ALPHA = 1.6732632423543772


class Activation:
    def __init__(self, **params):
        self.params = params

    def value(self, z):
        raise NotImplementedError

    def derivative(self, z):
        raise NotImplementedError

    @staticmethod
    def prepare(z):
        return np.array(z, dtype=np.float64)  # a copy: masks may write into it freely


class Sigmoid(Activation):
    def value(self, z):
        z = self.prepare(z)
        out = np.empty_like(z)
        pos = z >= 0
        out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
        e = np.exp(z[~pos])
        out[~pos] = e / (1.0 + e)
        return out

    def derivative(self, z):
        z = self.prepare(z)
        return self.value(z) * self.value(-z)


class Tanh(Activation):
    def value(self, z):
        return np.tanh(self.prepare(z))

    def derivative(self, z):
        return 1.0 / np.cosh(np.clip(self.prepare(z), -350.0, 350.0)) ** 2


class LeakyReLU(Activation):
    def value(self, z):
        s = self.params.get("slope", 0.0)
        return np.piecewise(self.prepare(z), [self.prepare(z) > 0], [lambda v: v, lambda v: s * v])

    def derivative(self, z):
        s = float(self.params.get("slope", 0.0))
        return np.piecewise(self.prepare(z), [self.prepare(z) > 0], [1.0, s])


class ELU(Activation):
    def value(self, z):
        a = self.params.get("alpha", 1.0)
        c = self.params.get("scale_in", 1.0)  # CELU divides the exponent by alpha
        z = self.prepare(z)
        out = z.copy()
        neg = z <= 0
        out[neg] = a * np.expm1(z[neg] * c)
        return out

    def derivative(self, z):
        a = self.params.get("alpha", 1.0)
        c = self.params.get("scale_in", 1.0)
        z = self.prepare(z)
        out = np.ones_like(z)
        neg = z <= 0
        out[neg] = a * c * np.exp(z[neg] * c)
        return out


class Softplus(Activation):
    def value(self, z):
        b = self.params.get("beta", 1.0)
        x = b * self.prepare(z)
        return (np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))) / b

    def derivative(self, z):
        b = self.params.get("beta", 1.0)
        return Sigmoid().value(b * self.prepare(z))


class Swish(Activation):
    def value(self, z):
        b = self.params.get("beta", 1.0)
        z = self.prepare(z)
        return z * Sigmoid().value(b * z)

    def derivative(self, z):
        b = self.params.get("beta", 1.0)
        z = self.prepare(z)
        s, t = Sigmoid().value(b * z), Sigmoid().value(-b * z)
        return s + b * z * s * t


class GELU(Activation):
    def value(self, z):
        from scipy.special import ndtr
        z = self.prepare(z)
        return z * ndtr(z)

    def derivative(self, z):
        from scipy.special import ndtr
        z = self.prepare(z)
        return ndtr(z) + z * np.exp(-0.5 * z * z) / np.sqrt(2.0 * np.pi)


class HardSwish(Activation):
    def value(self, z):
        z = self.prepare(z)
        return np.piecewise(z, [z <= -3, z >= 3], [0.0, lambda v: v, lambda v: v * (v + 3) / 6])

    def derivative(self, z):
        z = self.prepare(z)
        return np.piecewise(z, [z <= -3, z >= 3], [0.0, 1.0, lambda v: (2 * v + 3) / 6])


def sigmoid(z):
    return Sigmoid().value(z)


def sigmoid_grad(z):
    return Sigmoid().derivative(z)


def tanh(z):
    return Tanh().value(z)


def tanh_grad(z):
    return Tanh().derivative(z)


def relu(z):
    return LeakyReLU(slope=0.0).value(z)


def relu_grad(z):
    return LeakyReLU(slope=0.0).derivative(z)


def leaky_relu(z, slope=0.01):
    return LeakyReLU(slope=slope).value(z)


def leaky_relu_grad(z, slope=0.01):
    return LeakyReLU(slope=slope).derivative(z)


def elu(z, alpha=1.0):
    return ELU(alpha=alpha).value(z)


def elu_grad(z, alpha=1.0):
    return ELU(alpha=alpha).derivative(z)


def celu(z, alpha=1.0):
    return ELU(alpha=alpha, scale_in=1.0 / alpha).value(z)


def celu_grad(z, alpha=1.0):
    return ELU(alpha=alpha, scale_in=1.0 / alpha).derivative(z)


def selu(z, lam=SELU_LAMBDA, alpha=SELU_ALPHA):
    return lam * ELU(alpha=alpha).value(z)


def selu_grad(z, lam=SELU_LAMBDA, alpha=SELU_ALPHA):
    return lam * ELU(alpha=alpha).derivative(z)


def softplus(z, beta=1.0):
    return Softplus(beta=beta).value(z)


def softplus_grad(z, beta=1.0):
    return Softplus(beta=beta).derivative(z)


def gelu(z, approximate=False):
    if approximate:
        return Swish(beta=1.702).value(z)
    return GELU().value(z)


def gelu_grad(z, approximate=False):
    if approximate:
        return Swish(beta=1.702).derivative(z)
    return GELU().derivative(z)


def silu(z):
    return Swish(beta=1.0).value(z)


def silu_grad(z):
    return Swish(beta=1.0).derivative(z)


def swish(z, beta=1.0):
    return Swish(beta=beta).value(z)


def swish_grad(z, beta=1.0):
    return Swish(beta=beta).derivative(z)


def hardswish(z):
    return HardSwish().value(z)


def hardswish_grad(z):
    return HardSwish().derivative(z)
