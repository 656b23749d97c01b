"""The portable worker (sandbox/portable.py): the mode Windows gets, forced here on Linux.

- The whole demo cohort, graded with every worker in the portable mode, gets exactly what
  examples/cohort/<assignment>/expected.json says (and no other launcher is used).
- A hang, a GIL-holding loop, `os._exit`, `os._exit` from a thread and a segfault cost only the
  function's own checks; `check` still prints its report.
- Whatever the student writes to stdout (a flood, binary garbage, closing it) cannot corrupt the
  channel, which is the worker's stdin and stdout.
- Every module the student kit ships imports "as on Windows" (POSIX-only modules blocked,
  `sys.platform` patched) and chooses the portable mode there; a module with a top-level
  `import fcntl` is the control that this check fails.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from autograder import sandbox, submission
from autograder.remote import supervisor as student_module
from autograder.reference import ASSIGNMENTS
from autograder.release.kit.sources import SHIPPED_MODULES
from autograder.runtime.runner import grade_source
from autograder.runtime.session import shared_session
from autograder.sandbox import Limits, portable
from autograder.remote import StudentCode, StudentCrash, StudentTimeout

REPO = Path(__file__).resolve().parents[1]
POSIX_ONLY = ("resource", "fcntl", "pwd", "grp", "termios")


@pytest.fixture
def only_portable(monkeypatch):
    """Every worker the client starts is a portable one: the other launcher fails the test if used."""
    started = []
    real = sandbox.start_portable_worker

    def spy(*args, **kwargs):
        worker = real(*args, **kwargs)
        started.append(worker)
        return worker

    def refuse(*args, **kwargs):
        raise AssertionError("a non-portable worker was started")

    monkeypatch.setattr(student_module.sandbox, "start_portable_worker", spy)
    monkeypatch.setattr(student_module.sandbox, "start_worker", refuse)
    return started


def _failed(result) -> set[str]:
    return {c.check_id for c in result.checks if c.status == "failed"}


# --------------------------------------------------------------------------- the demo cohort

@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_demo_cohort_scores_as_expected_in_portable_mode(assignment, only_portable):
    cohort = REPO / "examples" / "cohort" / assignment
    expected = json.loads((cohort / "expected.json").read_text())
    students = {entry.stem if entry.suffix == ".zip" else entry.name: submission.load(entry, assignment)
                for entry in sorted(cohort.iterdir()) if entry.is_dir() or entry.suffix == ".zip"}
    assert sorted(students) == sorted(expected)
    session = shared_session(assignment)
    for name, sub in students.items():
        assert sub.source is not None, f"{name}: {sub.error}"
        result = grade_source(assignment, sub.source, student=name, mode="portable", session=session)
        assert result.status == "ok", name
        if expected[name].get("full_marks"):
            assert _failed(result) == set(), f"{name}: {sorted(_failed(result))}"
            assert result.score == result.max_score > 0
        else:
            assert _failed(result) == set(expected[name]["fails"]), name
    assert only_portable, "no portable worker was started"
    assert all(worker.mode == "portable" for worker in only_portable)


def test_auto_means_portable_when_the_environment_asks(monkeypatch, only_portable, tmp_path):
    monkeypatch.setenv(portable.FORCE_VARIABLE, "portable")
    assert sandbox.resolve_mode("auto") == "portable" and sandbox.portable_selected("auto")
    assert not sandbox.portable_selected("process")  # an explicit mode stays what it says
    assert "No memory, CPU" in sandbox.describe("auto")  # says how weak it is
    source = tmp_path / "m.py"
    source.write_text("def double(x):\n    return 2 * x\n")
    with StudentCode(source, "m") as code:
        assert code.double(21) == 42
    assert len(only_portable) == 1


# --------------------------------------------------------------------------- faults

FAULTS = textwrap.dedent("""
    import os, sys, threading

    def fine(x):
        return x + 1

    def hang():
        while True:
            pass

    def hold_the_gil():
        return sum(range(10 ** 13))

    def exit_now():
        os._exit(0)

    def exit_from_thread():
        threading.Thread(target=lambda: os._exit(3)).start()
        threading.Event().wait(10)

    def sys_exit_in_thread():
        worker = threading.Thread(target=sys.exit, args=(4,))
        worker.start()
        worker.join()
        return "still here"

    def raise_system_exit():
        sys.exit(5)

    def segfault():
        import ctypes
        return ctypes.string_at(0)
