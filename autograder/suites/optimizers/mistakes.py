"""Every known mistake of the optimizers suite, as `KnownMistake` objects (trusted side).

A mistake's output is a zero-argument factory of the wrong unit: a known-wrong optimizer or
ReduceOnPlateau object (the check replays its own inputs through it and names the mistake when
the student's outputs agree at every step), or the list of a wrong schedule's rates at the
check's epochs. Each wrong form is one small, realistic deviation from SPEC §1.4 (and only that
one). Hyper-parameters a check leaves out are the reference's defaults, read from its signatures.
"""
from __future__ import annotations

import inspect
import math
from functools import cache, partial

import numpy as np

from autograder.checks.mistakes import KnownMistake
from autograder.suites.optimizers.cases import ref_module

SHARED_STATE = ("state shared between instances: two objects of the class must each keep their own state. Keep "
                "it on `self` (created in __init__ or at the first call), not in class attributes "
                "(changed through the class, e.g. `Adam.m = ...` or `Adam.history.append(...)`) or in "
                "mutable default arguments (`def __init__(self, ..., state={})`)")
ASCENT = "the gradient is added instead of subtracted (the step must go downhill)"


@cache
def reference_defaults(name: str) -> dict:
    """The reference's default arguments of ``name`` (a class or function of the reference), in order."""
    parameters = inspect.signature(getattr(ref_module(), name)).parameters.values()
    return {p.name: p.default for p in parameters if p.default is not p.empty}


# --------------------------------------------------------------------------- wrong optimizers

class PlainSGD:
    """w - lr g."""

    def __init__(self, lr):
        self.lr = lr

    def step(self, w, g):
        return w - self.lr * g


class HeavyBall:
    """Momentum / Nesterov with switchable deviations (SPEC: v = mu v - lr g; w + v)."""

    def __init__(self, lr, mu, *, ema=False, nesterov=False, keep_velocity=True, swapped=False):
        self.lr, self.mu, self.ema, self.nesterov, self.keep_velocity = lr, mu, ema, nesterov, keep_velocity
        self.swapped = swapped
        self.v = None

    def step(self, w, g):
        v = self.v if (self.keep_velocity and self.v is not None) else np.zeros_like(w)
        v_new = self.mu * v - (self.lr * (1 - self.mu) if self.ema else self.lr) * g
        self.v = v_new
        if self.nesterov and self.swapped:
            return w - self.mu * v_new + (1 + self.mu) * v
        return w - self.mu * v + (1 + self.mu) * v_new if self.nesterov else w + v_new


class VelocityFromParameters:
    """Heavy ball written on the parameters, ``w + mu (w - w_prev) - lr g`` with ``w_prev`` the w given
    at the previous call: equal to Momentum only while every w given is the previous result."""

    def __init__(self, lr, mu, ema=False):
        self.step_size, self.mu = (lr * (1 - mu) if ema else lr), mu
        self.previous = None

    def step(self, w, g):
        v = np.zeros_like(w) if self.previous is None else w - self.previous
        self.previous = w
        return w + self.mu * v - self.step_size * g


class Adaptive:
    """AdaGrad (``rho=None``) / RMSProp with switchable deviations."""

    def __init__(self, lr, eps, rho=None, *, eps_inside=False, accumulate=True, swap_rho=False,
                 bias_correct=False):
        self.lr, self.eps, self.rho = lr, eps, rho
        self.eps_inside, self.accumulate, self.swap_rho, self.bias_correct = \
            eps_inside, accumulate, swap_rho, bias_correct
        self.acc, self.t = None, 0

    def step(self, w, g):
        self.t += 1
        acc = self.acc if (self.accumulate and self.acc is not None) else np.zeros_like(w)
        if self.rho is None:
            acc = acc + g**2
        else:
            keep = 1 - self.rho if self.swap_rho else self.rho
            acc = keep * acc + (1 - keep) * g**2
        self.acc = acc
        if self.bias_correct:
            acc = acc / (1 - self.rho**self.t)
        denom = np.sqrt(acc + self.eps) if self.eps_inside else np.sqrt(acc) + self.eps
        return w - self.lr * g / denom


