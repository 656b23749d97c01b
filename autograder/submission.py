"""Finding and reading submissions: `NAME.py`, `NAME.ipynb`, a folder, or a `.zip`.

Nothing here runs student code. Notebooks are read as JSON (version 4; older ones through
nbformat); the grader's own test cells and the self-check cell are dropped, IPython syntax
(magics, shell escapes) in a cell that does not parse as Python is translated by IPython's own
transformer into calls on a `get_ipython()` that does nothing — neutralised, never executed —
and `autograder.notebook` keeps the statements the graded names need. Zips are read in memory
with size caps, never extracted (a batch's downloads are extracted by `autograder.intake`
instead, under its own guards).

Text is decoded as Python decodes a source file: UTF-8, a UTF-8 byte-order mark dropped, a PEP 263
coding line honoured; line endings become `\n`. A file saved by a Windows editor (BOM, CRLF) is
thus the same source as the file without, and grades the same.
"""
from __future__ import annotations

import hashlib
import io
import json
import sys
import tokenize
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

MAX_SOURCE_BYTES = 2 << 20
MAX_ZIP_MEMBERS = 1000


@dataclass
class Submission:
    """One student's hand-in, read but not run."""

    student: str
    assignment: str
    origin: Path                 # what the student handed in: file, folder or zip
    source: str | None = None    # Python source to grade
    filename: str = ""           # NAME.py or NAME.ipynb: the file the source came from
    error: str = ""              # why there is no source
    digest: str = ""             # sha256 of the bytes the source came from
    # Set by `autograder.intake` for a course's download (SPEC §2.2):
    display_name: str = ""       # the name the layout gives (Canvas: sortable name; Moodle: full name)
    submitted_at: datetime | None = None   # timezone-aware; None when the layout has no time
    time_source: str = ""        # where submitted_at comes from (see docs/lms.md), "" when none
    late_flag: bool | None = None  # the LMS's own "late" mark, when it gives one (Canvas: _LATE)
    layout: str = ""             # the intake layout that found this submission
    notes: list[str] = field(default_factory=list)  # what intake skipped or refused, for the gradebook

    @property
    def source_path(self) -> Path:
        """The student's file (for annotations); inside a zip, the zip itself."""
        return self.origin if self.origin.is_file() else self.origin / self.filename


def load(path: Path, assignment: str, student: str | None = None) -> Submission:
    """Read a submission from a file, a folder holding one, or a zip."""
    path = Path(path)
    student = student or (path.stem if path.suffix == ".zip" or path.is_dir() else path.parent.name)
    sub = Submission(student=student, assignment=assignment, origin=path)
    try:
        if path.is_dir():
            chosen = _pick(assignment, {p.relative_to(path).as_posix(): p for p in path.rglob("*")
                                        if _inside(p, path) and p.is_file()})
            if chosen is None:
                return _missing(sub)
            name, file = chosen
            _set_source(sub, name, file.read_bytes()[: MAX_SOURCE_BYTES + 1])
        elif path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                infos = archive.infolist()
                if len(infos) > MAX_ZIP_MEMBERS:
                    raise ValueError(f"{path.name} has {len(infos)} entries; at most {MAX_ZIP_MEMBERS} are read")
                members = {i.filename: i for i in infos if not i.is_dir() and _plain_member(i)}
                chosen = _pick(assignment, members)
                if chosen is None:
                    return _missing(sub)
                name, info = chosen
                if info.file_size > MAX_SOURCE_BYTES:
                    raise ValueError(f"{name} is larger than {MAX_SOURCE_BYTES} bytes")
                with archive.open(info) as fh:
                    _set_source(sub, name, fh.read(MAX_SOURCE_BYTES + 1))
        elif path.is_file():
            _set_source(sub, path.name, path.read_bytes()[: MAX_SOURCE_BYTES + 1])
        else:
            sub.error = f"{path} does not exist"
    except (OSError, ValueError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
        sub.source = None
        sub.error = f"cannot read the submission: {exc}"
    return sub


def _plain_member(info: zipfile.ZipInfo) -> bool:
    """A zip member that may be read: no symbolic link, no absolute or `..` path."""
    from autograder.intake.safety import is_symlink_entry, safe_member_path

    try:
        safe_member_path(Path("/nonexistent-root"), info.filename)
    except ValueError:
        return False
    return not is_symlink_entry(info)


def _inside(file: Path, folder: Path) -> bool:
    """A real file of the student's folder: links out of it (e.g. to the reference) don't count."""
    return not file.is_symlink() and file.resolve().is_relative_to(folder.resolve())


def _pick(assignment: str, files: dict):
    """The best (name, item) among files: NAME.py before NAME.ipynb, shallowest first."""
    candidates = [(n.count("/"), n.endswith(".ipynb"), n) for n in files
                  if n.rsplit("/", 1)[-1] in (f"{assignment}.py", f"{assignment}.ipynb")
                  and "__MACOSX" not in n and "/." not in f"/{n}"]
    if not candidates:
        return None
    name = min(candidates)[2]
    return name, files[name]


def _missing(sub: Submission) -> Submission:
    sub.error = f"no {sub.assignment}.py or {sub.assignment}.ipynb found in {sub.origin.name}"
    return sub


def _set_source(sub: Submission, name: str, data: bytes) -> None:
    if len(data) > MAX_SOURCE_BYTES:
        raise ValueError(f"{name} is larger than {MAX_SOURCE_BYTES} bytes")
    sub.filename = name
    sub.digest = hashlib.sha256(data).hexdigest()
    if name.endswith(".ipynb"):
        sub.source = notebook_source(decode_text(data, name, python=False), sub.assignment)
    else:
        sub.source = decode_text(data, name, python=True)


def decode_text(data: bytes, name: str, *, python: bool) -> str:
    """`data` as text, the way Python reads a source file (JSON for a notebook: UTF-8).

    A UTF-8 byte-order mark is dropped, a PEP 263 coding line is honoured for Python, and
    CRLF / CR line endings become LF. ValueError with the offending byte's offset otherwise."""
    encoding = "utf-8-sig"
    if python:
        try:
            encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        except SyntaxError as exc:  # an unknown or contradictory coding line, or non-UTF-8 without one
            if b"coding" in b"".join(data.splitlines(keepends=True)[:2]):
                raise ValueError(f"{name}: {exc}") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                         "save it as UTF-8") from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def from_file(student: str, assignment: str, origin: Path, name: str, file: Path, **facts) -> Submission:
    """A Submission read from one chosen `file` (shown to the student as `name`); read errors
    become the submission's error, never an exception. `facts` are Submission fields
    (submitted_at, time_source, display_name, ...) given by the intake layout."""
    sub = Submission(student=student, assignment=assignment, origin=origin, **facts)
    try:
        with open(file, "rb") as handle:
            _set_source(sub, name, handle.read(MAX_SOURCE_BYTES + 1))
    except (OSError, ValueError) as exc:
        sub.source = None
        sub.error = f"cannot read the submission: {exc}"
    return sub


