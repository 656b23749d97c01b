"""Contract checks of SPEC §1: no input mutation, determinism, no global RNG, no
floating-point warnings, finite output, shape and dtype.

They read the facts of one call (anything shaped like `autograder.remote.CallResult`:
`.value`, `.args_after`, optionally `.kwargs_after`, `.fp_warnings`, `.global_rng_used`),
so they work on the student's remote calls (``student.call(name, *args, details=True)``)
and on local callables (`local_call`). A call that raised never produced such a result:
its fault propagates and the check fails. A call that returned None fails every check
here too ("a contract check must fail when the function never returned").
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.checks import CheckFailed
from autograder.checks.agreement import find_disagreement, fmt
from autograder.wire import facts


@dataclass
class LocalCallResult:
    """The facts `student.call(..., details=True)` reports, for a local (trusted) call."""
    value: Any
    args_after: tuple
    kwargs_after: dict = field(default_factory=dict)
    fp_warnings: list = field(default_factory=list)
    global_rng_used: bool = False
    earlier_changed: list = field(default_factory=list)
    returned_input: int | None = None


def local_call(func: Callable[..., Any], *args: Any, **kwargs: Any) -> LocalCallResult:
    """Call `func` on the arguments themselves (so mutation shows) and record the contract facts,
    observed by the same code as in the worker (`wire/facts.py: call_with_details`)."""
    value, meta = facts.call_with_details(func, args, kwargs)
    return LocalCallResult(value, args, kwargs, meta["fp_warnings"], meta["global_rng_used"],
                           returned_input=meta["returned_input"])


def returned_value(result: Any, *, what: str) -> Any:
    """The call's value; fails when it is None (the function never returned a result)."""
    value = result.value
    if value is None:
        raise CheckFailed(f"{what} returned None: the function must return its result "
                          "(is a `return` missing?).")
    return value


def _leaves(value: Any, path: str = ""):
    if isinstance(value, (tuple, list)):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{path}[{i}]")
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _leaves(v, f"{path}[{k!r}]")
    else:
        yield path, value


def snapshot(args: Any) -> Any:
    """A deep copy of call arguments, taken before the call, for `assert_no_mutation`."""
    return copy.deepcopy(args)


def assert_no_mutation(result: Any, args_before: Sequence[Any], *, what: str,
                       names: Sequence[str] = (), kwargs_before: Mapping[str, Any] | None = None) -> None:
    """Fail when the call changed any of its array inputs in place.

    `args_before` are copies of the positional arguments taken before the call
    (`snapshot`); `names` their parameter names for the message.
    """
    returned_value(result, what=what)
    pairs = [(names[i] if i < len(names) else f"argument {i + 1}", before, after)
             for i, (before, after) in enumerate(zip(args_before, result.args_after))]
    kwargs_after = getattr(result, "kwargs_after", None) or {}
    pairs += [(k, v, kwargs_after[k]) for k, v in (kwargs_before or {}).items() if k in kwargs_after]
    for name, before, after in pairs:
        for (path, b), (_, a) in zip(_leaves(before), _leaves(after)):
            if not isinstance(b, np.ndarray):
                continue
            d = find_disagreement(a, b, rtol=0.0, atol=0.0)
            if d is None:
                continue
            at = f"{name}{path}{list(d.index)}" if d.index else f"{name}{path}"
            change = (f": {at} was {fmt(d.expected)}, is now {fmt(d.got)}" if d.index is not None
                      else f" ({d.reason})")
            raise CheckFailed(
                f"{what} modified its input `{name}` in place{change}. A function must never change "
                "its arguments: compute into a new array (e.g. `np.where(...)`, `x.copy()`, or "
                "`x = x + ...` instead of `x += ...`).")


def assert_earlier_inputs_unchanged(result: Any, earlier_args: Sequence[Sequence[Any]], *, what: str,
                                    names: Sequence[str] = ()) -> None:
    """Fail when a call of an object changed in place an array that an earlier call of the same object
    received or returned (`result.earlier_changed`, reported by the worker for an object's detailed
    calls: ``(call index, argument index or -1 for the result, value now)``).

    `earlier_args[k]` are the arguments sent at call k (for the message). The typical cause is state
    kept by reference: ``self.v = g`` at one call and ``self.v *= mu`` at the next changes the `g` the
    caller handed over earlier.
    """
    for call, where, now in getattr(result, "earlier_changed", None) or ():
        if where < 0:
            raise CheckFailed(
                f"{what} changed in place the array that call {call + 1} RETURNED (e.g. `return self.w` and "
                "later `self.w -= ...`): the caller's earlier result changes under it. Return a new array "
                "each time, and keep no reference to it.")
        name = names[where] if where < len(names) else f"argument {where + 1}"
        was = ""
        if call < len(earlier_args) and where < len(earlier_args[call]):
            d = find_disagreement(now, earlier_args[call][where], rtol=0.0, atol=0.0)
            if d is not None and d.index is not None:
                at = f"{name}{list(d.index)}" if d.index else name
                was = f" ({at} was {fmt(d.expected)}, is now {fmt(d.got)})"
        raise CheckFailed(
            f"{what} changed in place the `{name}` that call {call + 1} was given{was}: the object keeps the "
            f"caller's array as its state (e.g. `self.v = {name}` at one call, then `self.v *= mu` at the next), "
            f"so an array handed over earlier changes under the caller. Store a copy (`self.v = {name}.copy()`) "
            "or build the state as a new array (`self.v = self.mu * self.v - self.lr * g`).")


