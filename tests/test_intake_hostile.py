"""Hostile and broken uploads: each student gets a clear message, nothing is written or read
outside the scratch folder, disk stays bounded. Every guard is shown to be what stops its attack:
the same attack with the guard disabled (a deliberately broken control) gets through."""
from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder import intake, submission
from autograder.intake import common, safety
from autograder.intake.safety import ExtractionLimits, SafeExtractor, UnsafeArchive
from tests.lms_fixtures import ASSIGNMENT, REFERENCE, canvas_entry, deflate_bomb, zip_bytes


def symlink_zip(path: Path, name: str, target: str) -> Path:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(info, target)
        zf.writestr("readme.txt", "hello")
    return path


def slip_zip(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name in names:
            zf.writestr(name, "pwned = True\n")
    return path


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


# --- zip slip ---------------------------------------------------------------------------------------

SLIPS = ["../escaped.py", "a/../../escaped.py", "..\\escaped.py", "/tmp/absolute-escape.py", "C:/escaped.py"]


@pytest.mark.parametrize("name", SLIPS)
def test_safe_member_path_refuses_every_way_out(tmp_path, name):
    with pytest.raises(ValueError):
        safety.safe_member_path(tmp_path / "dest", name)


def test_zip_slip_entries_are_skipped_and_named(tmp_path):
    archive = slip_zip(tmp_path / "evil.zip", ["../escaped.py", "a/../../escaped2.py", f"ok/{ASSIGNMENT}.py"])
    dest = tmp_path / "scratch" / "dest"
    result = SafeExtractor().extract(archive, dest)
    assert [f.relative_to(dest).as_posix() for f in result.files] == [f"ok/{ASSIGNMENT}.py"]
    assert {m for m, _ in result.refused} == {"../escaped.py", "a/../../escaped2.py"}
    assert not (tmp_path / "scratch" / "escaped.py").exists() and not (tmp_path / "escaped2.py").exists()


def test_control_without_the_path_guard_the_zip_slip_writes_outside(tmp_path, monkeypatch):
    """The broken control: `safe_member_path` replaced by a naive join. The same archive now writes
    outside the destination, so the guard is what kept it in."""
    archive = slip_zip(tmp_path / "evil.zip", ["../escaped.py"])
    monkeypatch.setattr(safety, "safe_member_path", lambda dest, name: dest / name)
    SafeExtractor().extract(archive, tmp_path / "scratch" / "dest")
    assert (tmp_path / "scratch" / "escaped.py").read_text() == "pwned = True\n"


# --- symbolic links -----------------------------------------------------------------------------------

def test_symlink_entries_in_a_zip_are_not_extracted(tmp_path):
    archive = symlink_zip(tmp_path / "link.zip", f"{ASSIGNMENT}.py", "/etc/passwd")
    result = SafeExtractor().extract(archive, tmp_path / "dest")
    assert result.refused == [(f"{ASSIGNMENT}.py", "symbolic link")]
    assert not (tmp_path / "dest" / f"{ASSIGNMENT}.py").exists()


def test_control_without_the_symlink_check_the_link_entry_becomes_the_submission(tmp_path, monkeypatch):
    archive = symlink_zip(tmp_path / "link.zip", f"{ASSIGNMENT}.py", "/etc/passwd")
    monkeypatch.setattr(safety, "is_symlink_entry", lambda info: False)
    SafeExtractor().extract(archive, tmp_path / "dest")
    assert (tmp_path / "dest" / f"{ASSIGNMENT}.py").read_text() == "/etc/passwd"


def linked_student(tmp_path: Path) -> Path:
    """subs/mallory/activations.py, a link to a file outside the submissions."""
    secret = tmp_path / "outside" / "secret.py"
    secret.parent.mkdir()
    secret.write_text("SECRET = 'the reference solution'\n")
    student = tmp_path / "subs" / "mallory"
    student.mkdir(parents=True)
    (student / f"{ASSIGNMENT}.py").symlink_to(secret)
    return student


def test_a_symlink_in_a_student_folder_is_never_followed(tmp_path):
    student = linked_student(tmp_path)
    secret = tmp_path / "outside" / "secret.py"
    (student / "lib").symlink_to(secret.parent, target_is_directory=True)
    (sub,) = intake.collect(tmp_path / "subs", ASSIGNMENT, scratch=tmp_path / "scratch").submissions
    assert sub.source is None and "no activations.py" in sub.error


def test_a_symlink_in_an_unzipped_canvas_folder_is_not_read(tmp_path):
    secret = tmp_path / "secret.py"
    secret.write_text("SECRET = 1\n")
    root = tmp_path / "download"
    root.mkdir()
    (root / canvas_entry("Evil, Eve", "1", "2", f"{ASSIGNMENT}.py")).symlink_to(secret)
    (root / canvas_entry("Good, Gil", "3", "4", f"{ASSIGNMENT}.py")).write_text(REFERENCE)
    subs = intake.collect(root, ASSIGNMENT, scratch=tmp_path / "scratch", layout="canvas").submissions
    assert [s.student for s in subs] == ["3"]


def test_control_a_walk_that_follows_links_reads_outside(tmp_path, monkeypatch):
    """The broken control: a walk that follows symbolic links. The secret becomes the submission."""
    linked_student(tmp_path)
    monkeypatch.setattr(common, "walk_files", lambda folder, limit: sorted(p for p in folder.rglob("*") if p.is_file()))
    (sub,) = intake.collect(tmp_path / "subs", ASSIGNMENT, scratch=tmp_path / "scratch").submissions
    assert sub.source == "SECRET = 'the reference solution'\n"


# --- zip bombs and sizes ---------------------------------------------------------------------------------

def test_a_zip_bomb_of_a_few_megabytes_expanding_to_gigabytes_is_refused_unread(tmp_path):
    bomb = deflate_bomb(tmp_path / "bomb.zip", f"{ASSIGNMENT}.py", gib=2)
    assert bomb.stat().st_size < 4 << 20
    with pytest.raises(UnsafeArchive, match="zip bomb"):
        SafeExtractor().extract(bomb, tmp_path / "dest")
    assert files_under(tmp_path / "dest") == set()


def test_a_bomb_with_a_lying_header_stops_at_the_declared_size(tmp_path):
    """Headers claim 1 KB; zipfile reads no more than declared, and the CRC check then fails."""
    bomb = deflate_bomb(tmp_path / "liar.zip", f"{ASSIGNMENT}.py", gib=0.05, declared=1024)
    result = SafeExtractor().extract(bomb, tmp_path / "dest")
    assert result.files == [] and "unreadable" in result.refused[0][1]
    assert sum(p.stat().st_size for p in files_under(tmp_path / "dest")) == 0


def test_control_without_limits_the_scaled_bomb_fills_the_disk(tmp_path):
    """The same mechanism at 20 MiB against a 1 MiB cap: refused with the cap, written without it."""
    bomb = deflate_bomb(tmp_path / "bomb.zip", "payload.bin", gib=20 / 1024)
    small = ExtractionLimits(max_member_bytes=1 << 20, max_total_bytes=1 << 20)
    with pytest.raises(UnsafeArchive):
        SafeExtractor(small).extract(bomb, tmp_path / "guarded")
    assert files_under(tmp_path / "guarded") == set()
    unbounded = ExtractionLimits(max_member_bytes=1 << 40, max_total_bytes=1 << 40)
    SafeExtractor(unbounded).extract(bomb, tmp_path / "open")
    assert (tmp_path / "open" / "payload.bin").stat().st_size == 20 << 20


def test_thousands_of_files_are_refused_as_a_whole(tmp_path):
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for k in range(3000):
            zf.writestr(f"f/{k}.txt", "")
    with pytest.raises(UnsafeArchive, match="3000 entries"):
        SafeExtractor().extract(archive, tmp_path / "dest")
    assert not (tmp_path / "dest" / "f").exists()


def test_nested_archives_open_to_the_depth_limit(tmp_path):
    level3 = zip_bytes({f"{ASSIGNMENT}.py": "deepest = True\n"})
    level2 = zip_bytes({"inner.zip": level3})
    root = tmp_path / "subs"
    root.mkdir()
    (root / "nina.zip").write_bytes(zip_bytes({"middle.zip": level2}))
    (root / "omar.zip").write_bytes(zip_bytes({"middle.zip": zip_bytes({f"{ASSIGNMENT}.py": REFERENCE})}))
    subs = {s.student: s for s in intake.collect(root, ASSIGNMENT, scratch=tmp_path / "scratch").submissions}
    assert subs["omar"].source == REFERENCE  # a zip in the student's zip is opened
    assert subs["nina"].source is None and "nested more than 2 deep" in subs["nina"].error


def test_other_archive_formats_get_a_clear_message(tmp_path):
    root = tmp_path / "subs"
    (root / "pat").mkdir(parents=True)
    (root / "pat" / "work.rar").write_bytes(b"Rar!\x1a\x07\x00")
    (sub,) = intake.collect(root, ASSIGNMENT, scratch=tmp_path / "scratch").submissions
    assert "work.rar: archive format not supported" in sub.error


# --- broken files ---------------------------------------------------------------------------------------

def test_a_malformed_notebook_is_a_message(tmp_path):
    path = tmp_path / f"{ASSIGNMENT}.ipynb"
    path.write_text('{"cells": [ {"cell_type": "code", "source": ')
    sub = submission.load(path, ASSIGNMENT)
    assert sub.source is None and "not a readable notebook" in sub.error


def test_a_multi_megabyte_file_is_a_message(tmp_path):
    path = tmp_path / f"{ASSIGNMENT}.py"
    path.write_text("#" * (5 << 20))
    sub = submission.load(path, ASSIGNMENT)
    assert sub.source is None and "larger than" in sub.error


def test_non_utf8_bytes_say_where(tmp_path):
    path = tmp_path / f"{ASSIGNMENT}.py"
    path.write_bytes(b"# r\xe9sum\xe9\nx = 1\n")
    sub = submission.load(path, ASSIGNMENT)
    assert sub.source is None and "not UTF-8 text (byte 0xe9 at offset 3)" in sub.error


def test_a_pep263_coding_line_is_honoured(tmp_path):
    path = tmp_path / f"{ASSIGNMENT}.py"
    path.write_bytes(b"# -*- coding: latin-1 -*-\nname = 'r\xe9sum\xe9'\n")
    assert "name = 'résumé'" in submission.load(path, ASSIGNMENT).source


@pytest.mark.parametrize("kind", ["py", "ipynb"])
def test_bom_and_crlf_give_the_same_source_as_without(tmp_path, kind):
    """What is graded is the source text, so the same text means the same grade."""
    if kind == "py":
        plain = REFERENCE.encode()
    else:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(REFERENCE)]
        plain = nbformat.writes(nb).encode()
    windows = b"\xef\xbb\xbf" + plain.replace(b"\n", b"\r\n")
    (tmp_path / "unix").mkdir()
    (tmp_path / "windows").mkdir()
    (tmp_path / "unix" / f"{ASSIGNMENT}.{kind}").write_bytes(plain)
    (tmp_path / "windows" / f"{ASSIGNMENT}.{kind}").write_bytes(windows)
    unix = submission.load(tmp_path / "unix", ASSIGNMENT)
    win = submission.load(tmp_path / "windows", ASSIGNMENT)
    assert unix.source is not None and win.source == unix.source


