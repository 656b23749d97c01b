"""Validity of the `optimizers` rubric (issue 3 item 7): the shared checks of harness.py on its
mutants (each with the diagnosis its check's feedback must give), its demo cohort
(examples/cohort/optimizers) and its stubs; and every named mistake is distinguishable on the
gradient stream it is diagnosed on.
"""
from __future__ import annotations

import pytest

from autograder.suites.optimizers import cases
from autograder.suites.optimizers.mistakes import default_mistakes, optimizer_mistakes, plateau_mistakes, schedule_mistakes
from autograder.suites.optimizers.schedules import same_rate
from autograder.suites.optimizers.steps import first_mismatch

from harness import ROOT, failed, mutate

from harness import (  # the shared tests, collected in this module too
    Validity, test_cohort_gets_expected_results, test_empty_file_scores_zero,
    test_every_check_catches_a_known_mistake, test_filled_released_notebook_gets_full_marks,
    test_mutant_fails_the_check_that_names_it, test_reference_gets_full_marks,
    test_degenerate_results_get_verdicts_not_grader_errors, test_every_mutant_names_its_diagnosis,
    test_released_stub_scores_zero, test_stub_scores_zero,
    test_correct_alternative_gets_full_marks, test_every_kind_of_hidden_rule_has_a_visible_check)

pytestmark = pytest.mark.slow

ADAM_BIAS = ("        mhat = self.m / (1.0 - self.beta1**self.t)\n"
             "        vhat = self.v / (1.0 - self.beta2**self.t)\n"
             "        if self.amsgrad:\n")
ADAM_RETURN = ("            vhat = self.vmax\n"
               "        return w - self.lr * mhat / (np.sqrt(vhat) + self.eps)\n")
REFERENCE = (ROOT / "solutions" / "optimizers.py").read_text()


def unit(name: str) -> str:
    """The reference's whole top-level definition of `name` (class or function), up to the next one."""
    start = REFERENCE.index(f"\nclass {name}" if f"\nclass {name}" in REFERENCE else f"\ndef {name}(") + 1
    ends = [i for i in (REFERENCE.find("\nclass ", start), REFERENCE.find("\ndef ", start)) if i != -1]
    return REFERENCE[start:min(ends) + 1 if ends else len(REFERENCE)]


def rewrite(name: str, text: str) -> tuple[str, str]:
    """A replacement of `name`'s whole definition by `text` (for `mutate`)."""
    return unit(name), text.lstrip("\n")


MOMENTUM_STATE = ("        if self.v is None:\n            self.v = np.zeros_like(w)\n"
                  "        step_size = self.lr * (1.0 - self.mu) if self.ema else self.lr\n"
                  "        self.v = self.mu * self.v - step_size * g\n        return w + self.v\n")
RMSPROP_STEP = ("        if self.V is None:\n"
                "            self.V = np.zeros_like(w)\n"
                "        self.V = self.rho * self.V + (1.0 - self.rho) * g**2\n"
                "        return w - self.lr * g / (np.sqrt(self.V) + self.eps)\n")

