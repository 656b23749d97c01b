"""The known mistakes of the `initializers` suite (`checks.mistakes.KnownMistake`), in one place.

A distribution mistake's output is the parameter it gives the weights' law -- the standard
deviation of a normal initializer, the bound of a uniform one -- which the distribution check
compares with the sample's (`checks.statistics`); a `gain` mistake's output is the value it returns.
"""
from __future__ import annotations

import math

from autograder.checks.mistakes import KnownMistake
from autograder.suites.initializers.cases import fans

# PyTorch's calculate_gain, the usual source of a wrong table (the handout follows the lecture).
PYTORCH_GAIN = {"sigmoid": 1.0, "tanh": 5.0 / 3.0}
_SLOPE_NOT_SQUARED = "slope not squared: sqrt(2/(1 + slope)) instead of sqrt(2/(1 + slope**2))"


def normal_std_mistakes(name: str, fan_in: int, fan_out: int, **params) -> list[KnownMistake]:
    """Wrong standard deviations of the normal initializer ``name``, by likely mistake."""
    if name == "small_random":
        scale = params.get("scale", 0.01)
        return [KnownMistake("`scale` used as the variance: it is the standard deviation", math.sqrt(scale)),
                KnownMistake("`scale` squared: N(0, scale^2) has standard deviation scale", scale**2),
                KnownMistake("the standard normal draws are not multiplied by `scale`", 1.0)]
    if name == "lecun_normal":
        # Off by one term of fan_in: within sampling noise at fan_in = 120, named on a thin layer only.
        thin = [KnownMistake("1/(fan_in - 1) (a sample variance's n - 1) instead of 1/fan_in", 1 / math.sqrt(fan_in - 1)),
                KnownMistake("1/(fan_in + 1) (the bias counted as an input) instead of 1/fan_in",
                             1 / math.sqrt(fan_in + 1))] if 1 < fan_in < 10 else []
        return [*thin,
                KnownMistake("fan_out instead of fan_in (the array has shape (fan_in, fan_out))", 1 / math.sqrt(fan_out)),
                KnownMistake("variance 1/fan_in used as the standard deviation (missing sqrt)", 1 / fan_in),
                KnownMistake("He's variance 2/fan_in instead of LeCun's 1/fan_in", math.sqrt(2 / fan_in)),
                KnownMistake("Xavier's variance 2/(fan_in + fan_out) instead of 1/fan_in",
                             math.sqrt(2 / (fan_in + fan_out))),
                KnownMistake("the standard normal draws are not scaled", 1.0)]
    if name == "xavier_normal":
        g = params.get("gain", 1.0)
        return [*_gain_mistakes(g, 2, fan_in + fan_out, multiplies="the standard deviation",
                                formula="the std is gain * sqrt(2/(fan_in + fan_out))"),
                KnownMistake("Xavier uses 2/(fan_in + fan_out): fan_in alone", g * math.sqrt(2 / fan_in)),
                KnownMistake("Xavier uses 2/(fan_in + fan_out): fan_out alone", g * math.sqrt(2 / fan_out)),
                KnownMistake("missing the factor 2 in 2/(fan_in + fan_out)", g * math.sqrt(1 / (fan_in + fan_out))),
                KnownMistake("the uniform bound sqrt(6/(fan_in + fan_out)) used as the standard deviation",
                             g * math.sqrt(6 / (fan_in + fan_out))),
                KnownMistake("variance 2/(fan_in + fan_out) used as the standard deviation (missing sqrt)",
                             g * 2 / (fan_in + fan_out))]
    if name == "kaiming_normal":
        mode = params.get("mode", "fan_in")
        n, _ = fans(fan_in, fan_out, mode)
        return [_mode_mixed_up(2, fan_in, fan_out, mode),
                KnownMistake("LeCun's variance 1/n instead of He's 2/n", math.sqrt(1 / n)),
                KnownMistake("variance 2/n used as the standard deviation (missing sqrt)", 2 / n),
                _xavier_fans(2, fan_in, fan_out),
                KnownMistake("the uniform bound sqrt(6/n) used as the standard deviation", math.sqrt(6 / n))]
    raise KeyError(name)


