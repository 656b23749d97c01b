"""Dependency isolation never fails a correct unit (the engine's rule, `wire/isolation.py: isolated`).

Every isolated dependency of every assignment is found by grading each reference solution with
a recording `RemoteCalls.call`: each `isolate=` stand-in a check hands over is wrapped so that
its calls and results are logged (a new isolation in any suite is covered without editing this
file). For each (unit, dependency) and each return form the contract allows that differs from
the reference's on a logged result (a list for a tuple, a bare item for a 1-tuple, a Python
float, a NumPy scalar or a 0-d array for a scalar), a correct student is generated from the
reference: its own dependency returns that form, and every caller of it is rewritten to rely
on that form (it raises `TypeError` on any other, as code that does `dz = gate.backward(1.0)` or
`grads + [...]` breaks). The tests:

- each such student passes every check of the unit (isolation answered in the student's form);
- control 1: the same student, run in this process with the reference dependency plugged in
  as is, raises: it really depends on the form, so a stand-in answering in the reference's
  form would have failed it;
- control 2: the student's unit made wrong (its results scaled by 1.05) fails a check of that
  unit, and no check of another unit: isolation still grades the unit, and charges it once.
"""
from __future__ import annotations

import ast
import types
from functools import cache
from pathlib import Path

import numpy as np
import pytest

from autograder import reference as references
from autograder.runtime import runner
from autograder.runtime.session import shared_session
from autograder.remote import StudentCode
from autograder.remote.calls import RemoteCalls

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENTS = sorted(p.name for p in runner.SUITES_DIR.iterdir() if (p / "test_visible.py").exists())

# Runs in the generated students (worker side) and here (to tell which forms apply).
FORMS_SOURCE = '''
import numpy as _np


def _float_leaves(value, convert):
    if type(value) in (tuple, list):
        return type(value)(_float_leaves(v, convert) for v in value)
    if isinstance(value, (float, _np.floating)) or (type(value) is _np.ndarray and value.ndim == 0
                                                    and value.dtype.kind == "f"):
        return convert(value)
    return value


_FORMS = {
    "list": lambda v: list(v) if type(v) is tuple else v,
    "bare": lambda v: v[0] if type(v) in (tuple, list) and len(v) == 1 else v,
    "python float": lambda v: _float_leaves(v, float),
    "numpy scalar": lambda v: _float_leaves(v, _np.float64),
    "0-d array": lambda v: _float_leaves(v, lambda x: _np.array(x, dtype=_np.float64)),
}


def _signature(value):
    if type(value) in (tuple, list):
        return (type(value).__name__, tuple(_signature(v) for v in value))
    return (type(value).__name__, getattr(value, "shape", None))
'''
FORMS_NAMESPACE: dict = {}
exec(FORMS_SOURCE, FORMS_NAMESPACE)  # noqa: S102 - our own helper code
FORMS, signature = FORMS_NAMESPACE["_FORMS"], FORMS_NAMESPACE["_signature"]

STUDENT_SOURCE = '''

# ---- generated: the student's own {dep} returns the {form} form, and its callers rely on it
{forms}
_FORM = _FORMS[{form!r}]
_FORMED = {formed!r}


def _expect_own_form(value, method):
    if method not in _FORMED:
        return value
    if _signature(_FORM(value)) != _signature(value):
        raise TypeError(f"this code relies on {dep}'s own {form} form, got {{_signature(value)}}")
    if {form!r} == "list":
        return tuple(value)
    if {form!r} == "bare":
        return (value,)
    return value


class _Adapted:
    def __init__(self, obj):
        self._obj = obj

    def __getattr__(self, name):
        attr = getattr(self._obj, name)
        if not callable(attr):
            return attr
        return lambda *args, **kwargs: _expect_own_form(attr(*args, **kwargs), name)


def _adapt(value):
    return _Adapted(value) if {is_class!r} else _expect_own_form(value, None)


_Own = {dep}
if isinstance(_Own, type):
    class {dep}(_Own):
        pass

    for _method in _FORMED:
        setattr({dep}, _method, (lambda m: lambda self, *a, **k: _FORM(getattr(_Own, m)(self, *a, **k)))(_method))
else:
    def {dep}(*args, **kwargs):
        return _FORM(_Own(*args, **kwargs))
'''

