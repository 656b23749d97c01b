"""Grade-import CSVs for Canvas and Moodle, written and read back.

Canvas (Grades > Import; the layout of Canvas's own gradebook export, which its importer reads):

    Student,ID,SIS User ID,SIS Login ID,Section,<assignment column>...
    Points Possible,,,,,<points>...
    "Müller, Jürgen",40213,S123,jmuller,Section 1,8.5

`Student` is the sortable name, `ID` the Canvas user id (the importer matches a student by ID, SIS
User ID or SIS Login ID), the "Points Possible" row (the first cell says so) is skipped by the
importer as a student row; an assignment column is matched to an existing assignment by
"Name (assignment id)" — set `canvas_column` in the course file — otherwise by its name, or it
becomes a new assignment. A blank cell leaves the grade in Canvas unchanged: a student with no
submission is written blank. Anonymous ids (`anon_...`) cannot be matched by Canvas and are
written with an empty ID.

Moodle (Grades > Import > CSV file; grade/import/csv): the importer maps one column to a user
field — `userid`, `useridnumber`, `useremail` or `username` ("Identify user by" on the import page)
— and each other column to a grade item (or ignores it). It aborts the whole import on a row whose
user it cannot find, so only rows with an email address, ID number or username are written (the
others are listed by `write_moodle`'s return). An empty grade or `-` means "no grade".

    First name,Last name,ID number,Username,Email address,<grade item>...
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from autograder.gradebook.roster import RosterEntry

CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "Points Possible"
MOODLE_IDENTITY = ("First name", "Last name", "ID number", "Username", "Email address")


@dataclass
class LmsStudent(RosterEntry):
    """One student as the LMS files need them (their roster entry), with a score (or None) per column."""
    scores: dict = field(default_factory=dict)  # column -> float | None

    @classmethod
    def of(cls, student: str, entry: RosterEntry | None, name: str = "") -> "LmsStudent":
        """The roster's entry for `student` (or just the id), with `name` where the roster has none."""
        known = {k: v for k, v in vars(entry).items()} if entry else {"id": student}
        known["name"] = known.get("name") or name
        return cls(**known)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def canvas_csv(columns: dict[str, float], students: list[LmsStudent]) -> str:
    """Canvas gradebook import: `columns` maps each assignment column to its points possible."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*CANVAS_IDENTITY, *columns])
    writer.writerow([CANVAS_POINTS_ROW, "", "", "", "", *(_number(p) for p in columns.values())])
    for s in students:
        canvas_id = "" if s.id.startswith("anon_") else s.id
        writer.writerow([s.sortable_name or s.name or s.id, canvas_id, s.sis_user_id, s.sis_login_id, s.section,
                         *(_number(s.scores.get(c)) for c in columns)])
    return buffer.getvalue()


def moodle_csv(columns: list[str], students: list[LmsStudent]) -> tuple[str, list[str]]:
    """Moodle grade import and the ids left out (no email, ID number or username to map them by)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*MOODLE_IDENTITY, *columns])
    skipped = []
    for s in students:
        if not (s.email or s.sis_user_id or s.sis_login_id):
            skipped.append(s.id)
            continue
        first, _, last = (s.name or "").rpartition(" ")
        writer.writerow([first, last, s.sis_user_id, s.sis_login_id, s.email, *(_number(s.scores.get(c)) for c in columns)])
    return buffer.getvalue(), skipped


def read_canvas_csv(text: str) -> tuple[dict[str, float], dict[str, dict[str, str]]]:
    """(points possible per column, {ID or Student: {column: cell}}) from a Canvas import CSV."""
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    if tuple(header[:5]) != CANVAS_IDENTITY:
        raise ValueError(f"not a Canvas gradebook CSV: header starts {header[:5]}")
    columns = header[5:]
    points, grades = {}, {}
    for row in rows[1:]:
        if row[0].strip().startswith(CANVAS_POINTS_ROW):
            points = {c: float(v) for c, v in zip(columns, row[5:]) if v.strip()}
            continue
        grades[row[1] or row[0]] = dict(zip(columns, row[5:]))
    return points, grades


def read_moodle_csv(text: str, identify_by: str = "Email address") -> dict[str, dict[str, str]]:
    """{identifier: {grade column: cell}} from a Moodle import CSV, keyed by the mapped column."""
    rows = list(csv.DictReader(io.StringIO(text)))
    return {row[identify_by]: {k: v for k, v in row.items() if k not in MOODLE_IDENTITY} for row in rows}
