"""Recorded reference results, replayed by exact input; anything unrecorded is refused.

The kit holds no reference implementation. What the visible checks need from the reference
(its values on the checks' fixed inputs, its trajectories, the outputs of known-wrong variants
used to name a mistake) was recorded when the course released the kit, by running these very
checks against the reference solution. Every stand-in here looks a result up by a key that
hashes what is asked, exactly:

    key = SHA-256 of a canonical encoding of (who is asked, what, the exact arguments)

where an array contributes its dtype, shape and the SHA-256 of its bytes, a float its exact
binary value (``float.hex``). A question asked with any other bytes has no recording and raises
`ReplayMiss`: the replay answers only the questions the release run asked, never computes.

Stand-ins (all subclasses of `Replayed`):
- `ReplayModule`: the reference module of an assignment (`reference.load(NAME)`); an attribute is
  recorded data, a `ReplayFunction` or a `ReplayClass`.
- `ReplayFunction`: a recorded callable (a reference function, a mistake-diagnosis helper of a
  suite, a callable such a helper returned).
- `ReplayClass` / `ReplayInstance`: a recorded class; an instance's state is the chain of calls
  made on it (each method call's key includes the key of the call before it).

The `Source` answers keys: in the kit, the recordings shipped in ``recordings/NAME.json.gz``.
At release the recorder installs a source that computes the real answer and records it (each
stand-in then carries the real object in ``_replay_real``; in the kit that is always None).
"""
from __future__ import annotations

import base64
import dataclasses
import gzip
import hashlib
import json
from pathlib import Path

import numpy as np

RECORDINGS_DIR = Path(__file__).resolve().parent / "recordings"
_BUILTIN_ERRORS = {cls.__name__: cls for cls in (
    ValueError, TypeError, KeyError, IndexError, ZeroDivisionError, ArithmeticError, FloatingPointError,
    OverflowError, AttributeError, NotImplementedError, RuntimeError, AssertionError, LookupError)}


class ReplayMiss(LookupError):
    """The kit has no recorded reference result for this exact question."""


# --------------------------------------------------------------------------- keys

def canonical(value):
    """A JSON-able canonical form of a question's argument (what its key hashes)."""
    if isinstance(value, Replayed):
        return ["replayed", object.__getattribute__(value, "_replay_key")]
    if isinstance(value, type) and issubclass(value, Replayed):
        return ["replayed", value._replay_key]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return ["objarray", [canonical(v) for v in value.ravel().tolist()], list(value.shape)]
        data = np.ascontiguousarray(value)
        return ["ndarray", data.dtype.str, list(data.shape), hashlib.sha256(data.tobytes()).hexdigest()]
    if isinstance(value, np.generic):
        return ["scalar", value.dtype.str, np.asarray(value).tobytes().hex()]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, float):
        return ["float", value.hex()]
    if isinstance(value, complex):
        return ["complex", value.real.hex(), value.imag.hex()]
    if isinstance(value, tuple):
        return ["tuple", [canonical(v) for v in value]]
    if isinstance(value, list):
        return ["list", [canonical(v) for v in value]]
    if isinstance(value, dict):
        items = [[canonical(k), canonical(v)] for k, v in value.items()]
        return ["dict", sorted(items, key=lambda kv: json.dumps(kv[0], sort_keys=True))]
    if isinstance(value, (set, frozenset)):
        return ["set", sorted((canonical(v) for v in value), key=lambda c: json.dumps(c, sort_keys=True))]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ["dataclass", type(value).__name__,
                [[f.name, canonical(getattr(value, f.name))] for f in dataclasses.fields(value)]]
    if isinstance(value, type) or callable(value):
        return ["callable", getattr(value, "__qualname__", type(value).__qualname__)]
    raise ReplayMiss(f"cannot key an argument of type {type(value).__name__}")


