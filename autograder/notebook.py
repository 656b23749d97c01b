"""The module a notebook defines, and grading from inside a Jupyter notebook.

**What a notebook submission is.** A notebook that runs top to bottom in Jupyter must grade
exactly like its code saved as `NAME.py`, but the cells that plot, print, time or train must not
run in grading (they would take long, need a display, or fail for want of a data file). The
module built here (`source_from_cells`) is a *dependency closure* of the code cells' top-level
statements, kept in run order:

- the roots are the graded names: the top-level names the assignment's reference solution
  binds (`graded_names`), e.g. `relu`, `AddGate`;
- a statement is kept when it binds or mutates a name that is needed after it: assignments
  (`_erf = np.vectorize(math.erf)`, `zeros_like = np.zeros_like`, `helper = Helper()`), defs,
  classes, imports, compound statements that bind inside (a `def` in a loop), mutations
  (`TABLE["relu"] = relu`, `TABLE.update(...)`, `helper.configure(...)`, `setattr(C, ...)`),
  calls of the notebook's functions that assign `global` names or mutate module objects, and
  calls that may change a data object handed to them (`np.copyto(W, ...)`, `rng.shuffle(perm)`,
  `fill(TABLE)` where `fill` changes its argument);
- what a kept statement needs becomes needed: the names it evaluates when it runs (right-hand
  sides, default arguments, decorators, base classes, class bodies) at its place in the order,
  and the global names its functions read when called (found with `symtable`, so a function's
  locals never pull in a top-level experiment of the same name) from the end of the notebook;
- a plain rebinding (`def f`, `f = ...`, `import f`) ends the need for earlier bindings of that
  name unless something between reads it, so of redefinitions the last one wins as in a
  top-to-bottom run, and an earlier one stays exactly where a kept statement used it
  (`TABLE = {"relu": relu}` keeps the `relu` defined before it).

Always kept: `from x import *` and statements that bind through `globals()`, `exec` and the like
(what they bind is known only by running them); when a needed function reads globals that way,
every statement that binds a name is kept. Never kept: expression statements that only call
library code (`plt.plot(...)`, `print(...)`, `np.random.seed(0)`, `train(...)` whose result
nothing needs), and `autograder` imports (the released notebooks' own test cells). Calls on
imported modules are not mutations of the student's state: `np.random.seed(0)`, `plt.style.use`
or `np.seterr(...)` at top level are dropped, and the worker's own settings apply to the graded
calls (it sets NumPy's error state and warning filters around the calls it inspects, and a unit
that draws from the global RNG fails its contract check whatever the seed).

The alternative, running every cell with plotting neutralised, would still run a training loop
or a `time.sleep` at import: a timeout for the whole submission, and a cost per student no
backend switch removes. The closure is a static over-approximation (a name counts as used
wherever it is named), so it may keep a harmless extra statement but not drop a needed one,
apart from aliasing (`t = TABLE; t["x"] = f` mutates `TABLE` through `t`) and objects reached
through a call (`registry().add(f)`).

Each kept statement runs guarded: one that raises in grading (a data file missing in the
sandbox, a library not installed) is reported on stderr and skipped, so only the units that
need what it would have bound lose points, instead of an import error zeroing the notebook.
`from __future__` imports are hoisted to the top. A cell that does not parse (IPython syntax) is
rewritten by IPython's own transformer into `get_ipython()` calls (`python_of_cell`); of those,
the magics that run Python in the user namespace (`%%time`, `%%capture`, `%%prun`, `%%debug`, `%time`,
`%prun`, `%debug`) are replaced by the code they run, and every other one is a call nothing
needs, so it is dropped (the prelude's `get_ipython()` does nothing, should a kept function
still call it).

**In-notebook grading.** `unit_score(assignment, unit, globals())` is the last expression of
each autograded cell: it prints the unit's checks and returns the points earned, which nbgrader
records as the cell's partial credit. `self_check(assignment, globals())` prints the report of
every visible check. Both rebuild the module from the kernel's input history (`In`, already
transformed by IPython) the same way. Grading runs in a fresh Python process through
`autograder.runtime.runner.grade_source`, so nothing the notebook did to this kernel can touch
the verdicts, and the student's code runs in the grader's sandboxed worker. Results are cached
per (assignment, source, hidden): the test cells of one notebook cost one grading run.
"""
from __future__ import annotations

