"""Stand-ins on the trusted side for the student's functions, classes and objects.

A check calls them as if they were local (`student.sigmoid(z)`, `opt = student.Adam(lr=0.1)`,
`opt.step(w, g)`); each call is a request through `RemoteCalls`, the proxies' only way to the
worker. An object the worker made lives there and is referred to by its handle, valid while the
worker that made it runs (`RemoteCalls.is_current`).
"""
from __future__ import annotations

import math

from autograder.remote.errors import ProtocolViolation, StudentCrash, StudentException, StudentValueError


class RemoteCallable:
    """A function or class of the student's module (or a method of a remote object)."""

    def __init__(self, calls, target, attr, key):
        self._calls, self._target, self._attr, self._key = calls, target, attr, key

    def __call__(self, *args, **kwargs):
        return self._calls.call(self._target, self._attr, self._key, args, kwargs)

    def map(self, arglist, **kwargs):
        """Call once per argument tuple, in one round trip; returns the list of results."""
        return self._calls.call(self._target, self._attr, self._key, (), kwargs, op="map", arglist=arglist)

    def __repr__(self):
        return f"<student's {self._key}>"


class RemoteObject:
    """An object that lives in the worker (e.g. the student's optimizer instance)."""

    def __init__(self, calls, handle, generation: int):
        self._calls, self._handle, self._generation = calls, handle, generation
        self.type_name = handle.type

    def __wire_handle__(self):
        """The handle the worker knows this object by, when it is sent back as an argument."""
        self._check_alive()
        return self._handle

    def _check_alive(self):
        if not self._calls.is_current(self._generation):
            raise StudentCrash(f"this {self.type_name} object was lost when the student's process "
                               "was restarted after an earlier fault")

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        self._check_alive()
        return RemoteCallable(self._calls, self._handle.id, name, f"{self.type_name}.{name}")

    def __call__(self, *args, **kwargs):
        self._check_alive()
        return self._calls.call(self._handle.id, None, self.type_name, args, kwargs)

    def call(self, method: str, *args, details: bool = False, isolate: dict | None = None,
             timeout: float | None = None, **kwargs):
        """Call `method`; with `details` return a `CallResult` (inputs afterwards, FP warnings ...)."""
        self._check_alive()
        return self._calls.call(self._handle.id, method, f"{self.type_name}.{method}", args, kwargs,
                                details=details, isolate=isolate, timeout=timeout)

    def map(self, method, arglist, **kwargs):
        """Call `method` once per argument tuple in one round trip (e.g. an optimizer's steps)."""
        return getattr(self, method).map(arglist, **kwargs)

    def descend(self, method, function, start, steps):
        """``x = self.method(x, gradient(x))`` ``steps`` times in the worker, in one request, where
        ``gradient = wire.objectives.GRADIENTS[function]``; returns ``(outputs, gradients)``
        (worker.descend), for `convergence.run_in_worker` to check. Its deadline is one call's
        per 100 steps."""
        self._check_alive()
        message = {"op": "descend", "target": self._handle.id, "attr": method, "function": function,
                   "args": [[float(v) for v in start], int(steps)]}
        timeout = self._calls.call_seconds * max(1, math.ceil(steps / 100))
        value, _ = self._calls.request(message, f"{self.type_name}.{method}", timeout=timeout)
        return value

    def get(self, name):
        """Read a plain-data attribute of the object."""
        self._check_alive()
        value, _ = self._calls.request({"op": "getattr", "target": self._handle.id, "attr": name},
                                       f"{self.type_name}.{name}")
        return value

    def __array__(self, *args, **kwargs):
        raise StudentValueError(f"the submission returned a {self.type_name} object where an array was expected")

    def __float__(self):
        raise StudentValueError(f"the submission returned a {self.type_name} object where a number was expected")

    def __repr__(self):
        return f"<student's {self.type_name} object>"


class Constructed:
    """What `StudentCode.construct` made: the object and the outcome of each call on it."""

    def __init__(self, obj: RemoteObject, outcomes: list):
        self.obj, self._outcomes = obj, outcomes

    @classmethod
    def from_reply(cls, value, name: str, n_calls: int) -> "Constructed":
        """The worker's ``[object, outcomes]`` for class `name` and `n_calls` calls, validated."""
        if not (type(value) is list and len(value) == 2 and isinstance(value[0], RemoteObject)
                and type(value[1]) is list and len(value[1]) <= n_calls
                and all(type(o) is dict and len(o) == 1 and ("value" in o or "error" in o) for o in value[1])):
            raise ProtocolViolation(f"`{name}` and its calls sent back something other than an object and outcomes")
        return cls(value[0], value[1])

    def result(self, index: int):
        """The value call `index` returned; raises its error, or the error of an earlier call that
        stopped the sequence, as calling them one by one would have."""
        for outcome in self._outcomes[:index + 1]:
            if "error" in outcome:
                error = outcome["error"]
                raise StudentException(error if isinstance(error, dict) else {})
        if index >= len(self._outcomes):
            raise ProtocolViolation("a call of the sequence has no outcome")
        return self._outcomes[index]["value"]
