"""Calls on the student's objects that read like plain calls and travel in one round trip.

A check writes what it means::

    with student.batch() as batch:
        gate = batch.SigmoidGate()
        out = gate.forward(x)
        grads = gate.backward(dout)
    out.value, grads.value

and the block sends, when it ends, one request per object made in it: the construction and then
its method calls in order (`StudentCode.construct`). Batching is a speed detail only: `.value`
returns what the call returned, or raises its error, or the error of an earlier call on the same
object that stopped the sequence -- exactly what making the calls one by one would have done.
"""
from __future__ import annotations


class Batch:
    """The objects made in one `with student.batch()` block; each is sent when the block ends."""

    def __init__(self, student):
        self._student = student
        self._objects: list[PendingObject] = []

    def __getattr__(self, cls: str):
        return _positional_only(cls, "construction", lambda args: self._make(cls, args))

    def _make(self, cls: str, args: tuple) -> "PendingObject":
        made = PendingObject(cls, args)
        self._objects.append(made)
        return made

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            for made in self._objects:
                made._send(self._student)


class PendingObject:
    """An object the block will make; calling a method records the call and returns its `Pending` result."""

    def __init__(self, cls: str, args: tuple):
        self._cls, self._args = cls, args
        self._calls: list[tuple[str, tuple]] = []
        self._constructed = None

    def __getattr__(self, method: str):
        return _positional_only(method, "call", lambda args: self._record(method, args))

    def _record(self, method: str, args: tuple) -> "Pending":
        self._calls.append((method, args))
        return Pending(self, len(self._calls) - 1)

    @property
    def remote(self):
        """The student's object itself (a `RemoteObject`), once the block has ended."""
        return self._outcomes().obj

    def _send(self, student) -> None:
        self._constructed = student.construct(self._cls, self._args, self._calls)

    def _outcomes(self):
        if self._constructed is None:
            raise RuntimeError(f"`{self._cls}` is read before its `with student.batch()` block ended")
        return self._constructed


def _positional_only(name: str, what: str, record):
    """The stand-in for attribute `name` of the block's objects: a callable that passes its
    positional arguments to `record` (a batched `what` carries positional arguments only)."""
    if name.startswith("_"):
        raise AttributeError(name)

    def call(*args, **kwargs):
        if kwargs:
            raise TypeError(f"a batched {what} takes positional arguments only")
        return record(args)
    return call


class Pending:
    """The result of one batched call: `.value` once the block has ended."""

    def __init__(self, made: PendingObject, index: int):
        self._made, self._index = made, index

    @property
    def value(self):
        """What the call returned; raises its error (or that of an earlier call that stopped the sequence)."""
        return self._made._outcomes().result(self._index)