import argparse
import ast
import dataclasses
import functools
import hashlib
import json
import os
import subprocess
import symtable
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from autograder.results import SubmissionResult, from_gradescope, to_gradescope

GRADING_TIMEOUT_SECONDS = 900
_RESULTS: dict[tuple[str, str, bool], SubmissionResult] = {}

# Magics whose code runs as Python in the user namespace: the names they bind persist.
PYTHON_CELL_MAGICS = frozenset({"time", "capture", "prun", "debug"})
PYTHON_LINE_MAGICS = frozenset({"time", "prun", "debug"})
# The in-place methods of Python's containers and NumPy's arrays: what counts as changing an
# object when a method is called inside an expression or a function. `TABLE.get(k)`, `W.sum()` or
# `ops.asarray(x)` in a graded function must not make every experiment calling it worth running.
MUTATING_METHODS = frozenset({
    "append", "extend", "insert", "pop", "popitem", "remove", "clear", "update", "setdefault", "add",
    "discard", "sort", "reverse", "difference_update", "intersection_update", "symmetric_difference_update",
    "appendleft", "extendleft", "popleft", "rotate", "fill", "resize", "put", "itemset", "setflags",
    "shuffle", "__setitem__", "__delitem__", "__setattr__", "__delattr__"})
# Names through which code reaches module globals without naming them.
DYNAMIC_NAMES = frozenset({"globals", "vars", "locals", "eval", "exec", "__import__"})
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef) + _COMPREHENSIONS
_REBINDINGS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Assign,
               ast.AnnAssign)

NOTEBOOK_PRELUDE = '''\
class _NoIPython:  # IPython magics and shell escapes are neutralised when grading
    def __getattr__(self, name):
        return lambda *args, **kwargs: None
def get_ipython():
    return _NoIPython()
def display(*objects, **options):  # IPython's display(): nothing to show when grading
    return None
def _notebook_statement_failed(where, error):
    import sys
    print(f"notebook {where}: {type(error).__name__}: {error} (raised when graded; skipped, so what "
          "it binds is undefined)", file=sys.stderr)
'''


