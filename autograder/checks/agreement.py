"""Agreement of a student's values with the reference's, within stated tolerances.

An element agrees when ``|got - expected| <= atol + rtol * |expected|`` (the
``numpy.isclose`` rule; NaN agrees only with NaN). Values may be arrays, scalars,
or tuples/lists/dicts of them, compared leaf by leaf; shapes must match exactly
(no broadcasting). On disagreement the feedback names the worst element (the one
exceeding its tolerance by most): its index, the input there, the expected and the
returned value, and -- when the student's output matches one of the named
known-wrong variants computed on the trusted side -- the likely mistake.

    assert_agrees(got, expected, rtol=1e-10, atol=1e-12, what="sigmoid(z)",
                  inputs={"z": z}, mistakes={"used e^z instead of e^-z": lambda: 1/(1+np.exp(z))})
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.checks import CheckFailed
from autograder.checks.mistakes import KnownMistake, as_known_mistakes

Mistakes = Mapping[str, Any] | list[KnownMistake]  # KnownMistakes, or label -> value / callable returning it


@dataclass
class Disagreement:
    """Why `got` does not agree with `expected`; `index` is None for structural problems."""
    path: str
    reason: str
    index: tuple | None = None
    expected: Any = None
    got: Any = None
    n_bad: int = 0
    n_total: int = 0


def fmt(value: Any, precision: int = 8) -> str:
    """Short readable text of a value (arrays summarised, floats with `precision` digits)."""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.{precision + 2}g}"
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=precision, threshold=12, edgeitems=3, linewidth=100):
            return np.array2string(value, separator=", ")
    if isinstance(value, (tuple, list)):
        inner = ", ".join(fmt(v, precision) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{inner}]"
    return repr(value)


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating, np.bool_, bool)) or (
        isinstance(x, np.ndarray) and x.ndim == 0 and x.dtype.kind in "biuf")


def _type_name(x: Any) -> str:
    if isinstance(x, np.ndarray):
        return f"array of shape {x.shape} and dtype {x.dtype}"
    return type(x).__name__


def find_disagreement(got: Any, expected: Any, *, rtol: float, atol: float,
                      dtype: Any = None, path: str = "") -> Disagreement | None:
    """The first leaf where `got` and `expected` disagree (None when they agree).

    `dtype`, when given, is required of every returned array leaf (e.g. ``np.float64``).
    """
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            return Disagreement(path, f"expected a {type(expected).__name__} of {len(expected)} values, "
                                      f"got {_type_name(got)}")
        if len(got) != len(expected):
            return Disagreement(path, f"expected {len(expected)} values, got {len(got)}")
        for i, (g, e) in enumerate(zip(got, expected)):
            found = find_disagreement(g, e, rtol=rtol, atol=atol, dtype=dtype, path=f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(expected, Mapping):
        if not isinstance(got, Mapping):
            return Disagreement(path, f"expected a dict, got {_type_name(got)}")
        missing = [k for k in expected if k not in got]
        if missing:
            return Disagreement(path, f"missing key(s) {missing}")
        for k in expected:
            found = find_disagreement(got[k], expected[k], rtol=rtol, atol=atol, dtype=dtype,
                                      path=f"{path}[{k!r}]")
            if found:
                return found
        return None
    return _leaf_disagreement(got, expected, rtol=rtol, atol=atol, dtype=dtype, path=path)


def _leaf_disagreement(got, expected, *, rtol, atol, dtype, path) -> Disagreement | None:
    if got is None:
        return Disagreement(path, "got None (a missing `return`?)")
    exp = np.asarray(expected, dtype=np.float64)
    if not (_is_number(got) or (isinstance(got, np.ndarray) and got.dtype.kind in "biuf")):
        return Disagreement(path, f"expected a number or numeric array, got {_type_name(got)}")
    arr = np.asarray(got)
    if arr.shape != exp.shape:
        shape_text = "a scalar" if exp.ndim == 0 else f"shape {exp.shape}"
        return Disagreement(path, f"expected {shape_text}, got shape {arr.shape}")
    if dtype is not None and isinstance(got, np.ndarray) and got.dtype != np.dtype(dtype):
        return Disagreement(path, f"expected dtype {np.dtype(dtype)}, got {got.dtype}")
    g = arr.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        excess = np.abs(g - exp) - (atol + rtol * np.abs(exp))
    both_nan = np.isnan(g) & np.isnan(exp)
    one_nan = np.isnan(g) ^ np.isnan(exp)
    same_inf = np.isinf(exp) & (g == exp)
    excess = np.where(both_nan | same_inf, -np.inf, np.where(one_nan, np.inf, excess))
    bad = excess > 0
    if not bad.any():
        return None
    worst = np.unravel_index(int(np.argmax(excess)), exp.shape) if exp.ndim else ()
    return Disagreement(path, "values differ", index=tuple(int(i) for i in worst),
                        expected=exp[worst], got=arr[worst], n_bad=int(bad.sum()), n_total=exp.size)


def _evaluate(variant: Any) -> Any:
    if callable(variant):
        with np.errstate(all="ignore"):
            return variant()
    return variant


def likely_mistake(got: Any, mistakes: Mistakes | None, *, rtol: float, atol: float) -> str | None:
    """The feedback of the first known mistake whose output `got` agrees with, or None.

    Each mistake's output is a value or a zero-argument callable (evaluated on the trusted side,
    floating-point warnings silenced) giving what that mistake would return.
    """
    for mistake in as_known_mistakes(mistakes):
        value = _evaluate(mistake.output)
        if find_disagreement(got, value, rtol=rtol, atol=atol) is None:
            return mistake.feedback
    return None


def low_precision(got: Any, tolerance: float = 0.0) -> str | None:
    """A diagnosis when `got` holds floats narrower than float64 (float32, float16) whose rounding
    alone (relative ~1e-7, ~1e-3) exceeds the relative `tolerance` of the check: then the dtype,
    whatever else is wrong, keeps the result from agreeing, and is named first."""
    leaves = got if isinstance(got, (tuple, list)) else (got,)
    for leaf in leaves:
        if isinstance(leaf, (tuple, list)):
            found = low_precision(leaf, tolerance)
            if found:
                return found
        elif isinstance(leaf, (np.ndarray, np.generic)) and leaf.dtype.kind == "f" and leaf.dtype.itemsize < 8:
            eps = float(np.finfo(leaf.dtype).eps)
            if eps > tolerance:
                return (f"the result is {leaf.dtype}, not float64: its rounding alone (relative ~{eps:.0e}) "
                        f"exceeds the tolerance. Compute and return float64 (no .astype(np.{leaf.dtype}) "
                        f"or dtype=np.{leaf.dtype})")
    return None


def _input_text(inputs: Mapping[str, Any] | None, index: tuple | None, path: str) -> str:
    """Inputs for the message: the element at `index` for inputs of the leaf's shape, else the whole."""
    if not inputs:
        return ""
    parts = []
    for name, value in inputs.items():
        arr = np.asarray(value) if _is_number(value) or isinstance(value, np.ndarray) else None
        if arr is not None and index is not None and arr.ndim > 0 and arr.ndim == len(index):
            parts.append(f"{name}{list(index)}={fmt(arr[index])}")
        else:
            parts.append(f"{name}={fmt(value)}")
    return ", ".join(parts)