def key(*parts) -> str:
    """The recording key of a question made of `parts`."""
    text = json.dumps([canonical(p) for p in parts], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


# --------------------------------------------------------------------------- recorded values

def encode(value, make_child):
    """`value` as stored data; a non-data leaf becomes a stand-in by `make_child(path, leaf)`,
    which returns its stored tag (["proxy", kind])."""
    return _encode(value, make_child, ())


def _encode(value, make_child, path):
    if value is None or isinstance(value, (bool, str)):
        return ["v", value]
    if isinstance(value, np.ndarray) and value.dtype != object:
        data = np.ascontiguousarray(value)
        return ["a", data.dtype.str, list(data.shape), base64.b64encode(data.tobytes()).decode()]
    if isinstance(value, np.generic):
        return ["g", value.dtype.str, base64.b64encode(np.asarray(value).tobytes()).decode()]
    if isinstance(value, int):
        return ["i", str(value)]
    if isinstance(value, float):
        return ["f", value.hex()]
    if isinstance(value, complex):
        return ["c", value.real.hex(), value.imag.hex()]
    if type(value) in (tuple, list):
        tag = "t" if isinstance(value, tuple) else "l"
        return [tag, [_encode(v, make_child, path + (i,)) for i, v in enumerate(value)]]
    if type(value) is dict:
        return ["d", [[_encode(k, make_child, path + ("key", i)), _encode(v, make_child, path + (i,))]
                      for i, (k, v) in enumerate(value.items())]]
    if _is_known_mistake(value):
        return ["m", value.label, _encode(value.output, make_child, path + ("output",)), value.message]
    return make_child(path, value)


def _is_known_mistake(value) -> bool:
    """A `checks.mistakes.KnownMistake` (the grader's class when recording, the kit's when replaying):
    stored as its label, output and message, so every mistake of a recorded list replays, named or not."""
    return dataclasses.is_dataclass(value) and type(value).__name__ == "KnownMistake" \
        and type(value).__module__.endswith("checks.mistakes")


def decode(stored, child):
    """Stored data back to values; `child(path, kind)` makes the stand-in of a non-data leaf."""
    return _decode(stored, child, ())


def _decode(stored, child, path):
    tag = stored[0]
    if tag == "v":
        return stored[1]
    if tag == "a":
        return np.frombuffer(base64.b64decode(stored[3]), dtype=np.dtype(stored[1])).reshape(stored[2]).copy()
    if tag == "g":
        return np.frombuffer(base64.b64decode(stored[2]), dtype=np.dtype(stored[1]))[0]
    if tag == "i":
        return int(stored[1])
    if tag == "f":
        return float.fromhex(stored[1])
    if tag == "c":
        return complex(float.fromhex(stored[1]), float.fromhex(stored[2]))
    if tag in ("t", "l"):
        items = [_decode(v, child, path + (i,)) for i, v in enumerate(stored[1])]
        return tuple(items) if tag == "t" else items
    if tag == "d":
        return {_decode(k, child, path + ("key", i)): _decode(v, child, path + (i,))
                for i, (k, v) in enumerate(stored[1])}
    if tag == "m":
        from nnopt_kit.checks.mistakes import KnownMistake
        return KnownMistake(stored[1], _decode(stored[2], child, path + ("output",)), stored[3])
    if tag == "proxy":
        return child(path, stored[1])
    raise ValueError(f"unknown recorded value tag {tag!r}")


# --------------------------------------------------------------------------- sources

class Recordings:
    """The shipped recordings: key -> outcome, loaded per assignment on first use.

    A file is gzip'd: one line of JSON index {key: [offset, length]}, then the outcomes' JSON texts
    back to back. Only the index is parsed at load (a `check` asks a few hundred of the optimizers'
    ~18,000 recorded questions; parsing all of them took ~0.45 s), each outcome when it is asked."""

    def __init__(self, directory: Path = RECORDINGS_DIR):
        self.directory = directory
        self.index: dict[str, tuple[bytes, int, int]] = {}
        self.loaded: set[str] = set()

    def load(self, assignment: str) -> None:
        if assignment in self.loaded:
            return
        path = self.directory / f"{assignment}.json.gz"
        if path.exists():
            data = gzip.decompress(path.read_bytes())
            head, _, body = data.partition(b"\n")
            for key_, (offset, length) in json.loads(head).items():
                self.index[key_] = (body, offset, length)
        self.loaded.add(assignment)

    def resolve(self, key_: str, compute, describe: str):
        """The outcome recorded under `key_`; `compute` is never called (the kit cannot compute)."""
        try:
            body, offset, length = self.index[key_]
        except KeyError:
            raise ReplayMiss(
                f"no recorded reference result for {describe} on these exact inputs: the kit answers "
                "only the questions its checks ask at release") from None
        return json.loads(body[offset:offset + length])

    def real_helper(self, name: str):
        return None

    def real(self, key_: str):
        return None


def pack_recordings(entries: dict) -> bytes:
    """`entries` (key -> outcome) in the format `Recordings` reads, keys sorted, not yet gzip'd."""
    index, parts, offset = {}, [], 0
    for key_ in sorted(entries):
        text = json.dumps(entries[key_], separators=(",", ":")).encode()
        index[key_] = [offset, len(text)]
        parts.append(text)
        offset += len(text)
    return json.dumps(index, sort_keys=True, separators=(",", ":")).encode() + b"\n" + b"".join(parts)


SOURCE = Recordings()


def use_source(source) -> None:
    """Install the source of answers (the recorder does, at release)."""
    global SOURCE
    SOURCE = source


class Marker(tuple):
    """What a record-mode lookup computed that is not a call's value: ("method",), ("function",),
    ("class",) or ("attribute", value)."""


def _outcome_value(outcome, parent_key: str, describe: str = "value"):
    """The value (or raised error) of a stored outcome; stand-ins for non-data leaves."""
    kind = outcome[0]
    if kind == "raise":
        if outcome[1] == "CheckFailed":
            from nnopt_kit.checks import CheckFailed
            raise CheckFailed(outcome[2])
        raise _BUILTIN_ERRORS.get(outcome[1], RuntimeError)(outcome[2])
    if kind == "value":
        def child(path, leaf_kind):
            leaf_key = key(parent_key, "leaf", path)
            return make_stand_in(leaf_kind, leaf_key, SOURCE.real(leaf_key), f"{describe}{_path_text(path)}")
        return decode(outcome[1], child)
    raise ValueError(f"unknown outcome {kind!r}")


def _path_text(path) -> str:
    return "".join(f"[{p!r}]" for p in path if p != "key")


def make_stand_in(kind: str, key_: str, real, describe: str):
    """The stand-in of a recorded non-data value of `kind` (function, class, object)."""
    if kind == "function":
        return ReplayFunction(key_, real, describe)
    if kind == "class":
        return replay_class(key_, real, describe)
    if kind == "object":
        return ReplayInstance(key_, real, describe)
    raise ValueError(f"unknown stand-in kind {kind!r}")


def ask(key_: str, compute, describe: str):
    """The recorded answer to the question `key_` (record mode: `compute()` gives the real one)."""
    return _outcome_value(SOURCE.resolve(key_, compute, describe), key_, describe)


def _real(value):
    """Record mode: the real object behind a stand-in (arguments passed on to real code)."""
    if isinstance(value, Replayed):
        real = object.__getattribute__(value, "_replay_real")
        return value if real is None else real
    if isinstance(value, type) and issubclass(value, Replayed):
        return value._replay_real if getattr(value, "_replay_real", None) is not None else value
    if type(value) is tuple:
        return tuple(_real(v) for v in value)
    if type(value) is list:
        return [_real(v) for v in value]
    if type(value) is dict:
        return {k: _real(v) for k, v in value.items()}
    return value


# --------------------------------------------------------------------------- stand-ins

class Replayed:
    """Base of every stand-in: `StudentCode` calls in the kit leave these out of `isolate`
    (the student's own dependency is used instead; docs/student-kit.md)."""

    _replay_key: str = ""
    _replay_real = None


class ReplayFunction(Replayed):
    """A recorded callable: each call is the recorded answer for its exact arguments."""

    def __init__(self, key_: str, real, describe: str):
        self._replay_key, self._replay_real, self._describe = key_, real, describe

    def __call__(self, *args, **kwargs):
        question = key(self._replay_key, "call", args, kwargs)
        real = self._replay_real
        return ask(question, None if real is None else (lambda: real(*_real(args), **_real(kwargs))),
                   self._describe)

    def __repr__(self):
        return f"<recorded {self._describe}>"


class ReplayInstance(Replayed):
    """A recorded object: attributes and method calls are recorded answers. Its state key is the
    key of the last method call made on it, so the same calls in the same order replay."""

    def __init__(self, key_: str, real, describe: str):
        object.__setattr__(self, "_replay_key", key_)
        object.__setattr__(self, "_replay_real", real)
        object.__setattr__(self, "_describe", describe)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        state, real = object.__getattribute__(self, "_replay_key"), object.__getattribute__(self, "_replay_real")
        describe = f"{object.__getattribute__(self, '_describe')}.{name}"
        question = key(state, "attr", name)
        outcome = SOURCE.resolve(question, None if real is None else (lambda: _attribute_outcome(real, name)),
                                 describe)
        if outcome[0] == "method":
            return _BoundReplayMethod(self, name, describe)
        return _outcome_value(outcome, question, describe)

    def __setattr__(self, name, value):
        raise AttributeError("a recorded object cannot be changed")

    def __repr__(self):
        return f"<recorded {object.__getattribute__(self, '_describe')}>"


def _attribute_outcome(real, name):
    """Record mode: "method" for a bound method, else the attribute's value."""
    value = getattr(real, name)
    if callable(value) and not isinstance(value, type) and getattr(value, "__self__", None) is real:
        return Marker(("method",))
    return Marker(("attribute", value))


class _BoundReplayMethod:
    """`instance.method`, called later: the call is keyed by the instance's state at call time."""

    def __init__(self, instance: ReplayInstance, name: str, describe: str):
        self._instance, self._name, self._describe = instance, name, describe

    def __call__(self, *args, **kwargs):
        instance = self._instance
        state = object.__getattribute__(instance, "_replay_key")
        real = object.__getattribute__(instance, "_replay_real")
        question = key(state, "call", self._name, args, kwargs)
        compute = None if real is None else (lambda: getattr(real, self._name)(*_real(args), **_real(kwargs)))
        try:
            return ask(question, compute, self._describe)
        finally:
            object.__setattr__(instance, "_replay_key", question)


class _ReplayClassBase(Replayed):
    """Base of recorded classes (a real class, so a suite may subclass it)."""

    def __new__(cls, *args, **kwargs):
        question = key(cls._replay_key, "new", args, kwargs)
        real = cls._replay_real
        compute = None if real is None else (lambda: real(*_real(args), **_real(kwargs)))
        return ask(question, compute, f"{cls._describe}(...)")


def replay_class(key_: str, real, describe: str) -> type:
    """A recorded class: instantiating it is a recorded construction."""
    name = describe.rsplit(".", 1)[-1]
    return type(name, (_ReplayClassBase,), {"_replay_key": key_, "_replay_real": real, "_describe": describe})


class ReplayModule(Replayed):
    """The reference module of one assignment, as recorded."""

    def __init__(self, assignment: str, real=None):
        object.__setattr__(self, "_replay_key", key("reference", assignment))
        object.__setattr__(self, "_replay_real", real)
        object.__setattr__(self, "_assignment", assignment)
        object.__setattr__(self, "_members", {})

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        members = object.__getattribute__(self, "_members")
        if name in members:
            return members[name]
        assignment = object.__getattribute__(self, "_assignment")
        real = object.__getattribute__(self, "_replay_real")
        question = key(object.__getattribute__(self, "_replay_key"), "attr", name)
        describe = f"reference {assignment}.{name}"
        outcome = SOURCE.resolve(question, None if real is None else (lambda: _member_outcome(real, name)), describe)
        if outcome[0] in ("function", "class"):
            member = make_stand_in(outcome[0], question, None if real is None else getattr(real, name), describe)
        else:
            member = _outcome_value(outcome, question, describe)
        members[name] = member
        return member

    def __repr__(self):
        return f"<recorded reference of {object.__getattribute__(self, '_assignment')}>"


def _member_outcome(real, name):
    value = getattr(real, name)
    if isinstance(value, type):
        return Marker(("class",))
    if callable(value):
        return Marker(("function",))
    return Marker(("attribute", value))


def helper(name: str, args: tuple, kwargs: dict):
    """A suite helper whose code the kit does not ship (it holds the reference or known mistakes):
    its recorded result for these exact arguments."""
    question = key("helper", name, args, kwargs)
    real = SOURCE.real_helper(name)
    compute = None if real is None else (lambda: real(*_real(args), **_real(kwargs)))
    return ask(question, compute, f"{name.rsplit('.', 1)[-1]}(...)")


def is_replayed(value) -> bool:
    """Whether `value` is a recorded stand-in (an instance or a recorded class or a subclass of one)."""
    return isinstance(value, Replayed) or (isinstance(value, type) and issubclass(value, Replayed))


def module(assignment: str) -> ReplayModule:
    """The recorded reference module of `assignment`."""
    if isinstance(SOURCE, Recordings):
        SOURCE.load(assignment)
    return ReplayModule(assignment, getattr(SOURCE, "real_module", lambda name: None)(assignment))