# Deliberately parallel to normal_std_mistakes: the same slips on the uniform laws, each in its own words.
def uniform_bound_mistakes(name: str, fan_in: int, fan_out: int, **params) -> list[KnownMistake]:
    """Wrong bounds of the uniform initializer ``name``, by likely mistake."""
    if name == "xavier_uniform":
        g = params.get("gain", 1.0)
        return [*_gain_mistakes(g, 6, fan_in + fan_out, multiplies="the bound",
                                formula="b = gain * sqrt(6/(fan_in + fan_out))"),
                KnownMistake("Xavier uses 6/(fan_in + fan_out): fan_in alone", g * math.sqrt(6 / fan_in)),
                KnownMistake("Xavier uses 6/(fan_in + fan_out): fan_out alone", g * math.sqrt(6 / fan_out)),
                KnownMistake("sqrt(3/(fan_in + fan_out)) instead of sqrt(6/(fan_in + fan_out))",
                             g * math.sqrt(3 / (fan_in + fan_out))),
                KnownMistake("the normal std sqrt(2/(fan_in + fan_out)) used as the bound",
                             g * math.sqrt(2 / (fan_in + fan_out))),
                KnownMistake("missing sqrt in b = sqrt(6/(fan_in + fan_out))", g * 6 / (fan_in + fan_out))]
    if name == "kaiming_uniform":
        mode = params.get("mode", "fan_in")
        n, _ = fans(fan_in, fan_out, mode)
        return [_mode_mixed_up(6, fan_in, fan_out, mode),
                KnownMistake("sqrt(3/n) (LeCun uniform) instead of He's sqrt(6/n)", math.sqrt(3 / n)),
                KnownMistake("the normal std sqrt(2/n) used as the bound", math.sqrt(2 / n)),
                KnownMistake("missing sqrt in b = sqrt(6/n)", 6 / n),
                _xavier_fans(6, fan_in, fan_out)]
    raise KeyError(name)


def _gain_mistakes(g: float, c: int, fan_sum: int, *, multiplies: str, formula: str) -> list[KnownMistake]:
    """Xavier's `gain` misapplied to sqrt(c/(fan_in + fan_out)) (named only when gain != 1, where it shows)."""
    if g == 1.0:
        return []
    return [KnownMistake(f"`gain` ignored: it multiplies {multiplies}", math.sqrt(c / fan_sum)),
            KnownMistake(f"`gain` squared: {formula}", g**2 * math.sqrt(c / fan_sum)),
            KnownMistake("`gain` under the square root", math.sqrt(g * c / fan_sum))]


def _mode_mixed_up(c: int, fan_in: int, fan_out: int, mode: str) -> KnownMistake:
    """Kaiming's sqrt(c/n) with the other fan than `mode` chooses."""
    n, other = fans(fan_in, fan_out, mode)
    return KnownMistake(f"`mode` mixed up: mode={mode!r} means n = {n}, not {other}", math.sqrt(c / other))


def _xavier_fans(c: int, fan_in: int, fan_out: int) -> KnownMistake:
    """Kaiming's sqrt(c/n) with Xavier's n = fan_in + fan_out."""
    return KnownMistake("n = fan_in + fan_out (Xavier) instead of the fan chosen by `mode`",
                        math.sqrt(c / (fan_in + fan_out)))


def gain_table_mistakes(nonlinearity: str) -> list[KnownMistake]:
    """Wrong values of ``gain(nonlinearity)`` (default slope)."""
    mistakes = []
    if nonlinearity in PYTORCH_GAIN:
        mistakes.append(KnownMistake("PyTorch's calculate_gain value; this course's table (the gain docstring) differs",
                                     PYTORCH_GAIN[nonlinearity]))
    if nonlinearity == "leaky_relu":
        mistakes += [KnownMistake(_SLOPE_NOT_SQUARED, math.sqrt(2 / 1.01)),
                     KnownMistake("slope ignored (the default slope is 0.01)", math.sqrt(2))]
    return mistakes


def gain_slope_mistakes(slope: float, default_gain: float) -> list[KnownMistake]:
    """Wrong values of ``gain('leaky_relu', slope=slope)``; `default_gain` is the value at the default slope."""
    ignored = (KnownMistake("slope=0.0 treated as missing (`slope or 0.01`, `if not slope:`): 0.0 is a valid slope "
                            "(plain ReLU), gain sqrt(2)", default_gain)
               if slope == 0.0  # the default's value here has a more precise cause than "ignored"
               else KnownMistake("the slope argument is ignored", default_gain))
    return [KnownMistake(_SLOPE_NOT_SQUARED, math.sqrt(2 / (1 + slope))), ignored]