# id: (replacements applied to the reference (see harness.mutate), the check that names the mistake,
#      a fragment of that check's feedback naming the mistake, or None where that feedback names none)
MUTANTS = {
    "adam_missing_bias_correction": (
        [(ADAM_BIAS, "        mhat = self.m\n        vhat = self.v\n        if self.amsgrad:\n")],
        "test_defaults[Adam]", "missing bias correction"),
    "adam_eps_inside_sqrt": (
        [(ADAM_RETURN, "            vhat = self.vmax\n"
                       "        return w - self.lr * mhat / np.sqrt(vhat + self.eps)\n")],
        "test_defaults[Adam]", "eps inside the square root"),
    "adam_t_counted_from_zero": (
        [("            self.vmax = np.zeros_like(w)\n        self.t += 1\n", "            self.vmax = np.zeros_like(w)\n"),
         (ADAM_BIAS, ADAM_BIAS.replace("        if self.amsgrad:\n", "        self.t += 1\n        if self.amsgrad:\n"))],
        "test_defaults[Adam]", "t counted from 0"),
    "adam_wrong_default_lr": (
        [("lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False", "lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False")],
        "test_defaults[Adam]", "wrong default lr=0.01"),
    "adam_updates_w_in_place": (
        [(ADAM_RETURN, "            vhat = self.vmax\n"
                       "        w -= self.lr * mhat / (np.sqrt(vhat) + self.eps)\n"
                       "        return w\n")],
        "test_contract[Adam]", "modified its input `w` in place"),
    "amsgrad_max_over_raw_v": (
        [("            self.vmax = np.maximum(self.vmax, vhat)\n            vhat = self.vmax\n",
          "            self.vmax = np.maximum(self.vmax, self.v)\n"
          "            vhat = self.vmax / (1.0 - self.beta2**self.t)\n")],
        "test_adam_amsgrad", "AMSGrad maximum over the raw v"),
    "adamw_l2_instead_of_decoupled": (
        [("        w = w - self.lr * self.weight_decay * w\n", "        g = g + self.weight_decay * w\n")],
        "test_defaults[AdamW]", "L2 regularization"),
    "adamw_decay_without_lr": (
        [("        w = w - self.lr * self.weight_decay * w\n", "        w = w - self.weight_decay * w\n")],
        "test_defaults[AdamW]", "decay not scaled by lr"),
    "adamw_decays_w_in_place": (
        [("        w = w - self.lr * self.weight_decay * w\n", "        w *= 1.0 - self.lr * self.weight_decay\n")],
        "test_contract[AdamW]", "modified its input `w` in place"),
    "nadam_dozat_momentum_term": (
        [("nesterov_m = self.beta1 * mhat + ",
          "nesterov_m = self.beta1 * self.m / (1.0 - self.beta1 ** (self.t + 1)) + ")],
        "test_defaults[NAdam]", "Dozat"),
    "nadam_scales_g_in_place": (
        [("        nesterov_m = self.beta1 * mhat + (1.0 - self.beta1) * g / bias1\n",
          "        g *= (1.0 - self.beta1) / bias1\n        nesterov_m = self.beta1 * mhat + g\n")],
        "test_contract[NAdam]", "modified its input `g` in place"),
    "momentum_ema_mixed_up": (
        [("step_size = self.lr * (1.0 - self.mu) if self.ema else self.lr",
          "step_size = self.lr if self.ema else self.lr * (1.0 - self.mu)")],
        "test_defaults[Momentum]", "the `ema` flag mixed up"),
    "nesterov_plain_momentum": (
        [("w_new = w - self.mu * self.v + (1.0 + self.mu) * v_new", "w_new = w + v_new")],
        "test_defaults[Nesterov]", "plain momentum"),
    "nesterov_v_and_v_new_swapped": (
        [("w_new = w - self.mu * self.v + (1.0 + self.mu) * v_new",
          "w_new = w - self.mu * v_new + (1.0 + self.mu) * self.v")],
        "test_defaults[Nesterov]", "v and v_new swapped in the look-ahead"),
    "nesterov_updates_w_in_place": (
        [("        w_new = w - self.mu * self.v + (1.0 + self.mu) * v_new\n",
          "        w -= self.mu * self.v\n        w += (1.0 + self.mu) * v_new\n        w_new = w\n")],
        "test_contract[Nesterov]", "modified its input `w` in place"),
    "rmsprop_eps_inside_sqrt": (
        [("return w - self.lr * g / (np.sqrt(self.V) + self.eps)", "return w - self.lr * g / np.sqrt(self.V + self.eps)")],
        "test_defaults[RMSProp]", "eps inside the square root"),
    "adagrad_not_accumulated": (
        [("self.G = self.G + g**2", "self.G = g**2")],
        "test_defaults[AdaGrad]", "not accumulated"),
    "adagrad_scales_g_in_place": (
        [("        return w - self.lr * g / (np.sqrt(self.G) + self.eps)\n",
          "        g /= np.sqrt(self.G) + self.eps\n        return w - self.lr * g\n")],
        "test_contract[AdaGrad]", "modified its input `g` in place"),
    "adadelta_no_eps_in_numerator": (
        [("d = np.sqrt(self.U + self.eps) / ", "d = np.sqrt(self.U) / ")],
        "test_defaults[AdaDelta]", "eps missing in the numerator"),
    "adadelta_update_aliases_g": (
        [("        d = np.sqrt(self.U + self.eps) / np.sqrt(self.V + self.eps) * g\n",
          "        d = g\n        d *= np.sqrt(self.U + self.eps) / np.sqrt(self.V + self.eps)\n")],
        "test_contract[AdaDelta]", "modified its input `g` in place"),
    "sgd_updates_w_in_place": (
        [("        return np.asarray(w, dtype=np.float64) - self.lr * np.asarray(g, dtype=np.float64)\n",
          "        w -= self.lr * g\n        return w\n")],
        "test_contract[SGD]", "modified its input `w` in place"),
    "sgd_default_lr_0_1": (
        [("(self, lr=0.01):", "(self, lr=0.1):")],
        "test_defaults[SGD]", "wrong default lr=0.1"),
    "sgd_step_hard_codes_lr": (
        [("return np.asarray(w, dtype=np.float64) - self.lr * np.asarray(g, dtype=np.float64)",
          "return np.asarray(w, dtype=np.float64) - 0.01 * np.asarray(g, dtype=np.float64)")],
        "test_hyperparameters[SGD]", "the lr argument is ignored"),
    "rmsprop_state_shared_by_instances": (
        [(RMSPROP_STEP,
          "        shared = RMSProp.__dict__.get('accumulators')\n"
          "        if shared is None:\n"
          "            shared = {}\n"
          "            RMSProp.accumulators = shared\n"
          "        V = shared.get(w.shape, np.zeros_like(w))\n"
          "        V = self.rho * V + (1.0 - self.rho) * g**2\n"
          "        shared[w.shape] = V\n"
          "        return w - self.lr * g / (np.sqrt(V) + self.eps)\n")],
        "test_contract[RMSProp]", "state shared between instances"),
    # The state keeps the caller's gradient by reference (PyTorch's buffer without its clone): the
    # values are right, but the second call scales the g the caller handed over at the first.
    "momentum_buffer_aliases_g": (
        [(MOMENTUM_STATE,
          "        step_size = self.lr * (1.0 - self.mu) if self.ema else self.lr\n"
          "        if self.v is None:\n            self.v = g\n"
          "        else:\n            self.v *= self.mu\n            self.v += g\n"
          "        return w - step_size * self.v\n")],
        "test_contract[Momentum]", "keeps the caller's array as its state"),
    "nesterov_torch_buffer_aliases_g": (
        [("        if self.v is None:\n            self.v = np.zeros_like(w)\n"
          "        v_new = self.mu * self.v - self.lr * g\n"
          "        w_new = w - self.mu * self.v + (1.0 + self.mu) * v_new\n"
          "        self.v = v_new\n        return w_new\n",
          "        if self.v is None:\n            self.v = g\n"
          "        else:\n            self.v *= self.mu\n            self.v += g\n"
          "        return w - self.lr * (g + self.mu * self.v)\n")],
        "test_contract[Nesterov]", "keeps the caller's array as its state"),
    # Steps from its own copy of the parameters: right while every w given is its last result.
    "sgd_continues_from_own_output": (
        [("        return np.asarray(w, dtype=np.float64) - self.lr * np.asarray(g, dtype=np.float64)\n",
          "        if not hasattr(self, 'w'):\n            self.w = np.array(w, dtype=np.float64)\n"
          "        self.w = self.w - self.lr * g\n        return self.w\n")],
        "test_shapes[SGD]", "continues from its own last result"),
    # A loop over rows: right on vectors and matrices of every shape, fails on a single parameter.
    "adagrad_loops_over_rows": (
        [("        return w - self.lr * g / (np.sqrt(self.G) + self.eps)\n",
          "        out = np.empty_like(w)\n        for i in range(len(w)):\n"
          "            out[i] = w[i] - self.lr * g[i] / (np.sqrt(self.G[i]) + self.eps)\n        return out\n")],
        "test_shapes[AdaGrad]", "any shape"),
    # Heavy ball on the parameters, w + mu (w - w_prev) - lr g: right in a closed loop only.
    "momentum_velocity_from_w_difference": (
        [(MOMENTUM_STATE,
          "        step_size = self.lr * (1.0 - self.mu) if self.ema else self.lr\n"
          "        velocity = np.zeros_like(w) if self.v is None else w - self.v\n"
          "        self.v = w\n        return w + self.mu * velocity - step_size * g\n")],
        "test_shapes[Momentum]", "the velocity is taken from the parameters"),
    # State in a mutable default argument, shared by every instance: named in every check it breaks,
    # not only in the contract check (here: a later check on 2-vectors after (5, 6) arrays).
    "adam_state_in_mutable_default": (
        [("    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False):\n",
          "    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False, state={}):\n"),
         ("        self.vmax = None\n        self.t = 0\n",
          "        self.vmax = None\n        self.t = 0\n        self.state = state\n"),
         ("        if self.m is None:\n            self.m = np.zeros_like(w)\n            self.v = np.zeros_like(w)\n"
          "            self.vmax = np.zeros_like(w)\n        self.t += 1\n",
          "        if 'm' not in self.state:\n            self.state.update(m=np.zeros_like(w), v=np.zeros_like(w),"
          " vmax=np.zeros_like(w), t=0)\n"
          "        self.m, self.v, self.vmax = self.state['m'], self.state['v'], self.state['vmax']\n"
          "        self.state['t'] += 1\n        self.t = self.state['t']\n"),
         ("            vhat = self.vmax\n        return w - self.lr * mhat / (np.sqrt(vhat) + self.eps)\n",
          "            vhat = self.vmax\n        self.state.update(m=self.m, v=self.v, vmax=self.vmax)\n"
          "        return w - self.lr * mhat / (np.sqrt(vhat) + self.eps)\n")],
        "test_adam_saddle", "state shared between instances"),
    # The loss history in a mutable default argument: the second object sees the first one's losses.
    "plateau_history_in_mutable_default": (
        [("    def __init__(self, lr, factor=0.5, patience=0):\n",
          "    def __init__(self, lr, factor=0.5, patience=0, history=[]):\n"),
         ("        self.best = math.inf\n        self.bad_epochs = 0\n",
          "        self.history = history\n        self.bad_epochs = 0\n"),
         ("        if loss < self.best:\n            self.best = loss\n",
          "        best = min(self.history, default=math.inf)\n        self.history.append(loss)\n"
          "        if loss < best:\n")],
        "test_reduce_on_plateau_patience", "state shared between instances"),
    "step_decay_off_by_one": (
        [("return eta0 * drop ** (k // every)", "return eta0 * drop ** ((k + 1) // every)")],
        "test_step_decay", "off by one"),
    "plateau_non_strict_improvement": (
        [("if loss < self.best:", "if loss <= self.best:")],
        "test_reduce_on_plateau", "NOT STRICTLY below"),
    "plateau_count_not_restarted": (
        [("            self.lr = self.lr * self.factor\n            self.bad_epochs = 0\n",
          "            self.lr = self.lr * self.factor\n")],
        "test_reduce_on_plateau_patience", "does not restart"),
    "inverse_time_missing_parentheses": (
        [("return eta0 / (1.0 + rate * k)", "return eta0 / 1.0 + rate * k")],
        "test_inverse_time_decay", "missing parentheses"),
    "exponential_decay_compounded": (
        [("return eta0 * math.exp(-rate * k)", "return eta0 * (1.0 - rate) ** k")],
        "test_exponential_decay", "(1 - rate)**k instead of exp(-rate*k)"),
    "exponential_decay_ignores_rate": (
        [("return eta0 * math.exp(-rate * k)", "return eta0 * math.exp(-0.1 * k)")],
        "test_exponential_decay_rate", "the rate argument is ignored"),
    # round(k/every) agrees with floor((k+1)/every) at the first epoch either differs from the
    # reference (k = every - 1): the diagnosis must come from every epoch, not the first failing one.
    "step_decay_round": (
        [("return eta0 * drop ** (k // every)", "return eta0 * drop ** round(k / every)")],
        "test_step_decay", "round(k/every) instead of floor(k/every)"),
    "plateau_forgets_best_after_reduction": (
        [("            self.lr = self.lr * self.factor\n            self.bad_epochs = 0\n",
          "            self.lr = self.lr * self.factor\n            self.bad_epochs = 0\n            self.best = math.inf\n")],
        "test_reduce_on_plateau", "the best loss is forgotten after a reduction"),
    "plateau_returns_rate_before_reduction": (
        [("        if self.bad_epochs > self.patience:\n            self.lr = self.lr * self.factor\n"
          "            self.bad_epochs = 0\n        return self.lr\n",
          "        rate = self.lr\n        if self.bad_epochs > self.patience:\n"
          "            self.lr = self.lr * self.factor\n            self.bad_epochs = 0\n        return rate\n")],
        "test_reduce_on_plateau", "the rate from before the reduction"),
    # PyTorch's ReduceLROnPlateau default (threshold=1e-4, mode 'rel'): right on losses that move by
    # more than 1e-4 relative, which every loss of the old sequence did.
    "plateau_relative_threshold": (
        [("if loss < self.best:", "if loss < self.best * (1 - 1e-4):")],
        "test_reduce_on_plateau", "relative threshold"),
    # Kingma & Ba's "efficient" ordering: the step size takes the bias corrections, eps stays unscaled.
    "adam_paper_efficient_form": (
        [(ADAM_RETURN, "            vhat = self.vmax\n"
                       "        step_size = self.lr * math.sqrt(1.0 - self.beta2**self.t) / (1.0 - self.beta1**self.t)\n"
                       "        return w - step_size * self.m / (np.sqrt(self.v) + self.eps)\n")],
        "test_defaults[Adam]", "before the bias correction"),
    # np.atleast_1d "so that indexing works": right on every array, a 1-vector for a single parameter.
    **{f"{name.lower()}_atleast_1d": (
        [rewrite(name, unit(name).replace("        w = np.asarray(w, dtype=np.float64)\n",
                                          "        w = np.atleast_1d(np.asarray(w, dtype=np.float64))\n"))],
        f"test_shapes[{name}]", "expected an array of w's shape ()")
       for name in ("Nesterov", "RMSProp", "AdaDelta", "Adam", "AdamW", "NAdam")},
}