""")


@pytest.mark.parametrize("fault, kind", [("hang", StudentTimeout), ("hold_the_gil", StudentTimeout),
                                         ("exit_now", StudentCrash), ("exit_from_thread", StudentCrash),
                                         ("segfault", StudentCrash)])
def test_a_fault_costs_only_that_function(fault, kind, tmp_path, only_portable):
    source = tmp_path / "faults.py"
    source.write_text(FAULTS)
    with StudentCode(source, "faults", mode="portable", limits=Limits(call_seconds=1.0)) as code:
        assert code.fine(1) == 2
        first = code._supervisor.worker
        with pytest.raises(kind):
            code.call(fault)
        assert not first.alive()  # killed or dead, and reaped
        assert code.fine(2) == 3  # a fresh worker
        assert code._supervisor.worker is not first
        if kind is StudentTimeout:
            with pytest.raises(StudentTimeout, match="did not return"):  # poisoned: not run again
                code.call(fault)
    assert first.scratch is not None and not first.scratch.exists()


def test_sys_exit_is_an_exception_of_the_call_not_a_crash(tmp_path):
    source = tmp_path / "faults.py"
    source.write_text(FAULTS)
    with StudentCode(source, "faults", mode="portable") as code:
        assert code.sys_exit_in_thread() == "still here"  # SystemExit ends only that thread
        with pytest.raises(student_module.StudentException, match="SystemExit"):
            code.raise_system_exit()
        assert code.fine(1) == 2


def _run_check(path: Path, *extra, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "check", "--assignment", "gates", *extra, str(path)],
                          capture_output=True, text=True, cwd=REPO, timeout=600,
                          env={**os.environ, "NO_COLOR": "1", **(env or {})})


@pytest.mark.slow
def test_check_writes_its_report_past_a_hang_and_a_crash(tmp_path):
    """`check --sandbox portable` on the reference gates with `sigmoid_neuron` hanging and
    `SoftIoUGate.forward` calling `os._exit`: those checks fail with the reason, the others pass."""
    reference = (REPO / "solutions" / "gates.py").read_text()
    hung = reference.replace('    dw of shape (3,) and dx of shape (2,)."""\n',
                             '    dw of shape (3,) and dx of shape (2,)."""\n    while True:\n        pass\n')
    broken = re.sub(r"(class SoftIoUGate:.*?def forward\(self[^)]*\):\n(?:\s+\"\"\".*?\"\"\"\n)?)",
                    r"\1        import os\n        os._exit(7)\n", hung, count=1, flags=re.S)
    assert broken != hung != reference
    path = tmp_path / "gates.py"
    path.write_text(broken)
    run = _run_check(path, "--sandbox", "portable")
    assert run.returncode == 1, run.stderr[-2000:]
    report = run.stdout
    verdicts = re.findall(r"^(PASS|FAIL) .*$", report, flags=re.M)
    lines = [line for line in report.splitlines() if line.startswith(("PASS", "FAIL"))]
    failed = [line for line in lines if line.startswith("FAIL")]
    assert len(lines) == len(verdicts) > 40
    assert failed and all("[SoftIoUGate]" in line or "sigmoid_neuron" in line for line in failed), failed
    assert all(line.startswith("FAIL") for line in lines if "[SoftIoUGate]" in line or "sigmoid_neuron's" in line)
    assert "`sigmoid_neuron` did not return within" in report
    assert "the process running `SoftIoUGate.forward` died" in report
    clean = _run_check(REPO / "examples" / "cohort" / "gates" / "carol_matmul_neuron", env={
        portable.FORCE_VARIABLE: "portable"})
    assert clean.returncode == 0, clean.stdout[-3000:] + clean.stderr[-2000:]


# --------------------------------------------------------------------------- stdout cannot corrupt the channel

NOISY = textwrap.dedent("""
    import os, sys
    import numpy as np

    print("printed at import " * 1000)
    sys.stdout.buffer.write(bytes(range(256)) * 64)  # binary garbage, frame-like bytes included

    def flood(n):
        for _ in range(n):
            print("x" * 1000)
        os.write(1, b"\\x00\\x00\\x00\\x10" * 4096)
        return np.arange(3.0)

    def garbage():
        sys.stdout.buffer.write(os.urandom(1 << 16))
        sys.stdout.flush()
        os.write(1, os.urandom(1 << 16))
        return "fine"

    def close_stdout():
        sys.stdout.close()
        os.close(1)
        return "closed"

    def after():
        print("printing after stdout was closed")
        return 42

    def read_stdin():
        return sys.stdin.read()

    def quiet(x):
        return np.asarray(x) * 2
""")


