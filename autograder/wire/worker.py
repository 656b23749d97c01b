"""The untrusted worker: imports one student module and serves calls over the channel.

Runs inside the sandbox with nothing but this folder, the Python runtime and the
submission visible. It decides nothing: it calls what the trusted side asks for and
sends back plain data (see protocol.py). Objects that are not plain data stay here
and travel as handles; objects of the trusted side arrive as `TrustedProxy` stubs
whose calls go back over the channel (callbacks, isolated dependencies), through the
same request/reply loop the trusted side runs (endpoint.py). One loop runs here rather
than call by call: an optimizer on a test function (`descend`), which the grader checks
output by output.

Usage: python -I worker.py --fd N --module NAME --file PATH
(or forked by the zygote, sandbox/zygote.py, which calls `serve_submission` in a freshly
isolated child), or python -I worker.py --stdio --module NAME --file PATH: the channel is
this process's stdin and stdout (the portable launcher, sandbox/portable.py; see `take_stdio`).
"""
import argparse
import ctypes
import os
import sys
import traceback
import types

import numpy as np

if __package__:
    from . import endpoint, facts, isolation, objectives, protocol
else:  # run as a script in the sandbox: -I leaves the script's folder off sys.path
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import endpoint  # noqa: E402
    import facts  # noqa: E402
    import isolation  # noqa: E402
    import objectives  # noqa: E402
    import protocol  # noqa: E402

MAX_FRAME_BYTES = 256 << 20


class Channel:
    """The worker's side of the conversation: answers the grader's requests on the student's module
    (`dispatch`), over an `endpoint.Endpoint` that keeps the worker's objects as handles."""

    def __init__(self, stream, module):
        self.module = module
        self.endpoint = endpoint.Endpoint(stream, "w", max_frame_bytes=MAX_FRAME_BYTES, make_proxy=self.proxy,
                                          handle_request=self.handle, describe_error=describe_exception)
        self.watched = {}        # handle id -> arrays of earlier detailed calls on that object (`facts.watch`)

    def proxy(self, handle):
        return TrustedProxy(self.endpoint, handle)

    def handle(self, message):
        """`dispatch`, then flush what the student printed, so that it reaches the grader's capture."""
        try:
            return self.dispatch(message)
        finally:
            flush_output()

    def dispatch(self, message):
        """``(value, meta)`` of one request of the grader."""
        op = message["op"]
        if op == "rng":
            return np.random.default_rng(int(message["seed"])), {}
        on_module = message.get("target") == "module"
        target = self.module if on_module else self.endpoint.local(message.get("target"))
        attr = message.get("attr")
        if op == "hasattr":
            return hasattr(target, attr), {}
        if op == "uses":
            return isolation.names_used(self.module, attr), {}
        func = getattr(target, attr) if attr else target
        if op == "getattr":
            return func, {}
        args, kwargs = list(message.get("args", [])), dict(message.get("kwargs", {}))
        if op == "map":
            return [func(*a, **kwargs) for a in message["arglist"]], {}
        if op == "descend":
            return descend(func, objectives.GRADIENTS[message["function"]], *args), {}
        if op == "construct":
            return construct(func(*args, **kwargs), message["calls"]), {}
        if op != "call":
            raise protocol.ProtocolViolation(f"unknown op {op!r}")
        opts = message.get("opts", {})
        with isolation.isolated(self.module, opts.get("isolate", {})):
            if not opts.get("details"):
                return func(*args, **kwargs), {}
            if on_module:
                return facts.call_with_details(func, args, kwargs)
            return facts.watch(self.watched.setdefault(message.get("target"), {"calls": 0, "arrays": []}),
                               func, args, kwargs)