@dataclasses.dataclass(eq=False)
class Statement:
    """One top-level statement of a code cell and what it does to module names.

    `binds`: names it (re)binds or deletes; `kills`: those it surely rebinds (a plain
    assignment, def, class or import, so an earlier binding is no longer seen after it);
    `mutates`: names whose object it changes in place (`T[k] = v`, `T.update(...)`, `o.x = 1`,
    `helper.configure()`; see `_mutated_roots`); `uses`: names it evaluates when it runs;
    `call_uses`: global names its functions, lambdas and methods read when called; `effects`:
    global names those functions rebind or change when called; `passed`: the names it hands to
    calls, with the callee's root name (`np.copyto(W, x)`: ("np", "W")); `opaque`: it may bind
    names nobody can see (`from x import *`, `globals()[k] = v`, `exec`). `effects`,
    `mutates_parameters` and `string_lines` walk the whole statement: computed when first asked.
    """

    text: str
    where: str
    node: ast.stmt
    first: int  # the statement's first line (its first decorator's) in the cell
    binds: frozenset[str] = frozenset()
    kills: frozenset[str] = frozenset()
    mutates: frozenset[str] = frozenset()
    uses: frozenset[str] = frozenset()
    call_uses: frozenset[str] = frozenset()
    global_assigned: frozenset[str] = frozenset()  # names its functions declare `global` and assign
    passed: frozenset[tuple[str, str]] = frozenset()  # (callee's root name, name passed to it) of its calls
    imported: frozenset[str] = frozenset()
    opaque: bool = False
    future: bool = False
    definition: bool = False  # a def or class statement

    @functools.cached_property
    def effects(self) -> frozenset[str]:
        if not self.call_uses:
            return frozenset()
        return frozenset(self.global_assigned | (_mutated_roots(ast.walk(self.node)) & self.call_uses))

    @functools.cached_property
    def mutates_parameters(self) -> bool:
        """Whether a function (or a method of a class, beyond `self`) it defines changes an
        argument in place: `def fill(table): table["relu"] = relu`."""
        for function in ast.walk(self.node):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                args = function.args
                params = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
                params += [a.arg for a in (args.vararg, args.kwarg) if a]
                if params and isinstance(self.node, ast.ClassDef) and function in self.node.body:
                    params = params[1:]  # a method's self or cls
                if set(params) & _mutated_roots(ast.walk(function)):
                    return True
        return False

    @functools.cached_property
    def string_lines(self) -> frozenset[int]:
        """Lines (0-based in `text`) that continue a multi-line string: their text is part of the
        string's value, so they must not be re-indented."""
        if not any(quote in self.text for quote in ('"""', "'''", "\\\n")):
            return frozenset()  # a string spans lines only as a triple-quoted one or by a backslash
        lines, todo = set(), [self.node]
        while todo:  # only nodes spanning lines can hold a string that does
            part = todo.pop()
            if isinstance(part, ast.JoinedStr) or (
                    isinstance(part, ast.Constant) and isinstance(part.value, (str, bytes))):
                lines.update(range(part.lineno + 1 - self.first, part.end_lineno + 1 - self.first))
            else:
                todo += [child for child in ast.iter_child_nodes(part)
                         if getattr(child, "end_lineno", None) is None or child.end_lineno > child.lineno]
        return frozenset(lines)


