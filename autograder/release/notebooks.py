"""The assignment notebooks: the instructor (nbgrader source) version and the student version.

Cell layout, in order: the handout (markdown: the lecture's math), how to work in
the notebook (markdown), the locked setup cell (the reference module's imports and
constants), one cell per top-level definition of the reference module (a solution
cell when it holds solution regions, else a locked cell), then one autograded test
cell per unit the suite grades (in definition order; units that are no top-level
definition last), and last the locked self-check cell.

Metadata follows nbgrader's schema version 3. The student version is derived from
the instructor version the way `nbgrader generate_assignment` derives it: solution
regions cleared (`stubs.clear_solutions`), hidden-test regions removed, cells locked
as nbgrader's `LockCells` locks them. Cell ids are fixed strings (grade ids), so
regenerating gives byte-identical files.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from autograder.release.points import UnitPoints
from autograder.release.stubs import clear_solutions, module_blocks

SCHEMA_VERSION = 3
BEGIN_HIDDEN_TESTS = "### BEGIN HIDDEN TESTS"
END_HIDDEN_TESTS = "### END HIDDEN TESTS"
SELF_CHECK_TAG = "self-check"
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


@dataclass
class CellSpec:
    """One cell of the instructor notebook; `nbgrader` is None for a plain cell."""

    cell_type: str
    cell_id: str
    source: str
    nbgrader: dict | None = None
    tags: list[str] = field(default_factory=list)


def _nbgrader(grade_id: str, *, solution: bool = False, grade: bool = False, locked: bool = False,
              points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def _number(value: float) -> int | float:
    """2.0 -> 2, 1.5 -> 1.5: points as they read best in metadata and text."""
    return int(value) if float(value).is_integer() else value


def _cell_id(text: str) -> str:
    """A valid nbformat cell id (1-64 of [a-zA-Z0-9-_]) from a grade id."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)[:64]


def _import_lines(name: str) -> list[str]:
    """Import `name` from the grader where it is installed (instructors, nbgrader), else from the
    student kit (`pip install nnopt_kit-*.whl`; docs/student-kit.md)."""
    return ["try:",
            f"    from autograder.notebook import {name}",
            "except ImportError:  # a student's machine: the kit",
            f"    from nnopt_kit.notebook import {name}"]


def checks_cell_source(assignment: str, unit: str | None, points: UnitPoints) -> str:
    """The autograded cell of one unit: visible checks for the student, all checks
    when nbgrader autogrades (the hidden-test region survives only in the source)."""
    subject = f"`{unit}`" if unit else "the module as a whole"
    unit_literal = f'"{unit}"' if unit is not None else "None"
    if points.hidden:
        split = (f"{_number(points.visible)} from the checks you see here\n"
                 f"# and {_number(points.hidden)} from hidden checks run at grading.")
    else:
        split = "all from the checks you see here."
    return "\n".join([
        f"# Autograded checks of {subject}: {_number(points.total)} points, {split}",
        "# The number this cell shows is your score.",
        *_import_lines("unit_score"),
        "",
        "include_hidden = False",
        BEGIN_HIDDEN_TESTS,
        "include_hidden = True",
        END_HIDDEN_TESTS,
        f'unit_score("{assignment}", {unit_literal}, globals(), hidden=include_hidden)',
    ])


def instructions(assignment: str, has_tests: bool) -> str:
    lines = [
        "## How to work in this notebook",
        "",
        "- Write your code in the cells that say `# YOUR CODE HERE`, replacing the "
        "`raise NotImplementedError()` line. Keep every name, signature and docstring as given.",
        "- Your functions must not modify their input arrays, must not print, and must not use "
        "the global `np.random` state.",
        "- Run the cells from the top: the first code cell holds the imports (read-only).",
    ]
    if has_tests:
        lines.append(
            "- After your definitions come the autograded cells, one per function or class: each runs "
            "its visible checks and shows your points; the grader runs hidden checks as well.")
    lines += [
        "- The last cell is a self-check of the whole notebook. From a terminal, "
        f"`python -m autograder check --assignment {assignment} {assignment}.ipynb` runs the same checks.",
    ]
    return "\n".join(lines)


