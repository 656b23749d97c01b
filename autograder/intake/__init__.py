"""Submissions as a course receives them (SPEC §2.2): detect the layout, extract safely, one
Submission per student with the id, name and submission time the layout gives.

    intake = collect(Path("canvas-download.zip"), "optimizers", scratch=Path("out/.intake"))
    intake.layout            # "canvas"
    intake.submissions       # [Submission(student="40213", submitted_at=..., late_flag=True, ...), ...]

`collect` writes only under `scratch` (extracted archives, files read from git objects) and reads
only under the download (symbolic links are never followed). Layouts: `layouts.py`; the
extraction guards: `safety.py`; LMS submission-time exports: `times.py`.
"""
from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from autograder.intake.common import IntakeContext
from autograder.intake.layouts import LAYOUTS, NbgraderLayout, visible_entries
from autograder.intake.safety import CLASS_LIMITS, STUDENT_LIMITS, SafeExtractor, UnsafeArchive, archive_kind
from autograder.submission import Submission

__all__ = ["Intake", "UnknownLayout", "collect", "detect", "LAYOUTS"]


class UnknownLayout(ValueError):
    """No layout fits; the message lists what was found and what each layout expects."""


@dataclass
class Intake:
    layout: str
    root: Path                 # the folder the layout was read from (inside scratch for a zip download)
    submissions: list[Submission]
    notes: list[str]


def detect(root: Path, assignment: str) -> str:
    """The layout of `root`: the most specific one that recognizes more than half of its entries."""
    if (root / "submitted").is_dir() or root.name == "submitted":
        return "nbgrader"
    entries = visible_entries(root)
    if entries:
        for name, layout in LAYOUTS.items():
            if sum(layout.recognizes(e, assignment) for e in entries) * 2 > len(entries):
                return name
    raise UnknownLayout(describe_unknown(root, entries))


def describe_unknown(root: Path, entries: list[Path]) -> str:
    kinds = Counter("folder" if e.is_dir() else (e.suffix.lower() or "no suffix") for e in entries)
    found = ", ".join(f"{n} × {k}" for k, n in kinds.most_common()) or "nothing"
    examples = ", ".join(e.name for e in entries[:5])
    expected = "; ".join(f"{name}: {layout.description}, e.g. {layout.example!r}" for name, layout in LAYOUTS.items())
    return (f"cannot tell how the submissions in {root} are laid out. Found {found}"
            f"{f' (e.g. {examples})' if examples else ''}. Known layouts — {expected}. "
            f"Name one with --layout.")


def collect(source: Path, assignment: str, *, scratch: Path, layout: str | None = None,
            times: dict | None = None) -> Intake:
    """Every student's Submission from `source` (a folder, or a Canvas/Moodle download `.zip`)."""
    source = Path(source)
    scratch = Path(scratch)
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    notes: list[str] = []
    root = source
    if source.is_file():
        if archive_kind(source) != "zip":
            raise UnknownLayout(f"{source} is a file, not a folder or a .zip download")
        root = scratch / "download"
        try:
            extraction = SafeExtractor(CLASS_LIMITS).extract(source, root)
        except UnsafeArchive as exc:
            raise UnknownLayout(f"the download cannot be read: {exc}") from None
        notes += [f"download entry {m!r} skipped: {why}" for m, why in extraction.refused]
        inner = visible_entries(root)
        if len(inner) == 1 and inner[0].is_dir() and layout is None:
            try:
                detect(root, assignment)
            except UnknownLayout:
                root = inner[0]  # a zip of the download's folder
    elif not source.is_dir():
        raise UnknownLayout(f"{source} does not exist")
    name = layout or detect(root, assignment)
    if name not in LAYOUTS:
        raise UnknownLayout(f"unknown layout {name!r}; one of {', '.join(LAYOUTS)}")
    if name == "nbgrader":
        root = NbgraderLayout.base(root)
    ctx = IntakeContext(scratch=scratch / "students", limits=STUDENT_LIMITS, times=times or {})
    ctx.scratch.mkdir(parents=True, exist_ok=True)
    subs = LAYOUTS[name].collect(root, assignment, ctx)
    return Intake(layout=name, root=root, submissions=subs, notes=notes)