WRONG_UNIT_SOURCE = '''

# ---- generated: {unit} made wrong (every number it returns scaled by 1.05)
def _scaled(value):
    if isinstance(value, dict):
        return {{k: _scaled(v) for k, v in value.items()}}
    if type(value) in (tuple, list):
        return type(value)(_scaled(v) for v in value)
    if isinstance(value, (float, _np.ndarray, _np.floating)) and not isinstance(value, bool):
        return value * 1.05
    return value


_{unit}_right = {unit}


def {unit}(*args, **kwargs):
    return _scaled(_{unit}_right(*args, **kwargs))
'''


class _CallsOfDependency:
    """Wraps an isolation stand-in so that its calls (method, result) are logged."""

    def __init__(self, log: list):
        self.log = log

    def wrap(self, name, value):
        log = self.log
        if isinstance(value, type):
            methods = {m for klass in value.__mro__ if klass is not object for m, v in vars(klass).items()
                       if callable(v) and not m.startswith("_")}

            def logged(method):
                def call(self, *args, **kwargs):
                    result = getattr(super(Logged, self), method)(*args, **kwargs)
                    log.append((name, method, result))
                    return result
                return call

            Logged = type(value.__name__, (value,), {m: logged(m) for m in methods})
            return Logged

        def call(*args, **kwargs):
            result = value(*args, **kwargs)
            log.append((name, None, result))
            return result
        call.__name__ = getattr(value, "__name__", name)
        return call


@cache
def isolations() -> dict:
    """{(assignment, unit, dependency): {"methods": {method: [results]}, "calls": [(unit's args, kwargs,
    method, result)], "class": bool}}
    for every stand-in a suite's checks called while grading the reference solution."""
    found: dict = {}
    original = RemoteCalls.call

    def recording(self, target, attr, key, args, kwargs, *, isolate=None, **options):
        if not isolate or target != "module":
            return original(self, target, attr, key, args, kwargs, isolate=isolate, **options)
        log: list = []
        wrapper = _CallsOfDependency(log)
        value = original(self, target, attr, key, args, kwargs,
                         isolate={n: wrapper.wrap(n, v) for n, v in isolate.items()}, **options)
        for dep, method, result in log:
            entry = found.setdefault((self.module_name, attr, dep),
                                     {"methods": {}, "calls": [], "class": isinstance(isolate[dep], type)})
            entry["methods"].setdefault(method, []).append(result)
            entry["calls"].append((args, kwargs, method, result))
        return value

    RemoteCalls.call = recording
    try:
        for assignment in ASSIGNMENTS:
            result = runner.grade_source(assignment, (ROOT / "solutions" / f"{assignment}.py").read_text())
            assert result.score == result.max_score > 0, assignment
    finally:
        RemoteCalls.call = original
    return found


def forms_that_apply(entry) -> dict:
    """{form: methods whose logged reference results that form changes}."""
    out = {}
    for form, make in FORMS.items():
        methods = sorted((m for m, results in entry["methods"].items()
                          if any(signature(make(r)) != signature(r) for r in results)), key=str)
        if methods:
            out[form] = methods
    return out


def cases():
    found = isolations()
    return [(a, u, d, form, tuple(methods)) for (a, u, d), entry in sorted(found.items())
            for form, methods in forms_that_apply(entry).items()]


class _CallsOfDependencyRewrite(ast.NodeTransformer):
    """``dep(...)`` -> ``_adapt(dep(...))`` everywhere but in the definition of `dep` itself."""

    def __init__(self, dep):
        self.dep = dep

    def visit_ClassDef(self, node):
        return node if node.name == self.dep else self.generic_visit(node)

    def visit_FunctionDef(self, node):
        return node if node.name == self.dep else self.generic_visit(node)

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id == self.dep:
            return ast.copy_location(ast.Call(func=ast.Name("_adapt", ast.Load()), args=[node], keywords=[]), node)
        return node


