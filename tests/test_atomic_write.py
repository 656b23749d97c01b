"""`batch.write_atomic` under SIGKILL: a grader killed while writing a student's output leaves the
old file or the new one, and no half-written file beside it."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

KILLED_WHILE_WRITING = textwrap.dedent("""
    import os, signal, sys
    sys.path.insert(0, {repo!r})
    from pathlib import Path
    from autograder import batch
    if {named!r}:  # the control: as on a system without unnamed files
        del batch.os.O_TMPFILE
    die = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)
    batch.os.fchmod = die   # the unnamed file: every byte written, not yet named
    batch.os.chmod = die    # the named temporary file: every byte written, not yet renamed
    batch.write_atomic(Path({target!r}), "x" * 1_000_000)
""")


def _kill_while_writing(folder: Path, named: bool) -> list[str]:
    target = folder / "results.json"
    target.write_text("old")
    run = subprocess.run([sys.executable, "-c", KILLED_WHILE_WRITING.format(
        repo=str(REPO), named=named, target=str(target))], capture_output=True, text=True, timeout=60)
    assert run.returncode == -9, run.stderr  # it did die mid-write
    assert target.read_text() == "old"
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.skipif(sys.platform != "linux", reason="unnamed files (O_TMPFILE) are Linux's")
def test_a_writer_killed_mid_write_leaves_only_the_old_file(tmp_path):
    assert _kill_while_writing(tmp_path, named=False) == ["results.json"]


def test_control_a_named_temporary_file_is_left_behind(tmp_path):
    """The broken control: the portable fallback leaves its temporary file when killed there."""
    left = _kill_while_writing(tmp_path, named=True)
    assert len(left) == 2 and left[0].startswith(".results.json.")