VALIDITY = Validity("optimizers", notebook_student="hal_notebook", mutants=MUTANTS)


STREAM_CASES = ([(name, {}, cases.VISIBLE_SEED) for name in cases.CLASSES]
                + [(name, cases.HIDDEN_HYPER[name], cases.HIDDEN_SEED) for name in cases.CLASSES]
                + [("Momentum", {"lr": 0.1, "mu": 0.8, "ema": True}, cases.HIDDEN_SEED),
                   ("Adam", {"lr": 0.01, "amsgrad": True}, cases.HIDDEN_SEED)])


@pytest.mark.parametrize("name, kwargs, seed", STREAM_CASES)
def test_every_variant_is_distinguishable_on_its_stream(name, kwargs, seed):
    """Each named mistake changes some step beyond the tolerance on the stream it is diagnosed on."""
    ws = cases.reference_iterates(name, kwargs, seed)
    grads = cases.gradient_stream(seed)[1]
    mistakes = optimizer_mistakes(name, kwargs)
    if not kwargs:
        mistakes += default_mistakes(name)
    for mistake in mistakes:
        outputs = cases.teacher_forced(mistake.output(), ws[:-1], grads)
        assert first_mismatch(outputs, ws[1:], ws) is not None, f"{name}{kwargs}: {mistake.label}"