def flush_output():
    """Flush what the student's code printed through Python's buffers into the captured output."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: B036 - the student may have replaced or closed it
            pass


class TrustedProxy:
    """Stand-in for an object of the grader: calling it (or its methods) calls back."""

    def __init__(self, peer, handle):
        self._peer, self._handle = peer, handle

    def __wire_handle__(self):
        return self._handle

    def __call__(self, *args, **kwargs):
        return self._call(None, args, kwargs)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self._call(name, args, kwargs)

    def _call(self, attr, args, kwargs):
        message = {"op": "call", "target": self._handle.id, "attr": attr, "args": list(args)}
        if kwargs:
            message["kwargs"] = kwargs
        return self._peer.request(message)[0]

    def __repr__(self):
        return f"<grader {self._handle.type}>"


def descend(step, gradient, start, steps):
    """``x = step(x, gradient(x))`` up to ``steps`` times from ``start``, as the grader's
    `run_optimizer` would, stopping after an output that is not a finite array of x's shape.

    Returns ``(outputs, gradients)``: each output (valid ones as float64 copies taken at
    once) and each gradient given; the grader replays the loop on them
    (`convergence.run_in_worker`).
    """
    x = np.array(start, dtype=np.float64)
    outputs, gradients = [], []
    for _ in range(int(steps)):
        with np.errstate(over="ignore", invalid="ignore"):
            g = gradient(x)
        gradients.append(g)
        new = step(x.copy(), g.copy())
        arr = np.asarray(new) if isinstance(new, (np.ndarray, list, tuple)) else None
        if arr is None or arr.shape != x.shape or arr.dtype.kind not in "fiu":
            outputs.append(new)
            break
        x = arr.astype(np.float64)  # a copy: the step may reuse and change its returned buffer
        outputs.append(x)
        if not np.all(np.isfinite(x)):
            break
    return outputs, gradients


def construct(obj, calls):
    """``[obj, outcomes]``: each ``getattr(obj, method)(*args)`` of `calls` in order as
    ``{"value": ...}``, up to the first that raises, which ends them as ``{"error": ...}``."""
    outcomes = []
    for method, args in calls:
        try:
            outcomes.append({"value": getattr(obj, method)(*args)})
        except BaseException as exc:  # noqa: B036 - the student's SystemExit/KeyboardInterrupt too
            outcomes.append({"error": describe_exception(exc)})
            break
    return [obj, outcomes]



def describe_exception(exc):
    """Type, message and the student's innermost frame of an exception."""
    try:
        message = str(exc)[:2000]
    except BaseException:  # noqa: B036 - a rigged __str__
        message = "<unprintable>"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == STUDENT_FILE]
    if isinstance(exc, SyntaxError) and exc.filename == STUDENT_FILE:
        message = str(exc.msg)
        frames.append(traceback.FrameSummary(STUDENT_FILE, exc.lineno or 0, "<module>",
                                             line=(exc.text or "").strip()))
    last = frames[-1] if frames else None
    where = ""
    if last:
        where = f"{os.path.basename(STUDENT_FILE)}, line {last.lineno}, in {last.name}"
        where += f": `{last.line.strip()[:200]}`" if last.line else ""
    tb_text = "".join(traceback.format_list(frames[-8:]))
    return {"type": type(exc).__name__, "message": message, "where": where,
            "lineno": last.lineno if last else None, "traceback": tb_text}


STUDENT_FILE = ""


def load_student_module(name, path):
    """Import the submission's source as module `name` (compiled with its real file name)."""
    with open(path, "rb") as fh:
        source = fh.read()
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    exec(compile(source, path, "exec"), module.__dict__)
    return module


def serve_submission(channel_fd, module_name, path):
    """Import the submission at `path` as `module_name`, say so on the channel, serve calls until EOF."""
    serve_channel(protocol.socket_from_fd(channel_fd), module_name, path)


def take_stdio():
    """This process's stdin and stdout as the channel (`protocol.PipeEnds`), taken before any
    student code runs: the channel moves to duplicates of the two descriptors, descriptor 1 then
    points at stderr and descriptor 0 at the null device. Whatever the student prints (`print`,
    `sys.stdout`, `os.write(1, ...)`, C code) goes to stderr, which the grader captures, and
    closing or replacing stdout cannot touch the channel. On Windows the channel's descriptors
    are set to binary mode, and the process's standard output handle (which child processes
    inherit) is pointed at stderr too, best-effort."""
    sys.stdout.flush()
    channel = protocol.PipeEnds(os.dup(0), os.dup(1))
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    if sys.platform == "win32":
        import msvcrt

        for fd in (channel.read_fd, channel.write_fd):
            msvcrt.setmode(fd, os.O_BINARY)
        try:
            std_output_handle, std_input_handle = -11, -10  # winbase.h
            kernel32 = ctypes.WinDLL("kernel32")
            kernel32.SetStdHandle(std_output_handle, msvcrt.get_osfhandle(2))
            kernel32.SetStdHandle(std_input_handle, msvcrt.get_osfhandle(0))
        except (AttributeError, OSError):
            pass
    return channel


def serve_channel(sock, module_name, path):
    """`serve_submission` over a channel object (`recv_into` and `sendall`): a socket or `PipeEnds`."""
    global STUDENT_FILE
    STUDENT_FILE = path
    channel = Channel(sock, None)
    try:
        channel.module = load_student_module(module_name, path)
    except BaseException as exc:  # noqa: B036 - sys.exit at import is an import error too
        channel.endpoint.send({"op": "import_error", "error": describe_exception(exc)})
        return
    channel.endpoint.send({"op": "ready"})
    channel.endpoint.serve_forever()


def main():
    parser = argparse.ArgumentParser()
    ends = parser.add_mutually_exclusive_group(required=True)
    ends.add_argument("--fd", type=int, help="an inherited socket descriptor")
    ends.add_argument("--stdio", action="store_true", help="stdin and stdout (the portable launcher)")
    parser.add_argument("--module", required=True)
    parser.add_argument("--file", required=True)
    options = parser.parse_args()
    if options.stdio:
        serve_channel(take_stdio(), options.module, options.file)
    else:
        serve_submission(options.fd, options.module, options.file)


if __name__ == "__main__":
    main()
