"""What every intake layout shares: choosing a student's file, expanding their archives, ids."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from autograder import submission as submission_module
from autograder.intake.safety import (STUDENT_LIMITS, ExtractionLimits, SafeExtractor, UnsafeArchive, archive_kind,
                                      walk_files)
from autograder.submission import Submission

# Renames an LMS or a browser applies to a re-uploaded file: Canvas `optimizers-1.py`, `optimizers (1).py`.
_RENAMED = re.compile(r"^(?P<stem>.+?)(?:-\d+| \(\d+\))(?P<ext>\.[A-Za-z0-9]+)$")
_UNSAFE_ID_CHARS = re.compile(r"[^\w.@+-]")


@dataclass
class IntakeContext:
    """Where a layout may write (`scratch`), with which bounds, and what the instructor told us:
    submission times from an LMS export (`times`: id -> (aware datetime, source))."""
    scratch: Path
    limits: ExtractionLimits = STUDENT_LIMITS
    times: dict[str, tuple[datetime, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    """One file a student handed in: `name` as the student named it (after undoing LMS renames),
    `depth` the number of archives it was inside, `order` the upload order (later wins)."""
    name: str
    path: Path
    depth: int = 0
    order: int = 0


def logical_name(filename: str) -> str:
    """`optimizers-1.py` -> `optimizers.py` (Canvas's rename of a resubmitted file), `x (2).py` -> `x.py`."""
    match = _RENAMED.match(filename)
    return match["stem"] + match["ext"] if match else filename


def choose(assignment: str, candidates: list[Candidate]) -> Candidate | None:
    """The file to grade: NAME.py before NAME.ipynb, outside archives before inside, shallowest
    folder first, then the latest upload; macOS resource forks and hidden files never."""
    wanted = {f"{assignment}.py": 0, f"{assignment}.ipynb": 1}
    ranked = []
    for c in candidates:
        parts = c.name.split("/")
        base = logical_name(parts[-1])
        if base not in wanted or "__MACOSX" in parts or any(p.startswith(".") for p in parts):
            continue
        ranked.append(((c.depth, len(parts), wanted[base], -c.order, base != parts[-1], c.name), c))
    return min(ranked, key=lambda pair: pair[0])[1] if ranked else None


def safe_id(student: str) -> str:
    """A student id usable as one folder name under OUT (no separators, no leading dot)."""
    cleaned = _UNSAFE_ID_CHARS.sub("_", student.strip()) or "_"
    return "_" + cleaned if cleaned.startswith(".") else cleaned


def file_time(path: Path) -> datetime:
    """A file's modification time, as an aware UTC datetime (the last-resort submission time)."""
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)


class StudentFiles:
    """A student's hand-in as candidates, with their archives expanded under the scratch folder."""

    def __init__(self, student: str, ctx: IntakeContext):
        self.student = student
        self.ctx = ctx
        self.folder = ctx.scratch / safe_id(student)
        self.candidates: list[Candidate] = []
        self.notes: list[str] = []
        self._archives = 0

    def add(self, name: str, path: Path, *, depth: int = 0, order: int = 0) -> None:
        """Add one file; a zip is extracted (and its files added) while `depth` allows."""
        kind = archive_kind(path)
        if kind == "unsupported":
            self.notes.append(f"{name}: archive format not supported (hand in a .zip, .py or .ipynb)")
        elif kind == "zip":
            self._expand(name, path, depth, order)
        self.candidates.append(Candidate(name, path, depth, order))

    def add_folder(self, folder: Path, *, prefix: str = "", depth: int = 0, order: int = 0) -> None:
        """Add every regular file under `folder` (symbolic links are skipped, never followed)."""
        try:
            files = walk_files(folder, self.ctx.limits.max_members)
        except UnsafeArchive as exc:
            self.notes.append(str(exc))
            return
        for path in files:
            self.add(prefix + path.relative_to(folder).as_posix(), path, depth=depth, order=order)

    def _expand(self, name: str, path: Path, depth: int, order: int) -> None:
        if depth >= self.ctx.limits.max_depth:
            self.notes.append(f"{name}: archive nested more than {self.ctx.limits.max_depth} deep, not opened")
            return
        self._archives += 1
        dest = self.folder / f"archive{self._archives}"
        try:
            extraction = SafeExtractor(self.ctx.limits).extract(path, dest)
        except UnsafeArchive as exc:
            self.notes.append(f"{name}: refused: {exc}")
            return
        for member, why in extraction.refused:
            self.notes.append(f"{name}: entry {member!r} skipped: {why}")
        stem = name[:-4] if name.lower().endswith(".zip") else name
        for file in extraction.files:
            self.add(f"{stem}/{file.relative_to(dest).as_posix()}", file, depth=depth + 1, order=order)

    def submission(self, assignment: str, origin: Path, **facts) -> Submission:
        """The Submission for the chosen file, or one whose error says what was found instead."""
        chosen = choose(assignment, self.candidates)
        if chosen is None:
            sub = Submission(student=self.student, assignment=assignment, origin=origin, **facts)
            found = ", ".join(sorted(c.name for c in self.candidates)[:8]) or "no files"
            sub.error = f"no {assignment}.py or {assignment}.ipynb in the submission (found: {found})"
            if self.notes:
                sub.error += "; " + "; ".join(self.notes[:5])
        else:
            sub = submission_module.from_file(self.student, assignment, chosen.path, chosen.name, chosen.path, **facts)
        sub.notes = list(self.notes)
        return sub