CHECKS_HEADING = """## Autograded checks

Run these cells after the definitions above. Each cell grades one of your functions or
classes and shows the points it earns; the checks of one version of your code run once
and serve every cell."""


def instructor_cells(assignment: str, solution_source: str, handout: str,
                     units: dict[str | None, UnitPoints]) -> list[CellSpec]:
    """The cells of the instructor notebook, solutions and hidden-test regions included.

    The autograded cells all follow the definitions: when nbgrader runs the notebook
    top to bottom, every cell then grades the same complete module (one grading run)."""
    filename = f"solutions/{assignment}.py"
    cells = [
        CellSpec("markdown", "handout", handout.strip()),
        CellSpec("markdown", "instructions", instructions(assignment, bool(units))),
    ]
    blocks = module_blocks(solution_source, filename)
    setup_runs = 0
    for block in blocks:
        if block.kind == "statements":
            grade_id = "imports" if setup_runs == 0 else f"setup_{setup_runs}"
            setup_runs += 1
            cells.append(CellSpec("code", grade_id, block.text, _nbgrader(grade_id, locked=True)))
        elif block.has_solution:
            cells.append(CellSpec("code", _cell_id(block.name), block.text, _nbgrader(block.name, solution=True)))
        else:
            cells.append(CellSpec("code", _cell_id(block.name), block.text, _nbgrader(block.name, locked=True)))

    definition_order = {b.name: i for i, b in enumerate(blocks) if b.kind == "definition"}
    ordered_units = sorted(units, key=lambda u: definition_order.get((u or "").split(".")[0], len(blocks)))
    if units:
        cells.append(CellSpec("markdown", "checks", CHECKS_HEADING))
    for unit in ordered_units:
        points = units[unit]
        grade_id = f"test_{unit}" if unit else "test_module"
        cells.append(CellSpec("code", _cell_id(grade_id), checks_cell_source(assignment, unit, points),
                              _nbgrader(grade_id, grade=True, locked=True, points=_number(points.total))))
    cells.append(CellSpec(
        "code", "self_check",
        "\n".join([
            "# Self-check: runs every visible check on your definitions above and prints a report.",
            *_import_lines("self_check"),
            "",
            f'visible_results = self_check("{assignment}", globals())',
        ]),
        _nbgrader("self_check", locked=True), tags=[SELF_CHECK_TAG],
    ))
    return cells


def remove_hidden_tests(source: str) -> str:
    """`source` without its hidden-test regions, markers included (nbgrader's ClearHiddenTests)."""
    kept, hidden = [], False
    for line in source.split("\n"):
        if BEGIN_HIDDEN_TESTS in line:
            hidden = True
        elif END_HIDDEN_TESTS in line:
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept)


def student_cell(cell: CellSpec) -> CellSpec:
    """The cell as `nbgrader generate_assignment` releases it to students."""
    meta = cell.nbgrader
    if meta is None:
        return cell
    source = cell.source
    if meta["solution"]:
        source = clear_solutions(source, f"cell {cell.cell_id}")
    if meta["grade"]:
        source = remove_hidden_tests(source)
    return CellSpec(cell.cell_type, cell.cell_id, source, meta, cell.tags)


def to_notebook(cells: list[CellSpec], *, student: bool):
    """An nbformat v4 notebook; student cells carry LockCells' editable/deletable flags."""
    import nbformat

    nb = nbformat.v4.new_notebook(metadata=NOTEBOOK_METADATA)
    for cell in cells:
        metadata: dict = {}
        if cell.nbgrader is not None:
            metadata["nbgrader"] = dict(cell.nbgrader)
            if student:
                metadata["deletable"] = False
                if not cell.nbgrader["solution"]:
                    metadata["editable"] = False
        if cell.tags:
            metadata["tags"] = list(cell.tags)
        if cell.cell_type == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell.source, id=cell.cell_id, metadata=metadata))
        else:
            nb.cells.append(nbformat.v4.new_code_cell(cell.source, id=cell.cell_id, metadata=metadata))
    nbformat.validate(nb)
    return nb


def write_notebook(nb, path: Path) -> Path:
    """Write `nb` as nbformat JSON (sorted keys, one trailing newline)."""
    import nbformat

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return path