class AdaDeltaVariant:
    """Zeiler's AdaDelta with switchable deviations."""

    def __init__(self, lr, rho, eps, *, eps_numerator=True, eps_outside=False, u_from_g=False, use_lr=True):
        self.lr, self.rho, self.eps = lr, rho, eps
        self.eps_numerator, self.eps_outside, self.u_from_g, self.use_lr = \
            eps_numerator, eps_outside, u_from_g, use_lr
        self.V = self.U = None

    def step(self, w, g):
        if self.V is None:
            self.V, self.U = np.zeros_like(w), np.zeros_like(w)
        self.V = self.rho * self.V + (1 - self.rho) * g**2
        if self.eps_outside:
            d = (np.sqrt(self.U) + self.eps) / (np.sqrt(self.V) + self.eps) * g
        else:
            d = np.sqrt(self.U + (self.eps if self.eps_numerator else 0.0)) / np.sqrt(self.V + self.eps) * g
        self.U = self.rho * self.U + (1 - self.rho) * (g if self.u_from_g else d) ** 2
        return w - (self.lr if self.use_lr else 1.0) * d


class AdamLike:
    """Adam / AdamW / NAdam with switchable deviations.

    ``decay``: None, "decoupled" (SPEC AdamW), "l2" (added to g), "no_lr" (w - wd w),
    "after" (applied after the Adam step). ``nesterov``: None (Adam), "spec", "dozat"
    (beta1 m / (1 - beta1^(t+1))), "pytorch" (momentum-decay schedule), "raw_g" (gradient
    term not bias-corrected). ``ams``: None, "vhat" (SPEC), "raw" (max over v, PyTorch).
    ``t_offset`` shifts the t of the bias corrections.
    """

    def __init__(self, lr, beta1, beta2, eps, *, weight_decay=0.0, decay=None, nesterov=None, ams=None,
                 bias_m=True, bias_v=True, eps_inside=False, t_offset=0, eps_hat=False):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.weight_decay, self.decay, self.nesterov, self.ams = weight_decay, decay, nesterov, ams
        self.bias_m, self.bias_v, self.eps_inside, self.t_offset = bias_m, bias_v, eps_inside, t_offset
        self.eps_hat = eps_hat
        self.m = self.v = self.vmax = None
        self.t = 0
        self.mu_product = 1.0

    def step(self, w, g):
        if self.m is None:
            self.m, self.v, self.vmax = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
        self.t += 1
        t = self.t + self.t_offset
        wd = self.lr * self.weight_decay
        if self.decay == "decoupled":
            w = w - wd * w
        elif self.decay == "no_lr":
            w = w - self.weight_decay * w
        elif self.decay == "l2":
            g = g + self.weight_decay * w
        self.m = self.beta1 * self.m + (1 - self.beta1) * g
        self.v = self.beta2 * self.v + (1 - self.beta2) * g**2
        bias1 = 1 - self.beta1**t if self.bias_m else 1.0
        bias2 = 1 - self.beta2**t if self.bias_v else 1.0
        mhat, vhat = self.m / bias1, self.v / bias2
        if self.ams == "vhat":
            self.vmax = np.maximum(self.vmax, vhat)
            vhat = self.vmax
        elif self.ams == "raw":
            self.vmax = np.maximum(self.vmax, self.v)
            vhat = self.vmax / bias2
        denom = np.sqrt(vhat + self.eps) if self.eps_inside else np.sqrt(vhat) + self.eps
        if self.eps_hat:  # lr sqrt(c2)/c1 m/(sqrt(v) + eps) = lr mhat/(sqrt(vhat) + eps/sqrt(c2))
            denom = np.sqrt(vhat) + self.eps / np.sqrt(bias2)
        if self.nesterov == "spec":
            direction = self.beta1 * mhat + (1 - self.beta1) * g / bias1
        elif self.nesterov == "dozat":
            direction = self.beta1 * self.m / (1 - self.beta1 ** (t + 1)) + (1 - self.beta1) * g / bias1
        elif self.nesterov == "raw_g":
            direction = self.beta1 * mhat + (1 - self.beta1) * g
        elif self.nesterov == "pytorch":
            mu = self.beta1 * (1 - 0.5 * 0.96 ** (t * 0.004))
            mu_next = self.beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * 0.004))
            self.mu_product *= mu
            return (w - self.lr * (1 - mu) / (1 - self.mu_product) * g / denom
                    - self.lr * mu_next / (1 - self.mu_product * mu_next) * self.m / denom)
        else:
            direction = mhat
        new = w - self.lr * direction / denom
        return new - wd * new if self.decay == "after" else new


