"""The student kit (SPEC §2.1): `python -m autograder release` builds it under `dist/`.

`build_kit(repo_root, dist_dir, handouts_dir)` writes

- `dist/nnopt_kit-VERSION-py3-none-any.whl`: the `nnopt_kit` package — the `check` command, the
  visible suites pruned to what they reach, the check primitives, worker, sandbox launcher and
  reports, the recorded reference answers (`recordings/NAME.json.gz`) and the handouts
  (`handouts/NAME/NAME.py`, `NAME.ipynb`);
- `dist/handouts/NAME/`: the same stubs and notebooks next to the wheel.

Steps: stage the package (`sources.stage`), record in a fresh interpreter what its visible checks
ask of the reference (`recording.record`, which also fails the build when the reference does not
get full marks from the kit, when a question got two different answers, when pruning changed
a kept input, or when the handout stub binds other names than the reference), then write the wheel (`wheel.write_wheel`). docs/student-kit.md explains the design.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from autograder import __version__
from autograder.reference import ASSIGNMENTS

DISTRIBUTION = "nnopt-kit"
# What the visible checks need, and nothing else (docs/student-kit.md: why each one). IPython reads a
# notebook's IPython syntax (`%matplotlib inline`, `!pip ...`) as Jupyter does, so a notebook builds
# the grader's module.
REQUIREMENTS = ["numpy>=1.24", "pytest>=8", "pytest-json-report>=1.5", "nbformat>=5.9", "ipython>=8"]
SCRIPTS = {"nnopt-kit": "nnopt_kit.cli:main"}
DESCRIPTION = """# nnopt-kit

The self-check of the nnopt course's assignments: `python -m nnopt_kit check --assignment NAME PATH`
(or `nnopt-kit check ...`) runs the visible checks on `NAME.py`, `NAME.ipynb` or a folder holding one.
`python -m nnopt_kit handout --assignment NAME` copies the assignment's stub and notebook here.
"""


class KitBuildError(RuntimeError):
    """The kit cannot be released as it stands (the message says why)."""


def build_kit(repo_root: Path, dist_dir: Path, handouts_dir: Path) -> list[Path]:
    """Build the kit from `repo_root` with the released handouts in `handouts_dir`; returns the
    wheel and the handout files written next to it."""
    from autograder.release.kit import recording, sources, wheel

    repo_root, dist_dir = Path(repo_root).resolve(), Path(dist_dir)
    with tempfile.TemporaryDirectory(prefix="nnopt-kit-") as tmp:
        staging = Path(tmp)
        package = sources.stage(repo_root, staging)
        for assignment in ASSIGNMENTS:
            target = package / "handouts" / assignment
            target.mkdir(parents=True, exist_ok=True)
            for suffix in (".py", ".ipynb"):
                shutil.copyfile(handouts_dir / assignment / f"{assignment}{suffix}", target / f"{assignment}{suffix}")
            out = recording.record(repo_root, staging, assignment)
            _raise_for_bad_recording(assignment, out)
            recording.write_recordings(out["entries"], package / "recordings" / f"{assignment}.json.gz")
        for old in dist_dir.glob("nnopt_kit-*.whl"):
            old.unlink()
        written = [wheel.write_wheel(dist_dir, package, name=DISTRIBUTION, version=__version__,
                                     summary="Self-check for the nnopt course's assignments (no answers inside)",
                                     requires=REQUIREMENTS, python=">=3.10", scripts=SCRIPTS,
                                     description=DESCRIPTION)]
        for assignment in ASSIGNMENTS:
            target = dist_dir / "handouts" / assignment
            target.mkdir(parents=True, exist_ok=True)
            for path in sorted((package / "handouts" / assignment).iterdir()):
                shutil.copyfile(path, target / path.name)
                written.append(target / path.name)
    return written


def _raise_for_bad_recording(assignment: str, out: dict) -> None:
    score, max_score, failed = out["scores"]["reference"]
    if score != max_score:
        raise KitBuildError(f"{assignment}: the reference scores {score}/{max_score} in the kit (failed: {failed})")
    if out["conflicts"]:
        raise KitBuildError(f"{assignment}: questions answered differently at recording: {out['conflicts'][:5]}")
    if out["graded_names_differ"]:
        raise KitBuildError(f"{assignment}: the handout stub binds other top-level names than the reference "
                            f"({out['graded_names_differ']}): a notebook would build another module in the kit")
    if out["pruned_data_differs"]:
        raise KitBuildError(f"{assignment}: pruning changed the kit's inputs {out['pruned_data_differs']}")
