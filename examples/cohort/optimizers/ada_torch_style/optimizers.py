"""Optimizers (Ada), written the way torch.optim computes them."""
import math

import numpy as np


class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def step(self, w, g):
        return w - self.lr * g


class Momentum:
    # torch keeps a buffer b = mu b + g and steps w - lr b; v = -lr b is the slides' velocity
    def __init__(self, lr=0.01, mu=0.9, ema=False):
        self.lr, self.mu, self.ema = lr, mu, ema
        self.buf = None

    def step(self, w, g):
        scaled = (1.0 - self.mu) * g if self.ema else g
        self.buf = scaled.copy() if self.buf is None else self.mu * self.buf + scaled
        return w - self.lr * self.buf


class Nesterov:
    def __init__(self, lr=0.01, mu=0.9):
        self.lr, self.mu = lr, mu
        self.buf = None

    def step(self, w, g):
        self.buf = g.copy() if self.buf is None else self.mu * self.buf + g
        return w - self.lr * (g + self.mu * self.buf)


class AdaGrad:
    def __init__(self, lr=0.01, eps=1e-10):
        self.lr, self.eps = lr, eps
        self.sum_sq = None

    def step(self, w, g):
        self.sum_sq = g * g if self.sum_sq is None else self.sum_sq + g * g
        return w - self.lr * g / (np.sqrt(self.sum_sq) + self.eps)


class RMSProp:
    def __init__(self, lr=0.01, rho=0.99, eps=1e-8):
        self.lr, self.rho, self.eps = lr, rho, eps
        self.square_avg = None

    def step(self, w, g):
        if self.square_avg is None:
            self.square_avg = np.zeros_like(w)
        self.square_avg = self.rho * self.square_avg + (1 - self.rho) * g * g
        return w - self.lr * g / (np.sqrt(self.square_avg) + self.eps)


class AdaDelta:
    def __init__(self, lr=1.0, rho=0.9, eps=1e-6):
        self.lr, self.rho, self.eps = lr, rho, eps
        self.square_avg = self.acc_delta = None

    def step(self, w, g):
        if self.square_avg is None:
            self.square_avg, self.acc_delta = np.zeros_like(w), np.zeros_like(w)
        self.square_avg = self.rho * self.square_avg + (1 - self.rho) * g * g
        std = np.sqrt(self.square_avg + self.eps)
        delta = np.sqrt(self.acc_delta + self.eps) / std * g
        self.acc_delta = self.rho * self.acc_delta + (1 - self.rho) * delta * delta
        return w - self.lr * delta


class Adam:
    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False):
        self.lr, self.beta1, self.beta2, self.eps, self.amsgrad = lr, beta1, beta2, eps, amsgrad
        self.t = 0
        self.m = self.v = self.vhat_max = None

    def step(self, w, g):
        if self.m is None:
            self.m, self.v, self.vhat_max = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * g
        self.v = self.beta2 * self.v + (1 - self.beta2) * g * g
        bias_correction1 = 1 - self.beta1**self.t
        bias_correction2 = 1 - self.beta2**self.t
        if self.amsgrad:
            self.vhat_max = np.maximum(self.vhat_max, self.v / bias_correction2)
            denom = np.sqrt(self.vhat_max) + self.eps
        else:
            denom = np.sqrt(self.v) / math.sqrt(bias_correction2) + self.eps
        step_size = self.lr / bias_correction1
        return w - step_size * self.m / denom


class AdamW(Adam):
    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
        super().__init__(lr, beta1, beta2, eps)
        self.weight_decay = weight_decay

    def step(self, w, g):
        return super().step(w * (1 - self.lr * self.weight_decay), g)


class NAdam:
    def __init__(self, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m = self.v = None

    def step(self, w, g):
        if self.m is None:
            self.m, self.v = np.zeros_like(w), np.zeros_like(w)
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * g
        self.v = self.beta2 * self.v + (1 - self.beta2) * g * g
        bias_correction1 = 1 - self.beta1**self.t
        denom = np.sqrt(self.v / (1 - self.beta2**self.t)) + self.eps
        look_ahead = (self.beta1 * self.m + (1 - self.beta1) * g) / bias_correction1
        return w - self.lr * look_ahead / denom


def step_decay(eta0, k, drop=0.5, every=10):
    return eta0 * math.pow(drop, math.floor(k / every))


def exponential_decay(eta0, k, rate=0.1):
    return eta0 * math.exp(-rate) ** k


def inverse_time_decay(eta0, k, rate=0.1):
    return eta0 * (1.0 / (1.0 + rate * k))


class ReduceOnPlateau:
    def __init__(self, lr, factor=0.5, patience=0):
        self.lr, self.factor, self.patience = lr, factor, patience
        self.best = None
        self.wait = 0

    def update(self, loss):
        if self.best is None or loss < self.best:
            self.best, self.wait = loss, 0
            return self.lr
        self.wait += 1
        if self.wait == self.patience + 1:
            self.lr *= self.factor
            self.wait = 0
        return self.lr
