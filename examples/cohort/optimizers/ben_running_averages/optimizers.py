"""Optimizers (Ben): state in a dict, averages updated as  avg += (1 - beta) * (x - avg)."""
import numpy as np


class _Optimizer:
    def __init__(self, **hyper):
        self.hyper = hyper
        self.state = {}

    def _get(self, name, like):
        if name not in self.state:
            self.state[name] = np.zeros_like(like, dtype=np.float64)
        return self.state[name]


class SGD(_Optimizer):
    def __init__(self, lr=0.01):
        super().__init__(lr=lr)

    def step(self, w, g):
        return w + (-self.hyper["lr"]) * g


class Momentum(_Optimizer):
    def __init__(self, lr=0.01, mu=0.9, ema=False):
        super().__init__(lr=lr, mu=mu, ema=ema)

    def step(self, w, g):
        h = self.hyper
        lr = h["lr"] * (1 - h["mu"]) if h["ema"] else h["lr"]
        v = h["mu"] * self._get("v", w) - lr * g
        self.state["v"] = v
        return w + v


class Nesterov(_Optimizer):
    def __init__(self, lr=0.01, mu=0.9):
        super().__init__(lr=lr, mu=mu)

    def step(self, w, g):
        mu, lr = self.hyper["mu"], self.hyper["lr"]
        v_new = mu * self._get("v", w) - lr * g
        self.state["v"] = v_new
        # w - mu v + (1 + mu) v_new  ==  w + mu v_new - lr g
        return w + mu * v_new - lr * g


class AdaGrad(_Optimizer):
    def __init__(self, lr=0.01, eps=1e-10):
        super().__init__(lr=lr, eps=eps)

    def step(self, w, g):
        G = self._get("G", w)
        G += g**2  # our own state array: updating it in place is fine
        return w - self.hyper["lr"] / (np.sqrt(G) + self.hyper["eps"]) * g


class RMSProp(_Optimizer):
    def __init__(self, lr=0.01, rho=0.99, eps=1e-8):
        super().__init__(lr=lr, rho=rho, eps=eps)

    def step(self, w, g):
        V = self._get("V", w)
        V += (1 - self.hyper["rho"]) * (g**2 - V)
        return w - self.hyper["lr"] * g / (np.sqrt(V) + self.hyper["eps"])


class AdaDelta(_Optimizer):
    def __init__(self, lr=1.0, rho=0.9, eps=1e-6):
        super().__init__(lr=lr, rho=rho, eps=eps)

    def step(self, w, g):
        rho, eps = self.hyper["rho"], self.hyper["eps"]
        V, U = self._get("V", w), self._get("U", w)
        V += (1 - rho) * (g**2 - V)
        d = g * np.sqrt((U + eps) / (V + eps))
        U += (1 - rho) * (d**2 - U)
        return w - self.hyper["lr"] * d


class Adam(_Optimizer):
    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps, amsgrad=amsgrad)
        self.t = 0

    def _moments(self, g, like):
        b1, b2 = self.hyper["beta1"], self.hyper["beta2"]
        self.t += 1
        m, v = self._get("m", like), self._get("v", like)
        m += (1 - b1) * (g - m)
        v += (1 - b2) * (g * g - v)
        return m / (1 - b1**self.t), v / (1 - b2**self.t)

    def step(self, w, g):
        mhat, vhat = self._moments(g, w)
        if self.hyper["amsgrad"]:
            vmax = self._get("vmax", w)
            np.maximum(vmax, vhat, out=vmax)
            vhat = vmax
        return w - self.hyper["lr"] * mhat / (np.sqrt(vhat) + self.hyper["eps"])


class AdamW(Adam):
    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
        self.weight_decay = weight_decay

    def step(self, w, g):
        decayed = w - self.hyper["lr"] * self.weight_decay * w
        return super().step(decayed, g)


class NAdam(Adam):
    def __init__(self, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps)

    def step(self, w, g):
        b1 = self.hyper["beta1"]
        mhat, vhat = self._moments(g, w)
        nesterov = b1 * mhat + (1 - b1) * g / (1 - b1**self.t)
        return w - self.hyper["lr"] * nesterov / (np.sqrt(vhat) + self.hyper["eps"])


def step_decay(eta0, k, drop=0.5, every=10):
    rate = eta0
    for _ in range(k // every):
        rate *= drop
    return rate


def exponential_decay(eta0, k, rate=0.1):
    return eta0 / np.exp(rate * k)


def inverse_time_decay(eta0, k, rate=0.1):
    return eta0 / (1 + rate * k)


class ReduceOnPlateau:
    def __init__(self, lr, factor=0.5, patience=0):
        self.lr, self.factor, self.patience = lr, factor, patience
        self.history = []
        self.bad_in_a_row = 0

    def update(self, loss):
        if self.history and loss >= min(self.history):
            self.bad_in_a_row += 1
        else:
            self.bad_in_a_row = 0
        self.history.append(loss)
        if self.bad_in_a_row > self.patience:
            self.lr = self.lr * self.factor
            self.bad_in_a_row = 0
        return self.lr
