"""The untrusted worker: imports one student module and serves calls over the channel.

Runs inside the sandbox with nothing but this folder, the Python runtime and the
submission visible. It decides nothing: it calls what the trusted side asks for and
sends back plain data (see protocol.py). Objects that are not plain data stay here
and travel as handles; objects of the trusted side arrive as `TrustedProxy` stubs
whose calls go back over the channel (callbacks, isolated dependencies). One loop runs
here rather than call by call: an optimizer on a test function (`descend`), which the
grader checks output by output.

Usage: python -I worker.py --fd N --module NAME --file PATH
(or forked by zygote.py, which calls `serve_submission` in a freshly isolated child),
or python -I worker.py --stdio --module NAME --file PATH: the channel is this process's
stdin and stdout (the portable launcher, sandbox/portable.py; see `take_stdio`).
"""
import argparse
import contextlib
import copy
import ctypes
import os
import sys
import traceback
import types
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves the script's folder out
import objectives  # noqa: E402
import protocol  # noqa: E402

MAX_FRAME_BYTES = 256 << 20


class Channel:
    """Request/response over the socket, serving nested requests while waiting."""

    def __init__(self, sock, module):
        self.sock = sock
        self.module = module
        self.objects = {}        # handle id -> object of ours
        self.next_request = 0
        self.watched = {}        # handle id -> arrays of earlier detailed calls on that object (`watch`)

    # -- handles
    def register(self, obj):
        if isinstance(obj, TrustedProxy):
            return obj._handle
        handle_id = len(self.objects) + 1
        self.objects[handle_id] = obj
        return protocol.Handle(handle_id, "w", type(obj).__name__)

    def resolve(self, handle):
        if handle.side == "t":
            return TrustedProxy(self, handle)
        try:
            return self.objects[handle.id]
        except KeyError:
            raise protocol.ProtocolViolation(f"unknown handle {handle.id}") from None

    def send(self, message):
        protocol.send(self.sock, message, self.register)

    def receive(self):
        return protocol.recv(self.sock, MAX_FRAME_BYTES, self.resolve)

    # -- serving
    def serve_forever(self):
        while True:
            try:
                message = self.receive()
            except EOFError:
                return
            self.serve(message)

    def serve(self, message):
        try:
            value, meta = self.dispatch(message)
            reply = {"op": "return", "id": message["id"], "value": value}
            if meta:
                reply["meta"] = meta
        except BaseException as exc:  # noqa: B036 - the student's SystemExit/KeyboardInterrupt too
            reply = {"op": "raise", "id": message.get("id"), "error": describe_exception(exc)}
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: B036 - the student may have replaced or closed it
                pass
        try:
            self.send(reply)
        except TypeError:
            self.send({"op": "raise", "id": message.get("id"),
                       "error": {"type": "TypeError", "message": "returned a value that cannot be sent",
                                 "where": "", "lineno": None, "traceback": ""}})

    def dispatch(self, message):
        op = message["op"]
        if op == "rng":
            return np.random.default_rng(int(message["seed"])), {}
        target = self.module if message.get("target") == "module" else self.objects[message.get("target")]
        attr = message.get("attr")
        if op == "hasattr":
            return hasattr(target, attr), {}
        if op == "uses":
            return names_used(self.module, attr), {}
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
        with isolated(self.module, opts.get("isolate", {})):
            if not opts.get("details"):
                return func(*args, **kwargs), {}
            if message.get("target") == "module":
                return call_with_details(func, args, kwargs)
            return watch(self.watched.setdefault(message.get("target"), {"calls": 0, "arrays": []}),
                         func, args, kwargs)

    # -- callbacks into the trusted side
    def request(self, handle, attr, args, kwargs):
        self.next_request += 1
        rid = -self.next_request
        message = {"op": "call", "id": rid, "target": handle.id, "attr": attr, "args": list(args)}
        if kwargs:
            message["kwargs"] = kwargs
        self.send(message)
        while True:
            message = self.receive()
            if message["op"] in ("return", "raise"):
                if message.get("id") != rid:
                    raise protocol.ProtocolViolation("reply to an unknown request")
                if message["op"] == "raise":
                    error = message.get("error", {})
                    raise GraderCallbackError(f"{error.get('type')}: {error.get('message')}")
                return message["value"]
            self.serve(message)