def assert_deterministic(call: Callable[[], Any], *, what: str) -> Any:
    """Fail unless two calls of `call()` (on fresh copies of the same inputs) return identical values."""
    first, second = call(), call()
    if first is None:
        raise CheckFailed(f"{what} returned None: the function must return its result.")
    d = find_disagreement(second, first, rtol=0.0, atol=0.0)
    if d is not None:
        detail = (f"at index {list(d.index)} the first call gave {fmt(d.expected)}, the second {fmt(d.got)}"
                  if d.index is not None else d.reason)
        raise CheckFailed(f"{what} is not deterministic: two calls with the same inputs differ ({detail}). "
                          "Results must not depend on hidden state or randomness.")
    return first


def assert_no_global_rng(result: Any, *, what: str) -> None:
    """Fail when the call drew from (or reseeded) the global `np.random` state."""
    returned_value(result, what=what)
    if result.global_rng_used:
        raise CheckFailed(f"{what} changed the global np.random state (np.random.seed / np.random.randn / "
                          "...): draw only from a `rng` Generator you are given, never from np.random's global state.")


STABILITY_ADVICE = ("Rewrite the formula so that no intermediate overflows (e.g. evaluate e^-|z| and pick the "
                    "branch by the sign of z; note that np.where evaluates both branches on every element).")


def assert_no_fp_warnings(result: Any, *, what: str, inputs: str = "", advice: str = STABILITY_ADVICE) -> None:
    """Fail when the call raised floating-point warnings (overflow, invalid, divide by zero)."""
    returned_value(result, what=what)
    if result.fp_warnings:
        on = f" on {inputs}" if inputs else ""
        raise CheckFailed(f"{what} raised floating-point warnings{on}: {'; '.join(result.fp_warnings)}. {advice}")


def assert_finite(value: Any, *, what: str, inputs: Mapping[str, Any] | None = None) -> None:
    """Fail when any returned number is NaN or infinite; names the first offending input."""
    if value is None:
        raise CheckFailed(f"{what} returned None: the function must return its result.")
    for path, leaf in _leaves(value):
        arr = np.asarray(leaf, dtype=np.float64)
        bad = ~np.isfinite(arr)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0]) if arr.ndim else ()
            at = ""
            for name, x in (inputs or {}).items():
                x = np.asarray(x)
                at += f" for {name}={fmt(x[index] if x.shape == arr.shape and index else x)}"
            raise CheckFailed(f"{what}{path} returned {fmt(arr[index])}{at}: results must be finite. "
                              "Avoid overflowing intermediates such as exp of a large argument.")


def assert_shape(value: Any, shape: tuple, *, what: str) -> None:
    """Fail unless `value` has exactly `shape` (``()`` for a scalar)."""
    if value is None:
        raise CheckFailed(f"{what} returned None: the function must return its result.")
    got = np.shape(value) if isinstance(value, (np.ndarray, np.generic, int, float)) else None
    if got != tuple(shape):
        text = "a scalar" if shape == () else f"shape {tuple(shape)}"
        got_text = f"shape {got}" if got is not None else type(value).__name__
        raise CheckFailed(f"{what} must return {text}, got {got_text}.")


def assert_dtype(value: Any, dtype: Any, *, what: str) -> None:
    """Fail unless `value` is an array (or NumPy/Python scalar) of `dtype`'s kind and size."""
    if value is None:
        raise CheckFailed(f"{what} returned None: the function must return its result.")
    want = np.dtype(dtype)
    got = np.asarray(value).dtype if isinstance(value, (np.ndarray, np.generic, float, int, bool)) else None
    if got is None or got != want:  # np.dtype(...) == None is True: test None first
        mask_hint = " (a boolean mask: convert it, e.g. `(z > 0).astype(float)`)" if got == bool else ""
        raise CheckFailed(f"{what} must return {want} values, got "
                          f"{got if got is not None else type(value).__name__}{mask_hint}.")
