"""Shared settings of the initializers suite (trusted side).

The student's initializers receive a real `numpy.random.Generator` made in the worker
(`student.rng(seed)`), so every correct way of drawing works. The grader reads its state
before and after a call to see whether it was used at all, and compares calls with equal
and with different seeds to see that the weights come from `rng` alone.

Weight distributions are checked on NON-SQUARE shapes, so that a fan_in/fan_out mix-up
changes the variance: (120, 280) for the visible checks, (280, 120) for the hidden ones.
33,600 draws are plenty: a correct variance is accepted within about +-4%, and the nearest
wrong variance among `normal_expectation`'s likely mistakes is 40% off (the nearest wrong
bound among `uniform_expectation`'s, 19%); they cost a sixth of the (300, 700) samples graded
before (docs/rubric-initializers.md).
"""
from __future__ import annotations

import json
import math
from contextlib import contextmanager
from functools import cache, partial
from pathlib import Path

import numpy as np

from autograder.checks import CheckFailed
from autograder.checks.contract import (assert_dtype, assert_finite, assert_no_global_rng, assert_shape,
                                        returned_value)
from autograder.checks.statistics import (
    array_digest, check_normal_sample, check_uniform_sample, layer_statistics, weight_histogram)

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
# tanh experiment: 10 layers of 500 x 500 float64 = 20 MB of weights sent back and ~0.07 s of
# float32 forward pass on the grader's side. A second network (ReLU + kaiming_normal) was graded
# until it was found to test nothing the kaiming_normal distribution checks do not, at 27% of the
# suite's CPU per student (docs/rubric-initializers.md).
NETWORKS = (("lecun_normal", "tanh"),)

STATS_FILE = Path(__file__).with_name("reference_stats.json")


@cache
def network_input() -> np.ndarray:
    """The fixed network input X ~ N(0, 1) of shape (1000, 500)."""
    return np.random.default_rng(NETWORK_INPUT_SEED).standard_normal(NETWORK_INPUT_SHAPE)


def network_weights(draws, *, what: str):
    """The ten layers' weights, each of `draws` checked to be a float array of shape (500, 500)."""
    for layer, w in enumerate(draws, 1):
        arr = np.asarray(w) if isinstance(w, np.ndarray) else None
        if arr is None or arr.shape != (NETWORK_UNITS, NETWORK_UNITS) or arr.dtype.kind != "f":
            got = f"shape {arr.shape}, dtype {arr.dtype}" if arr is not None else type(w).__name__
            raise CheckFailed(f"{what}: layer {layer}: expected a float array of shape "
                              f"({NETWORK_UNITS}, {NETWORK_UNITS}), got {got}.")
        yield arr


@contextmanager
def in_order(calls):
    """`StudentCode.stream`'s interface for our own code: each call made here, in turn."""
    yield (call() for call in calls)


def memo(remembered: dict | None, name: str) -> dict | None:
    """The dict called `name` in the plugin's `remembered` (made on first use), or None when the
    run remembers nothing (a one-off `check`)."""
    return None if remembered is None else remembered.setdefault(name, {})


def network_statistics(initializer, activation: str, seed: int, *, what: str = "", rng_factory=np.random.default_rng,
                       stream=in_order, remembered: dict | None = None) -> dict:
    """Per-layer mean, std and histogram of the slides' network with ``initializer``'s weights:
    ten draws ``initializer(500, 500, rng)`` from one Generator ``rng = rng_factory(seed)``.

    For the student's initializer `rng_factory` is `student.rng` and `stream` is `student.stream`,
    which draws the next layer in the worker while this one is computed. With `remembered` (a
    batch), a network whose weights are byte for byte an earlier student's (the same correct way of
    drawing) costs hashing instead of products (`layer_statistics`' memo)."""
    function, hist_range = ACTIVATIONS[activation]
    x = network_input()
    rng = rng_factory(seed)
    draws = (partial(initializer, NETWORK_UNITS, NETWORK_UNITS, rng) for _ in range(NETWORK_LAYERS))
    with stream(draws) as results:
        return layer_statistics(x, network_weights(results, what=what), function, hist_range, HIST_BINS,
                                memo=memo(remembered, f"network statistics, {activation}"))


@cache
def reference_statistics() -> dict:
    """The committed reference statistics (make_reference_stats.py), keyed "initializer/activation"."""
    return json.loads(STATS_FILE.read_text())