def _root_name(node: ast.AST) -> str | None:
    """`T` of `T`, `T[k]`, `T.a.b`: the module name whose object is reached; `globals` of
    `globals()[k]` (likewise `vars`, `locals`); None for the result of any other call."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Starred)):
        node = node.value
    if isinstance(node, ast.Call):
        dynamic = isinstance(node.func, ast.Name) and node.func.id in ("globals", "vars", "locals")
        return node.func.id if dynamic else None
    return node.id if isinstance(node, ast.Name) else None


def _nodes_in_scope(node: ast.AST):
    """`node` and the nodes evaluated in the same scope: not the bodies of functions, lambdas,
    classes and comprehensions, but their decorators, defaults, annotations, bases and the first
    iterable of a comprehension, which the enclosing scope evaluates."""
    todo = [node]
    while todo:
        current = todo.pop()
        yield current
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)):
            todo += current.decorator_list + _argument_parts(current.args)
            todo += [current.returns] if current.returns else []
        elif isinstance(current, ast.Lambda):
            todo += _argument_parts(current.args)
        elif isinstance(current, ast.ClassDef):
            todo += current.decorator_list + current.bases + current.keywords
        elif isinstance(current, _COMPREHENSIONS):
            todo.append(current.generators[0].iter)
        else:
            todo += ast.iter_child_nodes(current)


def _argument_parts(args: ast.arguments) -> list[ast.AST]:
    every = args.posonlyargs + args.args + args.kwonlyargs + [a for a in (args.vararg, args.kwarg) if a]
    return args.defaults + [d for d in args.kw_defaults if d] + [a.annotation for a in every if a.annotation]


def _mutated_roots(nodes: Iterable[ast.AST], whole_statement_calls: bool = False) -> set[str]:
    """Names whose objects the nodes change in place: item/attribute targets, `setattr`/`delattr`,
    calls of MUTATING_METHODS, and, with `whole_statement_calls`, any method called as a statement
    of its own (`helper.configure(...)`, `model.fit(X, y)`; not `print(W.sum())`)."""
    nodes = list(nodes)
    own = {id(n.value) for n in nodes if isinstance(n, ast.Expr)} if whole_statement_calls else set()
    roots = set()
    for node in nodes:
        targets = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
            targets = [node.target]
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            targets = [item.optional_vars for item in node.items if item.optional_vars]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in MUTATING_METHODS or id(node) in own:
                roots.add(_root_name(node.func.value))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args and (
                node.func.id in ("setattr", "delattr")):
            roots.add(_root_name(node.args[0]))
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, (ast.Subscript, ast.Attribute)) and not isinstance(part.ctx, ast.Load):
                    roots.add(_root_name(part.value))
    roots.discard(None)
    return roots


def _bound_names(nodes: Iterable[ast.AST]) -> tuple[set[str], set[str]]:
    """(every name the nodes bind or delete, the names bound by imports)."""
    bound, imported = set(), set()
    for node in nodes:
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = {alias.asname or alias.name.split(".")[0] for alias in node.names if alias.name != "*"}
            bound |= names
            imported |= names
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
    return bound, imported


def _killed_names(node: ast.stmt) -> set[str]:
    """The names a plain top-level rebinding surely replaces (not `x += 1`, not inside if/for/try)."""
    if not isinstance(node, _REBINDINGS) or (isinstance(node, ast.AnnAssign) and node.value is None):
        return set()
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return {t.id for target in targets for t in ast.walk(target)
                if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store)}
    return _bound_names([node])[0]


def _scope_names(table: symtable.SymbolTable, runs_now: bool, now: set[str], later: set[str],
                 assigned: set[str]) -> None:
    """Sort the global names of `table` and its nested scopes by when they are read: class bodies
    and comprehensions run when the statement runs (`now`), functions and lambdas when called;
    `assigned` gets the names a function declares `global` and assigns."""
    runs_now = runs_now and (table.get_type() == "class" or table.get_name() in
                             ("listcomp", "setcomp", "dictcomp", "genexpr"))
    names = now if runs_now else later
    for symbol in table.get_symbols():
        if symbol.is_global() or symbol.is_declared_global():
            names.add(symbol.get_name())
            if symbol.is_declared_global() and symbol.is_assigned():
                assigned.add(symbol.get_name())
    for child in table.get_children():
        _scope_names(child, runs_now, now, later, assigned)


def _imports_autograder(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "autograder" for alias in node.names)
    return isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "autograder"


def _python_magic(node: ast.stmt) -> str | None:
    """The code of `get_ipython().run_cell_magic('time', '', CODE)` (IPython's rewrite of a
    `%%time` cell) or `get_ipython().run_line_magic('time', CODE)`, for the magics that run their
    code in the user namespace; None for any other statement."""
    call = node.value if isinstance(node, ast.Expr) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Call) and isinstance(call.func.value.func, ast.Name)
            and call.func.value.func.id == "get_ipython"
            and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in call.args)):
        return None
    args = [a.value for a in call.args]
    if call.func.attr == "run_cell_magic" and len(args) == 3 and args[0] in PYTHON_CELL_MAGICS:
        return args[2]
    if call.func.attr == "run_line_magic" and len(args) == 2 and args[0] in PYTHON_LINE_MAGICS:
        return args[1]
    return None


def python_of_cell(source: str) -> str:
    """A code cell that does not parse as Python (magics, shell escapes, `?` help) rewritten by
    IPython's own transformer into `get_ipython()` calls, line by line, so the rest of the cell
    stays. IPython (a slow import) is imported only for such a cell."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def cell_statements(source: str, where: str, *, rewritten: bool = False) -> list[Statement]:
    """The top-level statements of one code cell; a cell that does not parse is rewritten by
    `python_of_cell` once, and if it still does not parse it has none, as Jupyter runs none of it."""
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):  # ValueError: null bytes
        return [] if rewritten else cell_statements(python_of_cell(source), where, rewritten=True)
    lines = source.split("\n")
    scopes: list = []  # the cell's symbol tables, made when a statement has a function or class

    def tables_within(first: int, last: int) -> list:
        if not scopes:
            scopes.append(symtable.symtable(source, "<cell>", "exec").get_children())
        return [t for t in scopes[0] if first <= t.get_lineno() <= last]

    statements = []
    for index, node in enumerate(tree.body):
        if _imports_autograder(node):
            continue
        magic_code = _python_magic(node)
        if magic_code is not None:
            statements += cell_statements(magic_code, where)
            continue
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        shares_line = (index > 0 and tree.body[index - 1].end_lineno == node.lineno) or (
            index + 1 < len(tree.body) and tree.body[index + 1].lineno == node.end_lineno)
        text = ast.get_source_segment(source, node) if shares_line else "\n".join(lines[first - 1:node.end_lineno])
        statements.append(_analyse(node, text, first, f"{where}, line {first}", tables_within))
    return statements


