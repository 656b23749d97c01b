"""Validity of the `optimizers` rubric (issue 3 item 7): the shared checks of harness.py on its
mutants (each with the diagnosis its check's feedback must give), its demo cohort
(examples/cohort/optimizers) and its stubs; and every named mistake is distinguishable on the
gradient stream it is diagnosed on.
"""
from __future__ import annotations

import pytest

from autograder.suites.optimizers import common
from autograder.suites.optimizers.variants import optimizer_variants

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
        "test_nesterov_quadratic", "away from the minimizer"),
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
        "test_contract[RMSProp]", "must not share state"),
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
