"""The reference solutions, loaded on the trusted side only.

`solutions/` sits next to the `autograder` package (in the repository and in the
Gradescope bundle). It is imported under a private package name so that nothing a
student names can collide with it.
"""
from __future__ import annotations

import importlib.util
import sys
from functools import cache
from pathlib import Path

ASSIGNMENTS = ("gates", "activations", "initializers", "optimizers", "line_search", "quasi_newton")
REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS_DIR = REPO_ROOT / "solutions"


@cache
def load(assignment: str):
    """The reference module of `assignment`."""
    if assignment not in ASSIGNMENTS:
        raise ValueError(f"unknown assignment {assignment!r}; choose from {', '.join(ASSIGNMENTS)}")
    name = f"_nnopt_reference.{assignment}"
    spec = importlib.util.spec_from_file_location(name, SOLUTIONS_DIR / f"{assignment}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def definitions_source(assignment: str) -> str:
    """The source whose top-level names a submission of `assignment` defines for grading: the
    reference solution (the student kit answers with the handout stub, which binds the same
    names; `release` checks that they agree)."""
    return (SOLUTIONS_DIR / f"{assignment}.py").read_text(encoding="utf-8")
