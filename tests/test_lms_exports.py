"""Gradebooks out: the assignment gradebook with roster, penalties and missing students; the Canvas
and Moodle import CSVs parsed back; the course merge; result versions. No grading runs here:
results are built directly."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from autograder import versions
from autograder.batch import write_atomic
from autograder.gradebook import book, course, lms
from autograder.gradebook.late import AssignmentSettings, CourseConfig, LatePolicy
from autograder.gradebook.roster import Roster
from autograder.results import CheckResult, SubmissionResult
from autograder.submission import Submission

DUE = datetime(2026, 3, 1, 23, 59, tzinfo=timezone(timedelta(hours=-5)))
ROSTER = """id,name,email,sis_user_id,sis_login_id,section,extension,extension_optimizers
40213,Jürgen Müller,jm@example.org,S-1,jmuller,Section 1,,2d
40214,"Ann Marie O'Brien",ao@example.org,S-2,aobrien,Section 2,,
40215,Thị Nguyễn,tn@example.org,S-3,tnguyen,Section 1,1d,
40299,Never Submitted,ns@example.org,S-9,nsub,Section 2,,
"""


def result(student, score, max_score=10.0, status="ok", assignment="optimizers"):
    checks = [CheckResult(name="c", check_id="c", score=score, max_score=max_score,
                          status="passed" if score == max_score else "failed")]
    return SubmissionResult(student=student, assignment=assignment, checks=checks, status=status,
                            output="" if status == "ok" else "cannot import your submission: SyntaxError")


def sub(student, hours_late=None, source="canvas-api", flag=None, name=""):
    when = None if hours_late is None else DUE + timedelta(hours=hours_late)
    return Submission(student=student, assignment="optimizers", origin=Path("/x"), source="x = 1",
                      submitted_at=when, time_source=source, late_flag=flag, display_name=name, layout="canvas")


@pytest.fixture
def roster(tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return Roster.load(tmp_path / "roster.csv")


@pytest.fixture
def course_config():
    return CourseConfig(late=LatePolicy(percent=10, per="day", cap=30, grace_minutes=10),
                        assignments={"optimizers": AssignmentSettings(due=DUE, canvas_column="Optimizers (5501)",
                                                                      moodle_column="Optimizers")})


@pytest.fixture
def rows(roster, course_config):
    subs = [sub("40213", hours_late=30), sub("40214", hours_late=30, name="obrienannmarie"),
            sub("40215", hours_late=None, source="canvas-late-flag", flag=True), sub("77777", hours_late=-1)]
    results = [result("40213", 8), result("40214", 8), result("40215", 10), result("77777", 5)]
    return book.build_rows("optimizers", subs, results, course=course_config, roster=roster)


def test_the_gradebook_row_shows_raw_penalty_final_and_the_time_used(rows):
    by = {r.student: r for r in rows}
    assert [r.student for r in rows] == ["40213", "40214", "40215", "77777", "40299"]
    # 30 h late, but a 2-day extension for optimizers: on time
    assert (by["40213"].raw_score, by["40213"].late_penalty_percent, by["40213"].score) == (8, 0, 8)
    assert by["40213"].due == DUE + timedelta(days=2)
    # 30 h late: two started days, 20 %
    assert (by["40214"].raw_score, by["40214"].late_penalty_percent, by["40214"].score) == (8, 20, 6.4)
    assert by["40214"].late_by == timedelta(hours=30) and by["40214"].name == "Ann Marie O'Brien"
    # Canvas's LATE mark without a time: one day's penalty, and the row says why
    assert by["40215"].late_penalty_percent == 10 and by["40215"].score == 9
    assert any("time unknown" in n for n in by["40215"].notes)
    assert "not in the roster" in by["77777"].notes
    assert (by["40299"].status, by["40299"].score, by["40299"].max_score) == ("missing", 0, 10)


def test_gradebook_csv_columns_parse_back(rows):
    parsed = list(csv.DictReader(io.StringIO(book.gradebook_csv(rows))))
    assert tuple(parsed[0]) == book.COLUMNS
    assert book.COLUMNS[:6] == ("student", "score", "max_score", "status", "seconds", "message")
    ann = next(r for r in parsed if r["student"] == "40214")
    assert (ann["score"], ann["raw_score"], ann["late_penalty_percent"], ann["late_by_hours"]) == ("6.4", "8", "20", "30.000")
    assert datetime.fromisoformat(ann["submitted_at"]) == DUE + timedelta(hours=30)
    assert ann["time_source"] == "canvas-api" and ann["due"] == DUE.isoformat()


def test_a_penalty_never_applies_to_a_submission_that_did_not_run(roster, course_config):
    rows = book.build_rows("optimizers", [sub("40214", hours_late=50)],
                           [result("40214", 0, status="import_error")], course=course_config, roster=roster)
    assert rows[0].late_penalty_percent == 0 and rows[0].status == "import_error"


def test_canvas_import_csv_has_canvas_columns_and_the_points_possible_row(tmp_path, rows, roster, course_config):
    book.write_gradebooks(tmp_path, "optimizers", rows, course=course_config, roster=roster, write=write_atomic)
    text = (tmp_path / "canvas_import.csv").read_text(encoding="utf-8")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Optimizers (5501)"]
    assert table[1] == ["Points Possible", "", "", "", "", "10"]
    assert table[2] == ["Müller, Jürgen", "40213", "S-1", "jmuller", "Section 1", "8"]
    points, grades = lms.read_canvas_csv(text)
    assert points == {"Optimizers (5501)": 10.0}
    assert grades["40214"]["Optimizers (5501)"] == "6.4"
    assert grades["40299"]["Optimizers (5501)"] == ""  # missing: blank, Canvas leaves the grade alone


def test_moodle_import_csv_maps_by_email_idnumber_or_username(tmp_path, rows, roster, course_config):
    warnings = book.write_gradebooks(tmp_path, "optimizers", rows, course=course_config, roster=roster,
                                     write=write_atomic)
    text = (tmp_path / "moodle_import.csv").read_text(encoding="utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header == ["First name", "Last name", "ID number", "Username", "Email address", "Optimizers"]
    grades = lms.read_moodle_csv(text)
    assert grades["ao@example.org"]["Optimizers"] == "6.4" and grades["jm@example.org"]["Optimizers"] == "8"
    assert grades["ns@example.org"]["Optimizers"] == ""  # no grade
    by_idnumber = lms.read_moodle_csv(text, identify_by="ID number")
    assert by_idnumber["S-3"]["Optimizers"] == "9"
    # 77777 has no email, ID number or username: Moodle would abort the whole import on that row
    assert "77777" not in {r["Username"] for r in csv.DictReader(io.StringIO(text))} and len(grades) == 4
    assert any("leaves out 1 students" in w for w in warnings)


def test_anonymous_canvas_ids_are_written_without_an_id():
    text = lms.canvas_csv({"A": 5}, [lms.LmsStudent(id="anon_aB3xZ", scores={"A": 4.0})])
    assert list(csv.reader(io.StringIO(text)))[2] == ["anon_aB3xZ", "", "", "", "", "4"]


def test_a_canvas_gradebook_export_is_a_roster(tmp_path):
    (tmp_path / "export.csv").write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Gates (5500),Current Score\n"
        "    Points Possible,,,,,10,\n"
        "\"Müller, Jürgen\",40213,S-1,jmuller,Section 1,9,90\n", encoding="utf-8-sig")
    roster = Roster.load(tmp_path / "export.csv")
    assert roster.ids() == ["40213"]
    entry = roster.get("40213")
    assert (entry.name, entry.sortable_name, entry.sis_user_id, entry.section) == \
        ("Jürgen Müller", "Müller, Jürgen", "S-1", "Section 1")


def test_a_roster_without_an_id_column_is_refused(tmp_path):
    (tmp_path / "r.csv").write_text("name,email\nA,a@x\n")
    with pytest.raises(ValueError, match="no id column"):
        Roster.load(tmp_path / "r.csv")


def write_assignment(folder: Path, assignment: str, scores: dict, roster: Roster, max_score=10.0):
    subs = [sub(s) for s in scores]
    for s in subs:
        s.assignment = assignment
    results = [result(s, v, max_score=max_score, assignment=assignment) for s, v in scores.items()]
    rows = book.build_rows(assignment, subs, results, roster=roster)
    book.write_gradebooks(folder, assignment, rows, course=CourseConfig(), roster=roster, write=write_atomic)
    return folder


def test_the_course_merge_has_one_row_per_roster_student(tmp_path, roster):
    names = ["gates", "activations", "initializers", "optimizers", "line_search", "quasi_newton"]
    folders = []
    for k, name in enumerate(names):
        scores = {"40213": 10.0 - k, "40214": 5.0}
        if k % 2 == 0:
            scores["40215"] = 7.0
        folders.append(write_assignment(tmp_path / name, name, scores, roster))
    out = tmp_path / "course"
    course.merge(folders, roster, out, write_atomic)
    table = list(csv.DictReader(io.StringIO((out / "course_gradebook.csv").read_text(encoding="utf-8"))))
    assert [r["student"] for r in table] == ["40213", "40214", "40215", "40299"]
    assert list(table[0])[:5] == ["student", "name", "email", "sis_user_id", "section"]
    assert list(table[0])[5:] == [*names, "total", "max_total"]
    assert table[0]["total"] == str(sum(10 - k for k in range(6))) and table[0]["max_total"] == "60"
    assert table[2]["activations"] == "" and table[2]["gates"] == "7" and table[2]["total"] == "21"
    assert all(table[3][n] == "" for n in names) and table[3]["total"] == "0"
    points, grades = lms.read_canvas_csv((out / "canvas_import.csv").read_text(encoding="utf-8"))
    assert points == {n: 10.0 for n in names} and grades["40214"]["quasi_newton"] == "5"
    moodle = lms.read_moodle_csv((out / "moodle_import.csv").read_text(encoding="utf-8"))
    assert moodle["tn@example.org"]["initializers"] == "7" and len(moodle) == 4


def test_the_course_merge_refuses_an_assignment_twice(tmp_path, roster):
    folder = write_assignment(tmp_path / "g", "gates", {"40213": 1.0}, roster)
    with pytest.raises(ValueError, match="twice"):
        course.merge([folder, folder], roster, tmp_path / "out", write_atomic)


def test_versions_keep_compare_and_revert(tmp_path, roster):
    out = write_assignment(tmp_path / "out", "gates", {"40213": 4.0, "40214": 5.0}, roster)
    (out / "40213").mkdir()
    (out / "40213" / "results.json").write_text('{"score": 4}')
    first = versions.snapshot(out, "before the fix")
    write_assignment(out, "gates", {"40213": 9.0, "40214": 5.0}, roster)
    (out / "40213" / "results.json").write_text('{"score": 9}')
    changes = versions.diff_version(out, first)
    assert [(c.student, c.old_score, c.new_score, c.delta) for c in changes] == [("40213", 4.0, 9.0, 5.0)]
    assert "40213" in versions.format_changes(changes, 4) and "+5" in versions.format_changes(changes, 4)
    kept = versions.revert(out, first)
    assert (out / "40213" / "results.json").read_text() == '{"score": 4}'
    assert versions.read_gradebook(out / "gradebook.csv")["40213"]["score"] == "4"
    assert versions.read_gradebook(versions.version_dir(out, kept) / "gradebook.csv")["40213"]["score"] == "9"
    assert [n for n, _ in versions.list_versions(out)] == [first, kept]
    with pytest.raises(ValueError, match="no version 9"):
        versions.revert(out, 9)
