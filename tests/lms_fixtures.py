"""Course downloads built as the LMSs build them (for tests/test_intake*.py and tests/test_lms*.py).

Names follow the formats' sources: Canvas's ContentZipper (`[sortable name, LATE, user id]`
joined by `_`, non-word characters removed, lower case, `_<digits>_` in the name collapsed; then
`_<attachment id>_<display name>`; anonymous: `anon_<id>`), Moodle's mod/assign download
(`<full name>_<participant id>_assignsubmission_file_<file>` or `.../` in folders), nbgrader's
`submitted/<student>/<assignment>/timestamp.txt` (`%Y-%m-%d %H:%M:%S.%f %Z`).
"""
from __future__ import annotations

import os
import re
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

from autograder.reference import SOLUTIONS_DIR

ASSIGNMENT = "activations"
REFERENCE = (SOLUTIONS_DIR / f"{ASSIGNMENT}.py").read_text()
WRONG = REFERENCE.replace("return sigmoid(z) * sigmoid(-np.asarray(z))", "return sigmoid(z)")  # sigmoid_grad wrong
assert WRONG != REFERENCE
BROKEN = "def sigmoid(:\n"


def canvas_prefix(sortable_name: str | None, user_id: str, late: bool = False) -> str:
    """Canvas's get_filename: sanitize_user_name then sanitize_file_name."""
    name = None
    if sortable_name is not None:
        name = re.sub(r"_(\d+)_", r"\1", sortable_name).lower()
    joined = "_".join(p for p in (name, "LATE" if late else None, user_id) if p)
    return re.sub(r"[^\w]", "", joined)


def canvas_entry(sortable_name, user_id, attachment_id, display_name, late=False) -> str:
    return f"{canvas_prefix(sortable_name, user_id, late)}_{attachment_id}_{display_name}"


def canvas_download(path: Path, files: dict[str, bytes | str]) -> Path:
    """A Canvas 'Download Submissions' zip of {entry name: content}."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return path


def zip_bytes(members: dict[str, str | bytes]) -> bytes:
    import io
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def moodle_name(full_name: str, participant: str, filename: str | None = None) -> str:
    """mod/assign's prefix: underscores in the name become spaces; then the plugin and the file."""
    prefix = f"{full_name.replace('_', ' ')}_{participant}_assignsubmission_file"
    return prefix if filename is None else f"{prefix}_{filename}"


def nbgrader_tree(root: Path, students: dict[str, tuple[str, str | None]], assignment: str = ASSIGNMENT) -> Path:
    """submitted/<student>/<assignment>/<assignment>.py and timestamp.txt (None: no timestamp)."""
    for student, (source, stamp) in students.items():
        folder = root / "submitted" / student / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.py").write_text(source)
        if stamp is not None:
            (folder / "timestamp.txt").write_text(stamp)
    return root


def git_clone(folder: Path, files: dict[str, str], when: str) -> Path:
    """A repository with one commit of `files`, committed at `when` (git date format)."""
    folder.mkdir(parents=True)
    env = {"PATH": os.environ["PATH"], "HOME": str(folder), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "S", "GIT_AUTHOR_EMAIL": "s@example.org", "GIT_COMMITTER_NAME": "S",
           "GIT_COMMITTER_EMAIL": "s@example.org", "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(content)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "hand-in"]):
        subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)
    return folder


def deflate_bomb(path: Path, member: str, gib: float, declared: int | None = None) -> Path:
    """A zip whose one member inflates to `gib` GiB of zeros from ~1 KB per MiB: the deflate
    blocks of a fully flushed stream of zeros repeat, so the file is written without compressing
    gigabytes. `declared` sets a lying uncompressed size in the headers."""
    mib = int(gib * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush(zlib.Z_FINISH)
    size = mib << 20
    crc = 0  # for a big bomb, never checked: a reader stops long before the end
    if mib <= 64:  # small enough to inflate in a test: a valid CRC-32 of the zeros
        for _ in range(mib):
            crc = zlib.crc32(bytes(1 << 20), crc)
    compressed = len(block) * mib + len(tail)
    usize = size if declared is None else declared
    name = member.encode()
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, compressed, usize, len(name), 0))
        out.write(name)
        for _ in range(mib):
            out.write(block)
        out.write(tail)
        offset = 30 + len(name) + compressed
        central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, compressed, usize,
                              len(name), 0, 0, 0, 0, 0o644 << 16, 0) + name
        out.write(central)
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), offset, 0))
    return path