def notebook_source(text: str, assignment: str | None = None) -> str:
    """The module a notebook defines for grading `assignment` (`autograder.notebook`): the code
    cells that are not the grader's own, IPython syntax rewritten into `get_ipython()` calls,
    reduced to what the graded names need, so scratch code (plots, prints, experiments,
    calls of unfinished stubs) never runs. A cell is named by its number among the code cells."""
    from autograder import notebook

    cells = [(f"code cell {number}", source) for number, (source, graded) in enumerate(code_cells(text), start=1)
             if not graded]
    return notebook.source_from_cells([source for _, source in cells],
                                      notebook.graded_names(assignment) if assignment else None,
                                      [label for label, _ in cells])


def code_cells(text: str) -> list[tuple[str, bool]]:
    """(source, is the grader's own cell) of each code cell of a notebook file, in order.

    Grading reads a version-4 notebook as JSON with the structural checks grading relies on (cells
    with a type, source text or lines, metadata objects); nbformat's schema validation and import
    cost more than the rest of reading a notebook, and `release/` writes and validates the
    notebooks with nbformat. Older versions are converted by nbformat."""
    try:
        notebook = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not a readable notebook: {exc}") from None
    if not isinstance(notebook, dict):
        raise ValueError("not a readable notebook: the file is not a JSON object")
    if notebook.get("nbformat") != 4:
        notebook = _converted_to_v4(text)
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise ValueError("not a readable notebook: it has no list of cells")
    found = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise ValueError(f"not a readable notebook: cell {number} has no cell_type")
        if cell["cell_type"] != "code":
            continue
        source, metadata = cell.get("source", ""), cell.get("metadata", {})
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str) or not isinstance(metadata, dict):
            raise ValueError(f"not a readable notebook: cell {number} has no source text or metadata object")
        found.append((source, _is_grader_cell(metadata)))
    return found


def _converted_to_v4(text: str) -> dict:
    nbformat = _import_nbformat()
    try:  # read and converted without schema validation (`nbformat.reads` would only log its errors)
        return nbformat.convert(nbformat.reader.reads(text), 4)
    except Exception as exc:  # nbformat raises several kinds for a broken file
        raise ValueError(f"not a readable notebook: {exc}") from None


# jsonschema's optional format checkers (its "format" extras), imported with nbformat when installed
_FORMAT_CHECKERS = ("fqdn", "idna", "isoduration", "jsonpointer", "rfc3339_validator", "rfc3986_validator",
                    "rfc3987", "rfc3987_syntax", "uri_template", "webcolors")


def _import_nbformat():
    """nbformat, imported without jsonschema's optional format checkers.

    nbgrader's Jupyter dependencies install them, and jsonschema imports each one it finds:
    `rfc3987_syntax` alone compiles 38 Lark grammars at import, which costs several times a whole
    self-check. Reading a notebook never checks those formats; jsonschema skips a checker whose import fails, and
    the block is lifted right after."""
    blocked = [name for name in _FORMAT_CHECKERS if name not in sys.modules] if "nbformat" not in sys.modules else []
    for name in blocked:
        sys.modules[name] = None  # `import name` raises ImportError
    try:
        import nbformat
    finally:
        for name in blocked:
            del sys.modules[name]
    return nbformat


def _is_grader_cell(metadata: dict) -> bool:
    """A test cell of nbgrader's (graded, not a solution) or the self-check cell."""
    nbgrader = metadata.get("nbgrader") if isinstance(metadata.get("nbgrader"), dict) else {}
    is_test = nbgrader.get("grade", False) and not nbgrader.get("solution", False)
    tags = metadata.get("tags") if isinstance(metadata.get("tags"), list) else []
    return bool(is_test) or "self-check" in tags


def discover(submissions_dir: Path, assignment: str) -> list[Submission]:
    """One Submission per student: each sub-folder or `.zip` of `submissions_dir`, by student id."""
    root = Path(submissions_dir)
    entries = sorted(p for p in root.iterdir()
                     if _inside(p, root) and (p.is_dir() or p.suffix == ".zip") and not p.name.startswith("."))
    seen, subs = set(), []
    for entry in entries:
        student = entry.stem if entry.suffix == ".zip" else entry.name
        if student in seen:
            continue
        seen.add(student)
        subs.append(load(entry, assignment, student))
    return subs

