"""The contract checks of `initializers` (the module docstring): shape, float64, finite weights,
drawn from the given ``rng`` only (same seed, same weights; other seed, other weights), no global
RNG, the keyword parameter passed by name."""
from __future__ import annotations

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.checks.contract import (assert_dtype, assert_finite, assert_no_global_rng, assert_shape,
                                        returned_value)
from autograder.suites.initializers.cases import (
    CONTRACT_KEYWORDS, CONTRACT_OTHER_SHAPES, CONTRACT_SEED, CONTRACT_SHAPE, call_text)


def contract_check(unit: str):
    """The contract check of the random initializer `unit` (`check_contract`), as a test function
    with its markers. A module binds it under the check's own name (``test_lecun_normal_contract =
    contract_check("lecun_normal")``): the check ids name the initializer, and the gradebooks and
    the rubric key on them."""
    @pytest.mark.points(2)
    @pytest.mark.unit(unit)
    @pytest.mark.kind("contract")
    def check(student):
        check_contract(student, unit)
    check.__doc__ = (f"{unit}: shape (square, one row, one column too), float64, keyword parameters, "
                     "drawn from rng only")
    return check


def rng_state(rng) -> tuple:
    """What drawing from the student-side Generator `rng` changes: its bit generator's state and
    the number of child Generators spawned from its seed sequence (`rng.spawn(1)[0].normal(...)`
    draws from `rng`'s stream family without advancing the bit generator)."""
    bit_generator = rng.get("bit_generator")
    return bit_generator.get("state"), bit_generator.get("seed_seq").get("n_children_spawned")


def check_contract(student, name: str, **params) -> None:
    """The module docstring's contract: shape, float64, drawn from ``rng`` only, same seed -> same
    weights; then shape, float64 and finite values on the other shapes (square, one row, one
    column) and with the initializer's keyword parameter passed by name."""
    _check_rng_contract(student, name, **params)
    calls = [(shape, {}) for shape in CONTRACT_OTHER_SHAPES]
    if name in CONTRACT_KEYWORDS:
        calls.append((CONTRACT_SHAPE, CONTRACT_KEYWORDS[name]))
    for shape, keywords in calls:
        what = call_text(name, shape, keywords)
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
    what = call_text(name, shape, params)
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