class Ascent:
    """Any optimizer fed -g: the update climbs instead of descending."""

    def __init__(self, inner):
        self.inner = inner

    def step(self, w, g):
        return self.inner.step(w, -g)


class ContinuesFromOwnOutput:
    """Any optimizer that, after its first call, steps from its own last result, not the w given."""

    def __init__(self, inner):
        self.inner, self.last = inner, None

    def step(self, w, g):
        self.last = self.inner.step(w if self.last is None else self.last, g)
        return self.last


# --------------------------------------------------------------------------- optimizer mistakes
# One function per family of classes: `h` the hyper-parameters the check uses (the reference's
# defaults where it gives none), `d` the reference's defaults.

def _sgd(h: dict, d: dict):
    yield KnownMistake("ascent", lambda: Ascent(PlainSGD(h["lr"])), ASCENT)
    if h["lr"] != d["lr"]:
        yield KnownMistake("lr ignored", lambda: PlainSGD(d["lr"]),
                           f"the lr argument is ignored (the default {d['lr']!r} is used): store it on self")


def _heavy_ball(h: dict, d: dict, *, nesterov: bool):
    lr, mu, ema = h["lr"], h["mu"], h.get("ema", False)
    if nesterov:
        yield KnownMistake("plain momentum", lambda: HeavyBall(lr, mu),
                           "plain momentum (w + v_new) instead of the look-ahead w - mu*v + (1 + mu)*v_new")
        yield KnownMistake("look-ahead velocities swapped", lambda: HeavyBall(lr, mu, nesterov=True, swapped=True),
                           "v and v_new swapped in the look-ahead: it is w - mu*v + (1 + mu)*v_new, with v the "
                           "velocity before this step")
    else:
        yield KnownMistake("ema flag mixed up", lambda: HeavyBall(lr, mu, ema=not ema),
                           "the `ema` flag mixed up: ema=True is v = mu*v - lr*(1 - mu)*g, ema=False is "
                           "v = mu*v - lr*g")
    yield KnownMistake("velocity not kept", lambda: HeavyBall(lr, mu, ema=ema, nesterov=nesterov, keep_velocity=False),
                       "the velocity is not kept between calls (store it on self)")
    yield KnownMistake("ascent", lambda: Ascent(HeavyBall(lr, mu, ema=ema, nesterov=nesterov)), ASCENT)


def _adaptive(h: dict, d: dict):
    lr, eps, rho = h["lr"], h["eps"], h.get("rho")  # AdaGrad has no rho
    yield KnownMistake("eps inside the square root", lambda: Adaptive(lr, eps, rho, eps_inside=True),
                       "eps inside the square root: sqrt(G + eps) instead of sqrt(G) + eps")
    if rho is None:
        yield KnownMistake("G not accumulated", lambda: Adaptive(lr, eps, rho, accumulate=False),
                           "G is not accumulated over the calls (G += g**2 across steps)")
    else:
        yield KnownMistake("rho swapped", lambda: Adaptive(lr, eps, rho, swap_rho=True),
                           "rho and 1 - rho swapped: V = rho*V + (1 - rho)*g**2")
        yield KnownMistake("V bias-corrected", lambda: Adaptive(lr, eps, rho, bias_correct=True),
                           "V bias-corrected like Adam's (RMSProp has no bias correction)")
        yield KnownMistake("V not kept", lambda: Adaptive(lr, eps, rho, accumulate=False),
                           "V is not kept between calls")
    yield KnownMistake("ascent", lambda: Ascent(Adaptive(lr, eps, rho)), ASCENT)


def _adadelta(h: dict, d: dict):
    lr, rho, eps = h["lr"], h["rho"], h["eps"]
    yield KnownMistake("eps missing in the numerator", lambda: AdaDeltaVariant(lr, rho, eps, eps_numerator=False),
                       "eps missing in the numerator: sqrt(U + eps) (with U = 0 the first steps never move)")
    yield KnownMistake("eps outside the square roots", lambda: AdaDeltaVariant(lr, rho, eps, eps_outside=True),
                       "eps outside the square roots: Zeiler's rule is sqrt(U + eps) / sqrt(V + eps)")
    yield KnownMistake("U from g", lambda: AdaDeltaVariant(lr, rho, eps, u_from_g=True),
                       "U accumulates g**2 instead of the update d**2")
    yield KnownMistake("ascent", lambda: Ascent(AdaDeltaVariant(lr, rho, eps)), ASCENT)
    if lr != 1.0:  # the step is w - lr*d: with lr = 1 ignoring it changes nothing
        yield KnownMistake("lr ignored", lambda: AdaDeltaVariant(lr, rho, eps, use_lr=False),
                           "lr is ignored: the step is w - lr*d")