# Correct implementations in styles the demo cohort lacks, each rewriting some units of the reference
# (the rest stays the reference's): every one must get full marks.
ALTERNATIVES = {
    # State in a dict on the instance; PyTorch's Adam algebra (bias corrections folded into the step).
    "dict_state_torch_algebra": [rewrite("Adam", '''
class Adam:
    """Adam, state in a dict."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False):
        self.hyper = dict(lr=lr, beta1=beta1, beta2=beta2, eps=eps, amsgrad=amsgrad)
        self.state = {}

    def step(self, w, g):
        h, st = self.hyper, self.state
        if not st:
            st.update(t=0, m=np.zeros(np.shape(w)), v=np.zeros(np.shape(w)), vmax=np.zeros(np.shape(w)))
        st["t"] += 1
        st["m"] = h["beta1"] * st["m"] + (1 - h["beta1"]) * g
        st["v"] = h["beta2"] * st["v"] + (1 - h["beta2"]) * np.square(g)
        c1, c2 = 1 - h["beta1"] ** st["t"], 1 - h["beta2"] ** st["t"]
        vhat = st["v"] / c2
        if h["amsgrad"]:
            st["vmax"] = np.maximum(st["vmax"], vhat)
            vhat = st["vmax"]
        return w - (h["lr"] / c1) * st["m"] / (np.sqrt(vhat) + h["eps"])
''')],
    # A base class holding the shared machinery; subclasses give the accumulator rule.
    "class_hierarchy": [
        rewrite("AdaGrad", '''
class _SquaredGradientMethod:
    """w - lr g / (sqrt(acc) + eps), acc from `accumulate`."""

    def __init__(self, lr, eps):
        self.lr, self.eps, self.acc = lr, eps, None

    def accumulate(self, acc, g2):
        raise NotImplementedError

    def step(self, w, g):
        g = np.array(g, dtype=float)
        acc = np.zeros(g.shape) if self.acc is None else self.acc
        self.acc = self.accumulate(acc, g * g)
        return np.array(w, dtype=float) - self.lr * g / (np.sqrt(self.acc) + self.eps)


class AdaGrad(_SquaredGradientMethod):
    """G + g^2."""

    def __init__(self, lr=0.01, eps=1e-10):
        super().__init__(lr, eps)

    def accumulate(self, acc, g2):
        return acc + g2

'''),
        rewrite("RMSProp", '''
class RMSProp(_SquaredGradientMethod):
    """rho V + (1 - rho) g^2."""

    def __init__(self, lr=0.01, rho=0.99, eps=1e-8):
        super().__init__(lr, eps)
        self.rho = rho

    def accumulate(self, acc, g2):
        return self.rho * acc + (1 - self.rho) * g2

''')],
    # PyTorch's buffer forms, the caller's gradient copied before it becomes the buffer.
    "torch_buffers_copied": [
        rewrite("Momentum", '''
class Momentum:
    """b = mu b + g; w - step b, the buffer starting as a copy of g."""

    def __init__(self, lr=0.01, mu=0.9, ema=False):
        self.lr, self.mu, self.ema = lr, mu, ema
        self.buf = None

    def step(self, w, g):
        if self.buf is None:
            self.buf = g.copy()
        else:
            self.buf *= self.mu
            self.buf += g
        return w - (self.lr * (1 - self.mu) if self.ema else self.lr) * self.buf

'''),
        rewrite("Nesterov", '''
class Nesterov:
    """b = mu b + g; w - lr (g + mu b)."""

    def __init__(self, lr=0.01, mu=0.9):
        self.lr, self.mu = lr, mu
        self.buf = None

    def step(self, w, g):
        self.buf = np.copy(g) if self.buf is None else self.mu * self.buf + g
        return w - self.lr * (g + self.mu * self.buf)

''')],
    # Loops over every element (np.ndindex covers 0-d arrays too), math on Python floats.
    "elementwise_loops": [
        rewrite("SGD", '''
class SGD:
    """w - lr g, one element at a time."""

    def __init__(self, lr=0.01):
        self.lr = lr

    def step(self, w, g):
        out = np.empty(np.shape(w))
        for idx in np.ndindex(*np.shape(w)):
            out[idx] = float(w[idx]) - self.lr * float(g[idx])
        return out

'''),
        rewrite("AdaDelta", '''
class AdaDelta:
    """Zeiler's AdaDelta element by element."""

    def __init__(self, lr=1.0, rho=0.9, eps=1e-6):
        self.lr, self.rho, self.eps = lr, rho, eps
        self.V = self.U = None

    def step(self, w, g):
        if self.V is None:
            self.V, self.U = np.zeros(np.shape(w)), np.zeros(np.shape(w))
        V, U, out = self.V.copy(), self.U.copy(), np.empty(np.shape(w))
        for idx in np.ndindex(*np.shape(w)):
            gi = float(g[idx])
            V[idx] = self.rho * V[idx] + (1 - self.rho) * gi * gi
            d = math.sqrt(U[idx] + self.eps) / math.sqrt(V[idx] + self.eps) * gi
            U[idx] = self.rho * U[idx] + (1 - self.rho) * d * d
            out[idx] = float(w[idx]) - self.lr * d
        self.V, self.U = V, U
        return out

''')],
    # Schedules by repeated multiplication and numpy scalars; the plateau rule from a loss history.
    "schedules_by_iteration_and_history": [
        rewrite("step_decay", '''
def step_decay(eta0, k, drop=0.5, every=10):
    """One multiplication by drop per completed period."""
    rate = eta0
    for _ in range(k // every):
        rate *= drop
    return rate

'''),
        rewrite("exponential_decay", '''
def exponential_decay(eta0, k, rate=0.1):
    """eta0 exp(-rate k) as a numpy scalar."""
    return eta0 * np.exp(-rate * np.float64(k))

'''),
        rewrite("ReduceOnPlateau", '''
class ReduceOnPlateau:
    """The bad-epoch run recomputed from the history of losses since the last reduction."""

    def __init__(self, lr, factor=0.5, patience=0):
        self.lr, self.factor, self.patience = lr, factor, patience
        self.best = None
        self.run = []

    def update(self, loss):
        improved = self.best is None or loss < self.best
        if improved:
            self.best = loss
            self.run = []
        else:
            self.run.append(loss)
        if len(self.run) > self.patience:
            self.lr = self.lr * self.factor
            self.run = []
        return self.lr
''')],
    # The state started as the number 0 (broadcast by the first update), the most common student form.
    "scalar_zero_state": [
        rewrite("Momentum", '''
class Momentum:
    """v starts as 0."""

    def __init__(self, lr=0.01, mu=0.9, ema=False):
        self.lr, self.mu, self.ema = lr, mu, ema
        self.v = 0

    def step(self, w, g):
        self.v = self.mu * self.v - (self.lr * (1 - self.mu) if self.ema else self.lr) * g
        return w + self.v

'''),
        rewrite("Adam", '''
class Adam:
    """m, v, vmax start as 0."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False):
        self.lr, self.beta1, self.beta2, self.eps, self.amsgrad = lr, beta1, beta2, eps, amsgrad
        self.m = self.v = self.vmax = 0
        self.t = 0

    def step(self, w, g):
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * g
        self.v = self.beta2 * self.v + (1 - self.beta2) * g ** 2
        m_hat = self.m / (1 - self.beta1 ** self.t)
        v_hat = self.v / (1 - self.beta2 ** self.t)
        if self.amsgrad:
            self.vmax = np.maximum(self.vmax, v_hat)
            v_hat = self.vmax
        return w - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

''')],
    # State as a flat Python list, one float per parameter, reshaped on return.
    "flat_lists": [rewrite("RMSProp", '''
class RMSProp:
    """RMSProp on Python floats."""

    def __init__(self, lr=0.01, rho=0.99, eps=1e-8):
        self.lr, self.rho, self.eps = lr, rho, eps
        self.V = []

    def step(self, w, g):
        w = np.asarray(w, dtype=float)
        flat_w, flat_g = w.ravel().tolist(), np.ravel(g).tolist()
        if not self.V:
            self.V = [0.0] * len(flat_g)
        out = []
        for i, (wi, gi) in enumerate(zip(flat_w, flat_g)):
            self.V[i] = self.rho * self.V[i] + (1 - self.rho) * gi * gi
            out.append(wi - self.lr * gi / (math.sqrt(self.V[i]) + self.eps))
        return np.array(out).reshape(w.shape)

''')],
    # NAdam and AdamW through one Adam helper function (functional core, state in a tuple).
    "functional_core": [
        rewrite("NAdam", '''
def _moments(state, g, beta1, beta2):
    """(t, m, v) after one more gradient; state None at the start."""
    t, m, v = state if state is not None else (0, np.zeros_like(g), np.zeros_like(g))
    return t + 1, beta1 * m + (1 - beta1) * g, beta2 * v + (1 - beta2) * g * g


class NAdam:
    """Dozat's simplified NAdam on a functional core."""

    def __init__(self, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.state = None

    def step(self, w, g):
        g = np.asarray(g, dtype=float)
        self.state = t, m, v = _moments(self.state, g, self.beta1, self.beta2)
        c1 = 1 - self.beta1 ** t
        direction = (self.beta1 * m + (1 - self.beta1) * g) / c1
        return w - self.lr * direction / (np.sqrt(v / (1 - self.beta2 ** t)) + self.eps)

''')],
    # A base class whose class attribute `t = 0` is only read through `self.t += 1` (which creates
    # the instance's own attribute: no shared state); math.pow bias corrections; w + (-update).
    "base_class_with_class_attribute_t": [rewrite("Adam", '''
class _Base:
    t = 0

    def __init__(self, **hyper):
        self.__dict__.update(hyper)
        self.state = {}

    def _zeros(self, key, w):
        if key not in self.state:
            self.state[key] = np.zeros_like(w, dtype=float)
        return self.state[key]


class Adam(_Base):
    """Adam on a base class."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps, amsgrad=amsgrad)

    def step(self, w, g):
        m, v, vmax = self._zeros("m", w), self._zeros("v", w), self._zeros("vmax", w)
        self.t += 1
        m = self.beta1 * m + (1 - self.beta1) * g
        v = self.beta2 * v + (1 - self.beta2) * g * g
        self.state.update(m=m, v=v)
        mhat = m / (1 - math.pow(self.beta1, self.t))
        vhat = v / (1 - math.pow(self.beta2, self.t))
        if self.amsgrad:
            vmax = np.maximum(vmax, vhat)
            self.state["vmax"] = vmax
            vhat = vmax
        return w + (-(self.lr * mhat / (np.sqrt(vhat) + self.eps)))

''')],
    # Hyper-parameters and immutable state defaults as class attributes, rebound on the instance.
    "class_attribute_defaults": [
        rewrite("Momentum", '''
class Momentum:
    """Class-level defaults; v = 0.0 rebound per instance at the first step."""
    lr = 0.01
    mu = 0.9
    ema = False
    v = 0.0

    def __init__(self, lr=0.01, mu=0.9, ema=False):
        self.lr, self.mu, self.ema = lr, mu, ema

    def step(self, w, g):
        scale = self.lr * (1 - self.mu) if self.ema else self.lr
        self.v = self.mu * self.v - scale * g
        return w + self.v

'''),
        rewrite("RMSProp", '''
class RMSProp:
    """V = None on the class, an array on the instance after the first step."""
    V = None

    def __init__(self, lr=0.01, rho=0.99, eps=1e-8):
        self.lr, self.rho, self.eps = lr, rho, eps

    def step(self, w, g):
        if self.V is None:
            self.V = np.zeros(w.shape)
        self.V = self.V + (1 - self.rho) * (np.power(g, 2) - self.V)
        return np.subtract(w, self.lr * g / (self.V ** 0.5 + self.eps))

''')],
    # Algebraically equal forms: velocity of the opposite sign, Nesterov expanded (mu^2 v), the ema
    # velocity without lr, AdaDelta with the U update lagging one step (U uses the previous d).
    "equivalent_algebra": [
        rewrite("Momentum", '''
class Momentum:
    """v = mu v + lr g; w - v (ema: v = mu v + (1 - mu) g; w - lr v)."""

    def __init__(self, lr=0.01, mu=0.9, ema=False):
        self.lr, self.mu, self.ema = lr, mu, ema
        self.v = None

    def step(self, w, g):
        if self.v is None:
            self.v = np.zeros_like(w)
        if self.ema:
            self.v = self.mu * self.v + (1 - self.mu) * g
            return w - self.lr * self.v
        self.v = self.mu * self.v + self.lr * g
        return w - self.v

'''),
        rewrite("Nesterov", '''
class Nesterov:
    """w + mu^2 v - (1 + mu) lr g, then v = mu v - lr g."""

    def __init__(self, lr=0.01, mu=0.9):
        self.lr, self.mu = lr, mu
        self.v = 0

    def step(self, w, g):
        w_new = w + self.mu * self.mu * self.v - (1 + self.mu) * self.lr * g
        self.v = self.mu * self.v - self.lr * g
        return w_new

'''),
        rewrite("AdaDelta", '''
class AdaDelta:
    """U accumulates the previous step's d before the new d is formed (the same U as Zeiler's)."""

    def __init__(self, lr=1.0, rho=0.9, eps=1e-6):
        self.lr, self.rho, self.eps = lr, rho, eps
        self.V = self.U = 0
        self.d = 0

    def step(self, w, g):
        self.V = self.rho * self.V + (1 - self.rho) * g * g
        self.U = self.rho * self.U + (1 - self.rho) * self.d ** 2
        self.d = np.sqrt(self.U + self.eps) / np.sqrt(self.V + self.eps) * g
        return w - self.lr * self.d

''')],
    # Decay from the original w after the Adam direction; PyTorch's eps scaled by sqrt(1 - b2^t).
    "adamw_after_direction_torch_eps": [
        rewrite("AdamW", '''
class AdamW:
    """w - lr mhat/(sqrt(vhat) + eps) - lr wd w: the same as decaying w first."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
        self.lr, self.beta1, self.beta2, self.eps, self.wd = lr, beta1, beta2, eps, weight_decay
        self.m = self.v = 0.0
        self.t = 0

    def step(self, w, g):
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * g
        self.v = self.beta2 * self.v + (1 - self.beta2) * g ** 2
        mhat = self.m / (1 - self.beta1 ** self.t)
        vhat = self.v / (1 - self.beta2 ** self.t)
        return w - self.lr * mhat / (np.sqrt(vhat) + self.eps) - self.lr * self.wd * w

'''),
        rewrite("Adam", '''
class Adam:
    """The step as lr sqrt(c2)/c1 m / (sqrt(v) + eps sqrt(c2)); t kept local until the end."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False):
        self.lr, self.beta1, self.beta2, self.eps, self.amsgrad = lr, beta1, beta2, eps, amsgrad
        self.t = 0
        self.m = self.v = self.vmax = None

    def step(self, w, g):
        if self.t == 0:
            self.m, self.v, self.vmax = np.zeros_like(w), np.zeros_like(w), np.zeros_like(w)
        t = self.t + 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * g
        self.v = self.beta2 * self.v + (1 - self.beta2) * g * g
        c1, c2 = 1 - self.beta1 ** t, 1 - self.beta2 ** t
        vh = self.v / c2
        if self.amsgrad:
            self.vmax = np.maximum(self.vmax, vh)
            vh = self.vmax
        self.t = t
        return w - (self.lr * math.sqrt(c2) / c1) * self.m / (np.sqrt(vh * c2) + self.eps * math.sqrt(c2))

''')],
    # AdamW and NAdam as subclasses of the reference Adam.
    "subclasses_of_adam": [
        rewrite("AdamW", '''
class AdamW(Adam):
    """Decay, then Adam's step."""

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
        self.weight_decay = weight_decay

    def step(self, w, g):
        return super().step(w - self.lr * self.weight_decay * w, g)

'''),
        rewrite("NAdam", '''
class NAdam(Adam):
    """Adam's state, Dozat's step."""

    def __init__(self, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps)

    def step(self, w, g):
        if self.m is None:
            self.m, self.v = np.zeros_like(w), np.zeros_like(w)
        self.t += 1
        self.m = self.beta1 * self.m + (1 - self.beta1) * g
        self.v = self.beta2 * self.v + (1 - self.beta2) * g ** 2
        c1 = 1 - self.beta1 ** self.t
        m_bar = (self.beta1 * self.m + (1 - self.beta1) * g) / c1
        return w - self.lr * m_bar / (np.sqrt(self.v / (1 - self.beta2 ** self.t)) + self.eps)

''')],
    # In-place arithmetic on copies of w and on the optimizer's own state (np.add(..., out=)).
    "in_place_on_own_arrays": [
        rewrite("SGD", '''
class SGD:
    """astype copies: the in-place step touches the copy only."""

    def __init__(self, lr=0.01):
        self.lr = lr

    def step(self, w, g):
        w = w.astype(np.float64)
        w -= self.lr * g
        return w

'''),
        rewrite("RMSProp", '''
class RMSProp:
    """V updated in place; it was created here, so it is never the caller's."""

    def __init__(self, lr=0.01, rho=0.99, eps=1e-8):
        self.lr, self.rho, self.eps = lr, rho, eps
        self.V = None

    def step(self, w, g):
        if self.V is None:
            self.V = np.zeros_like(w)
        self.V *= self.rho
        np.add(self.V, (1 - self.rho) * g * g, out=self.V)
        new = np.array(w, dtype=np.float64, copy=True)
        new -= self.lr * g / (np.sqrt(self.V) + self.eps)
        return new

''')],
    # Schedules with math.floor / math.pow / ** -1; the plateau's best initialised by the first loss,
    # counted with `>= patience + 1`.
    "floor_pow_first_loss": [
        rewrite("step_decay", '''
def step_decay(eta0, k, drop=0.5, every=10):
    """math.pow and math.floor."""
    return eta0 * math.pow(drop, math.floor(k / every))

'''),
        rewrite("inverse_time_decay", '''
def inverse_time_decay(eta0, k, rate=0.1):
    """A negative power."""
    return eta0 * (1 + rate * k) ** -1

'''),
        rewrite("ReduceOnPlateau", '''
class ReduceOnPlateau:
    """The first loss is the first best (it is below the best of nothing)."""

    def __init__(self, lr, factor=0.5, patience=0):
        self.lr, self.factor, self.patience = lr, factor, patience
        self.best = None
        self.wait = 0

    def update(self, loss):
        if self.best is None or loss < self.best:
            self.best = loss
            self.wait = 0
            return self.lr
        self.wait += 1
        if self.wait >= self.patience + 1:
            self.lr *= self.factor
            self.wait = 0
        return self.lr
''')],
}
CORRECT = {name: mutate(VALIDITY.reference, replacements) for name, replacements in ALTERNATIVES.items()}