class GraderCallbackError(Exception):
    """A call back into the grader failed (e.g. the objective refused the point)."""


class TrustedProxy:
    """Stand-in for an object of the grader: calling it (or its methods) calls back."""

    def __init__(self, channel, handle):
        self._channel, self._handle = channel, handle

    def __call__(self, *args, **kwargs):
        return self._channel.request(self._handle, None, args, kwargs)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self._channel.request(self._handle, name, args, kwargs)

    def __repr__(self):
        return f"<grader {self._handle.type}>"


# Names whose use can reach a module global without naming it: its uses are then unknown.
DYNAMIC_ACCESS = frozenset({"globals", "vars", "locals", "eval", "exec", "compile", "getattr", "__import__",
                            "__dict__", "sys", "importlib", "inspect", "operator", "__globals__"})
WRAPPED = ("__wrapped__", "__func__", "func", "pyfunc")  # decorators, methods, functools.partial, np.vectorize
MAX_TABLE = 1000  # a larger container a function names makes its uses unknown


def names_used(module, name):
    """Every name in the code that calling module-level `name` may run with `module`'s globals:
    its own, and that of the module's functions and classes it names, transitively (global and
    attribute names alike, nested functions included), sorted; None when the code reaches
    globals dynamically (`globals()`, `getattr`, ...) or through a callable it cannot read.

    Dependency isolation needs only these: a module global read at call time is named in code
    whose globals are the module's. A wrong answer (it comes from the student's process) can
    only keep the student's own dependencies in place, never improve a grade.
    """
    names, todo, seen = set(), [module.__dict__.get(name)], set()
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        codes = _codes(obj, module, todo)
        if codes is None:
            return None
        for code in codes:
            for used in _names_in(code):
                names.add(used)
                if used in module.__dict__:
                    todo.append(module.__dict__[used])
    return None if names & DYNAMIC_ACCESS else sorted(names)


def _codes(obj, module, todo):
    """The code objects run with `module`'s globals when `obj` is called; objects it holds that
    may run more go to `todo`. None for a callable whose code cannot be read."""
    if isinstance(obj, types.FunctionType):
        return [obj.__code__] if obj.__globals__ is module.__dict__ else []
    if isinstance(obj, (dict, list, tuple, set, frozenset)):  # e.g. a table of the module's functions
        if len(obj) > MAX_TABLE:  # a data table, most likely: not worth walking
            return None
        todo.extend(obj.values() if isinstance(obj, dict) else obj)
        return []
    if isinstance(obj, types.ModuleType) or not callable(obj):
        return []
    if isinstance(obj, type):
        if obj.__module__ == module.__name__:
            for member in vars(obj).values():
                todo.extend((member.fget, member.fset, member.fdel) if isinstance(member, property) else (member,))
        return []
    for attribute in WRAPPED:
        inner = getattr(obj, attribute, None)
        if inner is not None and inner is not obj:
            todo.append(inner)
            return []
    if type(obj).__module__ == module.__name__:  # an instance of the module's own class
        todo.append(type(obj))
        return []
    if isinstance(obj, np.ufunc):  # np.frompyfunc's wrap Python code it does not show
        return None if obj.__name__.endswith("(vectorized)") else []
    return []  # a library's function or object (scipy.stats.norm, math.erf): it does not read these globals


def _names_in(code):
    """co_names of `code` and of the code objects nested in it (lambdas, comprehensions, inner functions)."""
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _names_in(const)


