"""The adversarial corpus graded end to end (attacks in `attacks.py`).

Each attack is graded like any submission, and must: score no more than the honest
wrong answer it wraps, leave no process and no file behind (everything it creates
carries a unique token), reach no loopback service, change nothing in the grader's
process or the repository, and — in a batch — leave the other students' files, grades
and outputs as they would have been without it. Workers start warm (forked by a zygote,
as in `grade`), so an attack also meets the zygote's re-isolation of each worker.
"""
from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from autograder import sandbox
from autograder.batch import BatchOptions, grade_batch
from autograder.runtime.runner import grade_source
from autograder.sandbox import procs
from autograder.submission import discover
from tests.adversarial.attacks import ATTACKS, BATCH_ATTACKS, HONEST_WRONG, NEEDS_ISOLATION

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
MODE = sandbox.resolve_mode("auto")
LIMITS = sandbox.Limits(call_seconds=1.0, import_seconds=3.0, submission_seconds=30.0, output_bytes=16 << 10)
SELECT = "sigmoid"  # the checks of sigmoid and sigmoid_grad: enough to score, quick to run
# Files of the repository an attack would like to create or replace.
GUARDED = [REPO / "autograder/suites/activations/conftest.py", REPO / "conftest.py", REPO / "tests/conftest.py",
           REPO / "solutions/activations.py"]


def grader_functions() -> dict:
    """What the attacks patch, as the grader's own process sees it."""
    return {"np.testing.assert_allclose": np.testing.assert_allclose, "np.allclose": np.allclose,
            "np.isclose": np.isclose, "abs": abs, "max": max, "all": all}


GRADER_FUNCTIONS = grader_functions()


class LoopbackServer:
    """A TCP server on 127.0.0.1 that records every connection it accepts."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, peer = self.server.accept()
            except OSError:
                return
            self.connections.append(peer)
            connection.close()


@pytest.fixture(scope="module")
def loopback():
    server = LoopbackServer()
    yield server
    server.server.close()


@pytest.fixture(scope="module")
def baseline() -> float:
    """The score of the honest wrong answer that every attack wraps."""
    return grade_source("activations", HONEST_WRONG, select=SELECT, mode=MODE, limits=LIMITS, warm=True).score


@pytest.fixture
def repo_guard():
    """Fail if an attack changed a guarded repository file, and put it back (other engineers share the tree)."""
    before = {path: path.read_bytes() if path.exists() else None for path in GUARDED}
    yield
    changed = []
    for path, content in before.items():
        now = path.read_bytes() if path.exists() else None
        if now != content:
            changed.append(str(path))
            if content is None:
                path.unlink()
            else:
                path.write_bytes(content)
    assert changed == [], f"attack changed {changed}"


def fill(source: str, **values) -> str:
    for key, value in values.items():
        source = source.replace(f"__{key.upper()}__", str(value))
    return source


def token_processes(token: str) -> list[int]:
    found = []
    for info in procs.live_processes():
        try:
            if token.encode() in (procs.PROC / str(info.pid) / "cmdline").read_bytes():
                found.append(info.pid)
        except OSError:
            pass
    return found


def token_files(token: str, *trees: Path) -> list[Path]:
    """Files named with `token` in the shared writable folders (top level, where attacks write) and in `trees`."""
    found = [path for place in (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path.home(), REPO)
             for path in place.glob(f"*{token}*")]
    return found + [path for tree in trees for path in tree.rglob(f"*{token}*")]


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_gains_nothing_and_leaves_nothing(name, baseline, loopback, repo_guard):
    if MODE != "bwrap" and name in NEEDS_ISOLATION:
        pytest.skip("only the bwrap sandbox isolates the file system and the network (docs/security.md)")
    token = f"adv-{name}-{os.getpid()}-{time.monotonic_ns()}"
    source = fill(ATTACKS[name], token=token, port=loopback.port, repo=REPO)

    started = time.monotonic()
    result = grade_source("activations", source, select=SELECT, mode=MODE, limits=LIMITS, warm=True)
    seconds = time.monotonic() - started

    assert result.checks, "the suite must have run"
    assert result.score <= baseline, [(c.name, c.score) for c in result.checks if c.score]
    assert seconds < LIMITS.submission_seconds + 30
    assert len(result.stdout) <= LIMITS.output_bytes
    assert token_processes(token) == []
    assert token_files(token) == []
    assert not Path(f"/tmp/pwned-{token}").exists()
    assert loopback.connections == []
    assert grader_functions() == GRADER_FUNCTIONS


@pytest.mark.skipif(MODE != "bwrap", reason="only the bwrap sandbox hides other students and the output folder")
def test_batch_attackers_harm_nobody(tmp_path, loopback):
    submissions, out = tmp_path / "submissions", tmp_path / "out"
    token = f"adv-batch-{os.getpid()}-{time.monotonic_ns()}"
    reference_source = (REPO / "solutions/activations.py").read_text()
    sources = {"alice": reference_source, "bob": reference_source, "carol": HONEST_WRONG}
    for name, attack in BATCH_ATTACKS.items():
        sources[f"mallory_{name}"] = fill(attack, token=token, port=loopback.port, repo=REPO,
                                          victim=submissions / "bob", out=out)
    for student, source in sources.items():
        (submissions / student).mkdir(parents=True)
        (submissions / student / "activations.py").write_text(source)
    handed_in = {path: path.read_bytes() for path in submissions.rglob("*") if path.is_file()}

    results = {r.student: r for r in grade_batch("activations", submissions, out, jobs=2, progress=False,
                                                 options=BatchOptions(mode=MODE, limits=LIMITS))}
    written = {path: path.read_bytes() for path in out.rglob("*") if path.is_file()}
    time.sleep(1.5)  # a surviving daemon would rewrite the outputs now

    for honest in ("alice", "bob"):
        assert results[honest].score == results[honest].max_score > 0, results[honest].output
    for student in sources:
        if student.startswith("mallory_"):
            assert results[student].score <= results["carol"].score, student
    assert {path: path.read_bytes() for path in submissions.rglob("*") if path.is_file()} == handed_in
    assert {path: path.read_bytes() for path in out.rglob("*") if path.is_file()} == written
    for student, result in results.items():
        saved = json.loads((out / student / "results.json").read_text())
        assert saved["score"] == pytest.approx(result.score)
    gradebook = (out / "gradebook.csv").read_text().splitlines()
    assert len(gradebook) == 1 + len(sources)
    assert token_processes(token) == []
    assert token_files(token, out, submissions) == []
    assert loopback.connections == []


def test_symlink_to_the_reference_is_not_read_as_the_submission(tmp_path):
    folder = tmp_path / "submissions" / "mallory"
    folder.mkdir(parents=True)
    (folder / "activations.py").symlink_to(REPO / "solutions/activations.py")
    (submission,) = discover(tmp_path / "submissions", "activations")
    assert submission.source is None and "no activations.py" in submission.error