def student_source(assignment, dep, form, methods, is_class) -> str:
    """The reference, with `dep` returning `form` (for `methods`) and every caller relying on it."""
    tree = _CallsOfDependencyRewrite(dep).visit(ast.parse((ROOT / "solutions" / f"{assignment}.py").read_text()))
    return ast.unparse(ast.fix_missing_locations(tree)) + STUDENT_SOURCE.format(
        dep=dep, form=form, formed=set(methods), is_class=is_class, forms=FORMS_SOURCE)


def grade(assignment, source):
    return runner.grade_source(assignment, source, warm=True, session=shared_session(assignment))


def test_every_assignment_is_scanned_and_the_known_isolations_are_found():
    """The scan sees the isolations the suites are known to use (if one disappears, this says so)."""
    found = {(a, u, d) for a, u, d in isolations()}
    assert {("gates", "sigmoid_neuron", "SigmoidGate"), ("gates", "sigmoid_neuron", "MultiplyGate"),
            ("gates", "sigmoid_neuron", "AddGate"), ("quasi_newton", "bfgs_minimize", "bfgs_update")} <= found
    assert any(a == "activations" for a, _, _ in found)
    assert any(form == "bare" for *_, form, _ in cases())  # the form of issue 16's sigmoid_neuron case


@pytest.mark.slow
@pytest.mark.parametrize("assignment,unit,dep,form,methods", cases(),
                         ids=lambda v: v if isinstance(v, str) else ",".join(map(str, v)))
def test_a_correct_unit_wired_to_its_own_dependencys_form_passes_its_checks(assignment, unit, dep, form, methods):
    entry = isolations()[(assignment, unit, dep)]
    source = student_source(assignment, dep, form, methods, entry["class"])
    result = grade(assignment, source)
    # the unit's checks (whether the dependency's own checks accept the form is issue 16's class 1,
    # graded by the dependency's contract checks and tests/validity)
    failed = {c.check_id: c.output for c in result.checks if c.status != "passed" and c.unit == unit}
    assert not failed, failed

    # control 1: with the reference's dependency in its own form, this student's code breaks
    module = types.ModuleType(f"control_{assignment}")
    exec(compile(source, f"<{assignment} variant>", "exec"), module.__dict__)  # noqa: S102 - generated here
    setattr(module, dep, getattr(references.load(assignment), dep))
    make = FORMS[form]
    args, kwargs = next((a, k) for a, k, method, result in entry["calls"]
                        if method in methods and signature(make(result)) != signature(result))
    with pytest.raises(TypeError, match=f"relies on {dep}'s own {form} form"):
        getattr(module, unit)(*args, **kwargs)

    # control 2: the unit made wrong fails its own checks, and only its own
    wrong = grade(assignment, source + WRONG_UNIT_SOURCE.format(unit=unit))
    right_failures = {c.check_id for c in result.checks if c.status != "passed"}
    new_failures = {c.check_id: c.unit for c in wrong.checks if c.status != "passed"} .items() - {
        (c.check_id, c.unit) for c in result.checks if c.check_id in right_failures}
    assert new_failures and {u for _, u in new_failures} == {unit}, new_failures


def test_every_isolated_dependency_keeps_the_unit_correct_in_the_reference_form():
    """Dependencies whose results have no other allowed form (arrays of activations, B of
    bfgs_update): the reference itself, graded with its isolations, gets full marks (the scan
    asserted it), and each of them is listed here so that a reader sees what is covered."""
    without_alternative = [key for key, entry in isolations().items() if not forms_that_apply(entry)]
    assert all(a in ASSIGNMENTS for a, _, _ in without_alternative)
    assert ("quasi_newton", "bfgs_minimize", "bfgs_update") in without_alternative