def _analyse(node: ast.stmt, text: str, first: int, where: str, tables_within) -> Statement:
    here = list(_nodes_in_scope(node))
    binds, imported = _bound_names(here)
    uses = {n.id for n in here if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Store)}
    uses |= {n.target.id for n in here if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)}
    now, later, assigned = set(), set(), set()
    if any(isinstance(n, _SCOPES) for n in here):
        for table in tables_within(first, node.end_lineno):
            _scope_names(table, True, now, later, assigned)
    mutates = _mutated_roots(here, whole_statement_calls=True)
    passed = {(_root_name(n.func), arg.id) for n in here if isinstance(n, ast.Call)
              for arg in [a.value if isinstance(a, ast.Starred) else a for a in n.args]
              + [k.value for k in n.keywords] if isinstance(arg, ast.Name)}
    star = any(isinstance(n, ast.ImportFrom) and any(a.name == "*" for a in n.names) for n in here)
    return Statement(
        text=text, where=where, node=node, first=first, binds=frozenset(binds),
        kills=frozenset(_killed_names(node)), mutates=frozenset(mutates), uses=frozenset(uses | now),
        call_uses=frozenset(later), global_assigned=frozenset(assigned), imported=frozenset(imported),
        passed=frozenset((callee, arg) for callee, arg in passed if callee is not None),
        opaque=star or "exec" in uses or bool(mutates & {"globals", "vars", "locals"}),
        future=isinstance(node, ast.ImportFrom) and node.module == "__future__",
        definition=isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))


