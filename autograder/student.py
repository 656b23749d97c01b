"""The trusted side's handle on a student's code, which runs in a sandboxed worker.

`StudentCode` never imports the submission: it starts `autograder/wire/worker.py` in
the sandbox, sends calls, and decodes the replies as plain data. Deadlines are kept
here (the worker's own timers could be defeated); on a timeout or crash the whole
worker tree is killed and a fresh worker is started for the next call, so one broken
function costs only its own checks. Callables and objects of the grader passed as
arguments stay here: the worker gets stubs, and each call of a stub runs on this side
(so evaluation counts are the grader's own).
"""
from __future__ import annotations

import importlib.util
import math
import queue
import socket
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from autograder import sandbox
from autograder.remote.batch import Batch
from autograder.sandbox import affinity, uids


def _import_on_first_use(name: str):
    """Module `name`, executed at its first attribute access (the stdlib's `LazyLoader` recipe)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# The protocol imports numpy (~70 ms), which this side first needs once a worker is launched:
# a self-check then starts the worker first and imports numpy and pytest while it boots.
protocol = _import_on_first_use("autograder.wire.protocol")

WORKER_SCRIPT = Path(__file__).parent / "wire" / "worker.py"


class StudentFault(Exception):
    """The student's code did not produce a value; the message says why."""


class StudentException(StudentFault):
    """The student's code raised."""

    def __init__(self, error: dict):
        self.type_name = str(error.get("type", "Exception"))
        self.message = str(error.get("message", ""))
        self.where = str(error.get("where", ""))
        self.lineno = error.get("lineno") if isinstance(error.get("lineno"), int) else None
        self.traceback = str(error.get("traceback", ""))
        text = f"{self.type_name}: {self.message}" if self.message else self.type_name
        if self.type_name == "NotImplementedError":
            text = "not implemented yet (raises NotImplementedError)"
        super().__init__(f"{text} ({self.where})" if self.where else text)


class StudentTimeout(StudentFault):
    """A call (or the whole submission) ran past its deadline."""


class StudentCrash(StudentFault):
    """The worker died during a call (segfault, os._exit, memory or CPU limit, ...)."""


class ProtocolViolation(StudentFault):
    """The worker sent something that is not plain data."""


class StudentValueError(StudentFault, TypeError):
    """The student's code returned an object (a handle) where a check needs data (an array, a number)."""


class SubmissionImportError(StudentFault):
    """The submission cannot be imported; every check fails with this message."""


@dataclass
class CallResult:
    """A call's value and the contract facts the worker observed during it."""

    value: object
    args_after: list = field(default_factory=list)
    kwargs_after: dict = field(default_factory=dict)
    fp_warnings: list = field(default_factory=list)
    global_rng_used: bool = False
    seconds: float = 0.0
    # Of an object's method only (worker.watch): inputs and results of the object's earlier detailed
    # calls that this call changed in place, as (call index from 0, argument index or -1 for the
    # result, value now); and the index of the argument the call returned itself (or None).
    earlier_changed: list = field(default_factory=list)
    returned_input: int | None = None


def _inputs_after(args, changed) -> list:
    """The call's positional inputs as the worker saw them afterwards: ours where it reports no change."""
    after = list(args)
    if type(changed) is not list:
        raise ProtocolViolation("malformed report of changed inputs")
    for entry in changed:
        if type(entry) is not list or len(entry) != 2 or type(entry[0]) is not int or not 0 <= entry[0] < len(after):
            raise ProtocolViolation("malformed report of changed inputs")
        after[entry[0]] = entry[1]
    return after


def _kwargs_after(kwargs, changed) -> dict:
    """The call's keyword inputs as the worker saw them afterwards: ours where it reports no change."""
    if type(changed) is not dict or not set(changed) <= set(kwargs):
        raise ProtocolViolation("malformed report of changed inputs")
    return {**kwargs, **changed}


