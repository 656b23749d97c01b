"""A class per initializer (the law's scale from the fans, one shared draw), keyword arguments
to rng.normal / rng.uniform, gain by a dict of functions."""
import math

import numpy as np


class Initializer:
    law = "normal"

    def scale(self, fan_in, fan_out):
        raise NotImplementedError

    def __call__(self, fan_in, fan_out, rng):
        s = self.scale(fan_in, fan_out)
        if self.law == "normal":
            return rng.normal(loc=0.0, scale=s, size=(fan_in, fan_out))
        return rng.uniform(low=-s, high=s, size=(fan_in, fan_out))


class Constant(Initializer):
    def __init__(self, std):
        self.std = std

    def scale(self, fan_in, fan_out):
        return self.std


class LeCun(Initializer):
    def scale(self, fan_in, fan_out):
        return 1.0 / math.sqrt(fan_in)


class Xavier(Initializer):
    def __init__(self, gain, law):
        self.gain, self.law = gain, law

    def scale(self, fan_in, fan_out):
        k = 2.0 if self.law == "normal" else 6.0
        return self.gain * math.sqrt(k / (fan_in + fan_out))


class Kaiming(Initializer):
    def __init__(self, mode, law):
        self.mode, self.law = mode, law

    def scale(self, fan_in, fan_out):
        n = fan_in if self.mode == "fan_in" else fan_out
        return math.sqrt((2.0 if self.law == "normal" else 6.0) / n)


def zeros(fan_in, fan_out, rng=None):
    return np.full((fan_in, fan_out), 0.0)


def small_random(fan_in, fan_out, rng, scale=0.01):
    return Constant(scale)(fan_in, fan_out, rng)


def lecun_normal(fan_in, fan_out, rng):
    return LeCun()(fan_in, fan_out, rng)


def xavier_normal(fan_in, fan_out, rng, gain=1.0):
    return Xavier(gain, "normal")(fan_in, fan_out, rng)


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    return Xavier(gain, "uniform")(fan_in, fan_out, rng)


def kaiming_normal(fan_in, fan_out, rng, mode="fan_in"):
    return Kaiming(mode, "normal")(fan_in, fan_out, rng)


def kaiming_uniform(fan_in, fan_out, rng, mode="fan_in"):
    return Kaiming(mode, "uniform")(fan_in, fan_out, rng)


GAINS = {
    "linear": lambda slope: 1.0,
    "sigmoid": lambda slope: 4.0,
    "tanh": lambda slope: 1.0,
    "relu": lambda slope: math.sqrt(2.0),
    "silu": lambda slope: math.sqrt(2.0),
    "leaky_relu": lambda slope: math.sqrt(2.0 / (1.0 + slope ** 2)),
}


def gain(nonlinearity, slope=0.01):
    return GAINS[nonlinearity](slope)
