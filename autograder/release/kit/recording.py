"""Recording, at release, what the kit's visible checks ask of the reference.

`record(staging, assignment, corpus)` runs the staged kit's own `check` (the pruned visible suite,
`nnopt_kit.replay` stand-ins) in a fresh interpreter whose replay source is a `Recorder`: every
question a stand-in asks is answered by the real reference or the real suite helper, and the
answer is kept under the question's key. What is recorded is therefore exactly what the kit's
checks ask, never what a hidden check would (the kit's suite does not contain them).

The corpus drives the checks down their paths: the reference solution itself (every check passes;
it must get full marks, else the build fails), the reference with every returned number perturbed
(every check fails at its first comparison, so the known-mistake variants are asked on the
checks' fixed inputs), and the demo cohort's submissions (typical mistakes). Callables with no
required arguments that a helper returns (the lazily evaluated known-mistake values) are called
once at recording, so a failing student finds their values whatever the check's path.
"""
from __future__ import annotations

import gzip
import importlib
import importlib.util
import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

from autograder import speed

PERTURBATION = '''

# ---- appended by the kit recorder: every returned float is off by 1e-3 (drives the diagnoses)
import functools as _kit_functools
import numpy as _kit_np


def _kit_perturb(value):
    if isinstance(value, _kit_np.ndarray) and value.dtype.kind == "f":
        return value * (1 + 1e-3) + 1e-3
    if isinstance(value, float):
        return value * (1 + 1e-3) + 1e-3
    if type(value) in (tuple, list):
        return type(value)(_kit_perturb(v) for v in value)
    if type(value) is dict:
        return {k: _kit_perturb(v) for k, v in value.items()}
    return value


def _kit_wrap(function):
    @_kit_functools.wraps(function)
    def wrapped(*args, **kwargs):
        return _kit_perturb(function(*args, **kwargs))
    return wrapped


for _kit_name, _kit_object in list(globals().items()):
    if _kit_name.startswith("_") or getattr(_kit_object, "__module__", None) != __name__:
        continue
    if isinstance(_kit_object, type):
        for _kit_attr, _kit_member in list(vars(_kit_object).items()):
            if callable(_kit_member) and not _kit_attr.startswith("__"):
                setattr(_kit_object, _kit_attr, _kit_wrap(_kit_member))
    elif callable(_kit_object):
        globals()[_kit_name] = _kit_wrap(_kit_object)
'''


class Recorder:
    """The replay source at release: computes each answer with the real code and keeps it."""

    def __init__(self):
        self.entries: dict[str, list] = {}
        self.reals: dict[str, object] = {}
        self.conflicts: list[str] = []

    def real_module(self, assignment: str):
        from autograder import reference
        return reference.load(assignment)

    def real_helper(self, name: str):
        assignment, module, function = name.split(".")
        return getattr(importlib.import_module(f"autograder.suites.{assignment}.{module}"), function)

    def real(self, key_: str):
        return self.reals.get(key_)

    def resolve(self, key_: str, compute, describe: str):
        from nnopt_kit import replay

        if compute is None:
            raise RuntimeError(f"record mode: {describe} has no real counterpart")
        leaves: list[tuple[str, str, object]] = []

        def make_child(path, leaf):
            kind = "class" if isinstance(leaf, type) else "function" if callable(leaf) else "object"
            leaf_key = replay.key(key_, "leaf", path)
            self.reals[leaf_key] = leaf
            leaves.append((leaf_key, kind, leaf))
            return ["proxy", kind]

        try:
            raw = compute()
        except Exception as exc:  # the reference's own error is part of the answer
            outcome = ["raise", type(exc).__name__, str(exc)]
        else:
            if isinstance(raw, replay.Marker):
                outcome = ["value", replay.encode(raw[1], make_child)] if raw[0] == "attribute" else [raw[0]]
            else:
                outcome = ["value", replay.encode(raw, make_child)]
        previous = self.entries.get(key_)
        if previous is not None and previous != outcome:
            self.conflicts.append(describe)
        self.entries[key_] = outcome
        for leaf_key, kind, leaf in leaves:
            if kind == "function" and _takes_no_arguments(leaf):
                call_key = replay.key(leaf_key, "call", (), {})
                if call_key not in self.entries:
                    self.resolve(call_key, leaf, f"{describe} (evaluated at recording)")
        return outcome


def _takes_no_arguments(function) -> bool:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters)