def _earlier_changed(changed) -> list:
    """The worker's report of earlier inputs and results a call changed (worker.watch), validated."""
    if type(changed) is not list or not all(
            type(e) is list and len(e) == 3 and type(e[0]) is int and e[0] >= 0 and type(e[1]) is int
            and e[1] >= -1 for e in changed):
        raise ProtocolViolation("malformed report of changed earlier inputs")
    return [tuple(e) for e in changed]


def _returned_input(index, n_args) -> int | None:
    if index is not None and not (type(index) is int and 0 <= index < n_args):
        raise ProtocolViolation("malformed report of a returned input")
    return index


class _DeadlineSocket:
    """A socket whose every read and write respects one absolute deadline."""

    def __init__(self, sock: socket.socket):
        self.sock, self.deadline = sock, None

    def _arm(self):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.sock.settimeout(remaining)

    def recv_into(self, buffer, n):
        self._arm()
        return self.sock.recv_into(buffer, n)

    def sendall(self, data):
        self._arm()
        self.sock.sendall(data)


class StudentCode:
    """The student's module, seen from the trusted side.

    `student.sigmoid(z)` calls the function in the worker; `student.Adam(lr=0.1)` returns
    a `RemoteObject`; `student.call(name, *args, details=True, isolate={...})` returns a
    `CallResult`.
    """

    def __init__(self, source_file: Path, module_name: str, *, mode: str = "auto",
                 limits: sandbox.Limits = sandbox.Limits(), warm: bool = False):
        self._source_file = Path(source_file)
        self._warm = warm  # fork workers from this thread's zygote: for processes that grade many
        self._module_name = module_name
        self._mode = mode
        self._limits = limits
        self._worker = None
        self._channel = None
        self._ready = False
        self._generation = 0
        self._uses: dict[str, frozenset | None] = {}
        self._budget_end = None
        self._poisoned: dict[str, str] = {}
        self._trusted: dict[int, object] = {}
        self._next_request = 0
        self._depth = 0
        self._outer_key = ""
        self._call_seconds = limits.call_seconds
        self._output_parts: list[str] = []
        self.import_error: SubmissionImportError | None = None
        self._saved_affinity: set[int] | None = None  # this thread's CPUs while pinned with the worker

    @classmethod
    def unavailable(cls, message: str) -> "StudentCode":
        """A submission that cannot run at all: every call fails with `message`."""
        code = cls(Path("/nonexistent"), "unavailable")
        code.import_error = SubmissionImportError(message)
        return code

    # ------------------------------------------------------------------ lifecycle
    def launch(self) -> None:
        """Start the worker without waiting for it (it imports numpy and the submission meanwhile).

        Launch from a long-lived thread: the sandbox ties the worker's life to the launching
        thread (PR_SET_PDEATHSIG), so a worker launched by a thread that exits dies with it.
        """
        if self.import_error is not None or self._worker is not None:
            return
        now = time.monotonic()
        if self._budget_end is None:
            self._budget_end = now + self._limits.submission_seconds
        if sandbox.portable_selected(self._mode):  # the channel is the worker's stdin and stdout
            self._worker = sandbox.start_portable_worker(WORKER_SCRIPT, self._source_file, self._module_name,
                                                         limits=self._limits)
            ours = self._worker.channel
        else:
            ours, theirs = socket.socketpair()
            try:
                self._worker = sandbox.start_worker(WORKER_SCRIPT, self._source_file, self._module_name,
                                                    theirs.fileno(), mode=self._mode, limits=self._limits,
                                                    warm=self._warm)
            finally:
                theirs.close()
        self._generation += 1
        self._channel = _DeadlineSocket(ours)
        self._channel.deadline = min(now + self._limits.import_seconds, self._budget_end)
        self._ready = False

    def start(self) -> None:
        """Start the worker if needed and wait until the submission is imported."""
        if self.import_error is not None:
            # a fresh traceback each time: re-raising one exception object makes its traceback
            # grow by a stack per raise, and every report of it slower
            raise self.import_error.with_traceback(None)
        self.launch()
        if self._ready:
            return
        try:
            hello = protocol.recv(self._channel, self._limits.frame_bytes, self._resolve)
        except TimeoutError:
            self.import_error = SubmissionImportError(
                f"importing the submission took longer than {self._limits.import_seconds:g} s "
                "(an infinite loop or a long computation at module level?)")
        except EOFError:
            if self._worker.sandbox_failure() is not None:  # bwrap itself cannot run here: use the fallback
                self._stop(keep_output=False)  # what the failed sandbox printed is not the student's
                return self.start()
            self.import_error = SubmissionImportError(
                "the submission's process exited while being imported "
                "(sys.exit/os._exit at module level, a crash, or a resource limit)" + self._output_tail())
        except (protocol.ProtocolViolation, OSError) as exc:
            self.import_error = SubmissionImportError(f"the submission broke the worker at import: {exc}")
        else:
            if hello.get("op") == "import_error" and isinstance(hello.get("error"), dict):
                error = StudentException(hello["error"])
                self.import_error = SubmissionImportError(f"cannot import your submission: {error}")
            elif hello.get("op") != "ready":
                self.import_error = SubmissionImportError("the worker did not start properly")
        if self.import_error is not None:
            self._stop()
            raise self.import_error
        self._ready = True
        if self._worker.host_uid is not None:  # every process of the leased uid is this worker's
            saved = affinity.pin_thread_with(partial(uids.processes_of, self._worker.host_uid))
            self._saved_affinity = self._saved_affinity or saved

    def close(self) -> None:
        """Kill the worker tree; nothing of the student's survives this."""
        self._stop()
        affinity.restore_thread(self._saved_affinity)
        self._saved_affinity = None

    def _stop(self, keep_output: bool = True):
        if self._worker is not None:
            self._worker.kill()
            if keep_output:
                self._output_parts.append(self._worker.output())
            self._worker = None
        if self._channel is not None:
            self._channel.sock.close()
            self._channel = None

    def output(self) -> str:
        """What the student's code printed (capped per worker)."""
        parts = self._output_parts + ([self._worker.output()] if self._worker else [])
        return "".join(parts)[: self._limits.output_bytes]

    def _output_tail(self):
        if self._worker is None:
            return ""
        tail = self._worker.output().strip()[-500:]
        return f"\n--- output ---\n{tail}" if tail else ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ calling
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return RemoteCallable(self, "module", name, name)

    def has(self, name: str) -> bool:
        """Whether the submission defines `name` at module level."""
        value, _ = self._request({"op": "hasattr", "target": "module", "attr": name}, name)
        return value is True

    def uses(self, name: str) -> frozenset | None:
        """The names module-level `name` may read at call time (`worker.names_used`), asked once;
        None when the worker cannot tell (or answers something else): then assume all of them."""
        if name not in self._uses:
            value, _ = self._request({"op": "uses", "target": "module", "attr": name}, name)
            self._uses[name] = (frozenset(value) if isinstance(value, list) and all(isinstance(v, str) for v in value)
                                else None)
        return self._uses[name]

    def rng(self, seed: int) -> "RemoteObject":
        """`np.random.default_rng(seed)` made in the worker, to hand to the student's code.

        A real Generator on the student's side, so every correct way of drawing works
        (`dtype=`, `default_rng(rng)`, scipy's `random_state=rng`) at full speed; the
        checks compare what comes back across seeds and read its state with
        `.get("bit_generator").get("state")`.
        """
        value, _ = self._request({"op": "rng", "seed": int(seed)}, "rng")
        return value

    def call(self, name: str, *args, details: bool = False, isolate: dict | None = None,
             timeout: float | None = None, **kwargs):
        """Call module-level `name`; with `details` return a `CallResult`."""
        return self._call("module", name, name, args, kwargs, details=details, isolate=isolate,
                          timeout=timeout)

    def construct(self, cls: str, args, calls) -> "Constructed":
        """``obj = cls(*args)``, then ``getattr(obj, method)(*method_args)`` for each ``(method,
        method_args)`` of `calls` in order, all in one round trip (a gate's constructor, forward and
        backward). Calls after the first that raises are not made. A timeout poisons the class and
        every method named, as the separate calls would have been poisoned one by one."""
        keys = [cls] + [f"{cls}.{method}" for method, _ in calls]
        for key in keys:
            if key in self._poisoned:
                raise StudentTimeout(self._poisoned[key])
        message = {"op": "construct", "target": "module", "attr": cls, "args": list(args),
                   "calls": [[method, tuple(method_args)] for method, method_args in calls]}
        try:
            value, _ = self._request(message, keys[-1])
        except StudentTimeout as exc:
            for key in keys:
                self._poisoned.setdefault(key, str(exc))
            raise
        if not (type(value) is list and len(value) == 2 and isinstance(value[0], RemoteObject)
                and type(value[1]) is list and len(value[1]) <= len(calls)
                and all(type(o) is dict and len(o) == 1 and ("value" in o or "error" in o) for o in value[1])):
            raise ProtocolViolation(f"`{cls}` and its calls sent back something other than an object and outcomes")
        return Constructed(value[0], value[1])

    def batch(self):
        """A block whose calls on the student's objects are sent in one round trip when it ends
        (`autograder.remote.batch`): ``with student.batch() as b: g = b.AddGate(); out = g.forward(x, y)``."""
        return Batch(self)

    @contextmanager
    def stream(self, calls):
        """Iterate over ``call()`` for each of `calls` (callables that call this student's code),
        each made by a helper thread while the caller works on the results before it.

        The helper keeps this thread's pin with the worker; meanwhile the caller runs on the CPUs
        it had before `start` (so a self-check computes on the second core while the worker
        draws). The first call that raises ends the stream and its error is raised in the caller,
        in its place; leaving the block stops the helper after its current call. Use the student
        only through the stream inside the block.
        """
        self.start()
        results: queue.SimpleQueue = queue.SimpleQueue()
        stop = threading.Event()

        def fetch():
            try:
                for call in calls:
                    if stop.is_set():
                        return
                    if self._worker is None:  # never relaunch from this short-lived thread
                        raise StudentCrash("the student's process was stopped by an earlier fault")
                    results.put((True, call()))
            except BaseException as exc:  # re-raised in the caller
                results.put((False, exc))
            else:
                results.put((False, None))

        def drain():
            while True:
                ok, value = results.get()
                if ok:
                    yield value
                elif value is None:
                    return
                else:
                    raise value

        helper = threading.Thread(target=fetch, name="student-stream", daemon=True)
        helper.start()  # before widening: it inherits the pin
        try:
            with affinity.widened(self._saved_affinity):
                yield drain()
        finally:
            stop.set()
            helper.join()

    def _call(self, target, attr, key, args, kwargs, *, details=False, isolate=None, timeout=None,
              op="call", arglist=None):
        message = {"op": op, "target": target, "attr": attr, "args": list(args)}
        if kwargs:  # absent keyword arguments and options are the worker's defaults: a smaller frame
            message["kwargs"] = dict(kwargs)
        if details or isolate:
            message["opts"] = {"details": details, "isolate": dict(isolate or {})}
        if arglist is not None:
            message["arglist"] = [tuple(a) for a in arglist]  # tuples of like arrays travel as stacked columns
        started = time.perf_counter()
        value, meta = self._request(message, key, timeout=timeout)
        if arglist is not None and not (type(value) is list and len(value) == len(message["arglist"])):
            got = f"{len(value)} results" if type(value) is list else f"a {type(value).__name__}"
            raise ProtocolViolation(f"`{key}` was called {len(message['arglist'])} times in one request, "
                                    f"and {got} came back")
        if not details:
            return value
        return CallResult(value=value, args_after=_inputs_after(args, meta.get("args_changed", [])),
                          kwargs_after=_kwargs_after(kwargs, meta.get("kwargs_changed", {})),
                          fp_warnings=[str(w) for w in meta.get("fp_warnings", [])],
                          global_rng_used=meta.get("global_rng_used") is True,
                          seconds=time.perf_counter() - started,
                          earlier_changed=_earlier_changed(meta.get("earlier_changed", [])),
                          returned_input=_returned_input(meta.get("returned_input"), len(args)))

    def _request(self, message, key, timeout=None):
        """Send one request, serve callbacks until its reply; returns (value, meta).

        Requests nest: a grader callback (e.g. a reference line search) may call back into
        the student's code (e.g. its `phi`). Deadlines and the callback table belong to the
        outermost request; a timeout anywhere poisons both the inner and the outer key.
        """
        outermost = self._depth == 0
        if outermost:
            if key in self._poisoned:
                raise StudentTimeout(self._poisoned[key])
            self.start()
            now = time.monotonic()
            if now >= self._budget_end:
                raise StudentTimeout(f"skipped: the submission used up its time budget of "
                                     f"{self._limits.submission_seconds:g} s")
            self._call_seconds = timeout or self._limits.call_seconds
            self._channel.deadline = min(now + self._call_seconds, self._budget_end)
            self._outer_key = key
            self._trusted = {}
        elif self._channel is None:
            raise StudentCrash("the student's process was stopped by an earlier fault")
        self._depth += 1
        try:
            return self._exchange(message)
        except TimeoutError:
            self._stop()
            if time.monotonic() >= self._budget_end:
                raise StudentTimeout(f"`{self._outer_key}` was stopped: the submission used up its time "
                                     f"budget of {self._limits.submission_seconds:g} s") from None
            text = (f"`{self._outer_key}` did not return within {self._call_seconds:g} s "
                    "(infinite loop?); its other checks are skipped")
            self._poisoned[key] = self._poisoned[self._outer_key] = text
            raise StudentTimeout(text) from None
        except EOFError:
            tail = self._output_tail()
            self._stop()
            raise StudentCrash(f"the process running `{key}` died (crash, os._exit, sys.exit in a "
                               f"thread, or a memory/CPU limit){tail}") from None
        except protocol.ProtocolViolation as exc:
            self._stop()
            raise ProtocolViolation(f"`{key}` sent back something that is not plain data: {exc}") from None
        except OSError as exc:
            self._stop()
            raise StudentCrash(f"the channel to `{key}` broke: {exc}") from None
        finally:
            self._depth -= 1
            if outermost:
                self._trusted = {}

    def _exchange(self, message):
        self._next_request += 1
        rid = self._next_request
        message = dict(message, id=rid)
        protocol.send(self._channel, message, self._register)
        while True:
            reply = protocol.recv(self._channel, self._limits.frame_bytes, self._resolve)
            op = reply["op"]
            if op in ("return", "raise"):
                if reply.get("id") != rid:
                    raise protocol.ProtocolViolation("reply to an unknown request")
                if op == "raise":
                    error = reply.get("error")
                    raise StudentException(error if isinstance(error, dict) else {})
                meta = reply.get("meta")
                return reply.get("value"), (meta if isinstance(meta, dict) else {})
            if op == "call":
                self._serve_callback(reply)
            else:
                raise protocol.ProtocolViolation(f"unexpected op {op!r}")

    # ------------------------------------------------------------------ callbacks
    def _register(self, obj):
        """Keep a grader object here; the worker gets a handle to it."""
        if isinstance(obj, RemoteObject):
            return obj._handle_for(self)
        handle_id = len(self._trusted) + 1
        self._trusted[handle_id] = obj
        return protocol.Handle(handle_id, "t", getattr(obj, "__name__", type(obj).__name__))

    def _resolve(self, handle):
        if handle.side == "t":
            try:
                return self._trusted[handle.id]
            except KeyError:
                raise protocol.ProtocolViolation("unknown grader handle") from None
        return RemoteObject(self, handle, self._generation)

    def _serve_callback(self, request):
        """Run a grader callable the worker called back (only ones we handed out)."""
        rid, target, attr = request.get("id"), request.get("target"), request.get("attr")
        if type(target) is not int or target not in self._trusted:
            raise protocol.ProtocolViolation("callback to an unknown grader object")
        if attr is not None and (type(attr) is not str or attr.startswith("_")):
            raise protocol.ProtocolViolation("callback to a private attribute")
        args, kwargs = request.get("args", []), request.get("kwargs", {})
        if type(args) is not list or type(kwargs) is not dict:
            raise protocol.ProtocolViolation("malformed callback arguments")
        obj = self._trusted[target]
        try:
            func = getattr(obj, attr) if attr else obj
            value = func(*args, **kwargs)
        except StudentException as exc:  # the student's own code, called back from ours, raised
            reply = {"op": "raise", "id": rid, "error": {"type": "StudentError", "message": str(exc)}}
        except StudentFault:
            raise
        except Exception as exc:  # the student called the grader's function wrongly
            reply = {"op": "raise", "id": rid, "error": {"type": type(exc).__name__, "message": str(exc)[:500]}}
        else:
            reply = {"op": "return", "id": rid, "value": value}
        protocol.send(self._channel, reply, self._register)