def normal_expectation(name: str, fan_in: int, fan_out: int, **params) -> tuple[float, dict[str, float]]:
    """The handout's std of the normal initializer ``name`` and wrong stds by likely mistake."""
    if name == "small_random":
        scale = params.get("scale", 0.01)
        return scale, {"`scale` used as the variance: it is the standard deviation": math.sqrt(scale),
                       "`scale` squared: N(0, scale^2) has standard deviation scale": scale**2,
                       "the standard normal draws are not multiplied by `scale`": 1.0}
    if name == "lecun_normal":
        # Off by one term of fan_in: within sampling noise at fan_in = 120, named on a thin layer only.
        thin = {"1/(fan_in - 1) (a sample variance's n - 1) instead of 1/fan_in": 1 / math.sqrt(fan_in - 1),
                "1/(fan_in + 1) (the bias counted as an input) instead of 1/fan_in": 1 / math.sqrt(fan_in + 1)} \
            if 1 < fan_in < 10 else {}
        return 1 / math.sqrt(fan_in), {
            **thin,
            "fan_out instead of fan_in (the array has shape (fan_in, fan_out))": 1 / math.sqrt(fan_out),
            "variance 1/fan_in used as the standard deviation (missing sqrt)": 1 / fan_in,
            "He's variance 2/fan_in instead of LeCun's 1/fan_in": math.sqrt(2 / fan_in),
            "Xavier's variance 2/(fan_in + fan_out) instead of 1/fan_in": math.sqrt(2 / (fan_in + fan_out)),
            "the standard normal draws are not scaled": 1.0,
        }
    if name == "xavier_normal":
        g = params.get("gain", 1.0)
        mistakes = {
            "Xavier uses 2/(fan_in + fan_out): fan_in alone": g * math.sqrt(2 / fan_in),
            "Xavier uses 2/(fan_in + fan_out): fan_out alone": g * math.sqrt(2 / fan_out),
            "missing the factor 2 in 2/(fan_in + fan_out)": g * math.sqrt(1 / (fan_in + fan_out)),
            "the uniform bound sqrt(6/(fan_in + fan_out)) used as the standard deviation":
                g * math.sqrt(6 / (fan_in + fan_out)),
            "variance 2/(fan_in + fan_out) used as the standard deviation (missing sqrt)":
                g * 2 / (fan_in + fan_out),
        }
        if g != 1.0:
            mistakes = {"`gain` ignored: it multiplies the standard deviation": math.sqrt(2 / (fan_in + fan_out)),
                        "`gain` squared: the std is gain * sqrt(2/(fan_in + fan_out))":
                            g**2 * math.sqrt(2 / (fan_in + fan_out)),
                        "`gain` under the square root": math.sqrt(g * 2 / (fan_in + fan_out)),
                        **mistakes}
        return g * math.sqrt(2 / (fan_in + fan_out)), mistakes
    if name == "kaiming_normal":
        n, other = _fans(fan_in, fan_out, params.get("mode", "fan_in"))
        return math.sqrt(2 / n), {
            f"`mode` mixed up: mode={params.get('mode', 'fan_in')!r} means n = {n}, not {other}":
                math.sqrt(2 / other),
            "LeCun's variance 1/n instead of He's 2/n": math.sqrt(1 / n),
            "variance 2/n used as the standard deviation (missing sqrt)": 2 / n,
            "n = fan_in + fan_out (Xavier) instead of the fan chosen by `mode`": math.sqrt(2 / (fan_in + fan_out)),
            "the uniform bound sqrt(6/n) used as the standard deviation": math.sqrt(6 / n),
        }
    raise KeyError(name)


