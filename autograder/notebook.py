"""Grading from inside a Jupyter notebook: what the released notebooks' test cells call.

`unit_score(assignment, unit, globals())` is the last expression of each autograded
cell: it prints the unit's checks and returns the points earned, which nbgrader
records as the cell's partial credit. `self_check(assignment, globals())` prints the
report of every visible check.

The student's module is rebuilt from the kernel's input history (`In`): the imports,
definitions and UPPER_CASE constants of the executed cells, the last definition of a
name winning (`source_from_cells`). Grading runs in a fresh Python process through
`autograder.runtime.runner.grade_source`, so nothing the notebook did to this kernel
can touch the verdicts, and the student's code runs in the grader's sandboxed worker.
Results are cached per (assignment, source, hidden): the test cells of one notebook
cost one grading run.
"""
from __future__ import annotations

import argparse
import ast
import dataclasses
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from autograder.results import SubmissionResult, from_gradescope, to_gradescope

GRADING_TIMEOUT_SECONDS = 900
_CONSTANT_NAME = re.compile(r"_*[A-Z][A-Z0-9_]*")
_RESULTS: dict[tuple[str, str, bool], SubmissionResult] = {}


def _imports_autograder(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "autograder" for alias in node.names)
    return isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "autograder"


def _statement_key(node: ast.stmt, text: str) -> tuple | None:
    """What a kept top-level statement defines; None for statements that are dropped."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return ("definition", node.name)
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return None if _imports_autograder(node) else ("import", text)
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    if names and len(names) == len(targets) and all(_CONSTANT_NAME.fullmatch(n) for n in names):
        return ("constant", tuple(names))
    return None


def source_from_cells(cells: Iterable[str]) -> str:
    """The module a notebook defines, from its code cells (valid Python) in run order.

    Kept: imports (except of `autograder`), function and class definitions, and
    assignments to UPPER_CASE names; a later definition of the same name replaces
    the earlier one and takes its place in the order. Dropped: everything else
    (calls, prints, plots, the grader's own cells), and cells that do not parse.
    """
    kept: dict[tuple, str] = {}
    for cell in cells:
        try:
            tree = ast.parse(cell)
        except SyntaxError:
            continue
        lines = cell.splitlines()
        for node in tree.body:
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            text = "\n".join(lines[first - 1:node.end_lineno])
            key = _statement_key(node, text)
            if key is None or (key[0] == "import" and key in kept):
                continue
            kept.pop(key, None)
            kept[key] = text
    return "\n\n\n".join(kept.values()) + "\n"


def kernel_source(namespace: Mapping) -> str:
    """The student's module as this IPython kernel ran it (its `In` history)."""
    history = namespace.get("In")
    if not isinstance(history, list):
        raise RuntimeError(
            "unit_score and self_check read the notebook's input history: call them from a "
            "Jupyter/IPython cell with globals(). For a .py file, run "
            "`python -m autograder check --assignment NAME NAME.py`.")
    return source_from_cells(cell for cell in history if isinstance(cell, str))


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
    source = kernel_source(namespace)
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