def test_student_output_never_reaches_the_channel(tmp_path):
    source = tmp_path / "noisy.py"
    source.write_text(NOISY)
    with StudentCode(source, "noisy", mode="portable", limits=Limits(output_bytes=4096)) as code:
        assert code.flood(10_000).tolist() == [0.0, 1.0, 2.0]  # 10 MB of prints
        assert code.garbage() == "fine"
        assert code.read_stdin() == ""  # stdin is the null device, not the channel
        assert code.close_stdout() == "closed"
        with pytest.raises(student_module.StudentException):  # print to a closed sys.stdout raises
            code.after()
        assert code.quiet([1.5]).tolist() == [3.0]  # the channel still works
        output = code.output()
    assert output.startswith("printed at import")
    assert len(output) <= 4096  # capped, though the student printed megabytes


def test_control_a_worker_serving_on_its_real_stdout_is_corrupted_by_prints(tmp_path, monkeypatch):
    """The deliberately broken control: a worker that keeps stdin/stdout as the channel without
    moving the student's stdout away (no `take_stdio`) is broken by the same submission."""
    wire = tmp_path / "wire"
    shutil.copytree(Path(student_module.WORKER_SCRIPT).parent, wire)
    worker = (wire / "worker.py").read_text()
    assert worker.count("serve_channel(take_stdio(), ") == 1
    (wire / "worker.py").write_text(worker.replace("serve_channel(take_stdio(), ",
                                                   "serve_channel(protocol.PipeEnds(0, 1), "))
    monkeypatch.setattr(student_module, "WORKER_SCRIPT", wire / "worker.py")
    source = tmp_path / "noisy.py"
    source.write_text(NOISY)
    with StudentCode(source, "noisy", mode="portable") as code:
        with pytest.raises(student_module.SubmissionImportError):
            code.quiet([1.5])


def test_control_without_the_trusted_deadline_a_hang_blocks_the_grader(tmp_path, monkeypatch):
    """The deliberately broken control of the fault tests: with the channel's timeout dropped, a
    hanging call keeps the grader waiting until the worker is killed from outside."""
    monkeypatch.setattr(portable.PipeChannel, "settimeout", lambda self, seconds: None)
    source = tmp_path / "faults.py"
    source.write_text(FAULTS)
    with StudentCode(source, "faults", mode="portable", limits=Limits(call_seconds=0.5)) as code:
        assert code.fine(1) == 2
        outcome = []

        def call_hang():
            try:
                code.call("hang")
            except StudentCrash as exc:
                outcome.append(exc)

        caller = threading.Thread(target=call_hang, daemon=True)
        caller.start()
        caller.join(3.0)
        assert caller.is_alive() and not outcome  # six deadlines later, still waiting
        code._supervisor.worker.kill()  # end of file on the channel: the caller learns of a crash, not a timeout
        caller.join(30)
        assert not caller.is_alive() and isinstance(outcome[0], StudentCrash)


# --------------------------------------------------------------------------- importable as on Windows

AS_ON_WINDOWS = textwrap.dedent("""
    import importlib, sys
    import numpy, pytest  # third-party packages first: they may look at sys.platform themselves
    for name in {blocked!r}:
        sys.modules[name] = None  # `import name` now raises ImportError, as on Windows
    for name in [n for n in sys.modules if n.startswith("autograder")]:
        del sys.modules[name]
    sys.platform = "win32"
    sys.path.insert(0, {extra_path!r})
    failures = []
    for module in {modules!r}:
        try:
            importlib.import_module(module)
        except Exception as exc:
            failures.append(f"{{module}}: {{type(exc).__name__}}: {{exc}}")
    if failures:
        print("\\n".join(failures))
        sys.exit(1)
    from autograder import sandbox
    assert sandbox.resolve_mode("auto") == "portable", sandbox.resolve_mode("auto")
    assert sandbox.portable_selected("auto")
    assert not sandbox.sandbox_available("process") and not sandbox.sandbox_available("bwrap")
    try:
        sandbox.resolve_mode("process")
    except sandbox.SandboxUnavailable:
        pass
    else:
        raise AssertionError("process mode chosen without POSIX primitives")
    print("portable")
""")


