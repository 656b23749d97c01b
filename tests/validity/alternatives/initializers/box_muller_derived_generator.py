"""Normals by Box-Muller from rng.random, uniforms from a Generator seeded by a draw of rng
(the randomness still comes from rng alone), flat draws reshaped."""
import math

import numpy as np


def _normal(rng, n):
    u1 = 1.0 - rng.random(n)  # in (0, 1]: log(u1) is finite
    u2 = rng.random(n)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def zeros(fan_in, fan_out, rng=None):
    return np.zeros((fan_in, fan_out), dtype=float)


def small_random(fan_in, fan_out, rng, scale=0.01):
    return scale * _normal(rng, fan_in * fan_out).reshape(fan_in, fan_out)


def lecun_normal(fan_in, fan_out, rng):
    return _normal(rng, fan_in * fan_out).reshape(fan_in, fan_out) * math.sqrt(1.0 / fan_in)


def xavier_normal(fan_in, fan_out, rng, gain=1.0):
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return std * _normal(rng, fan_in * fan_out).reshape((fan_in, fan_out))


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    local = np.random.default_rng(rng.integers(2**63))
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return local.uniform(-bound, bound, fan_in * fan_out).reshape(fan_in, fan_out)


def kaiming_normal(fan_in, fan_out, rng, mode="fan_in"):
    fans = {"fan_in": fan_in, "fan_out": fan_out}
    return math.sqrt(2.0 / fans[mode]) * _normal(rng, fan_in * fan_out).reshape(fan_in, fan_out)


def kaiming_uniform(fan_in, fan_out, rng, mode="fan_in"):
    local = np.random.default_rng(rng.integers(2**63))
    bound = math.sqrt(6.0 / (fan_in if mode == "fan_in" else fan_out))
    return local.uniform(-bound, bound, size=(fan_in, fan_out))


def gain(nonlinearity, slope=0.01):
    table = {"linear": 1, "sigmoid": 4, "tanh": 1, "relu": 2 ** 0.5, "silu": 2 ** 0.5}
    if nonlinearity == "leaky_relu":
        return (2.0 / (1.0 + slope ** 2)) ** 0.5
    return float(table[nonlinearity])
