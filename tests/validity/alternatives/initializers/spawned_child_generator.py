"""Each draw from a child Generator of rng (rng.spawn): independent streams derived from rng."""
import math

import numpy as np


def _child(rng):
    return rng.spawn(1)[0]


def zeros(fan_in, fan_out, rng=None):
    return np.zeros((fan_in, fan_out))


def small_random(fan_in, fan_out, rng, scale=0.01):
    return _child(rng).normal(0.0, scale, (fan_in, fan_out))


def lecun_normal(fan_in, fan_out, rng):
    return _child(rng).normal(0.0, 1.0 / math.sqrt(fan_in), (fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng, gain=1.0):
    return _child(rng).normal(0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), (fan_in, fan_out))


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    b = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _child(rng).uniform(-b, b, (fan_in, fan_out))


def kaiming_normal(fan_in, fan_out, rng, mode="fan_in"):
    n = fan_in if mode == "fan_in" else fan_out
    return _child(rng).normal(0.0, math.sqrt(2.0 / n), (fan_in, fan_out))


def kaiming_uniform(fan_in, fan_out, rng, mode="fan_in"):
    n = fan_in if mode == "fan_in" else fan_out
    b = math.sqrt(6.0 / n)
    return _child(rng).uniform(-b, b, (fan_in, fan_out))


def gain(nonlinearity, slope=0.01):
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1.0 + slope ** 2))
    return {"linear": 1.0, "sigmoid": 4.0, "tanh": 1.0, "relu": math.sqrt(2.0), "silu": math.sqrt(2.0)}[nonlinearity]
