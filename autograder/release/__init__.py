"""`python -m autograder release`: student material generated from `solutions/`.

For each assignment NAME, from `solutions/NAME.py`, `autograder/release/handouts/NAME.md`
and the points of the suite `autograder/suites/NAME/`:

- `OUT/NAME/NAME.py`     the stub module (solution regions cleared)
- `OUT/NAME/NAME.ipynb`  the student notebook (nbgrader metadata, autograded cells)
- `SOURCE/NAME/NAME.ipynb` (optional) the instructor notebook, solutions in place,
  for `nbgrader generate_assignment NAME`, whose output equals the student notebook.

`answer_key(NAME)` is the student notebook filled in with the reference: the demo
cohort's notebook students are answer keys (examples/refresh_notebook_students.py).

Everything is a pure function of those inputs: regenerating gives identical bytes.
"""
from __future__ import annotations

from pathlib import Path

from autograder.reference import ASSIGNMENTS
from autograder.release.stubs import clear_solutions

HANDOUTS_DIR = Path(__file__).resolve().parent / "handouts"


def release_assignment(assignment: str, repo_root: Path, out_dir: Path,
                       source_notebook_dir: Path | None = None) -> list[Path]:
    """Write one assignment's stub and student notebook (and instructor notebook)."""
    from autograder.release import notebooks
    from autograder.release.points import unit_points

    solution_path = repo_root / "solutions" / f"{assignment}.py"
    solution = solution_path.read_text(encoding="utf-8")
    handout = (HANDOUTS_DIR / f"{assignment}.md").read_text(encoding="utf-8")
    cells = notebooks.instructor_cells(assignment, solution, handout, unit_points(assignment))

    stub_path = out_dir / assignment / f"{assignment}.py"
    stub_path.parent.mkdir(parents=True, exist_ok=True)
    stub_path.write_text(clear_solutions(solution, str(solution_path)), encoding="utf-8")
    written = [stub_path]
    student = notebooks.to_notebook([notebooks.student_cell(c) for c in cells], student=True)
    written.append(notebooks.write_notebook(student, out_dir / assignment / f"{assignment}.ipynb"))
    if source_notebook_dir is not None:
        instructor = notebooks.to_notebook(cells, student=False)
        written.append(notebooks.write_notebook(instructor, source_notebook_dir / assignment / f"{assignment}.ipynb"))
    return written


def answer_key(assignment: str, repo_root: Path):
    """The student notebook with every solution cell filled in with the reference code
    (markers dropped): what a student who solved everything hands in."""
    import re

    from autograder.release import notebooks
    from autograder.release.points import unit_points

    solution = (repo_root / "solutions" / f"{assignment}.py").read_text(encoding="utf-8")
    handout = (HANDOUTS_DIR / f"{assignment}.md").read_text(encoding="utf-8")
    cells = notebooks.instructor_cells(assignment, solution, handout, unit_points(assignment))
    student = notebooks.to_notebook([notebooks.student_cell(c) for c in cells], student=True)
    instructor = notebooks.to_notebook(cells, student=False)
    for filled, source in zip(student.cells, instructor.cells):
        if filled.metadata.get("nbgrader", {}).get("solution"):
            filled.source = re.sub(r"^ *### (BEGIN|END) SOLUTION\n", "", source.source, flags=re.M)
    return student


def release_all(repo_root: Path, out_dir: Path | None = None,
                source_notebook_dir: Path | None = None) -> list[Path]:
    """Release every assignment into `out_dir` (default `repo_root/assignments`);
    returns the paths written."""
    repo_root = Path(repo_root)
    out_dir = Path(out_dir) if out_dir is not None else repo_root / "assignments"
    source_notebook_dir = Path(source_notebook_dir) if source_notebook_dir is not None else None
    written = []
    for assignment in ASSIGNMENTS:
        written += release_assignment(assignment, repo_root, out_dir, source_notebook_dir)
    return written
