"""Known-wrong optimizers and schedules, run on the trusted side to name a student's mistake.

When a student's steps disagree with the reference, the suite replays the same
teacher-forced gradient stream through each variant of that class below; a variant
whose steps the student's match at every step names the likely mistake. Each variant
is one small, realistic deviation from SPEC §1.4 (and only that one).
"""
from __future__ import annotations

import math

import numpy as np


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

    def __init__(self, lr=0.01, mu=0.9, ema=False):
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


def _adam_kwargs(kw):
    return dict(lr=kw.get("lr", 1e-3), beta1=kw.get("beta1", 0.9), beta2=kw.get("beta2", 0.999),
                eps=kw.get("eps", 1e-8))


def optimizer_variants(name: str, kwargs: dict) -> dict:
    """label -> zero-argument factory of a known-wrong optimizer, for class ``name`` built with ``kwargs``."""
    kw = dict(kwargs)
    ascent = "the gradient is added instead of subtracted (the step must go downhill)"
    if name == "SGD":
        lr = kw.get("lr", 0.01)

        class Plain:
            def __init__(self, rate=lr):
                self.rate = rate

            def step(self, w, g):
                return w - self.rate * g
        out = {ascent: lambda: Ascent(Plain())}
        if lr != 0.01:
            out["the lr argument is ignored (the default 0.01 is used): store it on self"] = lambda: Plain(0.01)
        return out
    if name in ("Momentum", "Nesterov"):
        lr, mu, ema = kw.get("lr", 0.01), kw.get("mu", 0.9), kw.get("ema", False)
        nesterov = name == "Nesterov"
        out = {}
        if nesterov:
            out["plain momentum (w + v_new) instead of the look-ahead w - mu*v + (1 + mu)*v_new"] = \
                lambda: HeavyBall(lr, mu)
            out["v and v_new swapped in the look-ahead: it is w - mu*v + (1 + mu)*v_new, with v the velocity "
                "before this step"] = lambda: HeavyBall(lr, mu, nesterov=True, swapped=True)
        else:
            out["the `ema` flag mixed up: ema=True is v = mu*v - lr*(1 - mu)*g, ema=False is "
                "v = mu*v - lr*g"] = lambda: HeavyBall(lr, mu, ema=not ema)
        out["the velocity is not kept between calls (store it on self)"] = \
            lambda: HeavyBall(lr, mu, ema=ema, nesterov=nesterov, keep_velocity=False)
        out[ascent] = lambda: Ascent(HeavyBall(lr, mu, ema=ema, nesterov=nesterov))
        return out
    if name in ("AdaGrad", "RMSProp"):
        lr = kw.get("lr", 0.01)
        eps = kw.get("eps", 1e-10 if name == "AdaGrad" else 1e-8)
        rho = None if name == "AdaGrad" else kw.get("rho", 0.99)
        out = {"eps inside the square root: sqrt(G + eps) instead of sqrt(G) + eps":
               lambda: Adaptive(lr, eps, rho, eps_inside=True)}
        if name == "AdaGrad":
            out["G is not accumulated over the calls (G += g**2 across steps)"] = \
                lambda: Adaptive(lr, eps, rho, accumulate=False)
        else:
            out["rho and 1 - rho swapped: V = rho*V + (1 - rho)*g**2"] = \
                lambda: Adaptive(lr, eps, rho, swap_rho=True)
            out["V bias-corrected like Adam's (RMSProp has no bias correction)"] = \
                lambda: Adaptive(lr, eps, rho, bias_correct=True)
            out["V is not kept between calls"] = lambda: Adaptive(lr, eps, rho, accumulate=False)
        out[ascent] = lambda: Ascent(Adaptive(lr, eps, rho))
        return out
    if name == "AdaDelta":
        lr, rho, eps = kw.get("lr", 1.0), kw.get("rho", 0.9), kw.get("eps", 1e-6)
        out = {"eps missing in the numerator: sqrt(U + eps) (with U = 0 the first steps never move)":
               lambda: AdaDeltaVariant(lr, rho, eps, eps_numerator=False),
               "eps outside the square roots: Zeiler's rule is sqrt(U + eps) / sqrt(V + eps)":
               lambda: AdaDeltaVariant(lr, rho, eps, eps_outside=True),
               "U accumulates g**2 instead of the update d**2":
               lambda: AdaDeltaVariant(lr, rho, eps, u_from_g=True),
               ascent: lambda: Ascent(AdaDeltaVariant(lr, rho, eps))}
        if lr != 1.0:
            out["lr is ignored: the step is w - lr*d"] = lambda: AdaDeltaVariant(lr, rho, eps, use_lr=False)
        return out
    base = _adam_kwargs(kw)
    if name == "NAdam":
        base["lr"] = kw.get("lr", 2e-3)
    extra = {}
    if name == "AdamW":
        extra = {"weight_decay": kw.get("weight_decay", 1e-2), "decay": "decoupled"}
    if name == "NAdam":
        extra = {"nesterov": "spec"}
    if name == "Adam" and kw.get("amsgrad", False):
        extra = {"ams": "vhat"}

    def make(**change):
        return lambda: AdamLike(**base, **{**extra, **change})

    out = {
        "missing bias correction: mhat = m/(1 - beta1**t), vhat = v/(1 - beta2**t)":
            make(bias_m=False, bias_v=False),
        "only m is bias-corrected (vhat = v/(1 - beta2**t) is missing)": make(bias_v=False),
        "only v is bias-corrected (mhat = m/(1 - beta1**t) is missing)": make(bias_m=False),
        "eps inside the square root: sqrt(vhat + eps) instead of sqrt(vhat) + eps": make(eps_inside=True),
        "t counted from 0: the first call must use t = 1 in the bias corrections": make(t_offset=-1),
        "t off by one: the first call must use t = 1 (t incremented twice, or started at 1 "
        "and incremented before use)": make(t_offset=1),
        "eps added to sqrt(v) before the bias correction (the paper's 'efficient' form "
        "lr*sqrt(1 - beta2**t)/(1 - beta1**t) * m/(sqrt(v) + eps)); the handout adds eps to sqrt(vhat)":
            make(eps_hat=True),
    }
    if name == "Adam" and kw.get("amsgrad", False):
        out["AMSGrad maximum over the raw v, bias-corrected afterwards (PyTorch's form); the handout takes "
            "vmax = max(vmax, vhat) over the bias-corrected vhat"] = make(ams="raw")
        out["amsgrad=True ignored"] = make(ams=None)
    if name == "AdamW":
        out["L2 regularization (weight_decay*w added to g) instead of decoupled weight decay"] = make(decay="l2")
        out["decay not scaled by lr: the handout's decoupled decay is w - lr*weight_decay*w"] = make(decay="no_lr")
        out["weight decay applied after the Adam step; the handout applies it to w first"] = make(decay="after")
        out["weight decay missing"] = make(decay=None)
    if name == "NAdam":
        out["Dozat's beta1*m/(1 - beta1**(t+1)) momentum term; the handout uses beta1*mhat"] = make(nesterov="dozat")
        out["gradient term not bias-corrected: (1 - beta1)*g/(1 - beta1**t)"] = make(nesterov="raw_g")
        out["PyTorch's NAdam (momentum-decay schedule); the handout's is the simplified form without it"] = \
            make(nesterov="pytorch")
        out["plain Adam step: NAdam uses beta1*mhat + (1 - beta1)*g/(1 - beta1**t)"] = make(nesterov=None)
    out[ascent] = lambda: Ascent(AdamLike(**base, **extra))
    return out