# The handout's form of each Adam-family class, in `AdamLike`'s switches.
ADAM_FORMS = {"Adam": lambda h: {"ams": "vhat"} if h["amsgrad"] else {},
              "AdamW": lambda h: {"weight_decay": h["weight_decay"], "decay": "decoupled"},
              "NAdam": lambda h: {"nesterov": "spec"}}

# (label, the deviation from the handout's form in `AdamLike`'s switches, message), for every class
# of the family, then for one class only (Adam's only with amsgrad=True).
ADAM_DEVIATIONS = (
    ("bias correction missing", {"bias_m": False, "bias_v": False},
     "missing bias correction: mhat = m/(1 - beta1**t), vhat = v/(1 - beta2**t)"),
    ("vhat not bias-corrected", {"bias_v": False}, "only m is bias-corrected (vhat = v/(1 - beta2**t) is missing)"),
    ("mhat not bias-corrected", {"bias_m": False}, "only v is bias-corrected (mhat = m/(1 - beta1**t) is missing)"),
    ("eps inside the square root", {"eps_inside": True},
     "eps inside the square root: sqrt(vhat + eps) instead of sqrt(vhat) + eps"),
    ("t from 0", {"t_offset": -1}, "t counted from 0: the first call must use t = 1 in the bias corrections"),
    ("t off by one", {"t_offset": 1}, "t off by one: the first call must use t = 1 (t incremented twice, or started "
                                      "at 1 and incremented before use)"),
    ("eps before the bias correction", {"eps_hat": True},
     "eps added to sqrt(v) before the bias correction (the paper's 'efficient' form "
     "lr*sqrt(1 - beta2**t)/(1 - beta1**t) * m/(sqrt(v) + eps)); the handout adds eps to sqrt(vhat)"),
)
# Deliberately parallel rows (a table, as ADAM_DEVIATIONS): one deviation per row.
CLASS_DEVIATIONS = {
    "Adam": (
        ("AMSGrad over the raw v", {"ams": "raw"},
         "AMSGrad maximum over the raw v, bias-corrected afterwards (PyTorch's form); the handout takes "
         "vmax = max(vmax, vhat) over the bias-corrected vhat"),
        ("amsgrad ignored", {"ams": None}, "amsgrad=True ignored")),
    "AdamW": (
        ("L2 regularization", {"decay": "l2"},
         "L2 regularization (weight_decay*w added to g) instead of decoupled weight decay"),
        ("decay not scaled by lr", {"decay": "no_lr"},
         "decay not scaled by lr: the handout's decoupled decay is w - lr*weight_decay*w"),
        ("decay after the step", {"decay": "after"},
         "weight decay applied after the Adam step; the handout applies it to w first"),
        ("decay missing", {"decay": None}, "weight decay missing")),
    "NAdam": (
        ("Dozat's momentum term", {"nesterov": "dozat"},
         "Dozat's beta1*m/(1 - beta1**(t+1)) momentum term; the handout uses beta1*mhat"),
        ("gradient term not bias-corrected", {"nesterov": "raw_g"},
         "gradient term not bias-corrected: (1 - beta1)*g/(1 - beta1**t)"),
        ("PyTorch's NAdam", {"nesterov": "pytorch"},
         "PyTorch's NAdam (momentum-decay schedule); the handout's is the simplified form without it"),
        ("plain Adam", {"nesterov": None}, "plain Adam step: NAdam uses beta1*mhat + (1 - beta1)*g/(1 - beta1**t)")),
}


def _adam_family(h: dict, d: dict, *, name: str):
    form = ADAM_FORMS[name](h)

    def wrong(**deviation):
        return lambda: AdamLike(h["lr"], h["beta1"], h["beta2"], h["eps"], **{**form, **deviation})

    own = CLASS_DEVIATIONS[name] if name != "Adam" or h["amsgrad"] else ()
    for label, deviation, message in ADAM_DEVIATIONS + own:
        yield KnownMistake(label, wrong(**deviation), message)
    yield KnownMistake("ascent", lambda: Ascent(wrong()()), ASCENT)


