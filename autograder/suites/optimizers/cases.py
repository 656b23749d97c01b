"""Inputs and reference values of the optimizers suite (trusted side).

Teacher forcing. The reference optimizer runs closed-loop over a seeded gradient stream
``g_0 .. g_{T-1}`` and produces iterates ``w_0 .. w_T``. The student's optimizer is then
fed the REFERENCE iterates, ``s_{k+1} = opt.step(w_k, g_k)``, all ``T`` calls in one round
trip (``RemoteObject.map``). Every step is judged on its own, so the first divergent step
``t`` (counted from 1, as the handout's ``t``) is named; earlier errors cannot snowball.

The stream (shape (5, 6), 60 steps) is built to expose the classic mistakes: row 0 unit
gradients; row 1 gradients of 1e-3; row 2 gradients of 1e-8, the scale of eps, where eps
inside vs outside the square root changes the step by O(1); row 3 gradients of 10
decaying by 0.8 per step (an early peak: AMSGrad over v vs over vhat, bias corrections);
row 4 a biased, noisy gradient with exact zeros every 7th step.
"""
from __future__ import annotations

from functools import cache

import numpy as np

from autograder import reference as reference_modules
from autograder.checks.convergence import run_optimizer

STREAM_SHAPE = (5, 6)
STREAM_STEPS = 60
VISIBLE_SEED = 1729
HIDDEN_SEED = 4104
# The contract check's stream: its own, so the visible check never runs on (and the student kit
# never records the reference on) the hidden stream.
CONTRACT_SEED = 6174
CLASSES = ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "AdaDelta", "Adam", "AdamW", "NAdam")
ROW_SCALES = ("~1", "~1e-3", "~1e-8 (the scale of eps)", "10 * 0.8**k (decaying)", "biased, with zeros")

# Non-default hyper-parameters of the hidden checks, every one changed from its default.
HIDDEN_HYPER = {
    "SGD": {"lr": 0.1},
    "Momentum": {"lr": 0.05, "mu": 0.7},
    "Nesterov": {"lr": 0.05, "mu": 0.7},
    "AdaGrad": {"lr": 0.5, "eps": 1e-6},
    "RMSProp": {"lr": 0.02, "rho": 0.9, "eps": 1e-6},
    "AdaDelta": {"lr": 0.5, "rho": 0.95, "eps": 1e-5},
    "Adam": {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
    "AdamW": {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1},
    "NAdam": {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
}


def ref_module():
    """The reference optimizers module (trusted)."""
    return reference_modules.load("optimizers")


@cache
def gradient_stream(seed: int, steps: int = STREAM_STEPS) -> tuple[np.ndarray, np.ndarray]:
    """``(w0, G)``: start weights of shape (5, 6) and gradients ``G[k]`` of the same shape."""
    rng = np.random.default_rng(seed)
    w0 = rng.standard_normal(STREAM_SHAPE)
    z = rng.standard_normal((steps, *STREAM_SHAPE))
    k = np.arange(steps)[:, None]
    grads = np.empty_like(z)
    grads[:, 0] = z[:, 0]
    grads[:, 1] = 1e-3 * z[:, 1]
    grads[:, 2] = 1e-8 * z[:, 2]
    grads[:, 3] = 10.0 * 0.8**k * z[:, 3]
    grads[:, 4] = 0.7 + 0.5 * z[:, 4]
    grads[::7, 4, :3] = 0.0
    return w0, grads


def _key(kwargs: dict) -> tuple:
    return tuple(sorted(kwargs.items()))


@cache
def _reference_iterates(name: str, key: tuple, seed: int) -> tuple[np.ndarray, ...]:
    w0, grads = gradient_stream(seed)
    opt = getattr(ref_module(), name)(**dict(key))
    ws = [w0]
    for g in grads:
        ws.append(opt.step(ws[-1], g))
    return tuple(ws)


def reference_iterates(name: str, kwargs: dict, seed: int) -> tuple[np.ndarray, ...]:
    """The reference's closed-loop iterates ``w_0 .. w_T`` on stream ``seed`` (cached)."""
    return _reference_iterates(name, _key(kwargs), seed)


def teacher_forced(opt, ws, grads) -> list:
    """``[opt.step(w_k, g_k) for k]`` for a trusted optimizer, floating-point warnings silenced."""
    with np.errstate(all="ignore"):
        return [opt.step(w.copy(), g.copy()) for w, g in zip(ws, grads)]


# Every shape family the handout allows: a single parameter (0-d array), a vector, a square and a
# non-square matrix. Each step gets a NEW random w (not the previous output): the step must start
# from the w it is given.
SHAPES = {(): "a 0-d array, a single parameter", (7,): "a vector", (4, 4): "a square matrix",
          (3, 5): "a non-square matrix"}
SHAPE_STEPS = 6


@cache
def shape_inputs(shape: tuple) -> tuple[tuple, tuple]:
    """``(ws, gs)``: SHAPE_STEPS independent float64 arrays of `shape` each (0-d arrays for ``()``)."""
    rng = np.random.default_rng([2718, len(shape), *shape])
    ws = tuple(np.asarray(rng.standard_normal(shape), dtype=np.float64) for _ in range(SHAPE_STEPS))
    gs = tuple(np.asarray(rng.standard_normal(shape), dtype=np.float64) for _ in range(SHAPE_STEPS))
    return ws, gs


@cache
def reference_shape_outputs(name: str, shape: tuple) -> list:
    """The reference's outputs on `shape_inputs(shape)` (cached: the same for every submission)."""
    return teacher_forced(getattr(ref_module(), name)(), *shape_inputs(shape))


# Epochs around the drops of step_decay (every=10 by default): an off-by-one shows at
# k = every - 1, every, every + 1 and the multiples.
EPOCHS = (0, 1, 2, 5, 9, 10, 11, 19, 20, 21, 29, 30, 35, 50, 99, 100)
# The hidden check's epochs for every=4: besides the drops (k = 3, 4, 5 and the multiples),
# k = 6 and 14 (k/every = 1.5 and 3.5) tell round(k/every) from floor((k+1)/every).
STEP_DECAY_HIDDEN_EPOCHS = (0, 1, 3, 4, 5, 6, 7, 8, 9, 12, 14, 15, 16, 40)

# Losses that exercise the plateau rule: equal losses (not strictly below the best),
# runs of bad epochs longer than the patience, improvements that break a run, and at the end
# three improvements each strictly below the best by only ~1e-7 relative: improvements for the
# handout, bad epochs for a relative threshold such as PyTorch's default (threshold=1e-4).
PLATEAU_LOSSES = (1.0, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.7, 0.75, 0.7, 0.7, 0.6, 0.65, 0.5,
                  0.5, 0.55, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.3, 0.29999997, 0.29999994, 0.29999991)


def reference_run(name: str, kwargs: dict, function, start, steps: int):
    """The reference ``name(**kwargs)`` driven closed-loop on ``function`` from ``start`` (cached)."""
    return _reference_run(name, _key(kwargs), function, tuple(start), steps)


@cache
def _reference_run(name: str, key: tuple, function, start: tuple, steps: int):
    return run_optimizer(getattr(ref_module(), name)(**dict(key)).step, function, start, steps)
