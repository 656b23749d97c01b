"""Shared machinery of the optimizers suite (trusted side).

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

Tolerance of one step (``step_agrees``): ``|s - r| <= RTOL * |r - w| + ULPS * eps * (|w| + |r|)``.
A correct implementation written differently (PyTorch's ``sqrt(v)/sqrt(1 - beta2^t) + eps``,
``v = -lr b`` velocity, other evaluation order) differs from the reference by rounding:
a few ulp of ``w`` when forming ``w + update``, plus a relative error of the update of
order 60 steps x 1e-16 through the state. RTOL = 1e-8 is 1e6 times that, and still far
below the smallest deviation of a real mistake on this stream (AdamW's decay applied
after the step changes it by lr*weight_decay = 1e-5 relative).
"""
from __future__ import annotations

import inspect
import itertools
from functools import cache

import numpy as np

from autograder import reference as reference_modules
from autograder.checks import CheckFailed
from autograder.checks.agreement import fmt
from autograder.checks.contract import (
    assert_dtype, assert_earlier_inputs_unchanged, assert_no_mutation, assert_shape, snapshot)
from autograder.checks.agreement import assert_agrees
from autograder.checks.convergence import Objective, check_converges, run_in_worker, run_optimizer, trajectory_artifact
from autograder.remote import StudentException
from autograder.suites.optimizers.variants import (
    VelocityFromParameters, optimizer_variants, plateau_variants, schedule_variants)

STREAM_SHAPE = (5, 6)
STREAM_STEPS = 60
VISIBLE_SEED = 1729
HIDDEN_SEED = 4104
# The contract check's stream: its own, so the visible check never runs on (and the student kit
# never records the reference on) the hidden stream.
CONTRACT_SEED = 6174
RTOL = 1e-8
ULPS = 8
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