OPTIMIZER_MISTAKES = {
    "SGD": _sgd,
    "Momentum": partial(_heavy_ball, nesterov=False),
    "Nesterov": partial(_heavy_ball, nesterov=True),
    "AdaGrad": _adaptive,
    "RMSProp": _adaptive,
    "AdaDelta": _adadelta,
    "Adam": partial(_adam_family, name="Adam"),
    "AdamW": partial(_adam_family, name="AdamW"),
    "NAdam": partial(_adam_family, name="NAdam"),
}


def optimizer_mistakes(name: str, kwargs: dict) -> list[KnownMistake]:
    """The known mistakes of optimizer class ``name`` built with ``kwargs``, in the order they are tried."""
    defaults = reference_defaults(name)
    return list(OPTIMIZER_MISTAKES[name]({**defaults, **kwargs}, defaults))


# Values a wrong default is likely to take (other libraries' defaults, neighbours' defaults).
LIKELY_DEFAULTS = {"lr": (1e-1, 1e-2, 1e-3, 2e-3, 1.0), "mu": (0.9, 0.99, 0.5), "beta1": (0.9, 0.99),
                   "beta2": (0.999, 0.99, 0.9), "eps": (1e-8, 1e-10, 1e-6, 1e-7),
                   "rho": (0.9, 0.95, 0.99), "weight_decay": (0.0, 1e-2, 1e-4, 1e-1)}


def default_mistakes(name: str) -> list[KnownMistake]:
    """The reference class ``name`` with one default changed to a likely wrong value, one mistake each."""
    cls = getattr(ref_module(), name)
    return [KnownMistake(f"wrong default {param}={value!r}", partial(cls, **{param: value}),
                         f"wrong default {param}={value!r}; the handout's default is {param}={default!r}")
            for param, default in reference_defaults(name).items()
            for value in LIKELY_DEFAULTS.get(param, ()) if value != default]


def shape_mistakes(name: str) -> list[KnownMistake]:
    """The known mistakes a step makes only when each call is given a new w (the streams cannot see them)."""
    cls = getattr(ref_module(), name)
    mistakes = [KnownMistake("continues from its own output", lambda: ContinuesFromOwnOutput(cls()),
                             "after the first call the step continues from its own last result instead of the w "
                             "it is given: compute the new parameters from the `w` argument")]
    if name == "Momentum":
        mistakes.append(KnownMistake("velocity from the parameters",
                                     lambda: VelocityFromParameters(**reference_defaults(name)),
                                     "the velocity is taken from the parameters, w - (previous w), instead of being "
                                     "kept as state: v = mu*v - lr*g depends on the gradients only"))
    return mistakes


# --------------------------------------------------------------------------- schedules

def _rates(rate, epochs):
    """The output of a wrong schedule ``rate(k)``: its rates at the check's epochs."""
    return lambda: [rate(k) for k in epochs]


