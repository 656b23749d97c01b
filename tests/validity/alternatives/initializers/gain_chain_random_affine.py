"""Module-level gain table plus an if/elif gain chain returning ints, `mode` by a dict lookup (uniform) and
by if/else (normal), x ** 0.5 and math.sqrt, the uniform bound as sqrt(3) times the normal std, a uniform
from (rng.random() * 2 - 1) * b, and in-place scaling of the initializer's own fresh array."""
import math
import numpy as np

GAINS = {"linear": 1.0, "sigmoid": 4.0, "tanh": 1.0, "relu": math.sqrt(2.0), "silu": math.sqrt(2.0)}


def zeros(fan_in, fan_out, rng=None):
    return np.full((fan_in, fan_out), 0.0)


def small_random(fan_in, fan_out, rng, scale=0.01):
    W = rng.standard_normal((fan_in, fan_out))
    W = W * scale
    return W


def lecun_normal(fan_in, fan_out, rng):
    W = rng.standard_normal((fan_in, fan_out))
    W /= np.sqrt(fan_in)
    return W


def xavier_normal(fan_in, fan_out, rng, gain=1.0):
    std = gain * (2.0 / (fan_in + fan_out)) ** 0.5
    return rng.normal(loc=0.0, scale=std, size=(fan_in, fan_out))


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    b = math.sqrt(3.0) * std
    return rng.uniform(-b, b, size=(fan_in, fan_out))


def _fan(fan_in, fan_out, mode):
    return {"fan_in": fan_in, "fan_out": fan_out}[mode]


def kaiming_normal(fan_in, fan_out, rng, mode="fan_in"):
    if mode == "fan_in":
        n = fan_in
    else:
        n = fan_out
    return rng.normal(0.0, np.sqrt(2.0 / n), (fan_in, fan_out))


def kaiming_uniform(fan_in, fan_out, rng, mode="fan_in"):
    n = _fan(fan_in, fan_out, mode)
    b = math.sqrt(6 / n)
    return (rng.random((fan_in, fan_out)) * 2 - 1) * b


def gain(nonlinearity, slope=0.01):
    name = nonlinearity.lower()
    if name in ("linear", "tanh"):
        return 1
    elif name == "sigmoid":
        return 4
    elif name in ("relu", "silu"):
        return 2 ** 0.5
    elif name == "leaky_relu":
        return (2.0 / (1 + slope * slope)) ** 0.5
    raise ValueError(name)
