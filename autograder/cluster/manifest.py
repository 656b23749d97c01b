"""What a grade depends on, entry by entry, so that a worker whose grader differs is named and refused.

`batch.grader_fingerprint` is one hash (of absolute paths and contents) that says *whether*
a stored result is still current on this machine. Across machines it is not enough: the
same grader installed under another path hashes differently, and one hash cannot say
*what* differs. A `GraderManifest` lists, for one assignment:

- every file of the `autograder` package that grading reads (`*.py` and `*.json`: the code,
  the suites and their rubrics, the recorded reference statistics), by its path relative to
  the package, with the SHA-256 of its bytes;
- the assignment's reference solution `solutions/<assignment>.py`, likewise;
- the versions of the grader and of what computes or renders a verdict (Python, NumPy, SciPy,
  pytest, pytest-json-report, matplotlib): another NumPy may round a reference value
  differently, another matplotlib draws other PNG bytes.

Two installations grade identically when their manifests are equal; `differences` names the
entries that are not. `digest` is the SHA-256 of the sorted entries.
"""
from __future__ import annotations

import hashlib
import platform
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path

from autograder import __version__, reference

PACKAGE_DIR = Path(__file__).resolve().parent.parent
GRADER_SUFFIXES = (".py", ".json")
DEPENDENCIES = ("numpy", "scipy", "pytest", "pytest-json-report", "matplotlib")
MAX_NAMED = 6  # differences spelled out in a refusal; the rest are counted


@dataclass(frozen=True)
class GraderManifest:
    assignment: str
    entries: tuple[tuple[str, str], ...]  # sorted (name, sha256 or version)

    @classmethod
    def of_this_installation(cls, assignment: str) -> GraderManifest:
        return _manifest(assignment)

    @property
    def digest(self) -> str:
        digest = hashlib.sha256()
        for name, value in self.entries:
            digest.update(f"{name}\0{value}\n".encode())
        return digest.hexdigest()

    def differences(self, other: GraderManifest) -> list[str]:
        """What differs between this manifest (the client's, "here") and `other` (a worker's,
        "there"), one phrase per entry, files first."""
        if self.assignment != other.assignment:
            return [f"assignment {self.assignment} here, {other.assignment} there"]
        mine, theirs = dict(self.entries), dict(other.entries)
        found = []
        for name in sorted(mine.keys() | theirs.keys(), key=lambda n: (n.startswith("version "), n)):
            here, there = mine.get(name), theirs.get(name)
            if here == there:
                continue
            if name.startswith("version "):
                found.append(f"{name.removeprefix('version ')} {here or 'absent'} here, {there or 'absent'} there")
            elif there is None:
                found.append(f"{name} is missing there")
            elif here is None:
                found.append(f"{name} exists only there")
            else:
                found.append(f"{name} differs")
        return found


def describe_differences(differences: list[str]) -> str:
    """The first `MAX_NAMED` differences, and how many more there are."""
    named = "; ".join(differences[:MAX_NAMED])
    more = len(differences) - MAX_NAMED
    return named + (f"; and {more} more" if more > 0 else "")


@cache
def _manifest(assignment: str) -> GraderManifest:
    """This process's manifest of `assignment` (read once: the code a process runs is the code it loaded)."""
    if assignment not in reference.ASSIGNMENTS:
        raise ValueError(f"unknown assignment {assignment!r}")
    entries = {}
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.suffix in GRADER_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
            entries[f"autograder/{path.relative_to(PACKAGE_DIR).as_posix()}"] = _sha256(path)
    entries[f"solutions/{assignment}.py"] = _sha256(reference.SOLUTIONS_DIR / f"{assignment}.py")
    entries["version nnopt-grader"] = __version__
    entries["version python"] = platform.python_version()
    for name in DEPENDENCIES:
        try:
            entries[f"version {name}"] = metadata.version(name)
        except metadata.PackageNotFoundError:
            entries[f"version {name}"] = "not installed"
    return GraderManifest(assignment, tuple(sorted(entries.items())))


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"
