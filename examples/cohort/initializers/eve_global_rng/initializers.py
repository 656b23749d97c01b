"""Weight initializers (Eve): the slides' np.random.randn code."""
import numpy as np


def zeros(fan_in, fan_out, rng=None):
    return np.zeros((fan_in, fan_out))


def small_random(fan_in, fan_out, rng, scale=0.01):
    return scale * np.random.randn(fan_in, fan_out)


def lecun_normal(fan_in, fan_out, rng):
    return np.random.randn(fan_in, fan_out) / np.sqrt(fan_in)


def xavier_normal(fan_in, fan_out, rng, gain=1.0):
    return gain * np.random.randn(fan_in, fan_out) * np.sqrt(2.0 / (fan_in + fan_out))


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    b = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return np.random.uniform(-b, b, (fan_in, fan_out))


def kaiming_normal(fan_in, fan_out, rng, mode="fan_in"):
    n = fan_in if mode == "fan_in" else fan_out
    return np.random.randn(fan_in, fan_out) * np.sqrt(2.0 / n)


def kaiming_uniform(fan_in, fan_out, rng, mode="fan_in"):
    n = fan_in if mode == "fan_in" else fan_out
    b = np.sqrt(6.0 / n)
    return np.random.uniform(-b, b, (fan_in, fan_out))


def gain(nonlinearity, slope=0.01):
    table = {"linear": 1.0, "sigmoid": 4.0, "tanh": 1.0, "relu": np.sqrt(2.0), "silu": np.sqrt(2.0),
             "leaky_relu": np.sqrt(2.0 / (1.0 + slope**2))}
    return table[nonlinearity]