@pytest.mark.parametrize("wrong, check_id", [("adagrad_loops_over_rows", "test_shapes[AdaGrad]"),
                                             ("momentum_velocity_from_w_difference", "test_shapes[Momentum]")])
def test_shape_mistakes_are_not_blamed_on_shared_state(validity, wrong, check_id):
    """The shared-state probe runs on failures; code that fails for another reason is not told it shares state."""
    result = validity.grade(mutate(validity.reference, MUTANTS[wrong][0]))
    output = {c.check_id: c.output for c in result.checks}[check_id]
    assert "shared between instances" not in output, output


SCHEDULE_CASES = [("step_decay", 0.1, cases.EPOCHS, {}),
                  ("step_decay", 0.5, cases.STEP_DECAY_HIDDEN_EPOCHS, {"drop": 0.3, "every": 4}),
                  ("exponential_decay", 0.1, cases.EPOCHS, {}),
                  ("exponential_decay", 0.05, cases.EPOCHS, {"rate": 0.35}),
                  ("inverse_time_decay", 0.1, cases.EPOCHS, {}),
                  ("inverse_time_decay", 0.05, cases.EPOCHS, {"rate": 0.5})]


@pytest.mark.parametrize("name, eta0, epochs, kwargs", SCHEDULE_CASES)
def test_schedule_mistakes_are_told_apart_on_their_epochs(name, eta0, epochs, kwargs):
    """A schedule check names a mistake only when it reproduces the student at every epoch, so each
    named mistake must differ from the reference and from every other named mistake at some epoch
    of the check that diagnoses it."""
    ref = getattr(cases.ref_module(), name)
    expected = [ref(eta0, k, **kwargs) for k in epochs]
    rows = {mistake.label: mistake.output() for mistake in schedule_mistakes(name, eta0, epochs, kwargs)}
    rows["the reference"] = expected
    labels = sorted(rows)
    for i, first in enumerate(labels):
        for second in labels[i + 1:]:
            assert any(not same_rate(x, y) for x, y in zip(rows[first], rows[second])), \
                f"{name}{kwargs}: {first!r} and {second!r} agree on every epoch {epochs}"


