"""Weight initializers (Ben): one normal and one uniform helper, fans looked up in a dict."""
import math

import numpy as np

GAINS = {"linear": 1.0, "sigmoid": 4.0, "tanh": 1.0, "relu": math.sqrt(2.0), "silu": math.sqrt(2.0)}


def _normal(rng, std, shape):
    return rng.normal(loc=0.0, scale=std, size=shape)


def _uniform(rng, bound, shape):
    return rng.uniform(low=-bound, high=bound, size=shape)


def _fan(fan_in, fan_out, mode):
    return {"fan_in": fan_in, "fan_out": fan_out}[mode]


def zeros(fan_in, fan_out, rng=None):
    w = np.empty((fan_in, fan_out), dtype=np.float64)
    w.fill(0.0)
    return w


def small_random(fan_in, fan_out, rng, scale=0.01):
    return _normal(rng, scale, (fan_in, fan_out))


def lecun_normal(fan_in, fan_out, rng):
    return _normal(rng, math.sqrt(1.0 / fan_in), (fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng, gain=1.0):
    return _normal(rng, gain * math.sqrt(2.0 / (fan_in + fan_out)), (fan_in, fan_out))


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    # the uniform law with the Xavier variance: b = sqrt(3) * std
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _uniform(rng, math.sqrt(3.0) * std, (fan_in, fan_out))


def kaiming_normal(fan_in, fan_out, rng, mode="fan_in"):
    return _normal(rng, math.sqrt(2.0 / _fan(fan_in, fan_out, mode)), (fan_in, fan_out))


def kaiming_uniform(fan_in, fan_out, rng, mode="fan_in"):
    return _uniform(rng, math.sqrt(6.0 / _fan(fan_in, fan_out, mode)), (fan_in, fan_out))


def gain(nonlinearity, slope=0.01):
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1.0 + slope**2))
    return GAINS[nonlinearity]