class Constructed:
    """What `StudentCode.construct` made: the object and the outcome of each call on it."""

    def __init__(self, obj: "RemoteObject", outcomes: list):
        self.obj, self._outcomes = obj, outcomes

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


class RemoteCallable:
    """A function or class of the student's module (or a method of a remote object)."""

    def __init__(self, student: StudentCode, target, attr, key):
        self._student, self._target, self._attr, self._key = student, target, attr, key

    def __call__(self, *args, **kwargs):
        return self._student._call(self._target, self._attr, self._key, args, kwargs)

    def map(self, arglist, **kwargs):
        """Call once per argument tuple, in one round trip; returns the list of results."""
        return self._student._call(self._target, self._attr, self._key, (), kwargs, op="map",
                                   arglist=arglist)

    def __repr__(self):
        return f"<student's {self._key}>"


class RemoteObject:
    """An object that lives in the worker (e.g. the student's optimizer instance)."""

    def __init__(self, student: StudentCode, handle: protocol.Handle, generation: int):
        self._student, self._handle, self._generation = student, handle, generation
        self.type_name = handle.type

    def _handle_for(self, student):
        self._check_alive()
        return self._handle

    def _check_alive(self):
        if self._generation != self._student._generation or self._student._worker is None:
            raise StudentCrash(f"this {self.type_name} object was lost when the student's process "
                               "was restarted after an earlier fault")

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        self._check_alive()
        return RemoteCallable(self._student, self._handle.id, name, f"{self.type_name}.{name}")

    def __call__(self, *args, **kwargs):
        self._check_alive()
        return self._student._call(self._handle.id, None, self.type_name, args, kwargs)

    def call(self, method: str, *args, details: bool = False, isolate: dict | None = None,
             timeout: float | None = None, **kwargs):
        """Call `method`; with `details` return a `CallResult` (inputs afterwards, FP warnings ...)."""
        self._check_alive()
        return self._student._call(self._handle.id, method, f"{self.type_name}.{method}", args, kwargs,
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
        timeout = self._student._limits.call_seconds * max(1, math.ceil(steps / 100))
        value, _ = self._student._request(message, f"{self.type_name}.{method}", timeout=timeout)
        return value

    def get(self, name):
        """Read a plain-data attribute of the object."""
        self._check_alive()
        value, _ = self._student._request({"op": "getattr", "target": self._handle.id, "attr": name},
                                          f"{self.type_name}.{name}")
        return value

    def __array__(self, *args, **kwargs):
        raise StudentValueError(f"the submission returned a {self.type_name} object where an array was expected")

    def __float__(self):
        raise StudentValueError(f"the submission returned a {self.type_name} object where a number was expected")

    def __repr__(self):
        return f"<student's {self.type_name} object>"