def _check_pruned_data(assignment: str) -> list[str]:
    """Names whose data differ between the kit's pruned helper modules and the grader's (a pruned
    statement the kept ones depended on): each would make the kit ask questions never recorded."""
    from nnopt_kit import replay

    problems = []
    kit_suite = Path(importlib.import_module(f"nnopt_kit.suites.{assignment}").__file__).parent
    for path in sorted(kit_suite.glob("*.py")):
        if path.stem in ("__init__", "test_visible"):
            continue
        kit_module = importlib.import_module(f"nnopt_kit.suites.{assignment}.{path.stem}")
        real_module = importlib.import_module(f"autograder.suites.{assignment}.{path.stem}")
        for name, value in vars(kit_module).items():
            if name.startswith("__") or callable(value) or inspect.ismodule(value) or replay.is_replayed(value):
                continue
            try:
                mine = json.dumps(replay.canonical(value), sort_keys=True)
            except replay.ReplayMiss:
                continue
            if "replayed" in mine:
                continue
            theirs = json.dumps(replay.canonical(getattr(real_module, name, None)), sort_keys=True)
            if mine != theirs:
                problems.append(f"{path.stem}.{name}")
    return problems


def record_in_this_process(assignment: str, corpus: list[tuple[str, str]]) -> dict:
    """Run the staged kit's visible suite on each (label, source) with a `Recorder`; returns
    {"entries": ..., "scores": {label: [score, max]}}."""
    from nnopt_kit import replay

    recorder = Recorder()
    replay.use_source(recorder)
    from nnopt_kit.runtime.runner import grade_source

    scores = {}
    for label, source in corpus:
        result = grade_source(assignment, source, hidden=False, student=label)
        scores[label] = [result.score, result.max_score, [c.check_id for c in result.checks if c.status != "passed"]]
    problems = _check_pruned_data(assignment)
    return {"entries": recorder.entries, "scores": scores, "conflicts": recorder.conflicts,
            "pruned_data_differs": problems, "graded_names_differ": _graded_names_differ(assignment)}


def _graded_names_differ(assignment: str) -> list[str]:
    """Names a notebook's module is rooted at in one of the grader and the kit only (the grader reads
    them from the reference solution, the kit from its handout stub): each would make a notebook
    build another module in the kit."""
    from autograder import notebook as grader_notebook
    from nnopt_kit import notebook as kit_notebook

    grader, kit = grader_notebook.graded_names(assignment), kit_notebook.graded_names(assignment)
    if grader is None or kit is None:
        return [f"unknown in the {'grader' if grader is None else 'kit'}"]
    return sorted(grader ^ kit)


def corpus(repo_root: Path, assignment: str) -> list[tuple[str, str]]:
    """(label, source) of the submissions the recording runs: reference, perturbed, demo cohort."""
    from autograder import submission

    reference = (repo_root / "solutions" / f"{assignment}.py").read_text(encoding="utf-8")
    items = [("reference", reference), ("perturbed reference", reference + PERTURBATION)]
    cohort = repo_root / "examples" / "cohort" / assignment
    if cohort.is_dir():
        for found in submission.discover(cohort, assignment):
            if found.source is not None:
                items.append((f"cohort/{found.student}", found.source))
    return items


def record(repo_root: Path, staging: Path, assignment: str) -> dict:
    """Record in a fresh interpreter (the staged kit and the grader side by side); returns what
    `record_in_this_process` returns."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(staging), str(repo_root)])
    speed.one_blas_thread(env)  # a grading process, as `check` is
    items = corpus(repo_root, assignment)
    done = subprocess.run([sys.executable, "-m", "autograder.release.kit.recording", assignment],
                          input=json.dumps(items), capture_output=True, text=True, env=env, cwd=str(staging))
    if done.returncode != 0:
        raise RuntimeError(f"recording {assignment} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def write_recordings(entries: dict, path: Path) -> None:
    """Entries in the kit's format (`nnopt_kit.replay.pack_recordings`), gzip'd without a timestamp:
    the same recording gives the same bytes."""
    spec = importlib.util.spec_from_file_location(
        "_kit_replay_format", Path(__file__).resolve().parents[3] / "kit" / "nnopt_kit" / "replay.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path.write_bytes(gzip.compress(module.pack_recordings(entries), compresslevel=9, mtime=0))


def main() -> int:
    assignment = sys.argv[1]
    items = json.loads(sys.stdin.read())
    out = record_in_this_process(assignment, [tuple(item) for item in items])
    sys.stdout.write("\n" + json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