def test_in_form_answers_in_the_students_form():
    """The worker's `in_form`: reference values, the student's container and scalar forms."""
    from autograder.wire import isolation
    in_form, no_form = isolation.in_form, isolation.NO_FORM
    ref = (np.array(0.25),)
    assert type(in_form(ref, np.array(0.5))) is np.ndarray and in_form(ref, np.array(0.5)).shape == ()
    assert type(in_form(ref, [0.5])) is list and type(in_form(ref, [0.5])[0]) is float
    assert in_form(ref, [0.5]) == [0.25]
    assert type(in_form(ref, (np.float64(0.5),))[0]) is np.float64
    assert in_form(ref, no_form) is ref
    pair = (np.ones(3), np.zeros(3))
    got = in_form(pair, [np.ones(3), np.ones(3)])
    assert type(got) is list and got[1] is pair[1]  # values stay the reference's
    assert in_form(np.arange(3.0), np.arange(4.0)).shape == (3,)  # a shape of a real array is a value
    assert in_form(0.5, 1) == 0.5 and type(in_form(0.5, 1)) is float  # an int form would change the value
    single = np.array([0.25])  # a single value is never put in a container (an activation's .tolist())
    assert in_form(single, [0.5]) is single and in_form(single, (0.5,)) is single


QUIET_SOURCE = '''
import numpy as np


def noisy(z):
    np.random.rand()                       # global RNG
    print("from my own dependency")
    with np.errstate(all="warn"):
        np.exp(np.array([1000.0]))         # overflow warning
    return float(np.tanh(z))               # a Python float: the form the unit relies on


def unit(z):
    return noisy(z).hex()                  # works on a float only
'''


def test_the_students_own_dependency_runs_quietly_and_only_lends_its_form(tmp_path):
    """The shadow call's global-RNG use, floating-point warnings and prints are not the unit's; the
    value is the reference's. Control: the same call without isolation shows all three."""
    from autograder.sandbox import Limits

    path = tmp_path / "quiet.py"
    path.write_text(QUIET_SOURCE)
    with StudentCode(path, "quiet", limits=Limits(call_seconds=5.0)) as code:
        plain = code.call("unit", 0.5, details=True)
        assert plain.global_rng_used and plain.fp_warnings and "from my own dependency" in code.output()
        printed = code.output().count("from my own dependency")
        isolated = code.call("unit", 0.5, details=True, isolate={"noisy": lambda z: 0.25})
        assert isolated.value == (0.25).hex()  # the reference's value, in the student's form
        assert not isolated.global_rng_used and isolated.fp_warnings == []
        assert code.output().count("from my own dependency") == printed


OWN_NAMES_SOURCE = '''
class Doubler:
    def forward(self, value):            # its own parameter name, not the reference's
        return 2.0 * value


def twice(value):
    return 2.0 * value


def unit(x):
    return Doubler().forward(value=x) + twice(value=x)


def wrong_unit(x):
    return twice(x, x)                   # a call no `twice` takes
'''


class ReferenceDoubler:
    def forward(self, x):
        return 2.0 * x


def test_a_call_the_reference_refuses_but_the_students_own_dependency_answers_keeps_the_own_result(tmp_path):
    """`forward(value=...)` is a correct call of the student's own gate, which the reference (named `x`)
    refuses: the unit is not failed for it. Control: a call the reference accepts gets the reference's
    value, and a call neither accepts still fails."""
    from autograder.sandbox import Limits
    from autograder.remote import StudentException

    path = tmp_path / "own_names.py"
    path.write_text(OWN_NAMES_SOURCE)
    with StudentCode(path, "own_names", limits=Limits(call_seconds=5.0)) as code:
        isolate = {"Doubler": ReferenceDoubler, "twice": lambda x: 2.0 * x}
        assert code.call("unit", 1.5, isolate=isolate) == 6.0
        assert code.call("unit", 1.5, isolate={"twice": lambda value: 100.0}) == 103.0  # accepted: the reference's
        with pytest.raises(StudentException, match="TypeError"):
            code.call("wrong_unit", 1.5, isolate=isolate)