def _step_decay(eta0, h: dict, d: dict, epochs):
    drop, every = h["drop"], h["every"]
    yield KnownMistake("drop one epoch early", _rates(lambda k: eta0 * drop ** ((k + 1) // every), epochs),
                       "off by one: the drop happens at k = every, 2*every, ... (floor(k/every), not "
                       "floor((k+1)/every))")
    yield KnownMistake("ceil", _rates(lambda k: eta0 * drop ** math.ceil(k / every), epochs),
                       "ceil(k/every) instead of floor(k/every)")
    yield KnownMistake("drop one epoch late", _rates(lambda k: eta0 * drop ** ((k - 1) // every), epochs),
                       "floor((k-1)/every): the drop comes one epoch late")
    yield KnownMistake("no floor", _rates(lambda k: eta0 * drop ** (k / every), epochs),
                       "no floor: drop**(k/every) decays continuously")
    yield KnownMistake("round", _rates(lambda k: eta0 * drop ** round(k / every), epochs),
                       "round(k/every) instead of floor(k/every): the drop comes half a period early")


def _exponential_decay(eta0, h: dict, d: dict, epochs):
    rate = h["rate"]
    yield KnownMistake("exp(-k/rate)", _rates(lambda k: eta0 * math.exp(-k / rate), epochs),
                       "exp(-k/rate) instead of exp(-rate*k)")
    yield KnownMistake("(1 - rate)**k", _rates(lambda k: eta0 * (1 - rate) ** k, epochs),
                       "(1 - rate)**k instead of exp(-rate*k)")
    yield KnownMistake("exp(+rate*k)", _rates(lambda k: eta0 * math.exp(rate * k), epochs),
                       "exp(+rate*k): the rate must decay")
    if rate != d["rate"]:
        yield KnownMistake("rate ignored", _rates(lambda k: eta0 * math.exp(-d["rate"] * k), epochs),
                           f"the rate argument is ignored (the default {d['rate']!r} is used)")


def _inverse_time_decay(eta0, h: dict, d: dict, epochs):
    rate = h["rate"]
    yield KnownMistake("missing parentheses", _rates(lambda k: eta0 + rate * k, epochs),
                       "missing parentheses: eta0 / 1 + rate*k instead of eta0 / (1 + rate*k)")
    yield KnownMistake("1 - rate*k", _rates(lambda k: eta0 * (1 - rate * k), epochs),
                       "eta0*(1 - rate*k) instead of eta0/(1 + rate*k)")
    yield KnownMistake("exponential", _rates(lambda k: eta0 / (1 + rate) ** k, epochs),
                       "eta0/(1 + rate)**k (exponential, not inverse time)")


SCHEDULE_MISTAKES = {"step_decay": _step_decay, "exponential_decay": _exponential_decay,
                     "inverse_time_decay": _inverse_time_decay}


def schedule_mistakes(name: str, eta0, epochs: tuple, kwargs: dict) -> list[KnownMistake]:
    """The known mistakes of schedule ``name(eta0, k, **kwargs)``, each output its rates at ``epochs``."""
    defaults = reference_defaults(name)
    return list(SCHEDULE_MISTAKES[name](eta0, {**defaults, **kwargs}, defaults, epochs))


class PlateauVariant:
    """ReduceOnPlateau with switchable deviations (SPEC: strictly below the best; > patience; restart)."""

    def __init__(self, lr, factor, patience, *, non_strict=False, at_patience=False, restart=True,
                 reset_on_improve=True, forget_best=False, rate_before_reduction=False, threshold=0.0):
        self.lr, self.factor, self.patience = lr, factor, patience
        self.non_strict, self.at_patience, self.restart, self.reset_on_improve = \
            non_strict, at_patience, restart, reset_on_improve
        self.forget_best, self.rate_before_reduction, self.threshold = forget_best, rate_before_reduction, threshold
        self.best, self.bad = math.inf, 0

    def update(self, loss):
        current = self.lr
        improved = loss <= self.best if self.non_strict else loss < self.best * (1.0 - self.threshold)
        if improved:
            self.best = loss
            if self.reset_on_improve:
                self.bad = 0
        else:
            self.bad += 1
        if (self.bad >= self.patience) if self.at_patience else (self.bad > self.patience):
            if self.bad > 0:
                self.lr *= self.factor
                if self.forget_best:
                    self.best = math.inf
            if self.restart:
                self.bad = 0
        return current if self.rate_before_reduction else self.lr


def plateau_mistakes(lr, kwargs: dict) -> list[KnownMistake]:
    """The known mistakes of ``ReduceOnPlateau(lr, **kwargs)``, each output a factory of the wrong object."""
    h = {**reference_defaults("ReduceOnPlateau"), **kwargs}

    def wrong(**deviation):
        return partial(PlateauVariant, lr, h["factor"], h["patience"], **deviation)

    return [
        KnownMistake("equal loss improves", wrong(non_strict=True),
                     "a loss equal to the best is an improvement in your code: a bad epoch is a loss NOT STRICTLY "
                     "below the best"),
        KnownMistake("reduces at patience", wrong(at_patience=True),
                     "reduces after `patience` bad epochs; the handout reduces after MORE than `patience`"),
        KnownMistake("count not restarted", wrong(restart=False),
                     "the bad-epoch count does not restart after a reduction"),
        KnownMistake("count not reset by an improvement", wrong(reset_on_improve=False),
                     "the bad-epoch count is not reset by an improvement (the handout counts bad epochs in a row)"),
        KnownMistake("best forgotten", wrong(forget_best=True),
                     "the best loss is forgotten after a reduction (the handout compares with the best seen so far)"),
        KnownMistake("rate before the reduction", wrong(rate_before_reduction=True),
                     "update returns the rate from before the reduction it makes (return the rate after it)"),
        KnownMistake("relative threshold", wrong(threshold=1e-4),
                     "an improvement must beat the best by a relative threshold (PyTorch's threshold=1e-4); for the "
                     "handout any loss strictly below the best is an improvement"),
    ]