class NotebookModule:
    """The statements of a notebook's code cells (in run order) kept for grading: those the
    graded names need, transitively (see the module docstring)."""

    def __init__(self, statements: Sequence[Statement], graded: Iterable[str] | None):
        self.statements = list(statements)
        self.graded = None if graded is None else frozenset(graded)

    def kept(self) -> list[Statement]:
        """The kept statements, in order: iterated until dropping dead statements frees no name."""
        keep = [True] * len(self.statements)
        for _ in range(len(self.statements) + 1):
            live = self._needed_at_end(keep)
            new_keep = self._backward(live, keep)
            if new_keep == keep:
                break
            keep = new_keep
        return [s for s, k in zip(self.statements, keep) if k]

    def _binders(self, keep: list[bool]) -> dict[str, list[Statement]]:
        """name -> the kept statements that bind or mutate it."""
        binders: dict[str, list[Statement]] = {}
        for statement, kept in zip(self.statements, keep):
            if kept:
                for name in statement.binds | statement.mutates:
                    binders.setdefault(name, []).append(statement)
        return binders

    def _needed_at_end(self, keep: list[bool]) -> set[str]:
        """The names whose final bindings grading may read: the graded names and, transitively,
        every name read by what binds or mutates them (when run or when called)."""
        if self.graded is None:  # no assignment known: every definition is graded
            roots = {n for s in self.statements if s.definition for n in s.binds}
        else:
            roots = set(self.graded)
        binders = self._binders(keep)
        needed, todo = set(), list(roots)
        while todo:
            name = todo.pop()
            if name in needed:
                continue
            needed.add(name)
            for statement in binders.get(name, ()):
                todo += statement.uses | statement.call_uses
        if needed & DYNAMIC_NAMES:  # a needed function reads globals by name: keep every binding
            needed |= set(binders)
        return needed

    def _backward(self, live_at_end: set[str], keep: list[bool]) -> list[bool]:
        """Walk from the last statement to the first, keeping each that binds or mutates a live name."""
        binders = self._binders(keep)
        imported_only = {n for n, ss in binders.items()  # modules: calls on them are not mutations
                         if any(n in s.binds for s in ss) and all(n in s.imported for s in ss if n in s.binds)}
        reached = _CallReach(binders)
        live, new_keep = set(live_at_end), [False] * len(self.statements)
        for index in range(len(self.statements) - 1, -1, -1):
            statement = self.statements[index]
            calls = reached.names(statement.uses)
            if not (statement.opaque or statement.future or statement.binds & live
                    or (statement.mutates - imported_only) & live
                    or (reached.effects(statement.uses | calls) - imported_only) & live
                    or self._passed_to_a_mutator(statement, binders, live)):
                continue
            new_keep[index] = True
            live -= statement.kills
            live |= statement.uses | calls
        return new_keep


    @staticmethod
    def _passed_to_a_mutator(statement: Statement, binders: dict[str, list[Statement]], live: set[str]) -> bool:
        """Whether the statement hands a live data object (a name bound by an assignment, not by
        def, class or import) to a call that may change it: a library function (`np.copyto(W, x)`,
        `rng.shuffle(perm)`), an object's method, or a notebook function that changes its
        arguments. The notebook's functions and classes passed along (`train(Adam, ...)`) and
        builtins (`print(W)`) do not count: an experiment that only uses them stays out."""
        for callee, name in statement.passed:
            if name not in live:
                continue
            data = [s for s in binders.get(name, ()) if name in s.binds]
            if not data or any(s.definition or name in s.imported for s in data):
                continue
            callee_binders = [s for s in binders.get(callee, ()) if callee in s.binds]
            if not callee_binders:
                continue  # a builtin (print, len, ...); setattr and delattr are mutations already
            if any(not s.definition or s.mutates_parameters for s in callee_binders):
                return True
        return False


class _CallReach:
    """Over-approximate call graph: a named function may run whatever any of its definitions reads."""

    def __init__(self, binders: dict[str, list[Statement]]):
        self.binders = binders
        self._names: dict[frozenset, set[str]] = {}

    def names(self, uses: frozenset[str]) -> set[str]:
        """Global names read when the functions named in `uses` run, transitively."""
        if uses not in self._names:
            found, todo = set(), list(uses)
            while todo:
                name = todo.pop()
                for statement in self.binders.get(name, ()):
                    for used in statement.call_uses:
                        if used not in found:
                            found.add(used)
                            todo.append(used)
            self._names[uses] = found
        return self._names[uses]

    def effects(self, names: Iterable[str]) -> set[str]:
        return {e for name in names for s in self.binders.get(name, ()) for e in s.effects}


def _guarded(statement: Statement) -> str:
    """The statement inside `try:`, indented by a tab (a common prefix keeps any mix of tabs and
    spaces consistent); lines that continue a multi-line string keep their text."""
    body = "\n".join(line if i in statement.string_lines else "\t" + line
                     for i, line in enumerate(statement.text.split("\n")))
    return (f"try:\n{body}\nexcept Exception as _notebook_error:\n"
            f"\t_notebook_statement_failed({statement.where!r}, _notebook_error)\n")