def kit_modules() -> list[str]:
    """The grader modules the kit ships (release/kit/sources.py), and every module of the packages
    the worker launcher lives in (sandbox/, wire/), as importable names."""
    paths = set(SHIPPED_MODULES)
    paths |= {f"{folder}/{path.name}" for folder in ("sandbox", "wire")
              for path in (REPO / "autograder" / folder).glob("*.py")}
    return sorted("autograder." + p.removesuffix(".py").replace("/", ".").removesuffix(".__init__") for p in paths)


def import_as_on_windows(modules: list[str], extra_path: Path = REPO) -> subprocess.CompletedProcess:
    script = AS_ON_WINDOWS.format(blocked=POSIX_ONLY, modules=modules, extra_path=str(extra_path))
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=300)


def test_every_module_the_kit_ships_imports_as_on_windows_and_picks_portable():
    modules = kit_modules()
    assert "autograder.sandbox.portable" in modules and "autograder.remote.student" in modules
    run = import_as_on_windows(modules)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert run.stdout.strip().endswith("portable")


def test_control_a_top_level_posix_import_fails_the_windows_import_check(tmp_path):
    """The deliberately broken control: a module importing `fcntl` at top level (as
    sandbox/uids.py did) makes the check fail, naming the module."""
    package = tmp_path / "posixonly"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "uids.py").write_text("import fcntl\nimport os\n\ndef lock(fd):\n    fcntl.flock(fd, fcntl.LOCK_EX)\n")
    run = import_as_on_windows(kit_modules() + ["posixonly.uids"], extra_path=tmp_path)
    assert run.returncode == 1
    assert "posixonly.uids: ModuleNotFoundError: import of fcntl" in run.stdout


def test_printing_non_ascii_works_and_is_captured_as_utf8(tmp_path):
    """UTF-8 mode (`-X utf8`): a print of "σ" cannot fail under a Windows code page."""
    source = tmp_path / "greek.py"
    source.write_text("def sigma(x):\n    print('σ(x) =', x)\n    return x\n", encoding="utf-8")
    with StudentCode(source, "greek", mode="portable") as code:
        assert code.sigma(1.5) == 1.5
        code.close()
        assert "σ(x) = 1.5" in code.output()


@pytest.mark.parametrize("platform, refused", [("linux", True), ("darwin", False)])
def test_rlimits_the_kernel_refuses_stop_the_worker_only_on_linux(platform, refused, monkeypatch):
    """macOS refuses RLIMIT_AS (EINVAL, reported as ValueError): the process mode's preexec_fn
    skips that limit there and sets the others; on Linux a refused limit is an error."""
    import resource

    from autograder.sandbox.limits import apply_rlimits

    applied = []

    def setrlimit(which, values):
        if which == resource.RLIMIT_AS:
            raise ValueError("current limit exceeds maximum limit")
        applied.append(which)

    monkeypatch.setattr(resource, "setrlimit", setrlimit)
    monkeypatch.setattr(sys, "platform", platform)
    if refused:
        with pytest.raises(ValueError):
            apply_rlimits(Limits())
    else:
        apply_rlimits(Limits())
        assert set(applied) == set(Limits().rlimits()) - {resource.RLIMIT_AS}


def _newer_syntax(paths) -> list[str]:
    """The files among `paths` that Python 3.10's grammar rejects (`ast.parse(feature_version=)`)."""
    import ast

    refused = []
    for path in paths:
        try:
            ast.parse(path.read_text(encoding="utf-8"), filename=str(path), feature_version=(3, 10))
        except SyntaxError as exc:
            refused.append(f"{path}: {exc}")
    return refused


def test_the_kits_modules_parse_as_python_3_10(tmp_path):
    """The kit supports Python 3.10 to 3.13; only 3.11 runs here, so the grammar is checked
    (library APIs newer than 3.10 are not). Control: an `except*` block is refused."""
    shipped = [REPO / "autograder" / path for path in SHIPPED_MODULES]
    shipped += [REPO / "autograder" / "sandbox" / "portable.py", *(REPO / "kit" / "nnopt_kit").glob("*.py")]
    assert _newer_syntax(shipped) == []
    control = tmp_path / "control.py"
    control.write_text("try:\n    pass\nexcept* ValueError:\n    pass\n")
    assert len(_newer_syntax([control])) == 1
