"""First-order optimizers and learning-rate schedules.

An optimizer holds the state of one parameter array; `w_new = opt.step(w, g)`:

- `w` and `g` are float64 arrays of the same shape, any shape: a single
  parameter (a 0-d array), a vector, a matrix (square or not). Work
  elementwise (`np.zeros_like(w)`, not `len(w)` or `w.shape[0]`).
- step returns the updated parameters as a NEW float64 array of w's shape (a
  NumPy float64 is fine for a 0-d w), computed from the `w` it is given: the
  caller may change the parameters between steps, so never continue from
  your own last result.
- step never modifies `w` or `g`, neither during the call nor later: do not
  keep the caller's array as state (`self.v = g`, then `self.v *= mu` at the
  next call, changes the gradient the caller handed over one call earlier).
  Store a copy, or build every new state as a new array.
- The state (velocities, accumulators, t) belongs to the instance: two
  optimizer objects never share it (no state in class attributes or in
  mutable default arguments). It starts at zero at the first call; the Adam
  family counts calls in `t`, from 1, for its bias corrections.

Defaults are PyTorch's; where the course slides disagree, the formula in each
docstring is the rule. The schedules take the epoch k = 0, 1, 2, ... (k = 0
gives eta0) and return the learning rate of that epoch.
"""
import math

import numpy as np


class SGD:
    """Plain gradient descent: w - lr g."""

    def __init__(self, lr=0.01):
        ### BEGIN SOLUTION
        self.lr = lr
        ### END SOLUTION

    def step(self, w, g):
        ### BEGIN SOLUTION
        return np.asarray(w, dtype=np.float64) - self.lr * np.asarray(g, dtype=np.float64)
        ### END SOLUTION


class Momentum:
    """Heavy ball: v = mu v - lr g; w + v. With ema=True the velocity is an
    exponential average, v = mu v - lr (1 - mu) g (the Sutskever form on the
    slides). For a constant lr the default form equals PyTorch's
    `b = mu b + g; w - lr b` with v = -lr b."""

    def __init__(self, lr=0.01, mu=0.9, ema=False):
        ### BEGIN SOLUTION
        self.lr = lr
        self.mu = mu
        self.ema = ema
        self.v = None
        ### END SOLUTION

    def step(self, w, g):
        ### BEGIN SOLUTION
        w = np.asarray(w, dtype=np.float64)
        g = np.asarray(g, dtype=np.float64)
        if self.v is None:
            self.v = np.zeros_like(w)
        step_size = self.lr * (1.0 - self.mu) if self.ema else self.lr
        self.v = self.mu * self.v - step_size * g
        return w + self.v
        ### END SOLUTION


class Nesterov:
    """Nesterov momentum, the "fixed" NAG written on the look-ahead variable:
    v_new = mu v - lr g; w - mu v + (1 + mu) v_new. For a constant lr it equals
    PyTorch's `SGD(nesterov=True)`: b = mu b + g; w - lr (g + mu b)."""

    def __init__(self, lr=0.01, mu=0.9):
        ### BEGIN SOLUTION
        self.lr = lr
        self.mu = mu
        self.v = None
        ### END SOLUTION

    def step(self, w, g):
        ### BEGIN SOLUTION
        w = np.asarray(w, dtype=np.float64)
        g = np.asarray(g, dtype=np.float64)
        if self.v is None:
            self.v = np.zeros_like(w)
        v_new = self.mu * self.v - self.lr * g
        w_new = w - self.mu * self.v + (1.0 + self.mu) * v_new
        self.v = v_new
        return w_new
        ### END SOLUTION


class AdaGrad:
    """G = G + g^2; w - lr g / (sqrt(G) + eps) (eps outside the square root)."""

    def __init__(self, lr=0.01, eps=1e-10):
        ### BEGIN SOLUTION
        self.lr = lr
        self.eps = eps
        self.G = None
        ### END SOLUTION

    def step(self, w, g):
        ### BEGIN SOLUTION
        w = np.asarray(w, dtype=np.float64)
        g = np.asarray(g, dtype=np.float64)
        if self.G is None:
            self.G = np.zeros_like(w)
        self.G = self.G + g**2
        return w - self.lr * g / (np.sqrt(self.G) + self.eps)
        ### END SOLUTION


class RMSProp:
    """V = rho V + (1 - rho) g^2; w - lr g / (sqrt(V) + eps) (eps outside the
    square root, as PyTorch)."""

    def __init__(self, lr=0.01, rho=0.99, eps=1e-8):
        ### BEGIN SOLUTION
        self.lr = lr
        self.rho = rho
        self.eps = eps
        self.V = None
        ### END SOLUTION

    def step(self, w, g):
        ### BEGIN SOLUTION
        w = np.asarray(w, dtype=np.float64)
        g = np.asarray(g, dtype=np.float64)
        if self.V is None:
            self.V = np.zeros_like(w)
        self.V = self.rho * self.V + (1.0 - self.rho) * g**2
        return w - self.lr * g / (np.sqrt(self.V) + self.eps)
        ### END SOLUTION


class AdaDelta:
    """Zeiler's AdaDelta (eps inside both square roots):
    V = rho V + (1 - rho) g^2; d = sqrt(U + eps) / sqrt(V + eps) g;
    U = rho U + (1 - rho) d^2; w - lr d."""

    def __init__(self, lr=1.0, rho=0.9, eps=1e-6):
        ### BEGIN SOLUTION
        self.lr = lr
        self.rho = rho
        self.eps = eps
        self.V = None
        self.U = None
        ### END SOLUTION

    def step(self, w, g):
        ### BEGIN SOLUTION
        w = np.asarray(w, dtype=np.float64)
        g = np.asarray(g, dtype=np.float64)
        if self.V is None:
            self.V = np.zeros_like(w)
            self.U = np.zeros_like(w)
        self.V = self.rho * self.V + (1.0 - self.rho) * g**2
        d = np.sqrt(self.U + self.eps) / np.sqrt(self.V + self.eps) * g
        self.U = self.rho * self.U + (1.0 - self.rho) * d**2
        return w - self.lr * d
        ### END SOLUTION


