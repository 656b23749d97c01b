"""Every layout a course's submissions arrive in, built as the LMS builds it (tests/lms_fixtures.py),
read by `autograder.intake` without grading: ids, names, chosen file, submission time."""
from __future__ import annotations

import json
import zipfile
from datetime import datetime, timedelta, timezone

import nbformat
import pytest

from autograder import intake
from autograder.intake.common import logical_name
from autograder.intake.layouts import CanvasLayout, MoodleLayout
from autograder.intake.times import load_times
from tests.lms_fixtures import (ASSIGNMENT, REFERENCE, WRONG, canvas_download, canvas_entry, git_clone, moodle_name,
                                nbgrader_tree, zip_bytes)


def by_student(result):
    return {s.student: s for s in result.submissions}


def notebook_text(source: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    return nbformat.writes(nb)


@pytest.fixture
def canvas_zip(tmp_path):
    """Accents, a LATE flag, a resubmission rename, `_digits_` in names, two attachments (a .py and
    a notebook), a zip attachment, anonymous ids, a text entry."""
    files = {
        canvas_entry("Müller, Jürgen", "40213", "881902", f"{ASSIGNMENT}-1.py", late=True): REFERENCE,
        canvas_entry("Müller, Jürgen", "40213", "881903", "notes on my work.txt", late=True): "notes",
        canvas_entry("O'Brien_2_, Ann Marie", "40214", "881904", f"{ASSIGNMENT}.ipynb"): notebook_text(WRONG),
        canvas_entry("O'Brien_2_, Ann Marie", "40214", "881905", f"{ASSIGNMENT}.py"): WRONG,
        canvas_entry("Nguyễn, Thị", "40215", "881906", "hw_2_final 3.zip"):
            zip_bytes({f"hw/{ASSIGNMENT}.py": REFERENCE, f"__MACOSX/hw/._{ASSIGNMENT}.py": "junk"}),
        canvas_entry(None, "anon_aB3xZ", "881907", f"{ASSIGNMENT}.py", late=True): REFERENCE,
        canvas_entry("Lee, Kim", "40216", "0", "text.html").replace("_0_text.html", "_text.html"): "<p>my code</p>",
    }
    return canvas_download(tmp_path / "download.zip", files)


def test_canvas_names_are_parsed_as_canvas_writes_them():
    match = CanvasLayout.FILE.match(canvas_entry("O'Brien_2_, Ann", "7", "8", "hw_2_final.py"))
    assert (match["name"], match["late"], match["id"], match["attachment"], match["file"]) == \
        ("obrien2ann", None, "7", "8", "hw_2_final.py")
    match = CanvasLayout.FILE.match(canvas_entry(None, "anon_aB3xZ", "8", "x.py", late=True))
    assert (match["name"], match["late"], match["id"]) == (None, "LATE", "anon_aB3xZ")
    assert logical_name(f"{ASSIGNMENT}-1.py") == f"{ASSIGNMENT}.py"
    assert logical_name(f"{ASSIGNMENT} (2).ipynb") == f"{ASSIGNMENT}.ipynb"
    assert logical_name("my-2nd-try.py") == "my-2nd-try.py"


def test_a_canvas_download_zip_is_detected_and_read(tmp_path, canvas_zip):
    result = intake.collect(canvas_zip, ASSIGNMENT, scratch=tmp_path / "scratch")
    subs = by_student(result)
    assert result.layout == "canvas"
    assert sorted(subs) == ["40213", "40214", "40215", "40216", "anon_aB3xZ"]
    jurgen = subs["40213"]
    assert jurgen.source == REFERENCE and jurgen.late_flag is True and jurgen.display_name == "müllerjürgen"
    assert jurgen.filename == f"{ASSIGNMENT}-1.py" and jurgen.time_source == "canvas-late-flag"
    ann = subs["40214"]
    assert ann.source == WRONG and ann.filename == f"{ASSIGNMENT}.py"  # the .py of two attachments
    assert ann.late_flag is False and ann.display_name == "obrien2ann marie".replace(" ", "")
    assert subs["40215"].source == REFERENCE and subs["40215"].filename == f"hw_2_final 3/hw/{ASSIGNMENT}.py"
    assert subs["anon_aB3xZ"].late_flag is True
    assert subs["40216"].source is None and "online text entry" in subs["40216"].error
    assert all(p.is_relative_to(tmp_path / "scratch") for s in subs.values() if s.source for p in [s.origin])


def test_canvas_times_come_from_the_submissions_api_export(tmp_path, canvas_zip):
    api = [{"user_id": 40213, "submitted_at": "2026-03-02T05:10:00Z", "late": True},
           {"user_id": 40214, "submitted_at": None}, {"anonymous_id": "aB3xZ", "submitted_at": "2026-03-01T00:00:00Z"}]
    (tmp_path / "subs.json").write_text(json.dumps(api))
    times = load_times(tmp_path / "subs.json", timezone.utc)
    subs = by_student(intake.collect(canvas_zip, ASSIGNMENT, scratch=tmp_path / "s", times=times))
    assert subs["40213"].submitted_at == datetime(2026, 3, 2, 5, 10, tzinfo=timezone.utc)
    assert subs["40213"].time_source == "canvas-api"
    assert subs["40214"].submitted_at is None and subs["40214"].time_source == "canvas-late-flag"
    assert subs["anon_aB3xZ"].time_source == "canvas-api"


@pytest.mark.parametrize("in_folders", [False, True], ids=["flat", "in-folders"])
def test_moodle_downloads_flat_and_in_folders(tmp_path, in_folders):
    people = {"Zoë Ortega Díaz": ("1234567", REFERENCE), "Jean_Luc Picard": ("1234568", WRONG),
              "Participant": ("1234569", REFERENCE)}  # blind marking
    with zipfile.ZipFile(tmp_path / "moodle.zip", "w") as zf:
        for name, (participant, source) in people.items():
            if in_folders:
                zf.writestr(f"{moodle_name(name, participant)}/src/{ASSIGNMENT}.py", source)
                zf.writestr(f"{moodle_name(name, participant)}/readme.txt", "hi")
            else:
                zf.writestr(moodle_name(name, participant, f"{ASSIGNMENT}.py"), source)
        zf.writestr("Ann Lee_1234570_assignsubmission_onlinetext_onlinetext.html", "<p>text</p>")
    result = intake.collect(tmp_path / "moodle.zip", ASSIGNMENT, scratch=tmp_path / "scratch")
    subs = by_student(result)
    assert result.layout == "moodle"
    assert sorted(subs) == ["1234567", "1234568", "1234569", "1234570"]
    assert subs["1234567"].display_name == "Zoë Ortega Díaz" and subs["1234567"].source == REFERENCE
    assert subs["1234568"].display_name == "Jean Luc Picard" and subs["1234568"].source == WRONG
    assert subs["1234570"].source is None and "online text" in subs["1234570"].error
    assert subs["1234567"].time_source == "file-mtime" and subs["1234567"].submitted_at is not None


def test_moodle_entry_names_split_at_the_first_participant_id():
    match = MoodleLayout.ENTRY.match(moodle_name("Anna 2 Berg", "77", "hw_12_3.py"))
    assert (match["name"], match["id"], match["plugin"], match["file"]) == ("Anna 2 Berg", "77", "file", "hw_12_3.py")


def test_moodle_times_come_from_the_grading_worksheet(tmp_path):
    (tmp_path / "worksheet.csv").write_text(
        "Identifier,Full name,Email address,Status,Grade,Last modified (submission)\n"
        "Participant 1234567,Zoë Ortega Díaz,zoe@example.org,Submitted,,\"Monday, 2 March 2026, 11:58 PM\"\n"
        "Participant 1234568,Jean Luc Picard,jl@example.org,No submission,,-\n", encoding="utf-8-sig")
    zone = timezone(timedelta(hours=-5))
    times = load_times(tmp_path / "worksheet.csv", zone)
    assert times == {"1234567": (datetime(2026, 3, 2, 23, 58, tzinfo=zone), "moodle-worksheet")}


def test_nbgrader_tree_with_timestamps(tmp_path):
    nbgrader_tree(tmp_path / "course", {"jdoe": (REFERENCE, "2026-03-01 22:15:03.123456 UTC"),
                                        "élodie": (WRONG, None)})
    (tmp_path / "course" / "submitted" / "other").mkdir()  # a student without this assignment
    result = intake.collect(tmp_path / "course", ASSIGNMENT, scratch=tmp_path / "scratch")
    subs = by_student(result)
    assert result.layout == "nbgrader" and sorted(subs) == ["jdoe", "élodie"]
    assert subs["jdoe"].submitted_at == datetime(2026, 3, 1, 22, 15, 3, 123456, tzinfo=timezone.utc)
    assert subs["jdoe"].time_source == "nbgrader-timestamp"
    assert subs["élodie"].time_source == "file-mtime"  # no timestamp.txt: the last resort, marked


def test_git_clones_grade_the_head_commit_at_its_commit_time(tmp_path):
    root = tmp_path / "clones"
    clone = git_clone(root / "activations-jdoe", {f"src/{ASSIGNMENT}.py": REFERENCE},
                      "2026-03-01T23:30:00+01:00")
    (clone / "src" / f"{ASSIGNMENT}.py").write_text(WRONG)  # an uncommitted edit is not handed in
    git_clone(root / "activations-kim", {"README.md": "nothing"}, "2026-03-02T08:00:00+00:00")
    result = intake.collect(root, ASSIGNMENT, scratch=tmp_path / "scratch")
    subs = by_student(result)
    assert result.layout == "git"
    jdoe = subs["activations-jdoe"]
    assert jdoe.source == REFERENCE and jdoe.time_source == "commit-time"
    assert jdoe.submitted_at == datetime(2026, 3, 1, 22, 30, tzinfo=timezone.utc)
    assert "no activations.py" in subs["activations-kim"].error


def test_a_git_clone_whose_objects_live_elsewhere_is_refused(tmp_path):
    clone = git_clone(tmp_path / "clones" / "eve", {f"{ASSIGNMENT}.py": REFERENCE}, "2026-03-01T10:00:00+00:00")
    (clone / ".git" / "objects" / "info" / "alternates").write_text("/somewhere/else/objects\n")
    (sub,) = intake.collect(tmp_path / "clones", ASSIGNMENT, scratch=tmp_path / "s").submissions
    assert sub.source is None and "alternates" in sub.error


def test_per_student_folders_and_zips_are_the_default_layout(tmp_path):
    root = tmp_path / "subs"
    (root / "amy").mkdir(parents=True)
    (root / "amy" / f"{ASSIGNMENT}.py").write_text(REFERENCE)
    (root / "kim.zip").write_bytes(zip_bytes({f"kim/{ASSIGNMENT}.py": WRONG}))
    result = intake.collect(root, ASSIGNMENT, scratch=tmp_path / "scratch")
    assert result.layout == "folders"
    subs = by_student(result)
    assert subs["amy"].source == REFERENCE and subs["kim"].source == WRONG
    assert subs["amy"].time_source == "file-mtime"


def test_an_unknown_layout_says_what_it_found_and_what_it_expects(tmp_path):
    root = tmp_path / "mess"
    root.mkdir()
    for name in ("final.py", "final2.py", "notes.docx"):
        (root / name).write_text("x")
    with pytest.raises(intake.UnknownLayout) as error:
        intake.collect(root, ASSIGNMENT, scratch=tmp_path / "scratch")
    message = str(error.value)
    assert "2 × .py" in message and "1 × .docx" in message and "final.py" in message
    for name in intake.LAYOUTS:
        assert name in message
    assert "--layout" in message


def test_the_layout_can_be_named(tmp_path, canvas_zip):
    """A download named explicitly is read with that layout even where detection would differ."""
    result = intake.collect(canvas_zip, ASSIGNMENT, scratch=tmp_path / "scratch", layout="canvas")
    assert result.layout == "canvas" and len(result.submissions) == 5
    with pytest.raises(intake.UnknownLayout, match="unknown layout 'blackboard'"):
        intake.collect(canvas_zip, ASSIGNMENT, scratch=tmp_path / "s2", layout="blackboard")


def test_the_cli_layout_choices_are_the_intake_layouts():
    from autograder.cli import LAYOUT_NAMES

    assert set(LAYOUT_NAMES) == set(intake.LAYOUTS)
