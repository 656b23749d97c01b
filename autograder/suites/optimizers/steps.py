"""The optimizers' steps against the reference: teacher-forced streams and closed-loop runs.

Tolerance of one step (``step_agrees``): ``|s - r| <= RTOL * |r - w| + ULPS * eps * (|w| + |r|)``.
A correct implementation written differently (PyTorch's ``sqrt(v)/sqrt(1 - beta2^t) + eps``,
``v = -lr b`` velocity, other evaluation order) differs from the reference by rounding:
a few ulp of ``w`` when forming ``w + update``, plus a relative error of the update of
order 60 steps x 1e-16 through the state. RTOL = 1e-8 is 1e6 times that, and still far
below the smallest deviation of a real mistake on the stream (AdamW's decay applied
after the step changes it by lr*weight_decay = 1e-5 relative).
"""
from __future__ import annotations

import numpy as np

from autograder.checks import CheckFailed
from autograder.checks.agreement import fmt
from autograder.checks.convergence import Objective, check_converges, run_in_worker, trajectory_artifact
from autograder.remote import StudentException
from autograder.suites.optimizers.cases import (
    ROW_SCALES, STREAM_SHAPE, VISIBLE_SEED, gradient_stream, reference_iterates, reference_run, teacher_forced)
from autograder.suites.optimizers.mistakes import SHARED_STATE, default_mistakes, optimizer_mistakes
from autograder.suites.optimizers.state import raise_with_shared_state_diagnosis, shares_state

RTOL = 1e-8
ULPS = 8


def step_agrees(got, expected: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Elementwise verdict of one step (module docstring); False where shapes or NaNs differ."""
    got = np.asarray(got, dtype=np.float64)
    if got.shape != expected.shape:
        return np.zeros(expected.shape, dtype=bool)
    with np.errstate(invalid="ignore", over="ignore"):
        tol = RTOL * np.abs(expected - w) + ULPS * np.finfo(np.float64).eps * (np.abs(w) + np.abs(expected))
        ok = np.abs(got - expected) <= tol
    return ok | (np.isnan(got) & np.isnan(expected))


def first_mismatch(outputs, expected, ws) -> int | None:
    """Index k of the first step whose output disagrees with ``expected[k]`` (given input ``ws[k]``), or None.

    ``outputs`` are validated (`validate_outputs`): one array of every step's outputs is compared at once.
    """
    n = len(outputs)
    agree = step_agrees(np.stack(outputs), np.stack(expected[:n]), np.stack(ws[:n]))
    bad = ~agree.reshape(n, -1).all(axis=1)
    return int(np.argmax(bad)) if bad.any() else None


def call_text(name: str, kwargs: dict) -> str:
    return f"{name}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def validate_outputs(outputs, what: str) -> None:
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
    what = call_text(name, kwargs)
    grads = gradient_stream(seed)[1]
    ws = reference_iterates(name, kwargs, seed)
    opt = getattr(student, name)(**kwargs)
    try:
        outputs = opt.map("step", [(ws[k], grads[k]) for k in range(len(grads))])
    except StudentException as exc:
        raise_with_shared_state_diagnosis(student, name, f"{what}.step", exc)
    validate_outputs(outputs, what)
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


def diagnose(name: str, kwargs: dict, outputs, ws, grads) -> str | None:
    """The feedback of the first known mistake whose teacher-forced steps the student's match at every step.

    `checks.agreement.likely_mistake` for a stream: each mistake's wrong optimizer is given the
    reference's iterates, as the student's was, and judged by `step_agrees`.
    """
    mistakes = optimizer_mistakes(name, kwargs) + (default_mistakes(name) if not kwargs else [])
    for mistake in mistakes:
        mistaken_outputs = teacher_forced(mistake.output(), ws[:-1], grads)
        if all(step_agrees(out, v, w).all() for out, v, w in zip(outputs, mistaken_outputs, ws)):
            return mistake.feedback
    return None


def check_convergence(student, feedback, name: str, kwargs: dict, function: Objective, start,
                      steps: int, tol: float) -> None:
    """Drive the student's ``name(**kwargs)`` closed-loop on ``function``; attach both trajectories."""
    reference = reference_run(name, kwargs, function, start, steps)
    opt = getattr(student, name)(**kwargs)
    try:
        run = run_in_worker(opt, function, start, steps)
    except StudentException as exc:
        raise_with_shared_state_diagnosis(student, name, f"{call_text(name, kwargs)}.step", exc)
    feedback.attach("trajectory", **trajectory_artifact(function, call_text(name, kwargs), run, reference))
    try:
        check_converges(run, function, tol, what=call_text(name, kwargs), reference=reference)
    except CheckFailed as failure:
        if shares_state(student, name):
            raise CheckFailed(f"{failure} Likely mistake: {SHARED_STATE}.") from None
        raise
