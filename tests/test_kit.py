"""The student kit (SPEC §2.1, docs/student-kit.md): built by `release`, installed alone into a
fresh virtualenv, it self-checks like the grader and holds no answers.

Leak tests, each shown to fail on a deliberately leaky kit:
(a) no file of the kit holds a non-trivial line of a solution region, of a hidden suite, or of a
    recorded (instructor-only) suite helper, nor the id of a hidden check;
(b) no importable object of the kit computes a reference result for an input that was not
    recorded: every replay path, called with fresh random inputs, refuses;
(c) no path to solutions or hidden checks: no `autograder`, no `solutions`, no hidden module,
    no `grade` / `--show-hidden`, nothing that names them.
Same verdicts: every demo-cohort submission and every validity mutant gets the same checks,
statuses and points from the kit as from the grader's `check`; messages agree except on the
checks docs/student-kit.md lists. The kit grades in its portable worker mode (`--sandbox
process`, no bubblewrap).
"""
from __future__ import annotations

import ast
import base64
import gzip
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import numpy as np
import pytest

from autograder.reference import ASSIGNMENTS
from autograder.release.kit import REQUIREMENTS, build_kit
from autograder.release.kit import sources as kit_sources

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
WHEELHOUSE = Path(os.environ.get("NNOPT_KIT_WHEELHOUSE", Path.home() / ".cache" / "nnopt-kit" / "wheelhouse"))
# Checks whose reference side the student's own code drives (dependency isolation): the kit uses
# the student's own dependency instead, so a message may name what the grader's isolated call
# would not (docs/student-kit.md, "Checks that differ"). Status and points must still agree on
# the corpus; only the message may differ.
STAND_IN_CHECKS = {
    "gates": {"test_sigmoid_neuron_value", "test_sigmoid_neuron_gradient"},
    "quasi_newton": {"test_bfgs_minimize_quadratic_finite_termination", "test_bfgs_minimize_result_dict"},
    "activations": "every check of a unit that calls another activation",
}


# --------------------------------------------------------------------------- fixtures

# A library some cohort students use in their own code: a student who imports it has it installed.
STUDENTS_OWN_LIBRARIES = ["scipy"]


def _wheelhouse() -> Path:
    """Wheels of the kit's dependencies (downloaded from PyPI once, then offline)."""
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "-d", str(WHEELHOUSE), *REQUIREMENTS,
                    *STUDENTS_OWN_LIBRARIES], check=True, capture_output=True)
    return WHEELHOUSE


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """(wheel, dist dir): the kit as `release` builds it."""
    dist = tmp_path_factory.mktemp("dist")
    written = build_kit(REPO, dist, REPO / "assignments")
    return written[0], dist


@pytest.fixture(scope="module")
def kit_install(kit, tmp_path_factory):
    """(interpreter, distributions installed): a fresh virtualenv with only the kit (and its
    dependencies) installed, no repository on its path."""
    wheel, _ = kit
    env_dir = tmp_path_factory.mktemp("kitvenv")
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-index", "--find-links", str(_wheelhouse()),
                    str(wheel)], check=True, capture_output=True)
    done = run_in_kit(python, "import importlib.metadata as m; print('\\n'.join(sorted("
                              "d.metadata['Name'].lower() for d in m.distributions())))", cwd=env_dir)
    return python, set(done.stdout.split())


@pytest.fixture(scope="module")
def kit_python(kit_install):
    return kit_install[0]


@pytest.fixture(scope="module")
def student_python(kit_install):
    """The kit's virtualenv once a student installed the libraries their own code imports."""
    python = kit_install[0]
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-index", "--find-links", str(WHEELHOUSE),
                    *STUDENTS_OWN_LIBRARIES], check=True, capture_output=True)
    return python