class Adam:
    """m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; mhat = m / (1 - b1^t),
    vhat = v / (1 - b2^t); w - lr mhat / (sqrt(vhat) + eps) (eps outside the
    square root). With amsgrad=True, vmax = max(vmax, vhat) replaces vhat: the
    maximum is taken over the bias-corrected vhat (PyTorch takes it over the raw
    v and bias-corrects afterwards, which gives different steps)."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False):
        ### BEGIN SOLUTION
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.amsgrad = amsgrad
        self.m = None
        self.v = None
        self.vmax = None
        self.t = 0
        ### END SOLUTION

    def step(self, w, g):
        ### BEGIN SOLUTION
        w = np.asarray(w, dtype=np.float64)
        g = np.asarray(g, dtype=np.float64)
        if self.m is None:
            self.m = np.zeros_like(w)
            self.v = np.zeros_like(w)
            self.vmax = np.zeros_like(w)
        self.t += 1
        self.m = self.beta1 * self.m + (1.0 - self.beta1) * g
        self.v = self.beta2 * self.v + (1.0 - self.beta2) * g**2
        mhat = self.m / (1.0 - self.beta1**self.t)
        vhat = self.v / (1.0 - self.beta2**self.t)
        if self.amsgrad:
            self.vmax = np.maximum(self.vmax, vhat)
            vhat = self.vmax
        return w - self.lr * mhat / (np.sqrt(vhat) + self.eps)
        ### END SOLUTION


class AdamW:
    """Adam with decoupled weight decay: w = w - lr weight_decay w, then the
    Adam step (PyTorch's AdamW)."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
        ### BEGIN SOLUTION
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weight_decay = weight_decay
        self.m = None
        self.v = None
        self.t = 0
        ### END SOLUTION

    def step(self, w, g):
        ### BEGIN SOLUTION
        w = np.asarray(w, dtype=np.float64)
        g = np.asarray(g, dtype=np.float64)
        if self.m is None:
            self.m = np.zeros_like(w)
            self.v = np.zeros_like(w)
        self.t += 1
        w = w - self.lr * self.weight_decay * w
        self.m = self.beta1 * self.m + (1.0 - self.beta1) * g
        self.v = self.beta2 * self.v + (1.0 - self.beta2) * g**2
        mhat = self.m / (1.0 - self.beta1**self.t)
        vhat = self.v / (1.0 - self.beta2**self.t)
        return w - self.lr * mhat / (np.sqrt(vhat) + self.eps)
        ### END SOLUTION


class NAdam:
    """Nesterov-accelerated Adam in Dozat's simplified form (no momentum-decay
    schedule, unlike PyTorch's NAdam): Adam's m, v, mhat, vhat;
    w - lr (b1 mhat + (1 - b1) g / (1 - b1^t)) / (sqrt(vhat) + eps)."""

    def __init__(self, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        ### BEGIN SOLUTION
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.m = None
        self.v = None
        self.t = 0
        ### END SOLUTION

    def step(self, w, g):
        ### BEGIN SOLUTION
        w = np.asarray(w, dtype=np.float64)
        g = np.asarray(g, dtype=np.float64)
        if self.m is None:
            self.m = np.zeros_like(w)
            self.v = np.zeros_like(w)
        self.t += 1
        self.m = self.beta1 * self.m + (1.0 - self.beta1) * g
        self.v = self.beta2 * self.v + (1.0 - self.beta2) * g**2
        bias1 = 1.0 - self.beta1**self.t
        mhat = self.m / bias1
        vhat = self.v / (1.0 - self.beta2**self.t)
        nesterov_m = self.beta1 * mhat + (1.0 - self.beta1) * g / bias1
        return w - self.lr * nesterov_m / (np.sqrt(vhat) + self.eps)
        ### END SOLUTION


def step_decay(eta0, k, drop=0.5, every=10):
    """eta0 * drop^floor(k / every)."""
    ### BEGIN SOLUTION
    return eta0 * drop ** (k // every)
    ### END SOLUTION


def exponential_decay(eta0, k, rate=0.1):
    """eta0 * exp(-rate k)."""
    ### BEGIN SOLUTION
    return eta0 * math.exp(-rate * k)
    ### END SOLUTION


def inverse_time_decay(eta0, k, rate=0.1):
    """eta0 / (1 + rate k)."""
    ### BEGIN SOLUTION
    return eta0 / (1.0 + rate * k)
    ### END SOLUTION


class ReduceOnPlateau:
    """Multiply the rate by `factor` after more than `patience` bad epochs in a
    row, a bad epoch being a loss not strictly below the best seen so far; the
    bad-epoch count then restarts. `update(loss)` returns the current rate."""

    def __init__(self, lr, factor=0.5, patience=0):
        ### BEGIN SOLUTION
        self.lr = lr
        self.factor = factor
        self.patience = patience
        self.best = math.inf
        self.bad_epochs = 0
        ### END SOLUTION

    def update(self, loss):
        ### BEGIN SOLUTION
        if loss < self.best:
            self.best = loss
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        if self.bad_epochs > self.patience:
            self.lr = self.lr * self.factor
            self.bad_epochs = 0
        return self.lr
        ### END SOLUTION
