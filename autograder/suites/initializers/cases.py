"""Inputs and reference values of the `initializers` suite (the handout: solutions/initializers.py's
docstrings). Trusted side.

The student's initializers receive a real `numpy.random.Generator` made in the worker
(`student.rng(seed)`), so every correct way of drawing works. The grader reads its state
before and after a call to see whether it was used at all, and compares calls with equal
and with different seeds to see that the weights come from `rng` alone.

Weight distributions are checked on NON-SQUARE shapes, so that a fan_in/fan_out mix-up
changes the variance: (120, 280) for the visible checks, (280, 120) for the hidden ones.
33,600 draws are plenty: a correct variance is accepted within about +-4%, and the nearest
wrong variance among `mistakes.normal_std_mistakes` is 40% off (the nearest wrong bound among
`mistakes.uniform_bound_mistakes`, 19%; docs/rubric-initializers.md).
"""
from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import numpy as np

VISIBLE_SHAPE = (120, 280)
HIDDEN_SHAPE = (280, 120)
# A layer with few inputs: a variance off by a term of fan_in (1/(fan_in - 1), a sample
# variance's n - 1) is within sampling noise at fan_in = 120 (0.8%) and 50% off at 3.
THIN_SHAPE = (3, 4000)
# Grading seeds. A correct initializer fails a statistical check for at most a fraction
# 1e-6 of seeds (autograder/checks/statistics.py); these are fixed so grading is
# deterministic.
VISIBLE_SEED = 20240901
HIDDEN_SEED = 20240902
CONTRACT_SHAPE = (30, 70)
CONTRACT_SEED = 31337
# The contract's other shapes: square (a transposed shape hides there, so it is never the only
# one), a single input and a single output unit (np.squeeze, 1 / (fan_in - 1) break there).
CONTRACT_OTHER_SHAPES = ((40, 40), (1, 5), (5, 1))
# Each initializer's keyword parameter, passed by name as the docstring's signature spells it.
CONTRACT_KEYWORDS = {"small_random": {"scale": 0.05}, "xavier_normal": {"gain": 2.0}, "xavier_uniform": {"gain": 2.0},
                     "kaiming_normal": {"mode": "fan_out"}, "kaiming_uniform": {"mode": "fan_out"}}

NORMAL_INITIALIZERS = ("small_random", "lecun_normal", "xavier_normal", "kaiming_normal")
UNIFORM_INITIALIZERS = ("xavier_uniform", "kaiming_uniform")
RANDOM_INITIALIZERS = ("small_random", "lecun_normal", "xavier_normal", "xavier_uniform", "kaiming_normal",
                       "kaiming_uniform")

# gain() is a table lookup and a square root: other correct algebra, e.g.
# sqrt(2)/sqrt(1 + slope**2), differs by a few ulp; 1e-12 leaves room for that only.
GAIN_RTOL = 1e-12

# The slides' deep network (the handout): X ~ N(0, 1) of shape (1000, 500), ten layers of
# 500 units, H = act(H_prev @ W), no bias.
NETWORK_INPUT_SHAPE = (1000, 500)
NETWORK_LAYERS = 10
NETWORK_UNITS = 500
NETWORK_INPUT_SEED = 7
NETWORK_GRADING_SEED = 424242
NETWORK_CALIBRATION_SEEDS = tuple(range(1000, 1040))  # 40 reference runs, disjoint from the grading seed
HIST_BINS = 40

# activation name -> (function, histogram range shared by student and reference)
ACTIVATIONS = {"tanh": (np.tanh, (-1.0, 1.0))}
# The networks graded per submission: (initializer, activation). One full network, the slides'
# tanh experiment: 10 layers of 500 x 500 float64 = 20 MB of weights sent back. A ReLU network
# with kaiming_normal would test nothing the kaiming_normal distribution checks do not
# (docs/rubric-initializers.md).
NETWORKS = (("lecun_normal", "tanh"),)

STATS_FILE = Path(__file__).with_name("reference_stats.json")


@cache
def network_input() -> np.ndarray:
    """The fixed network input X ~ N(0, 1) of shape (1000, 500)."""
    return np.random.default_rng(NETWORK_INPUT_SEED).standard_normal(NETWORK_INPUT_SHAPE)


@cache
def reference_statistics() -> dict:
    """The committed reference statistics (make_reference_stats.py), keyed "initializer/activation"."""
    return json.loads(STATS_FILE.read_text())


def normal_std(name: str, fan_in: int, fan_out: int, **params) -> float:
    """The handout's standard deviation of the normal initializer ``name``."""
    if name == "small_random":
        return params.get("scale", 0.01)
    if name == "lecun_normal":
        return 1 / math.sqrt(fan_in)
    if name == "xavier_normal":
        return params.get("gain", 1.0) * math.sqrt(2 / (fan_in + fan_out))
    if name == "kaiming_normal":
        n, _ = fans(fan_in, fan_out, params.get("mode", "fan_in"))
        return math.sqrt(2 / n)
    raise KeyError(name)


# Deliberately parallel to normal_std: each law as the handout writes it (b = sqrt(3) std, same variance).
def uniform_bound(name: str, fan_in: int, fan_out: int, **params) -> float:
    """The handout's bound b of the uniform initializer ``name`` (weights ~ U(-b, b))."""
    if name == "xavier_uniform":
        return params.get("gain", 1.0) * math.sqrt(6 / (fan_in + fan_out))
    if name == "kaiming_uniform":
        n, _ = fans(fan_in, fan_out, params.get("mode", "fan_in"))
        return math.sqrt(6 / n)
    raise KeyError(name)


def fans(fan_in: int, fan_out: int, mode: str) -> tuple[int, int]:
    """(n, the other fan) for a Kaiming `mode`."""
    return (fan_in, fan_out) if mode == "fan_in" else (fan_out, fan_in)


def call_text(name: str, shape: tuple[int, int], params: dict) -> str:
    """E.g. `xavier_normal(280, 120, rng, gain=2.0)`."""
    extra = "".join(f", {k}={v!r}" for k, v in params.items())
    return f"{name}({shape[0]}, {shape[1]}, rng{extra})"