def run_in_kit(python: Path, code: str, *, stdin: str = "", extra_path: Path | None = None, cwd: Path):
    """Run `code` with the kit's interpreter, outside the repository, no PYTHONPATH but `extra_path`."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    if extra_path is not None:
        env["PYTHONPATH"] = str(extra_path)
    return subprocess.run([str(python), "-c", code], input=stdin, capture_output=True, text=True, env=env,
                          cwd=str(cwd), timeout=1800)


def installed_package(python: Path, cwd: Path) -> Path:
    done = run_in_kit(python, "import nnopt_kit, os; print(os.path.dirname(nnopt_kit.__file__))", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return Path(done.stdout.strip())


def stage_leaky(tmp_path: Path, inject) -> Path:
    """A kit package tree with recordings (from the real build) plus what `inject(package)` adds."""
    staging = tmp_path / "leaky"
    package = kit_sources.stage(REPO, staging)
    inject(package)
    return staging


# --------------------------------------------------------------------------- (a) no answer text

def _solution_lines() -> set[str]:
    lines = set()
    for assignment in ASSIGNMENTS:
        text = (REPO / "solutions" / f"{assignment}.py").read_text()
        for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", text, flags=re.S):
            lines |= set(region.splitlines())
    return lines


def _hidden_suite_lines() -> set[str]:
    lines = set()
    for path in (REPO / "autograder" / "suites").glob("*/test_hidden*.py"):
        lines |= set(path.read_text().splitlines())
    return lines


def _recorded_helper_lines() -> set[str]:
    """The bodies of the suite helpers the kit replays (known mistakes, variants, expectations)."""
    lines = set()
    for assignment, modules in kit_sources.RECORDED.items():
        for stem, names in modules.items():
            text = (REPO / "autograder" / "suites" / assignment / f"{stem}.py").read_text()
            for node in ast.parse(text).body:
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names:
                    lines |= set(text.splitlines()[node.body[0].lineno - 1:node.end_lineno])
    return lines


def _shipped_helper_lines() -> set[str]:
    """The suite helper code the kit ships (pruned modules, reviewed: `sources.REVIEWED_SHIPPED`),
    stripped. A hidden suite's line that is also here is code the visible checks share (a message
    formatter, say), not hidden content; it never excuses a solution or recorded-helper line."""
    lines = set()
    for assignment in ASSIGNMENTS:
        pruned = kit_sources.pruned_suite(assignment, REPO / "autograder" / "suites" / assignment)
        for stem, text in pruned.items():
            if stem != "test_visible":
                lines |= {line.strip() for line in text.splitlines()}
    return lines


def _legitimate_lines() -> set[str]:
    """Lines the kit may hold: the handouts, the visible suites, the shipped grader modules."""
    lines = set()
    for assignment in ASSIGNMENTS:
        lines |= set((REPO / "assignments" / assignment / f"{assignment}.py").read_text().splitlines())
        notebook = json.loads((REPO / "assignments" / assignment / f"{assignment}.ipynb").read_text())
        for cell in notebook["cells"]:
            lines |= set("".join(cell["source"]).splitlines())
        lines |= set((REPO / "autograder" / "suites" / assignment / "test_visible.py").read_text().splitlines())
    for relative in kit_sources.SHIPPED_MODULES:
        lines |= set((REPO / "autograder" / relative).read_text().splitlines())
    return {line.strip() for line in lines}


def _nontrivial(lines: set[str]) -> set[str]:
    """Stripped lines long enough to carry an answer (not blank, not a bare keyword or bracket)."""
    return {line.strip() for line in lines if len(line.strip()) >= 16 and not line.strip().startswith("#")}


def forbidden_lines() -> set[str]:
    legitimate = _legitimate_lines()
    return (_nontrivial(_solution_lines() | _recorded_helper_lines()) - legitimate) | (
        _nontrivial(_hidden_suite_lines()) - legitimate - _shipped_helper_lines())


def kit_texts(root: Path):
    """(relative path, text) of every file of a kit tree (recordings decompressed)."""
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix == ".pyc":
            continue
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        yield path.relative_to(root).as_posix(), data.decode("utf-8", errors="replace")


def hidden_check_ids() -> set[str]:
    """Names of hidden checks that no visible check shares."""
    def names(pattern):
        return {node.name for path in (REPO / "autograder" / "suites").glob(pattern)
                for node in ast.parse(path.read_text()).body
                if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    return names("*/test_hidden*.py") - names("*/test_visible.py")


def answer_text_found(roots: list[Path]) -> list[str]:
    """(a): every (file, line) of a kit tree that is a forbidden line or names a hidden check."""
    forbidden = forbidden_lines()
    ids = re.compile(r"\b(" + "|".join(sorted(hidden_check_ids())) + r")\b")
    found = []
    for root in roots:
        for relative, text in kit_texts(root):
            for line in text.splitlines():
                if line.strip() in forbidden or ids.search(line):
                    found.append(f"{relative}: {line.strip()[:80]}")
    return found


def hidden_stream_answers() -> dict[str, str]:
    """SHA-256 of each reference iterate on the hidden optimizer stream (`HIDDEN_SEED`, every
    optimizer class with its defaults) -> which: answers only a hidden check may ask for."""
    from autograder.suites.optimizers import cases

    answers = {}
    for name in cases.CLASSES:
        for k, w in enumerate(cases.reference_iterates(name, {}, cases.HIDDEN_SEED)[1:], start=1):
            answers[hashlib.sha256(np.ascontiguousarray(w).tobytes()).hexdigest()] = f"{name} w_{k}"
    return answers


def _stored_arrays(stored):
    """Every array of a recorded outcome (`nnopt_kit.replay` encoding: ["a", dtype, shape, base64])."""
    if isinstance(stored, list):
        if len(stored) == 4 and stored[0] == "a" and isinstance(stored[3], str):
            yield base64.b64decode(stored[3])
        else:
            for item in stored:
                yield from _stored_arrays(item)


def hidden_stream_found(package: Path) -> list[str]:
    """(a) for the hidden stream: recorded arrays that are reference iterates on it, and a kit
    optimizers suite that still names the hidden seed."""
    answers, found = hidden_stream_answers(), []
    path = package / "recordings" / "optimizers.json.gz"
    if path.exists():
        head, _, body = gzip.decompress(path.read_bytes()).partition(b"\n")
        for key_, (offset, length) in json.loads(head).items():
            for data in _stored_arrays(json.loads(body[offset:offset + length])):
                which = answers.get(hashlib.sha256(data).hexdigest())
                if which:
                    found.append(f"recordings/optimizers.json.gz: {which}")
    for path in sorted((package / "suites" / "optimizers").glob("*.py")):
        if "HIDDEN_SEED" in path.read_text():
            found.append(f"suites/optimizers/{path.name}: HIDDEN_SEED")
    return found


def test_a_no_solution_hidden_or_recorded_helper_line_in_the_kit(kit, kit_python, tmp_path):
    package = installed_package(kit_python, tmp_path)
    assert len(forbidden_lines()) > 100 and len(hidden_check_ids()) > 30  # the scan has something to find
    assert answer_text_found([package, kit[1] / "handouts"]) == []
    assert len(hidden_stream_answers()) > 500
    assert hidden_stream_found(package) == []


def test_a_catches_a_kit_with_a_solution_a_hidden_suite_or_a_diagnosis_helper(tmp_path):
    def inject(package):
        shutil.copyfile(REPO / "solutions" / "optimizers.py", package / "optimizers_reference.py")
        shutil.copyfile(REPO / "autograder" / "suites" / "gates" / "test_hidden.py",
                        package / "suites" / "gates" / "test_hidden.py")
        shutil.copyfile(REPO / "autograder" / "suites" / "activations" / "mistakes.py",
                        package / "suites" / "activations" / "mistakes.py")
    found = answer_text_found([stage_leaky(tmp_path, inject) / "nnopt_kit"])
    files = {entry.split(":")[0] for entry in found}
    assert {"optimizers_reference.py", "suites/gates/test_hidden.py", "suites/activations/mistakes.py"} <= files


def test_a_catches_a_kit_that_recorded_the_hidden_optimizer_stream(tmp_path):
    """A leaky kit: the contract check's questions recorded on the hidden stream (one reference
    iterate among the recordings), and the hidden seed in its suite."""
    from autograder.suites.optimizers import cases

    def inject(package):
        iterate = cases.reference_iterates("Adam", {}, cases.HIDDEN_SEED)[7]
        data = ["a", iterate.dtype.str, list(iterate.shape), base64.b64encode(iterate.tobytes()).decode()]
        body = json.dumps(["value", ["t", [data]]]).encode()
        head = json.dumps({"0" * 64: [0, len(body)]}).encode()
        (package / "recordings" / "optimizers.json.gz").write_bytes(gzip.compress(head + b"\n" + body))
        with open(package / "suites" / "optimizers" / "cases.py", "a") as handle:
            handle.write("\nHIDDEN_SEED = 4104\n")
    found = hidden_stream_found(stage_leaky(tmp_path, inject) / "nnopt_kit")
    assert found == ["recordings/optimizers.json.gz: Adam w_7", "suites/optimizers/cases.py: HIDDEN_SEED"]


# --------------------------------------------------------------------------- (b) replays refuse

PROBE = r'''
import inspect, json, sys
import numpy as np
rng = np.random.default_rng(int(sys.argv[1]) if len(sys.argv) > 1 else 12345)
spec = json.loads(sys.stdin.read())
from nnopt_kit import replay, reference
findings, probed = [], 0

def fresh_arguments():
    """Inputs no check uses: random arrays of several shapes and random floats."""
    return [(rng.normal(size=(3, 4)),), (rng.normal(size=5), rng.normal(size=5)), (float(rng.normal()),),
            (rng.normal(size=(4, 4)), rng.normal(size=4), rng.normal(size=4)),
            (int(rng.integers(2, 50)), int(rng.integers(2, 50)), rng.normal(size=3))]

def probe(label, target):
    global probed
    for args in fresh_arguments():
        probed += 1
        try:
            value = target(*args)
        except replay.ReplayMiss:
            continue
        except Exception as exc:  # anything but a refusal computed something or broke
            findings.append(f"{label}{tuple(np.shape(a) for a in args)}: raised {type(exc).__name__}: {exc}")
            continue
        if isinstance(value, replay.ReplayInstance):
            for method in ("forward", "backward", "step", "update", "__call__"):
                try:
                    bound = getattr(value, method)
                except (replay.ReplayMiss, AttributeError):
                    continue
                probe(f"{label}(...).{method}", bound)
            continue
        findings.append(f"{label}{tuple(np.shape(a) for a in args)}: answered {str(value)[:60]}")

for assignment, names in spec["reference"].items():
    module = reference.load(assignment)
    for name in names:
        try:
            member = getattr(module, name)
        except replay.ReplayMiss:
            continue
        if callable(member):
            probe(f"reference {assignment}.{name}", member)
import importlib
for qualified in spec["helpers"]:
    assignment, stem, name = qualified.split(".")
    helper = getattr(importlib.import_module(f"nnopt_kit.suites.{assignment}.{stem}"), name)
    probe(f"helper {qualified}", helper)
print(json.dumps({"findings": findings, "probed": probed}))
'''


def _probe_spec() -> dict:
    """The names every replay path answers to: the reference modules' public callables and the
    recorded suite helpers."""
    from autograder import reference
    names = {a: sorted(n for n, v in vars(reference.load(a)).items() if not n.startswith("_") and callable(v)
                       and getattr(v, "__module__", "") == reference.load(a).__name__) for a in ASSIGNMENTS}
    helpers = [f"{a}.{stem}.{name}" for a, modules in kit_sources.RECORDED.items()
               for stem, names_ in modules.items() for name in names_]
    return {"reference": names, "helpers": helpers}


def replays_that_answer(python: Path, cwd: Path, extra_path: Path | None = None) -> dict:
    done = run_in_kit(python, PROBE, stdin=json.dumps(_probe_spec()), cwd=cwd, extra_path=extra_path)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_b_every_replay_path_refuses_unrecorded_inputs(kit_python, tmp_path):
    outcome = replays_that_answer(kit_python, tmp_path)
    assert outcome["probed"] > 250
    assert outcome["findings"] == []


def test_b_catches_a_kit_whose_reference_computes(kit_python, tmp_path):
    """A leaky kit: `reference.load` hands out the real solution module."""
    def inject(package):
        (package / "leaked").mkdir()
        for assignment in ASSIGNMENTS:
            shutil.copyfile(REPO / "solutions" / f"{assignment}.py", package / "leaked" / f"{assignment}.py")
        text = (package / "reference.py").read_text()
        text = text.replace('    return replay.module(assignment)',
                            '    import importlib\n    return importlib.import_module(f"nnopt_kit.leaked.{assignment}")')
        (package / "reference.py").write_text(text)
    staging = stage_leaky(tmp_path, inject)
    outcome = replays_that_answer(kit_python, tmp_path, extra_path=staging)
    assert any(f.startswith("reference activations.sigmoid") for f in outcome["findings"])
    assert any(f.startswith("reference optimizers.Adam") for f in outcome["findings"])
    assert any(f.startswith("reference quasi_newton.bfgs_update") for f in outcome["findings"])


# --------------------------------------------------------------------------- (c) no path to answers

PATHS_PROBE = r'''
import importlib.util, json, subprocess, sys, os
import nnopt_kit
findings = []
for name in ("autograder", "solutions", "autograder.reference", "nnopt_kit.batch", "nnopt_kit.gradescope",
             "_nnopt_reference"):
    try:
        if importlib.util.find_spec(name) is not None:
            findings.append(f"importable: {name}")
    except ModuleNotFoundError:
        pass
root = os.path.dirname(nnopt_kit.__file__)
for folder, _, files in os.walk(root):
    for file in files:
        path = os.path.join(folder, file)
        relative = os.path.relpath(path, root)
        if file.startswith("test_hidden") or "solutions" in relative.split(os.sep) or file in ("batch.py", "gradescope.py"):
            findings.append(f"file: {relative}")
        if file.endswith(".py"):
            text = open(path, encoding="utf-8").read()
            for needle in ("--show-hidden", "SOLUTIONS_DIR", "_nnopt_reference"):
                if needle in text:
                    findings.append(f"{relative} mentions {needle}")
for argv in (["grade", "--assignment", "gates", "--out", "o", "."], ["check", "--show-hidden", "--assignment", "gates", "x.py"]):
    done = subprocess.run([sys.executable, "-m", "nnopt_kit", *argv], capture_output=True, text=True)
    if done.returncode != 2:
        findings.append(f"accepted: {' '.join(argv)}")
print(json.dumps(findings))
'''


def paths_to_answers(python: Path, cwd: Path, extra_path: Path | None = None) -> list[str]:
    done = run_in_kit(python, PATHS_PROBE, cwd=cwd, extra_path=extra_path)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_c_no_path_to_solutions_or_hidden_checks(kit_python, tmp_path):
    assert paths_to_answers(kit_python, tmp_path) == []


def test_c_catches_a_kit_with_the_grader_cli_and_a_solutions_folder(kit_python, tmp_path):
    def inject(package):
        shutil.copyfile(REPO / "autograder" / "cli.py", package / "grader_cli.py")
        shutil.copytree(REPO / "solutions", package / "solutions")
    found = paths_to_answers(kit_python, tmp_path, extra_path=stage_leaky(tmp_path, inject))
    assert "grader_cli.py mentions --show-hidden" in found
    assert any(f.startswith("file: solutions") for f in found)


def test_the_kit_depends_on_what_the_visible_checks_need_only(kit_install):
    installed = kit_install[1]
    assert {"nnopt-kit", "numpy", "pytest", "pytest-json-report", "nbformat", "ipython"} <= installed
    assert not installed & {"nbgrader", "jupyterlab", "sqlalchemy", "alembic", "scipy", "matplotlib",
                            "nnopt-grader", "torch"}


# --------------------------------------------------------------------------- same verdicts

GRADE_ALL = r'''
import json, sys
from nnopt_kit.runtime.runner import grade_source
from nnopt_kit.runtime.session import SuiteSession
assignment, items = json.loads(open(sys.argv[1]).read())
session = SuiteSession(assignment, hidden=False)
out = {}
for label, source in items:
    result = grade_source(assignment, source, hidden=False, student=label, mode="process", session=session)
    out[label] = [[c.check_id, c.status, c.score, c.output] for c in result.checks]
session.close()
print(json.dumps(out))
'''


def verdict_corpus(assignment: str) -> list[tuple[str, str]]:
    """The demo cohort, the validity mutants and the reference, stubs and empty file."""
    from autograder import submission
    from autograder.release.stubs import clear_solutions

    reference = (REPO / "solutions" / f"{assignment}.py").read_text()
    items = [("reference", reference), ("stub", clear_solutions(reference)), ("empty", "")]
    for found in submission.discover(REPO / "examples" / "cohort" / assignment, assignment):
        items.append((f"cohort/{found.student}", found.source or ""))
    spec = importlib.util.spec_from_file_location(f"_validity_{assignment}",
                                                  REPO / "tests" / "validity" / f"test_{assignment}.py")
    sys.path.insert(0, str(REPO / "tests" / "validity"))
    try:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(REPO / "tests" / "validity"))
    harness = sys.modules["harness"]
    for name, (replacements, *_) in module.MUTANTS.items():
        items.append((f"mutant/{name}", harness.mutate(reference, replacements)))
    return items


def _differs_by_design(assignment: str, check_id: str) -> bool:
    exceptions = STAND_IN_CHECKS.get(assignment, set())
    return exceptions == STAND_IN_CHECKS["activations"] or check_id in exceptions


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_kit_gives_the_graders_visible_verdicts(student_python, tmp_path, assignment):
    """Same checks, statuses and points for every submission of the corpus (the kit's worker in its
    portable mode, no bubblewrap); the same messages, named diagnoses included, except on the
    stand-in checks. Both sides grade in one pytest session each (tests/test_session.py: a session
    gives what separate `check` runs give)."""
    from autograder.runtime.runner import grade_source
    from autograder.runtime.session import SuiteSession

    items = verdict_corpus(assignment)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    corpus_file = tmp_path / "corpus.json"
    corpus_file.write_text(json.dumps([assignment, items]))
    kit_run = subprocess.Popen([str(student_python), "-c", GRADE_ALL, str(corpus_file)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)  # grades alongside
    session = SuiteSession(assignment, hidden=False)
    grader_results = {label: grade_source(assignment, source, hidden=False, student=label, warm=True,
                                          session=session) for label, source in items}
    session.close()
    stdout, stderr = kit_run.communicate(timeout=1800)
    assert kit_run.returncode == 0, stderr[-3000:]
    kit_results = json.loads(stdout.splitlines()[-1])
    disagreements, message_differences, by_design = [], [], []
    expected = json.loads((REPO / "examples" / "cohort" / assignment / "expected.json").read_text())
    correct_labels = {"reference"} | {f"cohort/{s}" for s, e in expected.items() if e.get("full_marks")}
    for label, source in items:
        grader = [[c.check_id, c.status, c.score, c.output] for c in grader_results[label].checks]
        mine = kit_results[label]
        assert [c[0] for c in mine] == [c[0] for c in grader], label
        for (check_id, status, score, output), (_, k_status, k_score, k_output) in zip(grader, mine):
            correct = label in correct_labels
            if (status, score) != (k_status, k_score) and _differs_by_design(assignment, check_id) \
                    and not correct and k_status == "failed":
                by_design.append(f"{label} {check_id}: grader {status}, kit {k_status}: {k_output[:300]}")
            elif (status, score) != (k_status, k_score):
                disagreements.append(f"{label} {check_id}: grader {status} {score}, kit {k_status} {k_score}: "
                                     f"{k_output[:200]}")
            elif output != k_output and not _differs_by_design(assignment, check_id):
                message_differences.append(f"{label} {check_id}:\n  grader: {output[:300]}\n  kit:    {k_output[:300]}")
    verdicts = sum(len(v) for v in kit_results.values())
    print(f"{assignment}: {len(items)} submissions, {verdicts} check verdicts, {len(disagreements)} disagree, "
          f"{len(by_design)} differ by design (a stand-in check of a submission wrong elsewhere):")
    print("\n".join(by_design))
    assert disagreements == []
    assert message_differences == []


# --------------------------------------------------------------------------- the student's commands

def test_the_kits_check_command_reports_like_the_graders(kit_python, tmp_path):
    """Console script and `python -m nnopt_kit`: exit status, terminal report, GitHub annotations
    and job summary, JUnit XML; `handout` copies the stub and notebook."""
    scripts = kit_python.parent
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "GITHUB_STEP_SUMMARY")}
    correct = REPO / "examples" / "cohort" / "optimizers" / "ada_torch_style"
    wrong = REPO / "examples" / "cohort" / "optimizers" / "cleo_no_bias_correction"
    done = subprocess.run([str(scripts / "nnopt-kit"), "check", "--assignment", "optimizers", "--no-color",
                           str(correct)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Score: 43/43" in done.stdout
    notebook = REPO / "examples" / "cohort" / "line_search" / "fay_notebook" / "line_search.ipynb"
    done = subprocess.run([str(scripts / "nnopt-kit"), "check", "--assignment", "line_search", "--no-color",
                           str(notebook)], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Score: 8/8" in done.stdout
    summary = tmp_path / "summary.md"
    done = subprocess.run([str(kit_python), "-m", "nnopt_kit", "check", "--assignment", "optimizers", str(wrong),
                           "--format", "github", "--junit", str(tmp_path / "report.xml")], capture_output=True,
                          text=True, env={**env, "GITHUB_STEP_SUMMARY": str(summary)}, cwd=tmp_path)
    assert done.returncode == 1
    assert "::error file=" in done.stdout and "missing bias correction" in done.stdout
    assert "missing bias correction" in summary.read_text()
    assert "<failure" in (tmp_path / "report.xml").read_text()
    done = subprocess.run([str(kit_python), "-m", "nnopt_kit", "handout", "--assignment", "line_search",
                           "--out", str(tmp_path / "hw")], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 0
    assert (tmp_path / "hw" / "line_search.py").read_text() == (REPO / "assignments" / "line_search" /
                                                                 "line_search.py").read_text()


NOTEBOOK_RUN = r'''
import contextlib, io, json, sys
notebook = json.loads(open(sys.argv[1]).read())
namespace = {"__name__": "__main__", "In": [""]}
printed = io.StringIO()
with contextlib.redirect_stdout(printed):
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        namespace["In"].append(source)
        exec(compile(source, "<cell>", "exec"), namespace)
print(json.dumps(printed.getvalue()))
'''


def test_the_released_notebook_self_checks_with_the_kit(student_python, tmp_path):
    """The cohort's filled-in gates notebook, its cells run in order as a kernel would (the kernel's
    `In` history kept): the test cells and the self-check cell import the kit and grade."""
    from autograder import submission
    from autograder.runtime.runner import grade_source

    notebook = REPO / "examples" / "cohort" / "gates" / "olga_notebook" / "gates.ipynb"
    done = run_in_kit(student_python, NOTEBOOK_RUN.replace("sys.argv[1]", repr(str(notebook))), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    printed = json.loads(done.stdout.splitlines()[-1])
    graded = grade_source("gates", submission.load(notebook, "gates").source, hidden=False, student="olga")
    assert graded.score == graded.max_score  # a correct notebook: the kit must print full marks too
    max_gate = sum(c.max_score for c in graded.checks if c.unit == "MaxGate")
    assert max_gate > 0
    assert f"MaxGate: {max_gate:g} / {max_gate:g} points from the visible checks" in printed
    assert (f"Visible checks: {graded.max_score:g} / {graded.max_score:g} points, {len(graded.checks)} passed, "
            "0 failed.") in printed


def test_every_suite_helper_the_kit_ships_was_reviewed():
    """Default deny for answer-bearing code: each function or class a pruned helper module keeps
    is either replayed (`sources.RECORDED`) or reviewed as shippable (`sources.REVIEWED_SHIPPED`)."""
    unreviewed = []
    for assignment in ASSIGNMENTS:
        for stem, text in kit_sources.pruned_suite(assignment, REPO / "autograder" / "suites" / assignment).items():
            if stem == "test_visible":
                continue
            allowed = set(kit_sources.RECORDED[assignment].get(stem, ())) | set(
                kit_sources.REVIEWED_SHIPPED[assignment].get(stem, ()))
            unreviewed += [f"{assignment}/{stem}.py: {node.name}" for node in ast.parse(text).body
                           if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name not in allowed]
    assert unreviewed == [], "classify in autograder/release/kit/sources.py (RECORDED or REVIEWED_SHIPPED)"


def test_a_hang_and_a_crash_cost_their_functions_checks_never_the_report(kit_python, tmp_path):
    """The kit's portable worker path (`--sandbox process`, no bubblewrap): trusted-side deadlines
    and restarts, as in the grader."""
    reference = (REPO / "solutions" / "gates.py").read_text()
    hanging = reference.replace("        self.out = np.exp(np.asarray(x, dtype=np.float64))\n",
                                "        while True:\n            pass\n", 1)
    broken = hanging.replace("class ReciprocalGate:", "import os\n\n\nclass ReciprocalGate:", 1)
    broken = re.sub(r"(class ReciprocalGate:.*?def forward\(self, x\):\n)", r"\1        os._exit(3)\n", broken,
                    count=1, flags=re.S)
    assert broken.count("os._exit(3)") == 1 and "while True" in broken
    (tmp_path / "gates.py").write_text(broken)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run([str(kit_python), "-m", "nnopt_kit", "check", "--assignment", "gates", "--sandbox",
                           "process", "--no-color", "--junit", str(tmp_path / "report.xml"), str(tmp_path / "gates.py")],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert done.returncode == 1, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    verdict = {line[4:].strip().split("  ", 1)[-1]: line[:4] for line in lines if line[:4] in ("PASS", "FAIL")}
    assert verdict["forward returns the gate's value [ExpGate]"] == "FAIL"
    assert verdict["forward returns the gate's value [ReciprocalGate]"] == "FAIL"
    assert verdict["forward returns the gate's value [AddGate]"] == "PASS"
    assert verdict["backward(dout) matches central differences of sum(dout * forward) [MatMulGate]"] == "PASS"
    # exactly the checks of the two units fail (their count and points from the grader's own run)
    from autograder.runtime.runner import grade_source

    visible = grade_source("gates", reference, hidden=False, student="reference").checks
    lost = [c for c in visible if c.unit in ("ExpGate", "ReciprocalGate")]
    assert len(lost) >= 4
    assert sorted(name for name, v in verdict.items() if v == "FAIL") == sorted(c.name for c in lost), done.stdout
    total = sum(c.max_score for c in visible)
    assert f"Score: {total - sum(c.max_score for c in lost):g}/{total:g}" in done.stdout


# --------------------------------------------------------------------------- notebooks

NOTEBOOKS_IN_KIT = r'''
import json, sys
from pathlib import Path
from nnopt_kit import submission
from nnopt_kit.runtime.runner import grade_source
from nnopt_kit.runtime.session import SuiteSession
notebooks, graded = json.loads(open(sys.argv[1]).read())
out, sessions = {}, {}
for label, assignment, path in notebooks:
    source = submission.load(Path(path), assignment).source
    out[label] = {"source": source}
    if label in graded:
        session = sessions.setdefault(assignment, SuiteSession(assignment, hidden=False))
        result = grade_source(assignment, source, hidden=False, student=label, mode="process", session=session)
        out[label]["checks"] = [[c.check_id, c.status, c.score] for c in result.checks]
for session in sessions.values():
    session.close()
print(json.dumps(out))
'''


def _notebook_styles():
    """tests/validity/test_notebooks.py's notebook styles (how students shape their notebooks)."""
    sys.path.insert(0, str(REPO / "tests" / "validity"))
    try:
        spec = importlib.util.spec_from_file_location("_kit_notebook_styles",
                                                      REPO / "tests" / "validity" / "test_notebooks.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(REPO / "tests" / "validity"))
    return module


def test_a_notebook_builds_the_same_module_and_verdicts_in_the_kit(student_python, tmp_path):
    """The kit roots a notebook's module at the names of its handout stub, the grader at the
    reference's (`notebook.graded_names`): every style of tests/validity/test_notebooks.py (magics
    included: the kit reads IPython syntax with IPython, as the grader does), for each assignment
    there, builds the same module in both; one notebook per style (the
    assignments in turn) is graded by both, with the same checks, statuses and points."""
    from autograder import submission
    from autograder.runtime.runner import grade_source
    from autograder.runtime.session import SuiteSession

    styles = _notebook_styles()
    notebooks, graded = [], []
    for index, style in enumerate(styles.STYLES):
        for number, assignment in enumerate(styles.ASSIGNMENTS):
            label = f"{assignment}/{style.__name__}"
            path = styles.write_notebook(tmp_path / label / f"{assignment}.ipynb",
                                         style(styles.reference(assignment)))
            notebooks.append([label, assignment, str(path)])
            if number == index % len(styles.ASSIGNMENTS):
                graded.append(label)
    corpus = tmp_path / "notebooks.json"
    corpus.write_text(json.dumps([notebooks, graded]))
    done = run_in_kit(student_python, NOTEBOOKS_IN_KIT.replace("sys.argv[1]", repr(str(corpus))), cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    in_kit = json.loads(done.stdout.splitlines()[-1])
    sessions = {}
    for label, assignment, path in notebooks:
        source = submission.load(Path(path), assignment).source
        assert in_kit[label]["source"] == source, label
        if label in graded:
            session = sessions.setdefault(assignment, SuiteSession(assignment, hidden=False))
            result = grade_source(assignment, source, hidden=False, student=label, warm=True, session=session)
            assert result.score == result.max_score, label  # correct code, in every style
            assert in_kit[label]["checks"] == [[c.check_id, c.status, c.score] for c in result.checks], label
    for session in sessions.values():
        session.close()
    assert len(graded) == len(styles.STYLES) and len(notebooks) == len(graded) * len(styles.ASSIGNMENTS)