@pytest.mark.parametrize("lr, kwargs", [(0.1, {}), (1.0, {"factor": 0.1, "patience": 2})])
def test_plateau_mistakes_are_told_apart_on_the_losses(lr, kwargs):
    """The named ReduceOnPlateau mistakes that a plateau check can see (those whose rates differ
    from the reference's on its losses) differ from each other too, so the one named is the one
    made; and each named mistake is seen by one of the two checks."""
    ref = cases.ref_module().ReduceOnPlateau(lr, **kwargs)
    expected = [ref.update(loss) for loss in cases.PLATEAU_LOSSES]
    rows = {}
    for mistake in plateau_mistakes(lr, kwargs):
        variant = mistake.output()
        rows[mistake.label] = [variant.update(loss) for loss in cases.PLATEAU_LOSSES]
    seen = sorted(label for label, row in rows.items() if row != expected)
    for i, first in enumerate(seen):
        for second in seen[i + 1:]:
            assert rows[first] != rows[second], f"{kwargs}: {first!r} and {second!r} give the same rates"


def test_every_plateau_mistake_is_seen_by_a_plateau_check():
    """Each named ReduceOnPlateau mistake changes a rate in the patience-0 or the patience-2 check."""
    unseen = {mistake.label for mistake in plateau_mistakes(1.0, {})}
    for lr, kwargs in [(0.1, {}), (1.0, {"factor": 0.1, "patience": 2})]:
        ref = cases.ref_module().ReduceOnPlateau(lr, **kwargs)
        expected = [ref.update(loss) for loss in cases.PLATEAU_LOSSES]
        for mistake in plateau_mistakes(lr, kwargs):
            variant = mistake.output()
            if [variant.update(loss) for loss in cases.PLATEAU_LOSSES] != expected:
                unseen.discard(mistake.label)
    assert not unseen, sorted(unseen)