def module_source(statements: Sequence[Statement], graded: Iterable[str] | None) -> str:
    """The grading module: `from __future__` imports, the prelude, then each kept statement guarded."""
    kept = NotebookModule(statements, graded).kept()
    future = [s.text + "\n" for s in kept if s.future]
    return "".join(future) + NOTEBOOK_PRELUDE + "\n\n" + "\n".join(_guarded(s) for s in kept if not s.future)


def source_from_cells(cells: Iterable[str], graded: Iterable[str] | None = None,
                      labels: Iterable[str] | None = None) -> str:
    """The module a notebook defines for grading, from its code cells (IPython syntax allowed, see
    `cell_statements`) in run order; `graded`: the names grading reads (None: every top-level
    def and class); `labels` name the cells in messages (default 'code cell N')."""
    cells = list(cells)
    labels = list(labels) if labels is not None else [f"code cell {i + 1}" for i in range(len(cells))]
    return module_source([s for cell, label in zip(cells, labels) for s in cell_statements(cell, label)], graded)


@functools.cache
def graded_names(assignment: str) -> frozenset[str] | None:
    """The top-level names the assignment's module defines (its functions, classes and constants;
    not its imports): what grading may read from a submission. Read from
    `reference.definitions_source`: the reference solution in the grader, the handout stub in the
    student kit (the same names, so a notebook builds the same module in both). None if unknown
    (then every top-level def and class is graded)."""
    from autograder import reference

    if assignment not in reference.ASSIGNMENTS:
        return None
    try:
        tree = ast.parse(reference.definitions_source(assignment))
    except OSError:
        return None
    return frozenset(name for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom))
                     for name in _bound_names(_nodes_in_scope(node))[0])


def kernel_source(namespace: Mapping, assignment: str | None = None) -> str:
    """The student's module as this IPython kernel ran it (its `In` history, IPython syntax
    already rewritten by the kernel), for grading `assignment`."""
    history = namespace.get("In")
    if not isinstance(history, list):
        raise RuntimeError(
            "unit_score and self_check read the notebook's input history: call them from a "
            "Jupyter/IPython cell with globals(). For a .py file, run "
            "`python -m autograder check --assignment NAME NAME.py`.")
    cells = [(cell, f"In [{n}]") for n, cell in enumerate(history) if isinstance(cell, str) and cell.strip()]
    return source_from_cells([c for c, _ in cells], graded_names(assignment) if assignment else None,
                             [label for _, label in cells])


