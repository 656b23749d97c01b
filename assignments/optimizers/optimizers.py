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
        # YOUR CODE HERE
        raise NotImplementedError()

    def step(self, w, g):
        # YOUR CODE HERE
        raise NotImplementedError()


class Momentum:
    """Heavy ball: v = mu v - lr g; w + v. With ema=True the velocity is an
    exponential average, v = mu v - lr (1 - mu) g (the Sutskever form on the
    slides). For a constant lr the default form equals PyTorch's
    `b = mu b + g; w - lr b` with v = -lr b."""

    def __init__(self, lr=0.01, mu=0.9, ema=False):
        # YOUR CODE HERE
        raise NotImplementedError()

    def step(self, w, g):
        # YOUR CODE HERE
        raise NotImplementedError()


class Nesterov:
    """Nesterov momentum, the "fixed" NAG written on the look-ahead variable:
    v_new = mu v - lr g; w - mu v + (1 + mu) v_new. For a constant lr it equals
    PyTorch's `SGD(nesterov=True)`: b = mu b + g; w - lr (g + mu b)."""

    def __init__(self, lr=0.01, mu=0.9):
        # YOUR CODE HERE
        raise NotImplementedError()

    def step(self, w, g):
        # YOUR CODE HERE
        raise NotImplementedError()


class AdaGrad:
    """G = G + g^2; w - lr g / (sqrt(G) + eps) (eps outside the square root)."""

    def __init__(self, lr=0.01, eps=1e-10):
        # YOUR CODE HERE
        raise NotImplementedError()

    def step(self, w, g):
        # YOUR CODE HERE
        raise NotImplementedError()


class RMSProp:
    """V = rho V + (1 - rho) g^2; w - lr g / (sqrt(V) + eps) (eps outside the
    square root, as PyTorch)."""

    def __init__(self, lr=0.01, rho=0.99, eps=1e-8):
        # YOUR CODE HERE
        raise NotImplementedError()

    def step(self, w, g):
        # YOUR CODE HERE
        raise NotImplementedError()


class AdaDelta:
    """Zeiler's AdaDelta (eps inside both square roots):
    V = rho V + (1 - rho) g^2; d = sqrt(U + eps) / sqrt(V + eps) g;
    U = rho U + (1 - rho) d^2; w - lr d."""

    def __init__(self, lr=1.0, rho=0.9, eps=1e-6):
        # YOUR CODE HERE
        raise NotImplementedError()

    def step(self, w, g):
        # YOUR CODE HERE
        raise NotImplementedError()


class Adam:
    """m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; mhat = m / (1 - b1^t),
    vhat = v / (1 - b2^t); w - lr mhat / (sqrt(vhat) + eps) (eps outside the
    square root). With amsgrad=True, vmax = max(vmax, vhat) replaces vhat: the
    maximum is taken over the bias-corrected vhat (PyTorch takes it over the raw
    v and bias-corrects afterwards, which gives different steps)."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False):
        # YOUR CODE HERE
        raise NotImplementedError()

    def step(self, w, g):
        # YOUR CODE HERE
        raise NotImplementedError()


class AdamW:
    """Adam with decoupled weight decay: w = w - lr weight_decay w, then the
    Adam step (PyTorch's AdamW)."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
        # YOUR CODE HERE
        raise NotImplementedError()

    def step(self, w, g):
        # YOUR CODE HERE
        raise NotImplementedError()


class NAdam:
    """Nesterov-accelerated Adam in Dozat's simplified form (no momentum-decay
    schedule, unlike PyTorch's NAdam): Adam's m, v, mhat, vhat;
    w - lr (b1 mhat + (1 - b1) g / (1 - b1^t)) / (sqrt(vhat) + eps)."""

    def __init__(self, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        # YOUR CODE HERE
        raise NotImplementedError()

    def step(self, w, g):
        # YOUR CODE HERE
        raise NotImplementedError()


def step_decay(eta0, k, drop=0.5, every=10):
    """eta0 * drop^floor(k / every)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def exponential_decay(eta0, k, rate=0.1):
    """eta0 * exp(-rate k)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def inverse_time_decay(eta0, k, rate=0.1):
    """eta0 / (1 + rate k)."""
    # YOUR CODE HERE
    raise NotImplementedError()


class ReduceOnPlateau:
    """Multiply the rate by `factor` after more than `patience` bad epochs in a
    row, a bad epoch being a loss not strictly below the best seen so far; the
    bad-epoch count then restarts. `update(loss)` returns the current rate."""

    def __init__(self, lr, factor=0.5, patience=0):
        # YOUR CODE HERE
        raise NotImplementedError()

    def update(self, loss):
        # YOUR CODE HERE
        raise NotImplementedError()