def uniform_expectation(name: str, fan_in: int, fan_out: int, **params) -> tuple[float, dict[str, float]]:
    """The handout's bound b of the uniform initializer ``name`` and wrong bounds by likely mistake."""
    if name == "xavier_uniform":
        g = params.get("gain", 1.0)
        mistakes = {
            "Xavier uses 6/(fan_in + fan_out): fan_in alone": g * math.sqrt(6 / fan_in),
            "Xavier uses 6/(fan_in + fan_out): fan_out alone": g * math.sqrt(6 / fan_out),
            "sqrt(3/(fan_in + fan_out)) instead of sqrt(6/(fan_in + fan_out))": g * math.sqrt(3 / (fan_in + fan_out)),
            "the normal std sqrt(2/(fan_in + fan_out)) used as the bound": g * math.sqrt(2 / (fan_in + fan_out)),
            "missing sqrt in b = sqrt(6/(fan_in + fan_out))": g * 6 / (fan_in + fan_out),
        }
        if g != 1.0:
            mistakes = {"`gain` ignored: it multiplies the bound": math.sqrt(6 / (fan_in + fan_out)),
                        "`gain` squared: b = gain * sqrt(6/(fan_in + fan_out))": g**2 * math.sqrt(6 / (fan_in + fan_out)),
                        "`gain` under the square root": math.sqrt(g * 6 / (fan_in + fan_out)),
                        **mistakes}
        return g * math.sqrt(6 / (fan_in + fan_out)), mistakes
    if name == "kaiming_uniform":
        n, other = _fans(fan_in, fan_out, params.get("mode", "fan_in"))
        return math.sqrt(6 / n), {
            f"`mode` mixed up: mode={params.get('mode', 'fan_in')!r} means n = {n}, not {other}":
                math.sqrt(6 / other),
            "sqrt(3/n) (LeCun uniform) instead of He's sqrt(6/n)": math.sqrt(3 / n),
            "the normal std sqrt(2/n) used as the bound": math.sqrt(2 / n),
            "missing sqrt in b = sqrt(6/n)": 6 / n,
            "n = fan_in + fan_out (Xavier) instead of the fan chosen by `mode`": math.sqrt(6 / (fan_in + fan_out)),
        }
    raise KeyError(name)


def _fans(fan_in: int, fan_out: int, mode: str) -> tuple[int, int]:
    """(n, the other fan) for a Kaiming `mode`."""
    return (fan_in, fan_out) if mode == "fan_in" else (fan_out, fan_in)


NORMAL_INITIALIZERS = ("small_random", "lecun_normal", "xavier_normal", "kaiming_normal")
UNIFORM_INITIALIZERS = ("xavier_uniform", "kaiming_uniform")
CONTRACT_SEED = 31337


def _call_text(name: str, shape: tuple[int, int], params: dict) -> str:
    extra = "".join(f", {k}={v!r}" for k, v in params.items())
    return f"{name}({shape[0]}, {shape[1]}, rng{extra})"


MEMO_SAMPLES = 100_000  # remembered distribution verdicts (~0.3 KB each)


def check_distribution(student, name: str, shape: tuple[int, int], seed: int, *,
                       remembered: dict | None = None, feedback=None, **params) -> None:
    """Draw ``name(*shape, default_rng(seed), **params)`` from the student and test its distribution.

    With `remembered` (a batch), verdicts are kept by (call, SHA-256 of the sample): a sample byte
    for byte one an earlier student drew gets its verdict without the tests (~3 ms for a normal one).
    A verdict is kept as its message, not as the exception (`checks.SharedCalls` keeps those, for one
    submission): a kept traceback would keep its frames' samples alive for the whole batch.

    On failure, `feedback` (when given) gets a ``weight_histogram`` artifact: the weights'
    histogram against the handout's distribution and the band a correct sampler lands in."""
    what = _call_text(name, shape, params)
    w = student.call(name, *shape, student.rng(seed), **params)
    verdicts = memo(remembered, "distribution verdicts")
    key = None
    if verdicts is not None and isinstance(w, np.ndarray) and w.dtype.kind == "f":
        key = (what, array_digest(w))
    if key is not None and key in verdicts:
        verdict = verdicts[key]
    else:
        verdict = _sample_verdict(w, name, shape, what, params)
        if key is not None and len(verdicts) < MEMO_SAMPLES:
            verdicts[key] = verdict
    if verdict is not None:
        if feedback is not None:
            figure = _histogram_data(w, name, shape, what, params)
            if figure is not None:
                feedback.attach("weight_histogram", unit=name, **figure)
        raise CheckFailed(verdict)


def _histogram_data(w, name: str, shape: tuple[int, int], what: str, params: dict) -> dict | None:
    """The `weight_histogram` data of the student's weights `w` against the handout's law for `name`."""
    if name in NORMAL_INITIALIZERS:
        sigma, _ = normal_expectation(name, *shape, **params)
        return weight_histogram(w, distribution="normal", parameter=sigma, what=what)
    bound, _ = uniform_expectation(name, *shape, **params)
    return weight_histogram(w, distribution="uniform", parameter=bound, what=what)


def _sample_verdict(w, name: str, shape: tuple[int, int], what: str, params: dict) -> str | None:
    """The failure message of the handout distribution's tests on ``w``, or None when they pass."""
    try:
        if name in NORMAL_INITIALIZERS:
            sigma, mistakes = normal_expectation(name, *shape, **params)
            check_normal_sample(w, shape, sigma, what=what, mistakes=mistakes)
        else:
            bound, mistakes = uniform_expectation(name, *shape, **params)
            check_uniform_sample(w, shape, bound, what=what, mistakes=mistakes)
    except CheckFailed as failure:
        return str(failure)
    return None