class isolated:
    """Temporarily replace module globals by trusted stand-ins (dependency isolation), under the
    engine's rule: *an isolated dependency answers with the reference's values in the form of the
    student's own dependency.*

    Isolation exists so that a wrong dependency costs points once, on its own checks; it must
    never fail a correct unit. A correct unit is correct with its own dependencies, whose results
    may take any form the contract allows (a tuple or a list, a bare array for a one-input gate,
    a Python float, a NumPy scalar or a 0-d array for a scalar); code wired to that form (``dz =
    gate.backward(1.0)`` with a bare array) breaks on the reference's form (a 1-tuple). So each
    stand-in call also runs the student's own dependency on a copy of the same arguments (the
    "shadow" call: with the student's own globals, floating-point warnings, prints and global-RNG
    use suppressed, errors ignored), and the reference's value is returned in the shadow result's
    form (`in_form`). Values and dtypes stay the reference's; a shadow that raises, or arguments
    that are not plain data (a grader callback), leave the reference's form. Where the reference
    refuses a call that the student's own dependency answers (a keyword named after the student's
    own parameter, a constructor argument of their own), the student's own result stands, as it
    would without isolation. Class stand-ins make paired instances: the student's own instance
    shadows every method call of the reference's, and a data attribute the unit reads
    (``gate.out``) is the student's own.
    """

    _MISSING = object()

    def __init__(self, module, replacements):
        self.module, self.replacements, self.saved = module, replacements, {}

    def __enter__(self):
        for name, stand_in in self.replacements.items():
            own = self.module.__dict__.get(name, self._MISSING)
            self.saved[name] = own
            self.module.__dict__[name] = self._in_own_form(stand_in, own)

    def __exit__(self, *exc):
        self._restore(self.saved)

    def _restore(self, values):
        for name, old in values.items():
            if old is self._MISSING:
                self.module.__dict__.pop(name, None)
            else:
                self.module.__dict__[name] = old

    def _in_own_form(self, stand_in, own):
        if own is self._MISSING or not callable(own):
            return stand_in
        if isinstance(own, type):
            return OwnFormClass(stand_in, own, self)
        return OwnFormCallable(stand_in, own, self)

    def shadow(self, own, args, kwargs):
        """``own(*args, **kwargs)`` on copies, with the student's own module globals, quietly: its
        result (the form to answer in), or `NO_FORM` when it cannot tell."""
        if own is None or not (_plain_data(args) and _plain_data(kwargs)):
            return NO_FORM
        stand_ins = {name: self.module.__dict__.get(name, self._MISSING) for name in self.saved}
        rng_state = _global_rng_fingerprint()  # its raw bytes: 1 us, where np.random.get_state takes 150
        self._restore(self.saved)
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings(), \
                    contextlib.redirect_stdout(_DISCARD), contextlib.redirect_stderr(_DISCARD):
                warnings.simplefilter("ignore")
                return own(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        except BaseException:  # noqa: B036 - the dependency's own fault is graded by its own checks
            return NO_FORM
        finally:
            self._restore(stand_ins)
            if _global_rng_fingerprint() != rng_state:
                ctypes.memmove(_GLOBAL_BIT_GENERATOR.ctypes.state_address, rng_state, len(rng_state))


class _Discard:
    def write(self, text):
        return len(text)

    def flush(self):
        pass


_DISCARD = _Discard()
NO_FORM = object()  # the student's own dependency gave no result to copy the form of
_SCALARS = (bool, int, float, complex, str, type(None))


def _plain_data(value, depth=0):
    """Whether `value` is data a shadow call may copy: numbers, strings, arrays, and lists,
    tuples and dicts of them (no grader callbacks, no objects)."""
    if depth > 16:
        return False
    if type(value) in _SCALARS or isinstance(value, np.generic):
        return True
    if type(value) is np.ndarray:
        return value.dtype.kind in "biufc"
    if type(value) in (list, tuple):
        return all(_plain_data(v, depth + 1) for v in value)
    if type(value) is dict:
        return all(_plain_data(v, depth + 1) for v in value.values())
    return False


def in_form(value, form):
    """The reference's `value` in the form of the student's own `form`: a tuple, list or bare
    item for a one-item sequence; a list or tuple alike (a single value is never put into a
    container: for one value, that form is a contract violation, graded on its own unit); for a one-element number, the
    student's scalar type (Python float or int, NumPy scalar) or array shape. Containers are
    matched item by item; anything else (other lengths, larger arrays, other kinds) keeps the
    reference's form, since there the form is a value."""
    if form is NO_FORM:
        return value
    if type(value) in (tuple, list):
        if type(form) in (tuple, list):
            if len(form) != len(value):
                return value
            return type(form)(in_form(v, f) for v, f in zip(value, form))
        return in_form(value[0], form) if len(value) == 1 else value
    if type(form) in (tuple, list):
        return value  # a single value the student returns in a container: no form the contract allows
    return _number_in_form(value, form)


def _number_in_form(value, form):
    """One number (a scalar or a one-element array) of the reference's in the student's scalar type or shape."""
    if not (_is_number(value) and _is_number(form)) or np.size(value) != 1 or np.size(form) != 1:
        return value
    item = np.asarray(value).reshape(())
    if type(form) is np.ndarray:
        return item.reshape(form.shape)
    if isinstance(form, np.generic):
        return item[()]
    if type(form) in (float, int, complex):
        as_form = type(form)(item[()]) if item.dtype.kind != "c" or type(form) is complex else None
        return as_form if as_form is not None and as_form == item[()] else value
    return value


def _is_number(value):
    if type(value) in (int, float, complex) or (isinstance(value, np.generic) and not isinstance(value, np.bool_)):
        return True
    return type(value) is np.ndarray and value.dtype.kind in "iufc"


class OwnFormCallable:
    """An isolated function (or a method of a stand-in instance): the reference's value, in the
    form of the student's own function's result on the same arguments."""

    def __init__(self, stand_in, own, isolation):
        self._stand_in, self._own, self._isolation = stand_in, own, isolation

    def __call__(self, *args, **kwargs):
        own = self._isolation.shadow(self._own, args, kwargs)
        try:
            value = self._stand_in(*args, **kwargs)
        except GraderCallbackError:
            if own is NO_FORM:
                raise
            return own  # the reference refuses a call the student's own answers (its parameter names ...)
        return in_form(value, own)

    def __repr__(self):
        return repr(self._stand_in)


class OwnFormClass(OwnFormCallable):
    """An isolated class: its instances pair the reference's (a trusted stand-in) with the student's own."""

    def __call__(self, *args, **kwargs):
        own = self._isolation.shadow(self._own, args, kwargs)
        try:
            stand_in = self._stand_in(*args, **kwargs)
        except GraderCallbackError:
            if own is NO_FORM:
                raise
            return own  # the reference's constructor refuses arguments the student's own class takes
        return OwnFormInstance(stand_in, None if own is NO_FORM else own, self._isolation)


class OwnFormInstance:
    """A reference instance used by the student's unit: each method answers in the form of the
    student's own instance's method (run on the same calls, so its state follows); a data
    attribute the unit reads is the student's own instance's.

    A method of the student's own class that the reference lacks (``__call__`` defined as
    ``return self.forward(*inputs)``, a helper such as ``grad()``) runs as the student's own
    function on this paired instance, so the reference methods it calls still answer; an alias
    of a method the reference has (``__call__ = forward``) is that method."""

    def __init__(self, stand_in, own, isolation):
        self._stand_in, self._own, self._isolation = stand_in, own, isolation

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if not hasattr(self._stand_in, name):
            own_method = self._own_method(name)
            if own_method is not None:
                return own_method
        try:
            own = getattr(self._own, name) if self._own is not None else None
        except BaseException:  # noqa: B036 - the student's __getattr__ may raise anything
            own = None
        if own is not None and not callable(own):
            return own
        return OwnFormCallable(getattr(self._stand_in, name), own, self._isolation)

    def __call__(self, *args, **kwargs):
        own_method = self._own_method("__call__")
        if own_method is None:
            raise TypeError(f"{type(self._own).__name__ if self._own is not None else 'the gate'} object is not callable")
        return own_method(*args, **kwargs)

    def _own_method(self, name):
        """The student's own class's function `name`, bound to this pair (or the reference-backed
        method it aliases); None when their class defines no such function."""
        if self._own is None:
            return None
        function = next((vars(k)[name] for k in type(self._own).__mro__ if k is not object and name in vars(k)), None)
        if not isinstance(function, types.FunctionType):
            return None
        for k in type(self._own).__mro__:
            for alias, value in vars(k).items():
                if value is function and alias != name and not alias.startswith("__") \
                        and hasattr(self._stand_in, alias):
                    return getattr(self, alias)
        return types.MethodType(function, self)

    def __repr__(self):
        return repr(self._stand_in)


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


def _fresh_global_rng_state():
    """Put numpy's global MT19937 in a fresh random state, so that a call which reseeds it
    (``np.random.seed(0)``) changes it even when an earlier call left exactly that state."""
    state = bytearray(os.urandom(_MT19937_STATE_BYTES))
    state[-4:] = (624).to_bytes(4, sys.byteorder)  # pos = 624: the next draw regenerates the key
    ctypes.memmove(_GLOBAL_BIT_GENERATOR.ctypes.state_address, bytes(state), len(state))


def call_with_details(func, args, kwargs):
    """Call and report contract facts: FP warnings, global RNG use, and the inputs the call changed
    (`args_changed`: [index, value] pairs; `kwargs_changed`) and the index of the ndarray argument the
    call returned itself (`returned_input`, or None). An input counts as unchanged only if it
    is an ndarray with the same dtype, shape and bytes, or an immutable plain value: anything else
    (lists, objects) is always sent back."""
    fp_events = []
    _fresh_global_rng_state()
    rng_before = _global_rng_fingerprint()
    args_before = [_fingerprint(a) for a in args]
    kwargs_before = {k: _fingerprint(v) for k, v in kwargs.items()}
    with warnings.catch_warnings(record=True) as caught, \
            np.errstate(divide="call", over="call", invalid="call", under="ignore"):
        warnings.simplefilter("always")
        old_call = np.seterrcall(lambda kind, flag: fp_events.append(kind))
        try:
            value = func(*args, **kwargs)
        finally:
            np.seterrcall(old_call)
    fp_events += [f"{w.category.__name__}: {w.message}" for w in caught
                  if issubclass(w.category, (RuntimeWarning, FloatingPointError))]
    meta = {"fp_warnings": sorted(set(map(str, fp_events))),
            "global_rng_used": _global_rng_fingerprint() != rng_before,
            "args_changed": [[i, a] for i, (a, before) in enumerate(zip(args, args_before))
                             if before is None or _fingerprint(a) != before],
            "kwargs_changed": {k: v for k, v in kwargs.items()
                               if kwargs_before[k] is None or _fingerprint(v) != kwargs_before[k]},
            "returned_input": next((i for i, a in enumerate(args) if a is value and type(a) is np.ndarray), None)}
    return value, meta


def watch(watched, func, args, kwargs):
    """`call_with_details` for a method of one object, watching that object's earlier calls too.

    `watched` is ``{"calls": number of the object's earlier detailed calls, "arrays": [[call, where,
    array, fingerprint], ...]}`` for every ndarray argument and result of those calls (``call``
    counts them from 0; ``where`` is the argument's
    index, or -1 for the returned value). An array that an earlier call received or returned and
    this call changed in place (state kept by reference: ``self.v = g`` then ``self.v *= mu``)
    is reported in ``earlier_changed`` as ``[call, where, value now]``, and watched from then on
    with its new contents.
    """
    value, meta = call_with_details(func, args, kwargs)
    changed = []
    for entry in watched["arrays"]:
        now = _fingerprint(entry[2])
        if now != entry[3]:
            changed.append([entry[0], entry[1], entry[2]])
            entry[3] = now
    meta["earlier_changed"] = changed
    for where, item in [*enumerate(args), (-1, value)]:
        if type(item) is np.ndarray and not any(item is entry[2] for entry in watched["arrays"]):
            watched["arrays"].append([watched["calls"], where, item, _fingerprint(item)])
    watched["calls"] += 1
    return value, meta


_IMMUTABLE = (type(None), bool, int, float, complex, str)


def _fingerprint(value):
    """What tells whether `value` changed during a call: an ndarray's dtype, shape and bytes; an
    immutable plain value itself; None (unknown: send it back) for anything else."""
    if type(value) is np.ndarray:
        return value.dtype.str, value.shape, value.tobytes()
    if type(value) in _IMMUTABLE:
        return type(value), value
    return None


_GLOBAL_BIT_GENERATOR = np.random.mtrand._rand._bit_generator  # behind np.random.rand, np.random.seed, ...
_MT19937_STATE_BYTES = 624 * 4 + 4  # numpy's mt19937_state: uint32 key[624]; int pos


def _global_rng_fingerprint():
    """The raw state of numpy's global MT19937 (1 us, where np.random.get_state takes 40 us)."""
    return ctypes.string_at(_GLOBAL_BIT_GENERATOR.ctypes.state_address, _MT19937_STATE_BYTES)


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
        channel.send({"op": "import_error", "error": describe_exception(exc)})
        return
    channel.send({"op": "ready"})
    channel.serve_forever()


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
