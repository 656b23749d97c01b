"""Validity of the `optimizers` rubric (issue 3 item 7): the shared checks of harness.py on its
mutants (each with the diagnosis its check's feedback must give), its demo cohort
(examples/cohort/optimizers) and its stubs; and every named mistake is distinguishable on the
gradient stream it is diagnosed on.
"""
from __future__ import annotations

import pytest

from autograder.suites.optimizers import common
from autograder.suites.optimizers.variants import optimizer_variants

from harness import ROOT, failed, mutate

from harness import (  # the shared tests, collected in this module too
    Validity, test_cohort_gets_expected_results, test_empty_file_scores_zero,
    test_every_check_catches_a_known_mistake, test_filled_released_notebook_gets_full_marks,
    test_mutant_fails_the_check_that_names_it, test_reference_gets_full_marks,
    test_released_stub_scores_zero, test_stub_scores_zero)

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
}

VALIDITY = Validity("optimizers", notebook_student="hal_notebook", mutants=MUTANTS)


STREAM_CASES = ([(name, {}, common.VISIBLE_SEED) for name in common.CLASSES]
                + [(name, common.HIDDEN_HYPER[name], common.HIDDEN_SEED) for name in common.CLASSES]
                + [("Momentum", {"lr": 0.1, "mu": 0.8, "ema": True}, common.HIDDEN_SEED),
                   ("Adam", {"lr": 0.01, "amsgrad": True}, common.HIDDEN_SEED)])


@pytest.mark.parametrize("name, kwargs, seed", STREAM_CASES)
def test_every_variant_is_distinguishable_on_its_stream(name, kwargs, seed):
    """Each named mistake changes some step beyond the tolerance on the stream it is diagnosed on."""
    ws = common.reference_iterates(name, kwargs, seed)
    grads = common.gradient_stream(seed)[1]
    variants = optimizer_variants(name, kwargs)
    if not kwargs:
        variants.update(common.default_variants(name))
    for label, factory in variants.items():
        outputs = common.teacher_forced(factory(), ws[:-1], grads)
        assert common.first_mismatch(outputs, ws[1:], ws) is not None, f"{name}{kwargs}: {label}"


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
}


@pytest.mark.parametrize("alternative", sorted(ALTERNATIVES))
def test_correct_alternative_gets_full_marks(validity, alternative):
    result = validity.grade(mutate(validity.reference, ALTERNATIVES[alternative]))
    assert failed(result) == set(), sorted(failed(result))
    assert result.score == result.max_score


def test_every_mutant_names_its_diagnosis():
    """Each mutant asserts a fragment of its diagnosis, not only that its check failed."""
    assert all(len(spec) == 3 and spec[2] for spec in MUTANTS.values()), \
        [name for name, spec in MUTANTS.items() if len(spec) < 3 or not spec[2]]


@pytest.mark.parametrize("wrong, check_id", [("adagrad_loops_over_rows", "test_shapes[AdaGrad]"),
                                             ("momentum_velocity_from_w_difference", "test_shapes[Momentum]")])
def test_shape_mistakes_are_not_blamed_on_shared_state(validity, wrong, check_id):
    """The shared-state probe runs on failures; code that fails for another reason is not told it shares state."""
    result = validity.grade(mutate(validity.reference, MUTANTS[wrong][0]))
    output = {c.check_id: c.output for c in result.checks}[check_id]
    assert "shared between instances" not in output, output