def rng_state(rng) -> tuple:
    """What drawing from the student-side Generator `rng` changes: its bit generator's state and
    the number of child Generators spawned from its seed sequence (`rng.spawn(1)[0].normal(...)`
    draws from `rng`'s stream family without advancing the bit generator)."""
    bit_generator = rng.get("bit_generator")
    return bit_generator.get("state"), bit_generator.get("seed_seq").get("n_children_spawned")


# The contract's other shapes: square (a transposed shape hides there, so it is never the only
# one), a single input and a single output unit (np.squeeze, 1 / (fan_in - 1) break there).
CONTRACT_OTHER_SHAPES = ((40, 40), (1, 5), (5, 1))
# Each initializer's keyword parameter, passed by name as the docstring's signature spells it.
CONTRACT_KEYWORDS = {"small_random": {"scale": 0.05}, "xavier_normal": {"gain": 2.0}, "xavier_uniform": {"gain": 2.0},
                     "kaiming_normal": {"mode": "fan_out"}, "kaiming_uniform": {"mode": "fan_out"}}


def check_contract(student, name: str, **params) -> None:
    """The module docstring's contract: shape, float64, drawn from ``rng`` only, same seed -> same
    weights; then shape, float64 and finite values on the other shapes (square, one row, one
    column) and with the initializer's keyword parameter passed by name."""
    _check_rng_contract(student, name, **params)
    calls = [(shape, {}) for shape in CONTRACT_OTHER_SHAPES]
    if name in CONTRACT_KEYWORDS:
        calls.append((CONTRACT_SHAPE, CONTRACT_KEYWORDS[name]))
    for shape, keywords in calls:
        what = _call_text(name, shape, keywords)
        w = student.call(name, *shape, student.rng(CONTRACT_SEED), **keywords)
        if w is None:
            raise CheckFailed(f"{what} returned None: the function must return its result.")
        assert_shape(w, shape, what=what)
        assert_dtype(w, np.float64, what=what)
        _assert_finite_weights(w, what=what, shape=shape)


def _assert_finite_weights(w, *, what: str, shape: tuple[int, int]) -> None:
    """Finite weights; an inf or NaN on a one-row or one-column layer is named by its usual cause there
    (a division by fan - 1 = 0, e.g. a sample variance's n - 1), not by the generic overflow advice."""
    if np.all(np.isfinite(np.asarray(w, dtype=np.float64))):
        return
    if 1 in shape:
        raise CheckFailed(f"{what} returned non-finite weights (inf or NaN) for a layer with a single "
                          f"{'input' if shape[0] == 1 else 'output'} unit: a division by zero, such as "
                          "1/(fan_in - 1) or 1/(fan_out - 1) at a fan of 1? The handout's laws divide by "
                          "fan_in, fan_out or fan_in + fan_out only.")
    assert_finite(w, what=what)


def _check_rng_contract(student, name: str, **params) -> None:
    """Shape, float64, drawn from ``rng`` only, same seed -> same weights, on CONTRACT_SHAPE."""
    shape = CONTRACT_SHAPE
    what = _call_text(name, shape, params)
    rng = student.rng(CONTRACT_SEED)
    state_before = rng_state(rng)
    result = student.call(name, *shape, rng, details=True, **params)
    w = returned_value(result, what=what)
    assert_shape(w, shape, what=what)
    assert_dtype(w, np.float64, what=what)
    assert_finite(w, what=what)
    assert_no_global_rng(result, what=what)
    if rng_state(rng) == state_before:
        raise CheckFailed(f"{what} never drew from `rng`: the weights must be drawn from the "
                          "Generator you are given (e.g. rng.normal(...), rng.uniform(...); the module docstring).")
    again = student.call(name, *shape, student.rng(CONTRACT_SEED), **params)
    if not (isinstance(again, np.ndarray) and again.shape == w.shape and np.array_equal(again, w)):
        raise CheckFailed(f"{what}: two calls with equally seeded generators returned different "
                          "weights. Draw only from `rng` (no np.random.*, no Generator of your own).")
    other = student.call(name, *shape, student.rng(CONTRACT_SEED + 1), **params)
    if isinstance(other, np.ndarray) and np.array_equal(other, w):
        raise CheckFailed(f"{what}: generators with different seeds returned identical weights: "
                          "the randomness must come from `rng` alone.")