def describe(d: Disagreement, *, what: str, rtol: float, atol: float,
             inputs: Mapping[str, Any] | None = None) -> str:
    """One feedback paragraph for a disagreement."""
    where = f"{what}{d.path}"
    if d.index is None:
        shown = _input_text(inputs, None, d.path)
        return f"{where}: {d.reason}" + (f" (inputs: {shown})." if shown else ".")
    at = f" at index {list(d.index)}" if d.index else ""
    shown = _input_text(inputs, d.index, d.path)
    at += f" ({shown})" if shown else ""
    return (f"{where}: {d.n_bad} of {d.n_total} value(s) differ from the reference beyond "
            f"rtol={rtol:g}, atol={atol:g}. Worst{at}: "
            f"expected {fmt(d.expected)}, got {fmt(d.got)}.")


def assert_agrees(got: Any, expected: Any, *, rtol: float, atol: float, what: str,
                  inputs: Mapping[str, Any] | None = None, mistakes: Mistakes | None = None,
                  dtype: Any = None, hint: str = "") -> None:
    """Raise `CheckFailed` unless `got` agrees with `expected` (see module docstring).

    `what` names the call (``"sigmoid(z)"``), `inputs` the arguments shown at the worst
    element, `mistakes` the known-wrong variants to diagnose, `hint` a sentence added
    when no variant matches.
    """
    d = find_disagreement(got, expected, rtol=rtol, atol=atol, dtype=dtype)
    if d is None:
        return
    message = describe(d, what=what, rtol=rtol, atol=atol, inputs=inputs)
    label = likely_mistake(got, mistakes, rtol=rtol, atol=atol) if d.index is not None else None
    if label is None and d.index is not None:
        label = low_precision(got, rtol)
    if label:
        message += f" Likely mistake: {label}."
    elif hint:
        message += f" {hint}"
    raise CheckFailed(message)


def agrees(got: Any, expected: Any, *, rtol: float, atol: float) -> bool:
    """True when `got` agrees with `expected` (shapes and values)."""
    return find_disagreement(got, expected, rtol=rtol, atol=atol) is None


def assert_same_structure(got: Any, expected: Any, *, what: str, inputs: Mapping[str, Any] | None = None,
                          hint: str = "") -> None:
    """Raise `CheckFailed` unless `got` has the structure of `expected`: tuple lengths, shapes,
    numbers where numbers are expected (values are not compared)."""
    d = find_disagreement(got, expected, rtol=np.inf, atol=np.inf)
    if d is not None and d.index is None:
        message = describe(d, what=what, rtol=np.inf, atol=np.inf, inputs=inputs)
        raise CheckFailed(f"{message} {hint}" if hint else message)

