"""Weight initializers (Ada): scaled standard draws, uniform from rng.random()."""
import numpy as np


def zeros(fan_in, fan_out, rng=None):
    return np.zeros(shape=(fan_in, fan_out))


def small_random(fan_in, fan_out, rng, scale=0.01):
    return scale * rng.standard_normal((fan_in, fan_out))


def lecun_normal(fan_in, fan_out, rng):
    return rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in)


def xavier_normal(fan_in, fan_out, rng, gain=1.0):
    variance = gain**2 * 2.0 / (fan_in + fan_out)
    return np.sqrt(variance) * rng.standard_normal((fan_in, fan_out))


def _symmetric_uniform(bound, shape, rng):
    # rng.random() is U[0, 1): map it onto [-bound, bound)
    return bound * (2.0 * rng.random(shape) - 1.0)


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    return _symmetric_uniform(gain * np.sqrt(6.0 / (fan_in + fan_out)), (fan_in, fan_out), rng)


def kaiming_normal(fan_in, fan_out, rng, mode="fan_in"):
    n = fan_in if mode == "fan_in" else fan_out
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / n)


def kaiming_uniform(fan_in, fan_out, rng, mode="fan_in"):
    n = fan_in if mode == "fan_in" else fan_out
    return _symmetric_uniform(np.sqrt(6.0 / n), (fan_in, fan_out), rng)


def gain(nonlinearity, slope=0.01):
    if nonlinearity in ("linear", "tanh"):
        return 1.0
    if nonlinearity == "sigmoid":
        return 4.0
    if nonlinearity in ("relu", "silu"):
        return np.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        return np.sqrt(2.0) / np.sqrt(1.0 + slope * slope)
    raise ValueError(nonlinearity)
