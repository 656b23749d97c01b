"""`python -m autograder course`: the assignments' gradebooks merged into one course gradebook.

Reads each `grade` output folder's `gradebook.csv` and `gradebook.json`, writes to OUT:
`course_gradebook.csv` (`student,name,email,sis_user_id,section`, one final-score column per
assignment, `total`, `max_total`; one row per roster student, then any graded student missing
from the roster), and `canvas_import.csv` / `moodle_import.csv` with one column per assignment
(lms.py). A student with no row in an assignment's gradebook, or a `missing` row, has an empty
cell: no submission, not a zero the LMS would record.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from autograder.gradebook import lms
from autograder.gradebook.book import MISSING
from autograder.gradebook.roster import Roster

IDENTITY = ("student", "name", "email", "sis_user_id", "section")


def read_assignment(folder: Path) -> tuple[dict, dict[str, dict]]:
    meta = json.loads((folder / "gradebook.json").read_text(encoding="utf-8"))
    with open(folder / "gradebook.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    return meta, rows


def merge(folders: list[Path], roster: Roster | None, out_dir: Path, write) -> list[str]:
    """Write the course gradebook and LMS files for `folders` (one per assignment); returns warnings."""
    roster = roster or Roster.empty()
    assignments = [read_assignment(Path(f)) for f in folders]
    names = [meta["assignment"] for meta, _ in assignments]
    if len(set(names)) != len(names):
        raise ValueError(f"an assignment appears twice: {names}")
    order = roster.ids() + sorted({s for _, rows in assignments for s in rows} - set(roster.ids()))
    students = []
    for student in order:
        graded_name = next((rows[student].get("name", "") for _, rows in assignments if student in rows), "")
        person = lms.LmsStudent.of(student, roster.get(student), graded_name)
        for meta, rows in assignments:
            row = rows.get(student)
            person.scores[meta["assignment"]] = None if row is None or row["status"] == MISSING else float(row["score"])
        students.append(person)

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*IDENTITY, *names, "total", "max_total"])
    max_total = sum(meta["max_score"] for meta, _ in assignments)
    for s in students:
        scores = [s.scores[n] for n in names]
        writer.writerow([s.id, s.name, s.email, s.sis_user_id, s.section, *("" if v is None else f"{v:g}" for v in scores),
                         f"{sum(v or 0.0 for v in scores):g}", f"{max_total:g}"])
    write(out_dir / "course_gradebook.csv", buffer.getvalue())

    canvas_students = [_renamed(s, {meta["assignment"]: meta["canvas_column"] for meta, _ in assignments})
                       for s in students]
    write(out_dir / "canvas_import.csv", lms.canvas_csv(
        {meta["canvas_column"]: meta["max_score"] for meta, _ in assignments}, canvas_students))
    moodle_students = [_renamed(s, {meta["assignment"]: meta["moodle_column"] for meta, _ in assignments})
                       for s in students]
    text, skipped = lms.moodle_csv([meta["moodle_column"] for meta, _ in assignments], moodle_students)
    write(out_dir / "moodle_import.csv", text)
    return [f"moodle_import.csv leaves out {len(skipped)} students with no email, ID number or username"] if skipped else []


def _renamed(student: lms.LmsStudent, columns: dict[str, str]) -> lms.LmsStudent:
    copy = lms.LmsStudent(**{**student.__dict__, "scores": {}})
    copy.scores = {columns[k]: v for k, v in student.scores.items()}
    return copy
