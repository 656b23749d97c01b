"""The trusted side's requests to one worker, and the callbacks served while one is in progress.

A request goes out through the same request/reply loop the worker runs (`wire/endpoint.py`).
Requests nest: a grader callback (e.g. a reference line search) may call back into the student's
code (e.g. its `phi`). Deadlines and the table of grader objects handed out belong to the
outermost request; a timeout anywhere poisons both the inner and the outer function. Every way a
request can fail becomes a `StudentFault`, and every fault but the student's own exception kills
the worker (the next request starts a fresh one).
"""
from __future__ import annotations

import time

from autograder.remote.budget import CallBudget
from autograder.remote.errors import (
    CallResult, ProtocolViolation, StudentCrash, StudentException, StudentFault)
from autograder.remote.lazy import import_on_first_use
from autograder.remote.proxies import RemoteObject
from autograder.remote.supervisor import WorkerSupervisor

endpoint = import_on_first_use("autograder.wire.endpoint")
protocol = import_on_first_use("autograder.wire.protocol")


class RemoteCalls:
    """Requests to the worker that `supervisor` runs, within the deadlines of `budget`."""

    def __init__(self, supervisor: WorkerSupervisor, budget: CallBudget):
        self._supervisor, self._budget = supervisor, budget
        self._endpoint = None
        self._endpoint_generation = 0
        self._depth = 0
        self._outer_key = ""

    @property
    def module_name(self) -> str:
        """The name the submission is imported as in the worker."""
        return self._supervisor.module_name

    @property
    def call_seconds(self) -> float:
        """The deadline of one call, unless the call names its own."""
        return self._budget.limits.call_seconds

    def is_current(self, generation: int) -> bool:
        """Whether objects made by worker `generation` still exist (that worker still runs)."""
        return generation == self._supervisor.generation and self._supervisor.running

    def call(self, target, attr, key, args, kwargs, *, details=False, isolate=None, timeout=None,
             op="call", arglist=None):
        """``target.attr(*args, **kwargs)`` in the worker (`target` "module" or an object's handle id;
        `attr` None calls the target itself); with `details` a `CallResult`. `op` "map" calls it once
        per tuple of `arglist`. `key` names the function in messages and in the poisoned set."""
        message = {"op": op, "target": target, "attr": attr, "args": list(args)}
        if kwargs:  # absent keyword arguments and options are the worker's defaults: a smaller frame
            message["kwargs"] = dict(kwargs)
        if details or isolate:
            message["opts"] = {"details": details, "isolate": dict(isolate or {})}
        if arglist is not None:
            message["arglist"] = [tuple(a) for a in arglist]  # tuples of like arrays travel as stacked columns
        started = time.perf_counter()
        value, meta = self.request(message, key, timeout=timeout)
        if arglist is not None and not (type(value) is list and len(value) == len(message["arglist"])):
            got = f"{len(value)} results" if type(value) is list else f"a {type(value).__name__}"
            raise ProtocolViolation(f"`{key}` was called {len(message['arglist'])} times in one request, "
                                    f"and {got} came back")
        if not details:
            return value
        return CallResult.from_report(value, args, kwargs, meta, time.perf_counter() - started)

    def request(self, message, key, timeout=None):
        """Send one request and serve callbacks until its reply; returns ``(value, meta)``."""
        outermost = self._depth == 0
        if outermost:
            self._budget.refuse_poisoned(key)
            self._supervisor.start()
            self._supervisor.stream.deadline = self._budget.call_deadline(timeout)
            self._outer_key = key
        elif not self._supervisor.running:
            raise StudentCrash("the student's process was stopped by an earlier fault")
        peer = self._current_endpoint()
        self._depth += 1
        try:
            return peer.request(message)
        except endpoint.RemoteError as exc:
            raise StudentException(exc.error) from None
        except TimeoutError:
            self._supervisor.stop()
            raise self._budget.timed_out(self._outer_key, key) from None
        except EOFError:
            tail = self._supervisor.output_tail()
            self._supervisor.stop()
            raise StudentCrash(f"the process running `{key}` died (crash, os._exit, sys.exit in a "
                               f"thread, or a memory/CPU limit){tail}") from None
        except protocol.ProtocolViolation as exc:
            self._supervisor.stop()
            raise ProtocolViolation(f"`{key}` sent back something that is not plain data: {exc}") from None
        except OSError as exc:
            self._supervisor.stop()
            raise StudentCrash(f"the channel to `{key}` broke: {exc}") from None
        finally:
            self._depth -= 1
            if outermost:
                peer.forget()  # the grader objects of this request (a new endpoint starts without any)

    def _current_endpoint(self):
        """The loop over the running worker's channel (a new one for each worker launched)."""
        if self._endpoint is None or self._endpoint_generation != self._supervisor.generation:
            self._endpoint = endpoint.Endpoint(
                self._supervisor.stream, "t", max_frame_bytes=self._budget.limits.frame_bytes,
                make_proxy=self._proxy, handle_request=self._serve_callback, describe_error=_callback_error)
            self._endpoint_generation = self._supervisor.generation
        return self._endpoint

    def _proxy(self, handle):
        return RemoteObject(self, handle, self._supervisor.generation)

    def _serve_callback(self, request):
        """Run a grader callable the worker called back (only ones we handed out)."""
        if request["op"] != "call":
            raise protocol.ProtocolViolation(f"unexpected op {request['op']!r}")
        target, attr = request.get("target"), request.get("attr")
        if type(target) is not int:
            raise protocol.ProtocolViolation("callback to an unknown grader object")
        obj = self._endpoint.local(target)
        if attr is not None and (type(attr) is not str or attr.startswith("_")):
            raise protocol.ProtocolViolation("callback to a private attribute")
        args, kwargs = request.get("args", []), request.get("kwargs", {})
        if type(args) is not list or type(kwargs) is not dict:
            raise protocol.ProtocolViolation("malformed callback arguments")
        func = getattr(obj, attr) if attr else obj
        return func(*args, **kwargs), {}


def _callback_error(exc: BaseException) -> dict | None:
    """What the worker is told when a grader callback raised; None (the error ends the request
    instead) for a fault of the student's process or a protocol violation."""
    if isinstance(exc, StudentException):  # the student's own code, called back from ours, raised
        return {"type": "StudentError", "message": str(exc)}
    if isinstance(exc, (StudentFault, protocol.ProtocolViolation)) or not isinstance(exc, Exception):
        return None
    return {"type": type(exc).__name__, "message": str(exc)[:500]}  # the student called the grader's function wrongly