# Degenerate results a wrong submission returns (a missing return, a wrong type, NaN from a division
# by zero, a huge array): every check must give the student a verdict, never a grader error.
DEGENERATE_RETURNS = ("None", "complex(1, 1)", "'0.5'", "{'x': 1}", "np.zeros((300, 300))", "np.full(np.shape(w), np.nan)")


def test_an_update_mistake_is_charged_to_the_stream_checks_not_the_shape_check(validity):
    """eps inside the square root is the same mistake on every shape: test_defaults and
    test_hyperparameters name it, test_shapes does not charge it again."""
    result = validity.grade(mutate(validity.reference, MUTANTS["rmsprop_eps_inside_sqrt"][0]))
    assert "test_defaults[RMSProp]" in failed(result)
    assert "test_shapes[RMSProp]" not in failed(result), sorted(failed(result))


def test_a_shape_mistake_next_to_an_update_mistake_still_fails_the_shape_check(validity):
    """The shape check excuses only a step that treats every shape alike: an update mistake does not
    hide a transpose made for square matrices only."""
    source = mutate(validity.reference, MUTANTS["rmsprop_eps_inside_sqrt"][0] + [
        ("        if self.V is None:\n            self.V = np.zeros_like(w)\n"
         "        self.V = self.rho * self.V + (1.0 - self.rho) * g**2\n",
         "        if g.ndim == 2 and g.shape[0] == g.shape[1]:\n            g = g.T\n"
         "        if self.V is None:\n            self.V = np.zeros_like(w)\n"
         "        self.V = self.rho * self.V + (1.0 - self.rho) * g**2\n")])
    result = validity.grade(source)
    assert {"test_defaults[RMSProp]", "test_shapes[RMSProp]"} <= failed(result), sorted(failed(result))
