"""The trusted side's handle on a student's code, which runs in a sandboxed worker.

`StudentCode` never imports the submission. It is a thin facade over four parts: the worker's
supervisor (`supervisor.py`: start, restart after faults, output), the deadlines (`budget.py`),
the requests and callbacks (`calls.py`, over the loop the worker runs too, `wire/endpoint.py`),
and the proxies a check calls (`proxies.py`). Callables and objects of the grader passed as
arguments stay here: the worker gets stubs, and each call of a stub runs on this side (so
evaluation counts are the grader's own).
"""
from __future__ import annotations

from pathlib import Path

from autograder import sandbox
from autograder.remote.batched import Batch
from autograder.remote.budget import CallBudget
from autograder.remote.calls import RemoteCalls
from autograder.remote.errors import StudentTimeout, SubmissionImportError
from autograder.remote.proxies import Constructed, RemoteCallable, RemoteObject
from autograder.remote.stream import stream
from autograder.remote.supervisor import WorkerSupervisor


class StudentCode:
    """The student's module, seen from the trusted side.

    `student.sigmoid(z)` calls the function in the worker; `student.Adam(lr=0.1)` returns
    a `RemoteObject`; `student.call(name, *args, details=True, isolate={...})` returns a
    `CallResult`.
    """

    def __init__(self, source_file: Path, module_name: str, *, mode: str = "auto",
                 limits: sandbox.Limits = sandbox.Limits(), warm: bool = False):
        self._budget = CallBudget(limits)
        self._supervisor = WorkerSupervisor(source_file, module_name, mode=mode, limits=limits, warm=warm,
                                            budget=self._budget)
        self._calls = RemoteCalls(self._supervisor, self._budget)
        self._uses: dict[str, frozenset | None] = {}

    @classmethod
    def unavailable(cls, message: str) -> "StudentCode":
        """A submission that cannot run at all: every call fails with `message`."""
        code = cls(Path("/nonexistent"), "unavailable")
        code.import_error = SubmissionImportError(message)
        return code

    @property
    def import_error(self) -> SubmissionImportError | None:
        """Why the submission cannot be imported, once that is known (every call then fails with it)."""
        return self._supervisor.import_error

    @import_error.setter
    def import_error(self, error: SubmissionImportError | None) -> None:
        self._supervisor.import_error = error

    # ------------------------------------------------------------------ lifecycle
    def launch(self) -> None:
        """Start the worker without waiting for it (`WorkerSupervisor.launch`: from a long-lived thread)."""
        self._supervisor.launch()

    def start(self) -> None:
        """Start the worker if needed and wait until the submission is imported."""
        self._supervisor.start()

    def close(self) -> None:
        """Kill the worker tree; nothing of the student's survives this."""
        self._supervisor.close()

    def output(self) -> str:
        """What the student's code printed (capped per worker)."""
        return self._supervisor.output()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ calling
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return RemoteCallable(self._calls, "module", name, name)

    def has(self, name: str) -> bool:
        """Whether the submission defines `name` at module level."""
        value, _ = self._calls.request({"op": "hasattr", "target": "module", "attr": name}, name)
        return value is True

    def uses(self, name: str) -> frozenset | None:
        """The names module-level `name` may read at call time (`isolation.names_used`), asked once;
        None when the worker cannot tell (or answers something else): then assume all of them."""
        if name not in self._uses:
            value, _ = self._calls.request({"op": "uses", "target": "module", "attr": name}, name)
            self._uses[name] = (frozenset(value) if isinstance(value, list) and all(isinstance(v, str) for v in value)
                                else None)
        return self._uses[name]

    def rng(self, seed: int) -> RemoteObject:
        """`np.random.default_rng(seed)` made in the worker, to hand to the student's code.

        A real Generator on the student's side, so every correct way of drawing works
        (`dtype=`, `default_rng(rng)`, scipy's `random_state=rng`) at full speed; the
        checks compare what comes back across seeds and read its state with
        `.get("bit_generator").get("state")`.
        """
        value, _ = self._calls.request({"op": "rng", "seed": int(seed)}, "rng")
        return value

    def call(self, name: str, *args, details: bool = False, isolate: dict | None = None,
             timeout: float | None = None, **kwargs):
        """Call module-level `name`; with `details` return a `CallResult`."""
        return self._calls.call("module", name, name, args, kwargs, details=details, isolate=isolate,
                                timeout=timeout)

    def construct(self, cls: str, args, calls) -> Constructed:
        """``obj = cls(*args)``, then ``getattr(obj, method)(*method_args)`` for each ``(method,
        method_args)`` of `calls` in order, all in one round trip (a gate's constructor, forward and
        backward). Calls after the first that raises are not made. A timeout poisons the class and
        every method named, as the separate calls would have been poisoned one by one."""
        keys = [cls] + [f"{cls}.{method}" for method, _ in calls]
        self._budget.refuse_poisoned(*keys)
        message = {"op": "construct", "target": "module", "attr": cls, "args": list(args),
                   "calls": [[method, tuple(method_args)] for method, method_args in calls]}
        try:
            value, _ = self._calls.request(message, keys[-1])
        except StudentTimeout as exc:
            self._budget.poison(str(exc), *keys)
            raise
        return Constructed.from_reply(value, cls, len(calls))

    def batch(self) -> Batch:
        """A block whose calls on the student's objects are sent in one round trip when it ends
        (`autograder.remote.batched`): ``with student.batch() as b: g = b.AddGate(); out = g.forward(x, y)``."""
        return Batch(self)

    def stream(self, calls):
        """Iterate over ``call()`` for each of `calls`, made by a helper thread while the caller works
        on the results before it (`remote.stream.stream`)."""
        return stream(self._supervisor, calls)
