"""The distribution checks of `initializers`: one sample of the student's weights tested against the
handout's law (`checks.statistics`), and the slides' deep network's per-layer statistics.

Tolerances come from sampling theory: a correct initializer fails a check with probability at
most 1e-6 over the choice of seed (autograder/checks/statistics.py, docs/rubric-initializers.md).
"""
from __future__ import annotations

from contextlib import contextmanager
from functools import partial

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks.statistics import (
    array_digest, check_normal_sample, check_uniform_sample, layer_statistics, weight_histogram)
from autograder.suites.initializers.cases import (
    ACTIVATIONS, HIST_BINS, NETWORK_LAYERS, NETWORK_UNITS, NORMAL_INITIALIZERS, call_text, network_input, normal_std,
    uniform_bound)
from autograder.suites.initializers.mistakes import normal_std_mistakes, uniform_bound_mistakes

MEMO_SAMPLES = 100_000  # how many distribution verdicts a batch remembers


def distribution_check(unit: str, shape: tuple[int, int], seed: int, *, points: int, doc: str, **params):
    """The check that ``unit(*shape, default_rng(seed), **params)`` draws the handout's law
    (`check_distribution`), as a test function with its markers and `doc` as its docstring.

    A module binds it under the check's own name (``test_lecun_normal_distribution =
    distribution_check(...)``): the check ids name the initializer and what is varied, and
    the gradebooks and the rubric key on them."""
    @pytest.mark.points(points)
    @pytest.mark.unit(unit)
    @pytest.mark.kind("statistics")
    def check(student, feedback, remembered):
        check_distribution(student, unit, shape, seed, remembered=remembered, feedback=feedback, **params)
    check.__doc__ = doc
    return check


def check_distribution(student, name: str, shape: tuple[int, int], seed: int, *,
                       remembered: dict | None = None, feedback=None, **params) -> None:
    """Draw ``name(*shape, default_rng(seed), **params)`` from the student and test its distribution.

    With `remembered` (a batch), verdicts are kept by (call, SHA-256 of the sample): a sample byte
    for byte one an earlier student drew gets its verdict without the tests. A verdict is kept as
    its message, not as the exception (`checks.SharedCalls` keeps those, for one submission): a
    kept traceback would keep its frames' samples alive for the whole batch.

    On failure, `feedback` (when given) gets a ``weight_histogram`` artifact: the weights'
    histogram against the handout's distribution and the band a correct sampler lands in."""
    what = call_text(name, shape, params)
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
        return weight_histogram(w, distribution="normal", parameter=normal_std(name, *shape, **params), what=what)
    return weight_histogram(w, distribution="uniform", parameter=uniform_bound(name, *shape, **params), what=what)


def _sample_verdict(w, name: str, shape: tuple[int, int], what: str, params: dict) -> str | None:
    """The failure message of the handout distribution's tests on ``w``, or None when they pass."""
    try:
        if name in NORMAL_INITIALIZERS:
            check_normal_sample(w, shape, normal_std(name, *shape, **params), what=what,
                                mistakes=normal_std_mistakes(name, *shape, **params))
        else:
            check_uniform_sample(w, shape, uniform_bound(name, *shape, **params), what=what,
                                 mistakes=uniform_bound_mistakes(name, *shape, **params))
    except CheckFailed as failure:
        return str(failure)
    return None


def memo(remembered: dict | None, name: str) -> dict | None:
    """The dict called `name` in the plugin's `remembered` (made on first use), or None when the
    run remembers nothing (a one-off `check`)."""
    return None if remembered is None else remembered.setdefault(name, {})


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
