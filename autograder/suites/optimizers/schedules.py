"""The learning-rate schedules and ReduceOnPlateau against the reference, rate by rate."""
from __future__ import annotations

import numpy as np

from autograder.checks import CheckFailed
from autograder.checks.agreement import assert_agrees, fmt
from autograder.checks.mistakes import KnownMistake
from autograder.suites.optimizers.cases import EPOCHS, PLATEAU_LOSSES, ref_module
from autograder.suites.optimizers.mistakes import SHARED_STATE, plateau_mistakes, schedule_mistakes
from autograder.suites.optimizers.state import plateau_shares_state
from autograder.suites.optimizers.steps import call_text

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
    # every known mistake's rates, whatever the student returned: the questions asked of the
    # mistakes are fixed (the student kit replays them from a recording)
    rates = [(mistake, mistake.output()) for mistake in schedule_mistakes(name, eta0, tuple(epochs), kwargs)]
    matching = [(mistake, r) for mistake, r in rates if all(same_rate(g, v) for g, v in zip(got, r))]
    for i, (k, g, e) in enumerate(zip(epochs, got, expected)):
        what = f"{name}({eta0!r}, {k}{''.join(f', {a}={v!r}' for a, v in kwargs.items())})"
        mistakes = [KnownMistake(mistake.label, r[i], mistake.feedback) for mistake, r in matching]
        assert_agrees(g, e, rtol=SCHEDULE_RTOL, atol=0.0, what=what, mistakes=mistakes)


def same_rate(got, rate: float) -> bool:
    """``got`` is a real number within SCHEDULE_RTOL of ``rate`` (False for anything else)."""
    try:
        value = float(got)
    except (TypeError, ValueError, OverflowError):
        return False
    return abs(value - rate) <= SCHEDULE_RTOL * abs(rate)


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
    what = call_text("ReduceOnPlateau", {"lr": lr, **kwargs})
    for epoch, (g, e) in enumerate(zip(got, expected)):
        rate = as_rate(g)
        wrong = rate is None or not abs(rate - e) <= SCHEDULE_RTOL * abs(e)
        if not wrong:
            continue
        mistake = None
        for known in plateau_mistakes(lr, kwargs):
            variant = known.output()
            values = [variant.update(loss) for loss in PLATEAU_LOSSES]
            if all(as_rate(v) is not None and abs(as_rate(v) - x) <= SCHEDULE_RTOL * abs(x)
                   for v, x in zip(got, values)):
                mistake = known.feedback
                break
        if mistake is None and plateau_shares_state(student):
            mistake = SHARED_STATE
        raise CheckFailed(
            f"{what}: after the losses {list(PLATEAU_LOSSES[:epoch + 1])}, update returned {fmt(g)}, "
            f"expected {fmt(e)} (rates so far: expected {fmt(list(expected[:epoch + 1]), 4)}, "
            f"got {fmt(list(got[:epoch + 1]), 4)})."
            + (f" Likely mistake: {mistake}." if mistake else ""))
