"""Generator.standard_normal scaled, draws of the transposed shape then .T.copy(), uniform from
rng.random() as (2u - 1) b, np.sqrt, gain by an if-chain."""
import numpy as np


def zeros(fan_in, fan_out, rng=None):
    return np.zeros(fan_in * fan_out).reshape(fan_in, fan_out)


def small_random(fan_in, fan_out, rng, scale=0.01):
    return scale * rng.standard_normal((fan_out, fan_in)).T.copy()


def lecun_normal(fan_in, fan_out, rng):
    return rng.standard_normal(size=(fan_in, fan_out)) / np.sqrt(fan_in)


def xavier_normal(fan_in, fan_out, rng, gain=1.0):
    return gain * np.sqrt(2.0 / (fan_in + fan_out)) * rng.standard_normal((fan_out, fan_in)).T


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    b = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return (2.0 * rng.random((fan_in, fan_out)) - 1.0) * b


def kaiming_normal(fan_in, fan_out, rng, mode="fan_in"):
    n = {"fan_in": fan_in, "fan_out": fan_out}[mode]
    return np.sqrt(2.0 / n) * rng.standard_normal((fan_in, fan_out))


def kaiming_uniform(fan_in, fan_out, rng, mode="fan_in"):
    n = fan_in if mode == "fan_in" else fan_out
    b = np.sqrt(6.0 / n)
    return b * (2.0 * rng.random((fan_out, fan_in)) - 1.0).T


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
