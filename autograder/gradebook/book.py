"""An assignment's gradebook: graded results, joined with the roster and the late policy.

`gradebook.csv` keeps SPEC §2's columns first (`student,score,max_score,status,seconds,message`)
— `score` is the final score, after any late penalty — and adds:

| column | meaning |
|---|---|
| `name` | roster name, else the name the layout gives |
| `raw_score` | the score the checks gave |
| `late_penalty_percent` | percent deducted (docs/lms.md, late policy) |
| `submitted_at` | the submission time used (ISO 8601), empty when unknown |
| `time_source` | where it came from: canvas-api, canvas-late-flag, moodle-worksheet, nbgrader-timestamp, commit-time, times-file, file-mtime (last resort) |
| `due` | the student's deadline (extension included) |
| `late_by_hours` | submitted_at − due in hours (negative: early), empty when unknown |
| `layout` | the intake layout |
| `notes` | what intake skipped or refused, timing notes, "not in roster" |

A roster student without a submission gets a row with status `missing` and score 0.
Next to it: `canvas_import.csv`, `moodle_import.csv` (lms.py) and `gradebook.json` (what the
`course` command needs to merge assignments).
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from autograder.gradebook import lms
from autograder.gradebook.late import CourseConfig, LatePolicy, extended_due, judge
from autograder.gradebook.roster import Roster
from autograder.results import SubmissionResult
from autograder.submission import Submission

COLUMNS = ("student", "score", "max_score", "status", "seconds", "message", "name", "raw_score",
           "late_penalty_percent", "submitted_at", "time_source", "due", "late_by_hours", "layout", "notes")
MISSING = "missing"


@dataclass(frozen=True)
class CourseOptions:
    """How `grade` reads a course's download and writes its gradebook (the CLI's course options)."""
    layout: str | None = None          # None: detected
    roster: Roster | None = None
    course: CourseConfig = CourseConfig()
    due: datetime | None = None        # overrides the course file's due time for this assignment
    times_file: Path | None = None     # an LMS export of submission times (intake/times.py)


@dataclass
class GradebookRow:
    student: str
    score: float
    max_score: float
    status: str
    seconds: float = 0.0
    message: str = ""
    name: str = ""
    raw_score: float = 0.0
    late_penalty_percent: float = 0.0
    submitted_at: datetime | None = None
    time_source: str = ""
    due: datetime | None = None
    late_by: timedelta | None = None
    layout: str = ""
    notes: list[str] = field(default_factory=list)

    def cells(self) -> list[str]:
        late_hours = "" if self.late_by is None else f"{self.late_by.total_seconds() / 3600:.3f}"
        return [self.student, f"{self.score:g}", f"{self.max_score:g}", self.status, f"{self.seconds:.3f}",
                self.message, self.name, f"{self.raw_score:g}", f"{self.late_penalty_percent:g}",
                self.submitted_at.isoformat() if self.submitted_at else "", self.time_source,
                self.due.isoformat() if self.due else "", late_hours, self.layout, "; ".join(self.notes)[:500]]


def build_rows(assignment: str, subs: list[Submission], results: list[SubmissionResult], *,
               course: CourseConfig = CourseConfig(), roster: Roster | None = None,
               due: datetime | None = None) -> list[GradebookRow]:
    """One row per submission (in intake order), then one `missing` row per roster student without one."""
    roster = roster or Roster.empty()
    policy: LatePolicy = course.late
    due = due or course.settings(assignment).due
    by_student = {r.student: r for r in results}
    rows = []
    max_score = max((r.max_score for r in results), default=0.0)
    for sub in subs:
        result = by_student[sub.student]
        entry = roster.get(sub.student)
        student_due = extended_due(due, entry.extension(assignment) if entry else "", course.timezone)
        verdict = judge(policy, student_due, sub.submitted_at, sub.time_source, sub.late_flag)
        penalty = verdict.penalty if result.status in ("ok", "grader_error") else 0.0  # it ran
        notes = list(sub.notes)
        if verdict.note:
            notes.append(verdict.note)
        if roster.entries and entry is None:
            notes.append("not in the roster")
        rows.append(GradebookRow(
            student=sub.student, score=policy.apply(result.score, result.max_score, penalty),
            max_score=result.max_score, status=result.status, seconds=result.seconds,
            message=result.output.splitlines()[0][:200] if result.output else "",
            name=(entry.name if entry else "") or sub.display_name, raw_score=result.score,
            late_penalty_percent=penalty, submitted_at=sub.submitted_at, time_source=sub.time_source,
            due=student_due, late_by=verdict.late_by, layout=sub.layout, notes=notes))
    seen = {sub.student for sub in subs}
    for student in roster.ids():
        if student not in seen:
            entry = roster.get(student)
            rows.append(GradebookRow(student=student, score=0.0, max_score=max_score, status=MISSING,
                                     message="no submission", name=entry.name,
                                     due=extended_due(due, entry.extension(assignment), course.timezone)))
    return rows


def gradebook_csv(rows: list[GradebookRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(row.cells())
    return buffer.getvalue()


def lms_students(rows: list[GradebookRow], roster: Roster, column: str) -> list[lms.LmsStudent]:
    students = []
    for row in rows:
        student = lms.LmsStudent.of(row.student, roster.get(row.student), row.name)
        student.scores = {column: None if row.status == MISSING else row.score}
        students.append(student)
    return students


def column_names(assignment: str, course: CourseConfig) -> tuple[str, str]:
    settings = course.settings(assignment)
    return settings.canvas_column or assignment, settings.moodle_column or assignment


def write_gradebooks(out_dir: Path, assignment: str, rows: list[GradebookRow], *, course: CourseConfig,
                     roster: Roster | None, write) -> list[str]:
    """gradebook.csv, canvas_import.csv, moodle_import.csv and gradebook.json, each written with
    `write(path, text)` (atomic in batch.py). Returns warnings for the instructor."""
    roster = roster or Roster.empty()
    canvas_column, moodle_column = column_names(assignment, course)
    max_score = max((r.max_score for r in rows), default=0.0)
    write(out_dir / "gradebook.csv", gradebook_csv(rows))
    write(out_dir / "canvas_import.csv",
          lms.canvas_csv({canvas_column: max_score}, lms_students(rows, roster, canvas_column)))
    moodle_text, skipped = lms.moodle_csv([moodle_column], lms_students(rows, roster, moodle_column))
    write(out_dir / "moodle_import.csv", moodle_text)
    write(out_dir / "gradebook.json", json.dumps({
        "assignment": assignment, "max_score": max_score, "canvas_column": canvas_column,
        "moodle_column": moodle_column}, indent=1))
    warnings = []
    if skipped and roster.entries:  # without a roster nobody can be mapped, as docs/lms.md says
        warnings.append(f"moodle_import.csv leaves out {len(skipped)} students with no email, ID number or "
                        f"username (give a --roster with them): {', '.join(skipped[:5])}")
    anonymous = [r.student for r in rows if r.student.startswith("anon_")]
    if anonymous:
        warnings.append(f"canvas_import.csv cannot identify {len(anonymous)} anonymous students (anon_...)")
    return warnings
