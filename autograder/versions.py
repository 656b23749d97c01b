"""Result versions of a `grade` output folder: kept before anything is replaced, compared, reverted.

Before a run replaces any student's results (a `--regrade`, or a changed grader or submission),
the folder's current state — `gradebook.csv`, the LMS files, every `<student>/` — is kept as
`OUT/versions/NNN/`, a copy (not hard links: some reports are rewritten in place, which would
change a linked version too). `version.json` says when and why.

    python -m autograder versions --out OUT                 # list the versions
    python -m autograder versions --out OUT --diff 3        # version 3 against the current gradebook
    python -m autograder versions --out OUT --revert 3      # make version 3 current (the current one is kept first)
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

VERSIONS = "versions"
# Folders of OUT that are not results: the versions themselves, intake's scratch, a regrade's staging.
NOT_RESULTS = {VERSIONS, ".intake", ".staging"}


@dataclass(frozen=True)
class ScoreChange:
    """One student's gradebook row before and after (None: no row)."""
    student: str
    old_score: float | None
    new_score: float | None
    old_status: str
    new_status: str

    @property
    def delta(self) -> float:
        return (self.new_score or 0.0) - (self.old_score or 0.0)


def read_gradebook(path: Path) -> dict[str, dict]:
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            return {row["student"]: row for row in csv.DictReader(handle)}
    except FileNotFoundError:
        return {}


def compare(old: dict[str, dict], new: dict[str, dict]) -> list[ScoreChange]:
    """Students whose final score or status differs between two gradebooks (by `student`)."""
    changes = []
    for student in list(old) + [s for s in new if s not in old]:
        before, after = old.get(student), new.get(student)
        old_score = float(before["score"]) if before else None
        new_score = float(after["score"]) if after else None
        old_status = before["status"] if before else ""
        new_status = after["status"] if after else ""
        if old_score != new_score or old_status != new_status:
            changes.append(ScoreChange(student, old_score, new_score, old_status, new_status))
    return changes


def format_changes(changes: list[ScoreChange], total: int) -> str:
    """A table for the terminal: who changes, from what to what, by how much."""
    if not changes:
        return f"no score changes ({total} students compared)"
    lines = [f"{len(changes)} of {total} students change:", f"  {'student':<24} {'old':>8} {'new':>8} {'change':>8}  status"]
    for c in sorted(changes, key=lambda c: (-abs(c.delta), c.student)):
        old = "—" if c.old_score is None else f"{c.old_score:g}"
        new = "—" if c.new_score is None else f"{c.new_score:g}"
        status = c.new_status if c.old_status == c.new_status else f"{c.old_status or '—'} -> {c.new_status or '—'}"
        lines.append(f"  {c.student:<24} {old:>8} {new:>8} {c.delta:>+8g}  {status}")
    return "\n".join(lines)


def _result_entries(out_dir: Path) -> list[Path]:
    return [p for p in sorted(out_dir.iterdir()) if p.name not in NOT_RESULTS and not p.name.startswith(".")]


def _copy_tree(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True)
    else:
        shutil.copy2(source, target)


def list_versions(out_dir: Path) -> list[tuple[int, dict]]:
    root = Path(out_dir) / VERSIONS
    found = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if folder.name.isdigit():
            try:
                info = json.loads((folder / "version.json").read_text())
            except (OSError, ValueError):
                info = {}
            found.append((int(folder.name), info))
    return found


def snapshot(out_dir: Path, reason: str) -> int | None:
    """Keep the current results as the next version; None when there is nothing to keep."""
    out_dir = Path(out_dir)
    entries = _result_entries(out_dir) if out_dir.is_dir() else []
    if not entries:
        return None
    number = max((n for n, _ in list_versions(out_dir)), default=0) + 1
    target = out_dir / VERSIONS / f"{number:03d}"
    partial = target.with_name(f".{target.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for entry in entries:
        _copy_tree(entry, partial / entry.name)
    (partial / "version.json").write_text(json.dumps({
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "reason": reason}, indent=1))
    os.replace(partial, target)
    return number


def version_dir(out_dir: Path, number: int) -> Path:
    folder = Path(out_dir) / VERSIONS / f"{number:03d}"
    if not folder.is_dir():
        raise ValueError(f"no version {number} in {out_dir} (versions: "
                         f"{', '.join(str(n) for n, _ in list_versions(out_dir)) or 'none'})")
    return folder


def revert(out_dir: Path, number: int) -> int | None:
    """Make version `number` the current results; the current ones are kept as a new version first
    (so a revert can itself be reverted). Returns that new version's number."""
    out_dir = Path(out_dir)
    source = version_dir(out_dir, number)
    kept = snapshot(out_dir, f"before reverting to version {number}")
    for entry in _result_entries(out_dir):
        shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    for entry in sorted(source.iterdir()):
        if entry.name != "version.json":
            _copy_tree(entry, out_dir / entry.name)
    return kept


def diff_version(out_dir: Path, number: int) -> list[ScoreChange]:
    """Version `number`'s gradebook (old) against the current one (new)."""
    return compare(read_gradebook(version_dir(out_dir, number) / "gradebook.csv"),
                   read_gradebook(Path(out_dir) / "gradebook.csv"))


def gradebook_text_rows(text: str) -> dict[str, dict]:
    return {row["student"]: row for row in csv.DictReader(io.StringIO(text))}