def step_agrees(got, expected: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Elementwise verdict of one step (module docstring); False where shapes or NaNs differ."""
    got = np.asarray(got, dtype=np.float64)
    if got.shape != expected.shape:
        return np.zeros(expected.shape, dtype=bool)
    with np.errstate(invalid="ignore", over="ignore"):
        tol = RTOL * np.abs(expected - w) + ULPS * np.finfo(np.float64).eps * (np.abs(w) + np.abs(expected))
        ok = np.abs(got - expected) <= tol
    return ok | (np.isnan(got) & np.isnan(expected))


def teacher_forced(opt, ws, grads) -> list:
    """``[opt.step(w_k, g_k) for k]`` for a trusted optimizer, floating-point warnings silenced."""
    with np.errstate(all="ignore"):
        return [opt.step(w.copy(), g.copy()) for w, g in zip(ws, grads)]


def first_mismatch(outputs, expected, ws) -> int | None:
    """Index k of the first step whose output disagrees with ``expected[k]`` (given input ``ws[k]``), or None.

    ``outputs`` are validated (`_validate_outputs`): one array of every step's outputs is compared at once.
    """
    n = len(outputs)
    agree = step_agrees(np.stack(outputs), np.stack(expected[:n]), np.stack(ws[:n]))
    bad = ~agree.reshape(n, -1).all(axis=1)
    return int(np.argmax(bad)) if bad.any() else None


def _call_text(name: str, kwargs: dict) -> str:
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def _validate_outputs(outputs, what: str) -> None:
    for k, out in enumerate(outputs):
        if out is None:
            raise CheckFailed(f"{what}.step returned None at step t={k + 1}: step must return the new "
                              "parameters (is a `return` missing?).")
        if not isinstance(out, np.ndarray) or out.shape != STREAM_SHAPE:
            shape = f"shape {out.shape}" if isinstance(out, np.ndarray) else type(out).__name__
            raise CheckFailed(f"{what}.step returned {shape} at step t={k + 1}; expected an array of shape "
                              f"{STREAM_SHAPE} like w.")
        if out.dtype != np.float64:
            raise CheckFailed(f"{what}.step returned dtype {out.dtype} at step t={k + 1}; keep float64.")


def check_stream(student, name: str, seed: int = VISIBLE_SEED, **kwargs) -> None:
    """Teacher-forced agreement of the student's ``name(**kwargs)`` with the reference over one stream."""
    what = _call_text(name, kwargs)
    grads = gradient_stream(seed)[1]
    ws = reference_iterates(name, kwargs, seed)
    opt = getattr(student, name)(**kwargs)
    try:
        outputs = opt.map("step", [(ws[k], grads[k]) for k in range(len(grads))])
    except StudentException as exc:
        raise_with_shared_state_diagnosis(student, name, f"{what}.step", exc)
    _validate_outputs(outputs, what)
    k = first_mismatch(outputs, ws[1:], ws)
    if k is None:
        return
    got, expected, w, g = np.asarray(outputs[k]), ws[k + 1], ws[k], grads[k]
    bad = ~step_agrees(got, expected, w)
    with np.errstate(invalid="ignore"):
        excess = np.where(bad, np.abs(got - expected) / (np.abs(expected - w) + 1e-300), -1.0)
    excess = np.where(np.isnan(excess), np.inf, excess)
    index = np.unravel_index(int(np.argmax(excess)), got.shape)
    at = tuple(int(i) for i in index)
    message = (
        f"{what}: teacher-forced over {len(grads)} steps (each step is given the reference's w), step t={k + 1} "
        f"is the first that differs{' (the very first step)' if k == 0 else f'; steps 1..{k} agree'}. "
        f"At w{list(at)} (gradient row {at[0]}: {ROW_SCALES[at[0]]}): w={fmt(w[index])}, g={fmt(g[index])}, "
        f"expected w_new={fmt(expected[index])}, got {fmt(got[index])} "
        f"(update {fmt(expected[index] - w[index])} expected, {fmt(got[index] - w[index])} got); "
        f"{int(bad.sum())} of {bad.size} entries differ beyond the rounding tolerance.")
    mistake = diagnose(name, kwargs, outputs, ws, grads)
    if mistake is None and shares_state(student, name):
        mistake = SHARED_STATE
    if mistake:
        message += f" Likely mistake: {mistake}."
    elif k == 0:
        message += (" Check the update formula, the defaults (the handout's class signatures: PyTorch's "
                    "defaults) and the initial state (zeros).")
    else:
        message += " The first steps agree: check how the state (velocity, accumulators, t) evolves."
    raise CheckFailed(message)


# Values a wrong default is likely to take (other libraries' defaults, neighbours' defaults).
LIKELY_DEFAULTS = {"lr": (1e-1, 1e-2, 1e-3, 2e-3, 1.0), "mu": (0.9, 0.99, 0.5), "beta1": (0.9, 0.99),
                   "beta2": (0.999, 0.99, 0.9), "eps": (1e-8, 1e-10, 1e-6, 1e-7),
                   "rho": (0.9, 0.95, 0.99), "weight_decay": (0.0, 1e-2, 1e-4, 1e-1)}


def default_variants(name: str) -> dict:
    """label -> factory of the reference class with one default changed to a likely wrong value."""
    cls = getattr(ref_module(), name)
    out = {}
    for param in inspect.signature(cls).parameters.values():
        for value in LIKELY_DEFAULTS.get(param.name, ()):
            if value != param.default:
                out[f"wrong default {param.name}={value!r}; the handout's default is {param.name}={param.default!r}"] = \
                    (lambda p=param.name, v=value: cls(**{p: v}))
    return out


def diagnose(name: str, kwargs: dict, outputs, ws, grads) -> str | None:
    """The label of the first known-wrong variant whose teacher-forced steps the student's match."""
    variants = optimizer_variants(name, kwargs)
    if not kwargs:
        variants.update(default_variants(name))
    for label, factory in variants.items():
        variant_outputs = teacher_forced(factory(), ws[:-1], grads)
        if all(step_agrees(out, v, w).all() for out, v, w in zip(outputs, variant_outputs, ws)):
            return label
    return None


def step_details(opt, w, g):
    """``opt.step(w, g)`` with the contract facts of the call (a `CallResult`)."""
    return opt.call("step", w, g, details=True)


SHARED_STATE = ("state shared between instances: two objects of the class must each keep their own state. Keep "
                "it on `self` (created in __init__ or at the first call), not in class attributes "
                "(changed through the class, e.g. `Adam.m = ...` or `Adam.history.append(...)`) or in "
                "mutable default arguments (`def __init__(self, ..., state={})`)")


def shares_state(student, name: str) -> bool:
    """True when a fresh instance's first step depends on what another instance did before it.

    Two fresh instances take the same first step (w, g): correct code returns identical outputs;
    state kept on the class (or in a mutable default argument) changes the second. The probe is
    made on every shape the suite uses, the stream's first: shared state left by another check
    has one of them, and on other shapes the first fresh step may raise (a broadcasting error),
    which tells nothing, so that shape is skipped. A second step that raises where the first,
    on the same inputs, did not, is shared state too.
    """
    rng = np.random.default_rng(7)
    for shape in (STREAM_SHAPE, (2,), *SHAPES):
        w, g = np.asarray(rng.standard_normal(shape)), np.asarray(rng.standard_normal(shape))
        try:
            first = getattr(student, name)().call("step", w, g)
        except StudentException:
            continue
        try:
            second = getattr(student, name)().call("step", w, g)
        except StudentException:
            return True
        return not same_output(first, second)
    return False


def same_output(first, second) -> bool:
    """Two results of one call (on the same inputs, by two fresh objects) are the same.

    Real numbers and real arrays compare by shape and value (NaN equal to NaN); anything else a
    step may return (None, a string, a dict, a complex number) compares by type and repr. A pair
    that cannot be compared at all counts as the same: no shared state is claimed from it.
    """
    try:
        a, b = np.asarray(first), np.asarray(second)
        if a.dtype.kind in "biuf" and b.dtype.kind in "biuf":
            return a.shape == b.shape and np.array_equal(a.astype(np.float64), b.astype(np.float64), equal_nan=True)
        return type(first) is type(second) and repr(first) == repr(second)
    except Exception:  # an object whose __array__, __eq__ or __repr__ raises: nothing to compare
        return True


def raise_with_shared_state_diagnosis(student, name: str, what: str, exc: StudentException):
    """Re-raise the student's exception `exc` from `what`, naming shared state when it is the cause."""
    if shares_state(student, name):
        raise CheckFailed(f"{what} raised {exc}. Likely mistake: {SHARED_STATE}.") from None
    raise exc


CONTRACT_CALLS = 4
ARGUMENT_NAMES = ("w", "g")


def check_contract(student, name: str) -> None:
    """The handout's contract: step returns a new float64 array, modifies neither w nor g (during the
    call or any later one: no caller's array kept as state), and two instances keep separate state."""
    what = f"{name}().step(w, g)"
    grads = gradient_stream(CONTRACT_SEED)[1]
    ws = reference_iterates(name, {}, CONTRACT_SEED)
    opt = getattr(student, name)()
    sent = []
    for k in range(CONTRACT_CALLS):  # the first call creates the state, the later ones use it
        args = (ws[k], grads[k])
        before = snapshot(args)
        try:
            result = step_details(opt, *args)
        except StudentException as exc:
            raise_with_shared_state_diagnosis(student, name, f"{what} (call {k + 1})", exc)
        call_what = f"{what} (call {k + 1})"
        assert_no_mutation(result, before, what=call_what, names=ARGUMENT_NAMES)
        if result.returned_input is not None:
            arg = ARGUMENT_NAMES[result.returned_input]
            raise CheckFailed(f"{call_what} returned its input `{arg}` itself: step returns the updated "
                              "parameters as a NEW array (e.g. `return w - update`).")
        assert_shape(result.value, STREAM_SHAPE, what=what)
        assert_dtype(result.value, np.float64, what=what)
        assert_earlier_inputs_unchanged(result, sent, what=call_what, names=ARGUMENT_NAMES)
        sent.append(before)
    # Two instances in turn, compared with a third that ran alone: A runs steps 1-10, B runs
    # 1-20, A continues with 11-20. Shared state (class attributes, mutable default
    # arguments) makes A or B differ from the lone run; correctness is graded elsewhere.
    half = 10
    inputs = [(ws[k], grads[k]) for k in range(2 * half)]
    try:
        alone = getattr(student, name)().map("step", inputs)
        first, second = getattr(student, name)(), getattr(student, name)()
        a_head = first.map("step", inputs[:half])
        b_all = second.map("step", inputs)
        a_tail = first.map("step", inputs[half:])
    except StudentException as exc:
        raise_with_shared_state_diagnosis(student, name, f"{name}().step", exc)
    for outputs in (alone, b_all, a_head + a_tail):
        _validate_outputs(outputs, f"{name}()")
    for label, outputs in (("a second instance", b_all),
                           ("the first instance, after the second one ran", a_head + a_tail)):
        k = first_mismatch(outputs, alone, ws)
        if k is not None:
            raise CheckFailed(
                f"{name}(): stepping two objects in turn, {label} differs at step t={k + 1} from an instance "
                f"that ran alone on the same inputs. Likely mistake: {SHARED_STATE}.")


# --------------------------------------------------------------------------- shapes

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


class ContinuesFromOwnOutput:
    """A known-wrong optimizer: after its first call it steps from its own last result, not the w given."""

    def __init__(self, inner):
        self.inner, self.last = inner, None

    def step(self, w, g):
        self.last = self.inner.step(w if self.last is None else self.last, g)
        return self.last


def _shape_outputs_ok(outputs, shape, what) -> list:
    """The outputs as float64 arrays, after failing on a wrong type, shape or dtype."""
    arrays = []
    for k, out in enumerate(outputs):
        if out is None:
            raise CheckFailed(f"{what} returned None at step t={k + 1}: step must return the new parameters.")
        scalar_ok = shape == () and isinstance(out, (float, np.floating))
        if not (isinstance(out, np.ndarray) or scalar_ok) or np.shape(out) != shape:
            got = f"shape {np.shape(out)}" if isinstance(out, (np.ndarray, np.generic)) else type(out).__name__
            raise CheckFailed(f"{what} returned {got} at step t={k + 1}; expected an array of w's shape {shape}.")
        if np.asarray(out).dtype != np.float64:
            raise CheckFailed(f"{what} returned dtype {np.asarray(out).dtype} at step t={k + 1}; keep float64.")
        arrays.append(np.asarray(out, dtype=np.float64))
    return arrays


@cache
def _reference_shape_outputs(name: str, shape: tuple) -> list:
    """The reference's outputs on `shape_inputs(shape)` (cached: the same for every submission)."""
    return teacher_forced(getattr(ref_module(), name)(), *shape_inputs(shape))


def _update_mistake_graded_elsewhere(student, name: str, shape: tuple, outputs: list, fails_stream) -> bool:
    """True when the values a step gives on `shape` are wrong for a reason that is not the shape.

    Two facts together: the student's own step gives the same values on the same data laid out
    as a vector (0-d data as a 1-vector), so it treats every shape alike; and it already fails the
    default-stream check, where its update rule is graded and diagnosed. One mistake then costs
    the stream checks, not this one too. A step that is wrong only on some shapes (a square-only
    transpose, a 0-d special case) or only when given a new w (continuing from its own result:
    the stream cannot see that) is not excused.
    """
    if not fails_stream():
        return False
    ws, gs = shape_inputs(shape)
    flat = [(np.ravel(w).copy(), np.ravel(g).copy()) for w, g in zip(ws, gs)]
    try:
        flat_outputs = getattr(student, name)().map("step", flat)
        as_vectors = [np.ravel(np.asarray(out, dtype=np.float64)) for out in flat_outputs]
    except (StudentException, TypeError, ValueError):
        return False
    if any(v.shape != (max(1, int(np.prod(shape))),) for v in as_vectors):
        return False
    return first_mismatch([np.ravel(o) for o in outputs], as_vectors, [w for w, _ in flat]) is None


def _fails_default_stream(student, name: str) -> bool:
    """The student's ``name()`` disagrees with the reference somewhere on the default stream (or
    cannot be run on it): the check `test_defaults` fails it."""
    grads = gradient_stream(VISIBLE_SEED)[1]
    ws = reference_iterates(name, {}, VISIBLE_SEED)
    try:
        outputs = getattr(student, name)().map("step", [(ws[k], grads[k]) for k in range(len(grads))])
        _validate_outputs(outputs, name)
    except (StudentException, CheckFailed):
        return True
    return first_mismatch(outputs, ws[1:], ws) is not None


def check_shapes(student, name: str) -> None:
    """``name()``'s steps on every shape family of SHAPES agree with the reference, each step from
    the (new) w it is given."""
    ref = getattr(ref_module(), name)
    fails_stream = cache(lambda: _fails_default_stream(student, name))  # asked at most once per check
    for shape, label in SHAPES.items():
        ws, gs = shape_inputs(shape)
        what = f"{name}().step(w, g) with w, g of shape {shape} ({label})"
        try:
            outputs = getattr(student, name)().map("step", list(zip(ws, gs)))
        except StudentException as exc:
            if shares_state(student, name):
                raise CheckFailed(f"{what} raised {exc}. Likely mistake: {SHARED_STATE}.") from None
            raise CheckFailed(f"{what} raised {exc}. step must work for parameters of any shape, a single "
                              "number (0-d array) included: build the state with np.zeros_like(w) and "
                              "elementwise operations, not len(w), w.shape[0] or loops over rows.") from None
        outputs = _shape_outputs_ok(outputs, shape, what)
        expected = _reference_shape_outputs(name, shape)
        k = first_mismatch(outputs, expected, ws)
        if k is None or _update_mistake_graded_elsewhere(student, name, shape, outputs, fails_stream):
            continue
        message = (f"{what}: step t={k + 1} returned {fmt(outputs[k])}, expected {fmt(expected[k])} "
                   f"(given w = {fmt(ws[k])}, g = {fmt(gs[k])}; "
                   f"{'the very first step' if k == 0 else 'step 1 agrees' if k == 1 else f'steps 1..{k} agree'}). "
                   "Each step here is given a "
                   "new w, not the previous result.")
        wrong = teacher_forced(ContinuesFromOwnOutput(ref()), ws, gs)
        if first_mismatch(outputs, wrong, ws) is None:
            message += (" Likely mistake: after the first call the step continues from its own last result "
                        "instead of the w it is given: compute the new parameters from the `w` argument.")
        elif name == "Momentum" and first_mismatch(outputs, teacher_forced(VelocityFromParameters(), ws, gs),
                                                   ws) is None:
            message += (" Likely mistake: the velocity is taken from the parameters, w - (previous w), instead "
                        "of being kept as state: v = mu*v - lr*g depends on the gradients only.")
        elif shares_state(student, name):
            message += f" Likely mistake: {SHARED_STATE}."
        raise CheckFailed(message)


# --------------------------------------------------------------------------- schedules

# Epochs around the drops of step_decay (every=10 by default): an off-by-one shows at
# k = every - 1, every, every + 1 and the multiples.
EPOCHS = (0, 1, 2, 5, 9, 10, 11, 19, 20, 21, 29, 30, 35, 50, 99, 100)
# The hidden check's epochs for every=4: besides the drops (k = 3, 4, 5 and the multiples),
# k = 6 and 14 (k/every = 1.5 and 3.5) tell round(k/every) from floor((k+1)/every).
STEP_DECAY_HIDDEN_EPOCHS = (0, 1, 3, 4, 5, 6, 7, 8, 9, 12, 14, 15, 16, 40)
# A schedule is a power, exp or quotient of its arguments; other correct algebra
# (e.g. exp(-rate)**k, repeated multiplication by drop) differs by a few ulp per factor:
# at most ~100 ulp for k <= 100.
SCHEDULE_RTOL = 1e-12


def check_schedule(student, name: str, eta0: float, epochs=EPOCHS, **kwargs) -> None:
    """``name(eta0, k, **kwargs)`` for every k of ``epochs`` against the reference (one round trip).

    A known mistake is named only when it reproduces the student's rate at EVERY epoch: two
    wrong schedules often agree at the first epoch where either differs from the reference
    (``round(k/every)`` and ``floor((k+1)/every)`` both drop at k = every - 1), so matching
    that one epoch would name the wrong mistake.
    """
    ref = getattr(ref_module(), name)
    expected = [ref(eta0, k, **kwargs) for k in epochs]
    got = getattr(student, name).map([(eta0, k) for k in epochs], **kwargs)
    # every known mistake's rate at every epoch, whatever the student returned: the questions asked
    # of the mistakes are fixed (the student kit replays them from a recording)
    rates = {label: [f(k) for k in epochs] for label, f in schedule_variants(name, eta0, kwargs).items()}
    variants = {label: r for label, r in rates.items() if all(_same_rate(g, v) for g, v in zip(got, r))}
    for i, (k, g, e) in enumerate(zip(epochs, got, expected)):
        what = f"{name}({eta0!r}, {k}{''.join(f', {a}={v!r}' for a, v in kwargs.items())})"
        mistakes = {label: r[i] for label, r in variants.items()}
        assert_agrees(g, e, rtol=SCHEDULE_RTOL, atol=0.0, what=what, mistakes=mistakes)


def _same_rate(got, rate: float) -> bool:
    """``got`` is a real number within SCHEDULE_RTOL of ``rate`` (False for anything else)."""
    try:
        value = float(got)
    except (TypeError, ValueError, OverflowError):
        return False
    return abs(value - rate) <= SCHEDULE_RTOL * abs(rate)


# Losses that exercise the plateau rule: equal losses (not strictly below the best),
# runs of bad epochs longer than the patience, improvements that break a run, and at the end
# three improvements each strictly below the best by only ~1e-7 relative: improvements for the
# handout, bad epochs for a relative threshold such as PyTorch's default (threshold=1e-4).
PLATEAU_LOSSES = (1.0, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.7, 0.75, 0.7, 0.7, 0.6, 0.65, 0.5,
                  0.5, 0.55, 0.5, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.3, 0.29999997, 0.29999994, 0.29999991)


_PLATEAU_PROBES = itertools.count(1)


def plateau_shares_state(student) -> bool:
    """True when a fresh ReduceOnPlateau object's first update depends on another object's.

    Two fresh objects (lr 1.0, patience 0) each get one loss below any loss seen before (more
    negative at every probe): for each, on its own, that is an improvement and the rate stays
    1.0. State shared between the objects (a class attribute, a mutable default argument) makes
    the second see the first's loss as its best, so its loss is not strictly below it and the
    rate is cut.
    """
    loss = -1e12 * next(_PLATEAU_PROBES)
    try:
        first = student.ReduceOnPlateau(1.0).call("update", loss)
        second = student.ReduceOnPlateau(1.0).call("update", loss)
    except StudentException:
        return True
    return not same_output(first, second)


def as_rate(value) -> float | None:
    """``value`` as a learning rate: a real number (Python or NumPy, or a 0-d real array) as a
    float; None for anything else (None, bool, complex, a string, an array of several values)."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf":
        return float(value)
    return None


def check_plateau(student, lr: float, **kwargs) -> None:
    """ReduceOnPlateau(lr, **kwargs).update over PLATEAU_LOSSES, rate by rate against the reference."""
    ref = ref_module().ReduceOnPlateau(lr, **kwargs)
    expected = [ref.update(loss) for loss in PLATEAU_LOSSES]
    sched = student.ReduceOnPlateau(lr, **kwargs)
    got = sched.map("update", [(loss,) for loss in PLATEAU_LOSSES])
    what = _call_text("ReduceOnPlateau", {"lr": lr, **kwargs})
    for epoch, (g, e) in enumerate(zip(got, expected)):
        rate = as_rate(g)
        wrong = rate is None or not abs(rate - e) <= SCHEDULE_RTOL * abs(e)
        if not wrong:
            continue
        mistake = None
        for label, factory in plateau_variants(lr, kwargs.get("factor", 0.5), kwargs.get("patience", 0)).items():
            variant = factory()
            values = [variant.update(loss) for loss in PLATEAU_LOSSES]
            if all(as_rate(v) is not None and abs(as_rate(v) - x) <= SCHEDULE_RTOL * abs(x)
                   for v, x in zip(got, values)):
                mistake = label
                break
        if mistake is None and plateau_shares_state(student):
            mistake = SHARED_STATE
        raise CheckFailed(
            f"{what}: after the losses {list(PLATEAU_LOSSES[:epoch + 1])}, update returned {fmt(g)}, "
            f"expected {fmt(e)} (rates so far: expected {fmt(list(expected[:epoch + 1]), 4)}, "
            f"got {fmt(list(got[:epoch + 1]), 4)})."
            + (f" Likely mistake: {mistake}." if mistake else ""))


# --------------------------------------------------------------------------- convergence

def check_convergence(student, feedback, name: str, kwargs: dict, function: Objective, start,
                      steps: int, tol: float) -> None:
    """Drive the student's ``name(**kwargs)`` closed-loop on ``function``; attach both trajectories."""
    reference_run = _reference_run(name, _key(kwargs), function, tuple(start), steps)
    opt = getattr(student, name)(**kwargs)
    try:
        run = run_in_worker(opt, function, start, steps)
    except StudentException as exc:
        raise_with_shared_state_diagnosis(student, name, f"{_call_text(name, kwargs)}.step", exc)
    feedback.attach("trajectory", **trajectory_artifact(function, _call_text(name, kwargs), run, reference_run))
    try:
        check_converges(run, function, tol, what=_call_text(name, kwargs), reference=reference_run)
    except CheckFailed as failure:
        if shares_state(student, name):
            raise CheckFailed(f"{failure} Likely mistake: {SHARED_STATE}.") from None
        raise


@cache
def _reference_run(name: str, key: tuple, function: Objective, start: tuple, steps: int):
    return run_optimizer(getattr(ref_module(), name)(**dict(key)).step, function, start, steps)
