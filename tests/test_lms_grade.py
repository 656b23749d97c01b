"""`grade` end to end on a course's download: a Canvas zip with roster, course file and deadline;
regrade with a diff before anything is overwritten, --dry-run, --only, the versions command's
revert; a hostile download where every student still gets a row; BOM/CRLF grade the same."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.gradebook import lms
from autograder.reference import REPO_ROOT
from tests.lms_fixtures import ASSIGNMENT, BROKEN, REFERENCE, WRONG, canvas_entry, deflate_bomb, zip_bytes

pytestmark = pytest.mark.slow

ROSTER = """id,name,email,sis_user_id,section,extension
40213,Jürgen Müller,jm@example.org,S-1,Section 1,
40214,Ann O'Brien,ao@example.org,S-2,Section 2,2d
40215,Thị Nguyễn,tn@example.org,S-3,Section 1,
40299,Never Submitted,ns@example.org,S-9,Section 2,
"""
COURSE = """
[late]
per = "day"
percent = 10
cap = 50
grace_minutes = 5

[assignments.activations]
canvas_column = "Activations (5501)"
"""


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=900)


def gradebook(out: Path) -> dict[str, dict]:
    return {r["student"]: r for r in csv.DictReader(io.StringIO((out / "gradebook.csv").read_text(encoding="utf-8")))}


def canvas_zip(path: Path, sources: dict[str, str]) -> Path:
    names = {"40213": ("Müller, Jürgen", False), "40214": ("O'Brien, Ann", True), "40215": ("Nguyễn, Thị", True)}
    with zipfile.ZipFile(path, "w") as zf:
        for k, (student, source) in enumerate(sorted(sources.items())):
            name, late = names[student]
            zf.writestr(canvas_entry(name, student, str(900 + k), f"{ASSIGNMENT}.py", late=late), source)
    return path


def test_a_canvas_class_from_download_to_lms_files_and_a_trusted_regrade(tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "course.toml").write_text(COURSE)
    times = [{"user_id": 40213, "submitted_at": "2026-03-02T04:00:00Z"},   # 1 minute early
             {"user_id": 40214, "submitted_at": "2026-03-03T05:00:00Z"}]   # 1 day late, 2-day extension
    (tmp_path / "times.json").write_text(json.dumps(times))
    download = canvas_zip(tmp_path / "download.zip", {"40213": REFERENCE, "40214": WRONG, "40215": REFERENCE})
    out = tmp_path / "out"
    common = ["--assignment", ASSIGNMENT, "--out", out, "--roster", tmp_path / "roster.csv", "--course",
              tmp_path / "course.toml", "--due", "2026-03-01T23:01:00-05:00", "--times", tmp_path / "times.json",
              "--no-progress", "-j", "2"]
    first = run_cli("grade", *common, download)
    assert first.returncode == 0, first.stderr
    rows = gradebook(out)
    assert list(rows) == ["40213", "40214", "40215", "40299"]
    full = float(rows["40213"]["max_score"])
    assert rows["40213"]["score"] == rows["40213"]["raw_score"] and float(rows["40213"]["score"]) == full
    assert rows["40213"]["time_source"] == "canvas-api" and rows["40213"]["late_penalty_percent"] == "0"
    assert rows["40214"]["late_penalty_percent"] == "0" and float(rows["40214"]["raw_score"]) < full
    # Canvas's LATE mark, no time: one day's penalty on the full score
    assert rows["40215"]["late_penalty_percent"] == "10" and float(rows["40215"]["score"]) == pytest.approx(0.9 * full)
    assert rows["40299"]["status"] == "missing"
    points, grades = lms.read_canvas_csv((out / "canvas_import.csv").read_text(encoding="utf-8"))
    assert points == {"Activations (5501)": full} and set(grades) == {"40213", "40214", "40215", "40299"}
    assert lms.read_moodle_csv((out / "moodle_import.csv").read_text(encoding="utf-8"))["tn@example.org"]

    # A student's file is fixed and everyone is regraded: the diff comes first; --dry-run stops there.
    canvas_zip(download, {"40213": REFERENCE, "40214": REFERENCE, "40215": REFERENCE})
    stamp = (out / "gradebook.csv").read_text(encoding="utf-8")
    dry = run_cli("grade", *common, "--regrade", "--dry-run", download)
    assert dry.returncode == 0, dry.stderr
    assert "1 of 4 students change" in dry.stdout and "40214" in dry.stdout
    assert (out / "gradebook.csv").read_text(encoding="utf-8") == stamp and not (out / "versions").exists()
    assert not (out / ".staging").exists()

    only = run_cli("grade", *common, download, "--only", "40214")
    assert only.returncode == 0, only.stderr
    assert "1 of 4 students change" in only.stdout
    assert float(gradebook(out)["40214"]["score"]) == full
    assert "kept as version 1" in only.stderr

    listing = run_cli("versions", "--out", out)
    assert listing.stdout.split()[0] == "1"
    compared = run_cli("versions", "--out", out, "--diff", "1")
    assert "40214" in compared.stdout
    revert = run_cli("versions", "--out", out, "--revert", "1")
    assert revert.returncode == 0, revert.stderr
    assert (out / "gradebook.csv").read_text(encoding="utf-8") == stamp

    course_out = tmp_path / "course"
    merged = run_cli("course", "--out", course_out, "--roster", tmp_path / "roster.csv", out)
    assert merged.returncode == 0, merged.stderr
    table = list(csv.DictReader(io.StringIO((course_out / "course_gradebook.csv").read_text(encoding="utf-8"))))
    assert [r["student"] for r in table] == ["40213", "40214", "40215", "40299"]


def test_a_hostile_download_gives_every_student_a_row_and_the_batch_goes_on(tmp_path):
    root = tmp_path / "subs"
    root.mkdir()
    deflate_bomb(root / "bomb.zip", f"{ASSIGNMENT}.py", gib=2)
    with zipfile.ZipFile(root / "slip.zip", "w") as zf:
        zf.writestr(f"../../{ASSIGNMENT}.py", REFERENCE)
    (root / "nested.zip").write_bytes(zip_bytes({"a.zip": zip_bytes({"b.zip": zip_bytes({f"{ASSIGNMENT}.py": REFERENCE})})}))
    for student, data in {"latin": b"x = '\xe9'\n", "big": b"#" * (3 << 20), "broken": BROKEN.encode(),
                          "honest": REFERENCE.encode(),
                          "windows": b"\xef\xbb\xbf" + REFERENCE.encode().replace(b"\n", b"\r\n")}.items():
        (root / student).mkdir()
        (root / student / f"{ASSIGNMENT}.py").write_bytes(data)
    (root / "nb").mkdir()
    (root / "nb" / f"{ASSIGNMENT}.ipynb").write_text('{"cells": [')
    out = tmp_path / "out"
    run = run_cli("grade", "--assignment", ASSIGNMENT, "--out", out, root, "--no-progress", "-j", "2")
    assert run.returncode == 0, run.stderr
    rows = gradebook(out)
    assert set(rows) == {"bomb", "slip", "nested", "latin", "big", "broken", "honest", "windows", "nb"}
    full = float(rows["honest"]["max_score"])
    assert float(rows["honest"]["score"]) == full
    assert rows["windows"]["score"] == rows["honest"]["score"]  # BOM + CRLF grade exactly the same
    honest = json.loads((out / "honest" / "results.json").read_text())
    windows = json.loads((out / "windows" / "results.json").read_text())
    assert [t["status"] for t in honest["tests"]] == [t["status"] for t in windows["tests"]]
    expected = {"bomb": "zip bomb", "slip": "skipped", "nested": "nested more than", "latin": "not UTF-8",
                "big": "larger than", "nb": "not a readable notebook"}
    for student, words in expected.items():
        message = rows[student]["message"] + rows[student]["notes"]
        assert float(rows[student]["score"]) == 0 and words in message, (student, rows[student])
    assert rows["broken"]["status"] == "import_error"
    assert not (tmp_path / f"{ASSIGNMENT}.py").exists() and not (root.parent / f"{ASSIGNMENT}.py").exists()


def test_a_moodle_class_round_trips_to_a_moodle_import_by_email(tmp_path):
    from tests.lms_fixtures import moodle_name

    with zipfile.ZipFile(tmp_path / "moodle.zip", "w") as zf:
        zf.writestr(f"{moodle_name('Zoë Ortega Díaz', '1234567')}/{ASSIGNMENT}.py", REFERENCE)
        zf.writestr(moodle_name("Jean Luc Picard", "1234568", f"{ASSIGNMENT}.py"), WRONG)
    (tmp_path / "roster.csv").write_text("participant,name,email,idnumber\n1234567,Zoë Ortega Díaz,zoe@example.org,Z1\n"
                                         "1234568,Jean Luc Picard,jl@example.org,J1\n1234569,Ann Lee,al@example.org,A1\n",
                                         encoding="utf-8")
    out = tmp_path / "out"
    run = run_cli("grade", "--assignment", ASSIGNMENT, "--out", out, "--roster", tmp_path / "roster.csv",
                  tmp_path / "moodle.zip", "--no-progress", "-j", "2")
    assert run.returncode == 0, run.stderr
    assert "(moodle layout)" in run.stderr
    grades = lms.read_moodle_csv((out / "moodle_import.csv").read_text(encoding="utf-8"))
    rows = gradebook(out)
    assert grades["zoe@example.org"][ASSIGNMENT] == rows["1234567"]["score"] == rows["1234567"]["max_score"]
    assert float(grades["jl@example.org"][ASSIGNMENT]) < float(rows["1234567"]["max_score"])
    assert grades["al@example.org"][ASSIGNMENT] == "" and rows["1234569"]["status"] == "missing"


def test_an_unknown_layout_is_a_clear_error_on_the_command_line(tmp_path):
    (tmp_path / "mess").mkdir()
    (tmp_path / "mess" / "final.py").write_text("x = 1\n")
    run = run_cli("grade", "--assignment", ASSIGNMENT, "--out", tmp_path / "out", tmp_path / "mess", "--no-progress")
    assert run.returncode == 2 and "cannot tell how the submissions" in run.stderr and "--layout" in run.stderr