def _grade_in_subprocess(assignment: str, source: str, hidden: bool) -> SubmissionResult:
    """`grade_source` in a new interpreter; its result comes back as results.json."""
    package_parent = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_parent, env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory(prefix="nnopt-notebook-") as tmp:
        result_file = Path(tmp) / "results.json"
        command = [sys.executable, "-m", "autograder.notebook", assignment, str(result_file)]
        if hidden:
            command.append("--hidden")
        try:
            done = subprocess.run(command, input=source, capture_output=True, text=True, env=env,
                                  timeout=GRADING_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return SubmissionResult(student="notebook", assignment=assignment, checks=[], status="timeout",
                                    output=f"grading took longer than {GRADING_TIMEOUT_SECONDS} s")
        if done.returncode != 0 or not result_file.exists():
            return SubmissionResult(student="notebook", assignment=assignment, checks=[], status="error",
                                    output=f"the grader failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
        return from_gradescope(json.loads(result_file.read_text(encoding="utf-8")))


def grade_namespace(assignment: str, namespace: Mapping, *, hidden: bool) -> SubmissionResult:
    """The graded result of the notebook's current source; hidden=False keeps visible checks only."""
    source = kernel_source(namespace, assignment)
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    cached = _RESULTS.get((assignment, digest, hidden))
    if cached is None and not hidden and (assignment, digest, True) in _RESULTS:
        full = _RESULTS[(assignment, digest, True)]
        cached = dataclasses.replace(full, checks=[c for c in full.checks if c.visibility == "visible"])
    if cached is None:
        cached = _grade_in_subprocess(assignment, source, hidden)
        if cached.status != "error":
            _RESULTS[(assignment, digest, hidden)] = cached
    return cached


class GraderError(RuntimeError):
    """The grader itself failed (it crashed or ran out of time): no score can be given. Raised in the
    notebook's cell, so that nbgrader and `nbconvert --execute` see an error instead of 0 points."""


def _raise_for_grader_failure(result: SubmissionResult) -> None:
    """A result without checks because grading itself failed is the grader's error, never the
    student's 0 (a submission that hangs or crashes still gets its checks, each failed)."""
    if result.status == "error" or (result.status == "timeout" and not result.checks):
        raise GraderError(f"the {result.assignment} grader could not grade this notebook, so no points are "
                          f"recorded; tell your instructor. {result.output}")


def _points(value: float) -> str:
    return f"{value:g}"


def _check_lines(check) -> list[str]:
    mark = {"passed": "passed", "grader_error": "GRADER ERROR"}.get(check.status, "FAILED")
    if check.visibility == "hidden":
        return [f"  {mark}  [hidden] {check.name}  ({_points(check.score)}/{_points(check.max_score)})"]
    lines = [f"  {mark}  {check.name}  ({_points(check.score)}/{_points(check.max_score)})"]
    if check.status != "passed" and check.output:
        lines += ["          " + line for line in check.output.splitlines()]
    return lines


def unit_score(assignment: str, unit: str | None, namespace: Mapping, *, hidden: bool = False) -> float:
    """Print the checks of `unit` (None: the checks without a unit) and return its points.

    hidden=False runs the visible checks only (what students see); the autograded
    cells pass hidden=True when nbgrader grades."""
    result = grade_namespace(assignment, namespace, hidden=hidden)
    _raise_for_grader_failure(result)
    checks = [c for c in result.checks if c.unit == unit]
    earned = float(round(sum(c.score for c in checks), 6))
    label = unit or assignment
    if result.output:
        print(result.output)
    if not checks:
        print(f"{label}: no {'checks' if hidden else 'visible checks'} grade this unit.")
        return earned
    print(f"{label}: {_points(earned)} / {_points(round(sum(c.max_score for c in checks), 6))} points"
          + ("" if hidden else " from the visible checks (hidden checks run at grading)"))
    for check in checks:
        print("\n".join(_check_lines(check)))
    errors = [c.name for c in checks if c.status == "grader_error"]
    if errors:  # nbgrader must see an error here, not record the withheld points as a zero
        raise RuntimeError(f"grader error in {', '.join(errors)}: the grader itself failed (not your mistake); "
                           "tell your instructor")
    return earned


def self_check(assignment: str, namespace: Mapping) -> SubmissionResult:
    """Print the report of every visible check on the notebook's definitions."""
    result = grade_namespace(assignment, namespace, hidden=False)
    _raise_for_grader_failure(result)
    if result.output:
        print(result.output)
    for check in result.checks:
        print("\n".join(_check_lines(check)))
    failed = sum(c.status != "passed" for c in result.checks)
    print(f"\nVisible checks: {_points(result.score)} / {_points(result.max_score)} points, "
          f"{len(result.checks) - failed} passed, {failed} failed.")
    return result


def main(argv: list[str] | None = None) -> int:
    """`python -m autograder.notebook ASSIGNMENT RESULT_JSON [--hidden]`, source on stdin."""
    parser = argparse.ArgumentParser(prog="python -m autograder.notebook")
    parser.add_argument("assignment")
    parser.add_argument("result_json", type=Path)
    parser.add_argument("--hidden", action="store_true")
    args = parser.parse_args(argv)
    from autograder.runtime.runner import grade_source

    result = grade_source(args.assignment, sys.stdin.read(), filename=f"{args.assignment}.py",
                          hidden=args.hidden, student="notebook")
    args.result_json.write_text(json.dumps(to_gradescope(result)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
