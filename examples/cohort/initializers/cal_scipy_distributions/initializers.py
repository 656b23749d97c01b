"""Weight initializers (Cal): scipy.stats distributions drawing from the Generator given."""
import math

import numpy as np
from scipy import stats


def zeros(fan_in, fan_out, rng=None):
    return np.zeros((fan_in, fan_out), dtype=np.float64)


def small_random(fan_in, fan_out, rng, scale=0.01):
    return rng.normal(loc=0.0, scale=scale, size=(fan_in, fan_out))


def lecun_normal(fan_in, fan_out, rng):
    return stats.norm(scale=1 / math.sqrt(fan_in)).rvs(size=(fan_in, fan_out), random_state=rng)


def xavier_normal(fan_in, fan_out, rng, gain=1.0):
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return std * rng.standard_normal((fan_in, fan_out), dtype=np.float64)


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return stats.uniform(loc=-bound, scale=2 * bound).rvs(size=(fan_in, fan_out), random_state=rng)


def kaiming_normal(fan_in, fan_out, rng, mode="fan_in"):
    n = {"fan_in": fan_in, "fan_out": fan_out}[mode]
    own = np.random.default_rng(rng)  # a Generator passed to default_rng is returned unaltered
    return own.normal(0.0, math.sqrt(2.0 / n), size=(fan_in, fan_out))


def kaiming_uniform(fan_in, fan_out, rng, mode="fan_in"):
    n = {"fan_in": fan_in, "fan_out": fan_out}[mode]
    bound = math.sqrt(6.0 / n)
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


GAINS = {"linear": 1.0, "sigmoid": 4.0, "tanh": 1.0, "relu": math.sqrt(2.0), "silu": math.sqrt(2.0)}


def gain(nonlinearity, slope=0.01):
    if nonlinearity == "leaky_relu":
        return math.sqrt(2.0 / (1.0 + slope**2))
    return GAINS[nonlinearity]