def test_a_zip_read_in_memory_skips_link_and_escaping_members(tmp_path):
    """`check` reads a zip without extracting; the same member rules apply."""
    archive = symlink_zip(tmp_path / "a.zip", f"{ASSIGNMENT}.py", "/etc/passwd")
    assert "no activations.py" in submission.load(archive, ASSIGNMENT).error
    archive = slip_zip(tmp_path / "b.zip", [f"../{ASSIGNMENT}.py"])
    assert "no activations.py" in submission.load(archive, ASSIGNMENT).error


def test_a_hostile_canvas_download_keeps_every_student_and_every_file_inside_scratch(tmp_path):
    """One class download holding each attack as a student's attachment: every student gets a
    Submission (a source or a message), and every file written is under the scratch folder."""
    bomb = deflate_bomb(tmp_path / "bomb.zip", f"{ASSIGNMENT}.py", gib=1).read_bytes()
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as zf:
        for k in range(1500):
            zf.writestr(f"{k}.txt", "")
    slip = slip_zip(tmp_path / "slip.zip", ["../../../escaped.py"]).read_bytes()
    link = symlink_zip(tmp_path / "link.zip", f"{ASSIGNMENT}.py", "/etc/passwd").read_bytes()
    download = tmp_path / "download.zip"
    with zipfile.ZipFile(download, "w") as zf:
        zf.writestr(canvas_entry("Bomb, A", "1", "11", "work.zip"), bomb)
        zf.writestr(canvas_entry("Many, B", "2", "12", "work.zip"), many.getvalue())
        zf.writestr(canvas_entry("Slip, C", "3", "13", "work.zip"), slip)
        zf.writestr(canvas_entry("Link, D", "4", "14", "work.zip"), link)
        zf.writestr(canvas_entry("Big, E", "5", "15", f"{ASSIGNMENT}.py"), "#" * (3 << 20))
        zf.writestr(canvas_entry("Latin, F", "6", "16", f"{ASSIGNMENT}.py"), b"x = '\xe9'\n")
        zf.writestr(canvas_entry("Honest, G", "7", "17", f"{ASSIGNMENT}.py"), REFERENCE)
    before = set(tmp_path.rglob("*"))
    scratch = tmp_path / "scratch"
    subs = {s.student: s for s in intake.collect(download, ASSIGNMENT, scratch=scratch).submissions}
    assert sorted(subs) == [str(k) for k in range(1, 8)]
    assert subs["7"].source == REFERENCE
    expected = {"1": "zip bomb", "2": "1500 entries", "3": "'../../../escaped.py' skipped", "4": "symbolic link",
                "5": "larger than", "6": "not UTF-8"}
    for student, words in expected.items():
        assert subs[student].source is None and words in subs[student].error, (student, subs[student].error)
    created = set(tmp_path.rglob("*")) - before
    assert created and all(p.is_relative_to(scratch) for p in created)
    assert sum(p.stat().st_size for p in scratch.rglob("*") if p.is_file()) < 64 << 20