def schedule_variants(name: str, eta0, kwargs: dict) -> dict:
    """label -> ``f(k)`` of a known-wrong learning-rate schedule ``name``."""
    if name == "step_decay":
        drop, every = kwargs.get("drop", 0.5), kwargs.get("every", 10)
        return {
            "off by one: the drop happens at k = every, 2*every, ... (floor(k/every), not floor((k+1)/every))":
                lambda k: eta0 * drop ** ((k + 1) // every),
            "ceil(k/every) instead of floor(k/every)": lambda k: eta0 * drop ** math.ceil(k / every),
            "floor((k-1)/every): the drop comes one epoch late": lambda k: eta0 * drop ** ((k - 1) // every),
            "no floor: drop**(k/every) decays continuously": lambda k: eta0 * drop ** (k / every),
            "round(k/every) instead of floor(k/every): the drop comes half a period early":
                lambda k: eta0 * drop ** round(k / every),
        }
    rate = kwargs.get("rate", 0.1)
    if name == "exponential_decay":
        return {"exp(-k/rate) instead of exp(-rate*k)": lambda k: eta0 * math.exp(-k / rate),
                "(1 - rate)**k instead of exp(-rate*k)": lambda k: eta0 * (1 - rate) ** k,
                "exp(+rate*k): the rate must decay": lambda k: eta0 * math.exp(rate * k),
                **({"the rate argument is ignored (the default 0.1 is used)": lambda k: eta0 * math.exp(-0.1 * k)}
                   if rate != 0.1 else {})}
    return {"missing parentheses: eta0 / 1 + rate*k instead of eta0 / (1 + rate*k)": lambda k: eta0 + rate * k,
            "eta0*(1 - rate*k) instead of eta0/(1 + rate*k)": lambda k: eta0 * (1 - rate * k),
            "eta0/(1 + rate)**k (exponential, not inverse time)": lambda k: eta0 / (1 + rate) ** k}


class PlateauVariant:
    """ReduceOnPlateau with switchable deviations (SPEC: strictly below the best; > patience; restart)."""

    def __init__(self, lr, factor=0.5, patience=0, *, non_strict=False, at_patience=False, restart=True,
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


def plateau_variants(lr, factor, patience) -> dict:
    """label -> factory of a known-wrong ReduceOnPlateau."""
    return {
        "a loss equal to the best is an improvement in your code: a bad epoch is a loss NOT STRICTLY below "
        "the best": lambda: PlateauVariant(lr, factor, patience, non_strict=True),
        "reduces after `patience` bad epochs; the handout reduces after MORE than `patience`":
            lambda: PlateauVariant(lr, factor, patience, at_patience=True),
        "the bad-epoch count does not restart after a reduction":
            lambda: PlateauVariant(lr, factor, patience, restart=False),
        "the bad-epoch count is not reset by an improvement (the handout counts bad epochs in a row)":
            lambda: PlateauVariant(lr, factor, patience, reset_on_improve=False),
        "the best loss is forgotten after a reduction (the handout compares with the best seen so far)":
            lambda: PlateauVariant(lr, factor, patience, forget_best=True),
        "update returns the rate from before the reduction it makes (return the rate after it)":
            lambda: PlateauVariant(lr, factor, patience, rate_before_reduction=True),
        "an improvement must beat the best by a relative threshold (PyTorch's threshold=1e-4); for the handout "
        "any loss strictly below the best is an improvement":
            lambda: PlateauVariant(lr, factor, patience, threshold=1e-4),
    }
