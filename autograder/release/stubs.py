"""Student stubs from reference solutions, the way nbgrader clears them.

A reference module marks each part students write with a pair of comment lines

    ### BEGIN SOLUTION
    ...
    ### END SOLUTION

inside a function or method body. Clearing replaces each region, markers included,
by `CODE_STUB` indented like the `### BEGIN SOLUTION` line: the same text as
nbgrader's `ClearSolutions` default for Python, so `nbgrader generate_assignment`
on the instructor notebook gives the same cells as `clear_solutions` here.
"""
from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
# nbgrader matches these anywhere in a line (a substring test), docstrings included.
NBGRADER_DELIMITERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


class MarkerError(ValueError):
    """A solution module whose markers cannot be cleared into a valid stub."""


@dataclass(frozen=True)
class SolutionRegion:
    """Lines `begin`..`end` (1-based, inclusive, marker lines included)."""

    begin: int
    end: int
    indent: str


@dataclass(frozen=True)
class Block:
    """One top-level piece of a module, in source order.

    kind: "definition" (a top-level def/class) or "statements" (a run of other
    top-level statements: imports, constants). `text` keeps the source lines from
    `first_line` to `last_line`, comments directly above a definition included.
    """

    kind: str
    name: str
    text: str
    first_line: int
    last_line: int
    has_solution: bool


def solution_regions(source: str, filename: str = "<solution>") -> list[SolutionRegion]:
    """The marked regions of `source`, checked: real comment lines, paired, not
    nested, each strictly inside the body of one function or method."""
    lines = source.splitlines()
    markers = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.COMMENT:
            continue
        text = token.string.strip()
        if text not in (BEGIN_SOLUTION, END_SOLUTION):
            continue
        row, col = token.start
        if lines[row - 1][:col].strip():
            raise MarkerError(f"{filename}:{row}: {text!r} must be alone on its line")
        markers.append((row, text, lines[row - 1][:col]))
    regions = []
    open_marker = None
    for row, text, indent in markers:
        if text == BEGIN_SOLUTION:
            if open_marker is not None:
                raise MarkerError(f"{filename}:{row}: nested {BEGIN_SOLUTION!r} (open since line {open_marker[0]})")
            open_marker = (row, indent)
        else:
            if open_marker is None:
                raise MarkerError(f"{filename}:{row}: {END_SOLUTION!r} without {BEGIN_SOLUTION!r}")
            regions.append(SolutionRegion(open_marker[0], row, open_marker[1]))
            open_marker = None
    if open_marker is not None:
        raise MarkerError(f"{filename}:{open_marker[0]}: {BEGIN_SOLUTION!r} is never closed")
    marker_rows = {row for row, _, _ in markers}
    for row, line in enumerate(lines, start=1):
        if row not in marker_rows and any(word in line for word in NBGRADER_DELIMITERS):
            raise MarkerError(f"{filename}:{row}: nbgrader would read this line as a marker: {line.strip()!r}")
    return regions


def clear_solutions(source: str, filename: str = "<solution>") -> str:
    """`source` with every solution region replaced by the indented `CODE_STUB`.

    Raises MarkerError unless each stub lands directly in a function body."""
    lines = source.split("\n")
    regions = solution_regions(source, filename)
    for region in reversed(regions):
        lines[region.begin - 1:region.end] = [region.indent + stub for stub in CODE_STUB]
    stub = "\n".join(lines)
    removed = 0
    raise_lines = []
    for region in regions:
        raise_lines.append(region.begin - removed + len(CODE_STUB) - 1)
        removed += (region.end - region.begin + 1) - len(CODE_STUB)
    try:
        tree = ast.parse(stub, filename)
    except SyntaxError as error:
        raise MarkerError(f"{filename}: the cleared stub does not parse: {error}") from error
    body_raises = {
        statement.lineno
        for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        for statement in node.body if isinstance(statement, ast.Raise)
    }
    for region, line in zip(regions, raise_lines):
        if line not in body_raises:
            raise MarkerError(f"{filename}:{region.begin}: solution region is not a statement of a function body")
    return stub


def module_blocks(source: str, filename: str = "<solution>") -> list[Block]:
    """The top-level blocks of a module, without its docstring: one per def/class,
    one per run of consecutive other statements."""
    tree = ast.parse(source, filename)
    lines = source.splitlines()
    regions = solution_regions(source, filename)
    body = list(tree.body)
    body_start = 1
    if ast.get_docstring(tree, clean=False) is not None:
        body_start = body.pop(0).end_lineno + 1
    blocks: list[Block] = []
    run: list[ast.stmt] = []

    def first_line(node: ast.stmt) -> int:
        """The node's first line, moved up over decorators and comment lines right above it."""
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        floor = blocks[-1].last_line if blocks else body_start - 1
        while first - 1 > floor and lines[first - 2].lstrip().startswith("#"):
            first -= 1
        return first

    def close_run() -> None:
        if run:
            first, last = first_line(run[0]), run[-1].end_lineno
            blocks.append(Block("statements", "", "\n".join(lines[first - 1:last]), first, last, False))
            run.clear()

    for node in body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            run.append(node)
            continue
        close_run()
        first, last = first_line(node), node.end_lineno
        inside = [r for r in regions if first <= r.begin <= last]
        # a region's closing marker is a comment after the last statement of the body
        last = max([last] + [r.end for r in inside])
        has_solution = bool(inside)
        blocks.append(Block("definition", node.name, "\n".join(lines[first - 1:last]), first, last, has_solution))
    close_run()
    return blocks
