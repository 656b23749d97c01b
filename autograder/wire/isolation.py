"""Dependency isolation inside the worker: which module globals a function may read
(`names_used`), and the stand-ins that replace them for one call (`isolated`).

Runs inside the sandbox (the worker imports it by file name); its stand-ins are the grader's
objects, reached through the worker's proxies, whose refusals arrive as `endpoint.RemoteError`.
"""
import contextlib
import copy
import types
import warnings

import numpy as np

if __package__:
    from . import endpoint, facts
else:  # the worker's copy, imported by file name inside the sandbox
    import endpoint
    import facts


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
        rng_state = facts.global_rng_state()
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
            if facts.global_rng_state() != rng_state:
                facts.set_global_rng_state(rng_state)


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
        except endpoint.RemoteError:
            if own is NO_FORM:
                raise
            return own  # the reference refuses a call the student's own answers (its parameter names ...)
        return self._answer(value, own)

    def _answer(self, value, own):
        """What the student's unit gets: the reference's value in the form of its own's."""
        return in_form(value, own)

    def __repr__(self):
        return repr(self._stand_in)


class OwnFormClass(OwnFormCallable):
    """An isolated class: its instances pair the reference's (a trusted stand-in) with the student's own.
    Where the reference's constructor refuses arguments the student's own class takes, the
    student's own instance stands."""

    def _answer(self, stand_in, own):
        """The reference's instance paired with the student's own (made by the shadow call)."""
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

