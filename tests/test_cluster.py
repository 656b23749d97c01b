"""`grade --cluster`: a real Dask scheduler and real workers, started here as processes on 127.0.0.1.

Each cluster is a `dask scheduler` and `dask worker` processes (`python -m distributed.cli...`),
bound to 127.0.0.1 on free ports, each in its own process group, killed at the end whatever
happens. Results are compared with the embedded pool's on the same submissions: every file
`grade` writes, timing fields aside.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from autograder.reference import ASSIGNMENTS, REPO_ROOT, SOLUTIONS_DIR

distributed = pytest.importorskip("distributed")

COHORT = REPO_ROOT / "examples" / "cohort"
ASSIGNMENT = "activations"
TIMING_FIELDS = ("execution_time", "seconds")
START_TIMEOUT = 120
GRADE_TIMEOUT = 600
POISON = "kills-its-worker"
# Students whose code draws from the global np.random, which every fresh process seeds anew: the
# statistics of their own weights (artifacts of a passed check) differ from run to run whoever
# runs them; their verdicts do not.
UNSEEDED = ("eve_global_rng",)


# -- the cluster ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DaskProcesses:
    """A scheduler and workers as subprocesses; `close()` kills every process group started."""

    def __init__(self, tmp: Path, *, scheduler_env: dict | None = None, tls: dict | None = None):
        self.tmp, self.tls = tmp, tls
        self.port = free_port()
        self.address = f"{'tls' if tls else 'tcp'}://127.0.0.1:{self.port}"
        self._procs: list[subprocess.Popen] = []
        self._start(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                     "--no-dashboard", *self._tls_args()], scheduler_env or {}, "scheduler")

    def _tls_args(self) -> list[str]:
        if not self.tls:
            return []
        return ["--protocol", "tls", "--tls-ca-file", self.tls["ca"], "--tls-cert", self.tls["cert"],
                "--tls-key", self.tls["key"]]

    def _start(self, args: list[str], env: dict, label: str, cwd: Path = REPO_ROOT) -> subprocess.Popen:
        log = open(self.tmp / f"{label}-{len(self._procs)}.log", "w")
        proc = subprocess.Popen([sys.executable, "-m", *args], cwd=cwd, env={**os.environ, **env},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self._procs.append(proc)
        return proc

    def add_worker(self, name: str, *, nanny: bool = True, env: dict | None = None, cwd: Path = REPO_ROOT,
                   preload: Path | None = None) -> None:
        args = ["distributed.cli.dask_worker", self.address, "--host", "127.0.0.1", "--nthreads", "1",
                "--name", name, "--no-dashboard", "--nanny" if nanny else "--no-nanny",
                "--local-directory", str(self.tmp / f"dask-{name}"), *self._tls_args()]
        if preload:
            args += ["--preload", str(preload)]
        self._start(args, env or {}, name, cwd)

    def client(self):
        security = None
        if self.tls:
            security = distributed.security.Security(tls_ca_file=self.tls["ca"], tls_client_cert=self.tls["cert"],
                                                     tls_client_key=self.tls["key"], require_encryption=True)
        return distributed.Client(self.address, timeout=START_TIMEOUT, set_as_default=False, security=security)

    def wait_for_workers(self, n: int) -> None:
        with self.client() as client:
            client.wait_for_workers(n, timeout=START_TIMEOUT)

    def worker_pids(self) -> dict[str, int]:
        with self.client() as client:
            return client.run(os.getpid)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.tmp.glob("*.log")))

    def close(self) -> None:
        for proc in reversed(self._procs):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=30)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two ordinary workers (with nannies)."""
    dask = DaskProcesses(tmp_path_factory.mktemp("cluster"))
    try:
        dask.add_worker("w0")
        dask.add_worker("w1")
        dask.wait_for_workers(2)
        yield dask
    finally:
        dask.close()


@pytest.fixture(scope="module")
def faulty_cluster(tmp_path_factory):
    """Two workers (with nannies, which restart a dead worker) that die, by SIGKILL, when they
    grade a student whose id starts with POISON; the scheduler gives up on a task after its
    second worker death (allowed-failures = 1) to keep the test short."""
    tmp = tmp_path_factory.mktemp("faulty")
    preload = tmp / "poison_preload.py"
    preload.write_text(textwrap.dedent(f"""\
        import os, signal
        from autograder import batch

        def poisoned(grade_or_error):
            def grade_or_die(sub, options):
                if sub.student.startswith({POISON!r}):
                    os.kill(os.getpid(), signal.SIGKILL)
                return grade_or_error(sub, options)
            grade_or_die.poisoned = True
            return grade_or_die

        if not getattr(batch.grade_or_error, "poisoned", False):  # Dask may import a preload twice
            batch.grade_or_error = poisoned(batch.grade_or_error)
        """))
    dask = DaskProcesses(tmp, scheduler_env={"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"})
    try:
        dask.add_worker("f0", preload=preload)
        dask.add_worker("f1", preload=preload)
        dask.wait_for_workers(2)
        yield dask
    finally:
        dask.close()


# -- grading and comparing --------------------------------------------------------------------------


def grade(assignment: str, submissions: Path, out: Path, *how: str, env: dict | None = None):
    return subprocess.run([sys.executable, "-m", "autograder", "grade", "--assignment", assignment, "--out",
                           str(out), *how, str(submissions)], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=GRADE_TIMEOUT, env={**os.environ, **(env or {})})


def written(out: Path) -> dict[str, object]:
    """Every file of a run, timing fields removed (summary.html lists the slowest submissions' times)."""
    found: dict[str, object] = {}
    for path in sorted(out.rglob("*")):
        name = path.relative_to(out).as_posix()
        if not path.is_file() or name == "summary.html":
            continue
        if path.name == "results.json":
            found[name] = _untimed(json.loads(path.read_text()), path.parent.name in UNSEEDED)
        elif name == "gradebook.csv":
            found[name] = [{k: v for k, v in row.items() if k != "seconds"} for row in gradebook(out)]
        else:
            found[name] = path.read_bytes()
    return found


def _untimed(value, unseeded: bool = False):
    ignored = TIMING_FIELDS + (("artifacts",) if unseeded else ())
    if isinstance(value, dict):
        return {k: _untimed(v, unseeded) for k, v in value.items() if k not in ignored}
    if isinstance(value, list):
        return [_untimed(v, unseeded) for v in value]
    return value


def gradebook(out: Path) -> list[dict]:
    with open(out / "gradebook.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def scores(out: Path) -> dict[str, tuple[str, str, str]]:
    return {r["student"]: (r["score"], r["max_score"], r["status"]) for r in gradebook(out)}


def synthetic_class(root: Path, size: int, assignment: str = ASSIGNMENT) -> Path:
    """`size` students cycling through the demo cohort's submissions."""
    entries = sorted(p for p in (COHORT / assignment).iterdir() if p.is_dir() or p.suffix == ".zip")
    for k in range(size):
        entry = entries[k % len(entries)]
        dest = root / f"s{k:03d}{entry.suffix}"
        (shutil.copytree if entry.is_dir() else shutil.copy)(entry, dest)
    return root


# -- without a cluster -------------------------------------------------------------------------------


def test_cluster_addresses_are_parsed_strictly():
    from autograder.cluster import ClusterAddress

    assert ClusterAddress.parse("local:3") == ClusterAddress(local_workers=3)
    assert ClusterAddress.parse("tcp://10.0.0.5:8786").scheduler == "tcp://10.0.0.5:8786"
    assert ClusterAddress.parse("tls://sched.example.org:8786").scheduler == "tls://sched.example.org:8786"
    for wrong in ("local:0", "local", "http://host:8786", "tcp://host", "10.0.0.5:8786", ""):
        with pytest.raises(ValueError):
            ClusterAddress.parse(wrong)


def test_the_manifest_names_each_difference(tmp_path):
    from autograder.cluster.manifest import GraderManifest, describe_differences

    here = GraderManifest.of_this_installation(ASSIGNMENT)
    names = dict(here.entries)
    assert f"solutions/{ASSIGNMENT}.py" in names and "autograder/batch.py" in names
    assert f"autograder/suites/{ASSIGNMENT}/test_visible.py" in names
    assert not any(name.startswith(f"solutions/") and ASSIGNMENT not in name for name in names)
    assert "version numpy" in names
    assert here.differences(here) == []
    changed = dict(names)
    changed[f"solutions/{ASSIGNMENT}.py"] = "0" * 64
    changed["version numpy"] = "1.0.0"
    del changed["autograder/batch.py"]
    changed["autograder/extra.py"] = "1" * 64
    there = GraderManifest(ASSIGNMENT, tuple(sorted(changed.items())))
    assert there.digest != here.digest
    found = here.differences(there)
    assert found == ["autograder/batch.py is missing there", "autograder/extra.py exists only there",
                     f"solutions/{ASSIGNMENT}.py differs", f"numpy {names['version numpy']} here, 1.0.0 there"]
    assert describe_differences(found * 2).endswith("; and 2 more")


def test_chunks_shrink_to_single_submissions_as_the_queue_empties():
    from autograder.cluster.dispatch import ChunkSizer

    sizer, remaining, sizes = ChunkSizer(), 200, []
    while remaining:
        sizes.append(sizer.next_size(remaining, workers=2))
        remaining -= sizes[-1]
    assert sizes[0] == ChunkSizer.MAX_CHUNK and max(sizes) == ChunkSizer.MAX_CHUNK
    assert sizes == sorted(sizes, reverse=True) and sizes[-3:] == [1, 1, 1]
    assert sizer.next_size(5, workers=0) == 2  # no worker admitted yet: still a chunk


@pytest.mark.slow
def test_grading_without_cluster_imports_no_dask(tmp_path):
    """The embedded pool never imports Dask; the control (`--cluster local:1`) shows the probe sees it."""
    cohort = tmp_path / "cohort"
    shutil.copytree(COHORT / ASSIGNMENT / "alice_stable_by_hand", cohort / "alice")
    probe = ("import sys; from autograder import cli; code = cli.main(sys.argv[1:]); "
             "print('dask loaded:', sorted(m for m in ('dask', 'distributed') if m in sys.modules), code)")
    outcomes = {}
    for label, how in {"embedded": ["-j", "1"], "control": ["--cluster", "local:1"]}.items():
        run = subprocess.run([sys.executable, "-c", probe, "grade", "--assignment", ASSIGNMENT, "--out",
                              str(tmp_path / label), "--no-progress", *how, str(cohort)], cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=GRADE_TIMEOUT)
        outcomes[label] = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr[-2000:]
    assert outcomes == {"embedded": "dask loaded: [] 0", "control": "dask loaded: ['dask', 'distributed'] 0"}


# -- on a real scheduler and workers --------------------------------------------------------------


@pytest.mark.slow
def test_the_demo_cohort_grades_identically_on_the_cluster_with_progress(cluster, tmp_path):
    for assignment in ASSIGNMENTS:
        embedded = grade(assignment, COHORT / assignment, tmp_path / f"{assignment}-embedded", "-j", "2",
                         "--no-progress")
        assert embedded.returncode == 0, embedded.stderr
        on_cluster = grade(assignment, COHORT / assignment, tmp_path / f"{assignment}-dask", "--cluster",
                           cluster.address)
        assert on_cluster.returncode == 0, on_cluster.stderr + cluster.logs()
        expected, got = written(tmp_path / f"{assignment}-embedded"), written(tmp_path / f"{assignment}-dask")
        assert sorted(got) == sorted(expected)
        assert [name for name in expected if got[name] != expected[name]] == []
        students = [row["student"] for row in gradebook(tmp_path / f"{assignment}-dask")]
        assert f"{len(students)}/{len(students)}" in on_cluster.stderr  # the progress bar reached the end
        assert any(f", {student}]" in on_cluster.stderr for student in students)  # per-student postfix
        assert "workers grading" in on_cluster.stderr


@pytest.mark.slow
def test_a_client_killed_mid_run_resumes_to_the_same_gradebook(cluster, tmp_path):
    klass = synthetic_class(tmp_path / "class", 24)
    clean = tmp_path / "clean"
    assert grade(ASSIGNMENT, klass, clean, "-j", "2", "--no-progress").returncode == 0
    out = tmp_path / "killed"
    client = subprocess.Popen([sys.executable, "-m", "autograder", "grade", "--assignment", ASSIGNMENT, "--out",
                               str(out), "--no-progress", "--cluster", cluster.address, str(klass)], cwd=REPO_ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + GRADE_TIMEOUT
        while not list(out.glob("*/results.json")) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        client.kill()
        client.wait(timeout=30)
    done_before = len(list(out.glob("*/results.json")))
    assert 0 < done_before < 24 and not (out / "gradebook.csv").exists()
    assert not list(out.rglob(".results.json.*"))  # no torn results
    resumed = grade(ASSIGNMENT, klass, out, "--no-progress", "--cluster", cluster.address)
    assert resumed.returncode == 0, resumed.stderr
    assert f"cluster: {24 - done_before} submissions" in resumed.stderr  # the others were kept
    assert written(out) == written(clean)


@pytest.mark.slow
def test_student_code_never_runs_in_the_dask_worker_process(cluster, tmp_path):
    """A submission records, from its module's top level, its process and whether Dask is loaded there.

    With bubblewrap the record cannot even reach the host (the sandbox has its own /tmp); with the
    process fallback it does, and shows a process that is not a Dask worker. The control runs the
    same source in a Dask worker process (what a broken grader would do) and the check flags it."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    os.chmod(evidence, 0o777)  # the sandboxed process runs as an unprivileged uid
    source = (SOLUTIONS_DIR / f"{ASSIGNMENT}.py").read_text() + textwrap.dedent(f"""
        import os as _os, sys as _sys
        try:
            with open({str(evidence)!r} + "/" + str(_os.getpid()), "w") as _fh:
                _fh.write(repr(sorted(m for m in ("dask", "distributed") if m in _sys.modules)))
        except OSError:
            pass
        """)
    cohort = tmp_path / "cohort"
    (cohort / "spy").mkdir(parents=True)
    (cohort / "spy" / f"{ASSIGNMENT}.py").write_text(source)
    dask_pids = set(cluster.worker_pids().values())

    def ran_in_a_dask_worker() -> bool:
        records = {int(path.name): path.read_text() for path in evidence.iterdir()}
        return any(pid in dask_pids or loaded != "[]" for pid, loaded in records.items())

    bwrap = grade(ASSIGNMENT, cohort, tmp_path / "bwrap", "--no-progress", "--cluster", cluster.address)
    assert bwrap.returncode == 0, bwrap.stderr
    assert list(evidence.iterdir()) == [] and scores(tmp_path / "bwrap")["spy"][2] == "ok"
    process = grade(ASSIGNMENT, cohort, tmp_path / "process", "--no-progress", "--cluster", cluster.address,
                    "--sandbox", "process")
    assert process.returncode == 0, process.stderr
    assert list(evidence.iterdir()) and not ran_in_a_dask_worker()

    with cluster.client() as client:  # the broken control: the source executed in the worker process
        client.submit(exec, compile(source, "spy.py", "exec"), {"__name__": "spy"}, pure=False).result(timeout=120)
    assert ran_in_a_dask_worker()


@pytest.mark.slow
def test_stale_and_unsandboxed_workers_are_refused_by_name(tmp_path):
    """One worker runs a grader whose reference differs, the other cannot start bubblewrap."""
    stale = tmp_path / "stale"
    shutil.copytree(REPO_ROOT / "autograder", stale / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SOLUTIONS_DIR, stale / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    reference = stale / "solutions" / f"{ASSIGNMENT}.py"
    reference.write_text(reference.read_text().replace("def sigmoid(", "def _sigmoid_unused(", 1)
                         + "\n\ndef sigmoid(z):\n    return z\n")
    no_bwrap = tmp_path / "bin"  # a PATH without bwrap
    no_bwrap.mkdir()
    dask = DaskProcesses(tmp_path)
    try:
        dask.add_worker("stale", env={"PYTHONPATH": str(stale)}, cwd=stale)
        dask.add_worker("unsandboxed", env={"PATH": str(no_bwrap)})
        dask.wait_for_workers(2)
        cohort = COHORT / ASSIGNMENT

        refused = grade(ASSIGNMENT, cohort, tmp_path / "refused", "--no-progress", "--cluster", dask.address)
        assert refused.returncode == 2, refused.stderr + dask.logs()
        assert f"solutions/{ASSIGNMENT}.py differs" in refused.stderr
        assert "cannot sandbox student code" in refused.stderr and "bwrap" in refused.stderr
        assert not (tmp_path / "refused" / "gradebook.csv").exists()

        # --sandbox process admits the unsandboxed worker; the stale one still never grades
        accepted = grade(ASSIGNMENT, cohort, tmp_path / "accepted", "--no-progress", "--cluster", dask.address,
                         "--sandbox", "process")
        assert accepted.returncode == 0, accepted.stderr + dask.logs()
        assert f"solutions/{ASSIGNMENT}.py differs" in accepted.stderr
        embedded = grade(ASSIGNMENT, cohort, tmp_path / "embedded", "--no-progress", "-j", "2", "--sandbox", "process")
        assert embedded.returncode == 0
        assert written(tmp_path / "accepted") == written(tmp_path / "embedded")
    finally:
        dask.close()
    # the control: the stale grader, run on its own, grades differently (its reference is wrong)
    control = subprocess.run([sys.executable, "-m", "autograder", "grade", "--assignment", ASSIGNMENT, "--out",
                              str(tmp_path / "stale-out"), "--no-progress", "-j", "2", str(COHORT / ASSIGNMENT)],
                             cwd=stale, env={**os.environ, "PYTHONPATH": str(stale)}, capture_output=True,
                             text=True, timeout=GRADE_TIMEOUT)
    assert control.returncode == 0, control.stderr
    assert scores(tmp_path / "stale-out") != scores(tmp_path / "embedded")


@pytest.mark.slow
def test_a_worker_killed_mid_batch_changes_nothing(faulty_cluster, tmp_path):
    klass = synthetic_class(tmp_path / "class", 30)
    clean = tmp_path / "clean"
    assert grade(ASSIGNMENT, klass, clean, "-j", "2", "--no-progress").returncode == 0
    out = tmp_path / "out"
    client = subprocess.Popen([sys.executable, "-m", "autograder", "grade", "--assignment", ASSIGNMENT, "--out",
                               str(out), "--no-progress", "--cluster", faulty_cluster.address, str(klass)],
                              cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + GRADE_TIMEOUT
        while len(list(out.glob("*/results.json"))) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        victim = next(iter(faulty_cluster.worker_pids().values()))
        os.kill(victim, signal.SIGKILL)
        killed_at = len(list(out.glob("*/results.json")))
        _, stderr = client.communicate(timeout=GRADE_TIMEOUT)
    finally:
        client.kill()
    assert client.returncode == 0, stderr + faulty_cluster.logs()
    assert killed_at < 30
    rows = gradebook(out)
    assert len(rows) == 30 == len({row["student"] for row in rows})
    assert written(out) == written(clean)
    faulty_cluster.wait_for_workers(2)  # the nanny restarted it


@pytest.mark.slow
def test_a_submission_that_takes_its_worker_down_every_time_gets_a_row(faulty_cluster, tmp_path):
    klass = synthetic_class(tmp_path / "class", 6)
    shutil.copytree(COHORT / ASSIGNMENT / "alice_stable_by_hand", klass / f"{POISON}")
    clean = tmp_path / "clean"
    assert grade(ASSIGNMENT, klass, clean, "-j", "2", "--no-progress").returncode == 0
    out = tmp_path / "out"
    run = grade(ASSIGNMENT, klass, out, "--no-progress", "--cluster", faulty_cluster.address)
    assert run.returncode == 0, run.stderr + faulty_cluster.logs()
    rows = {row["student"]: row for row in gradebook(out)}
    assert len(gradebook(out)) == 7 == len(rows)
    poisoned = rows.pop(POISON)
    assert poisoned["status"] == "error" and "took down its Dask worker 2 times" in poisoned["message"]
    expected = {k: v for k, v in scores(clean).items() if k != POISON}
    assert {student: (row["score"], row["max_score"], row["status"]) for student, row in rows.items()} == expected
    faulty_cluster.wait_for_workers(2)


@pytest.mark.slow
def test_a_cluster_that_starts_its_workers_after_the_client(tmp_path):
    """Chunks sent while no worker is admitted wait, and run once a worker joins and is admitted."""
    dask = DaskProcesses(tmp_path)
    try:
        with dask.client():
            pass  # the scheduler is up
        client = subprocess.Popen([sys.executable, "-m", "autograder", "grade", "--assignment", ASSIGNMENT, "--out",
                                   str(tmp_path / "out"), "--no-progress", "--cluster", dask.address,
                                   str(COHORT / ASSIGNMENT)], cwd=REPO_ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(5)  # the client has connected and sent its first chunk
            dask.add_worker("late")
            _, stderr = client.communicate(timeout=GRADE_TIMEOUT)
        finally:
            client.kill()
        assert client.returncode == 0, stderr + dask.logs()
        assert len(gradebook(tmp_path / "out")) == len(scores(tmp_path / "out")) > 0
    finally:
        dask.close()


@pytest.mark.slow
def test_tls_between_client_scheduler_and_workers(tmp_path):
    """Dask's own TLS settings carry `grade --cluster tls://...`; the control without them cannot connect."""
    pytest.importorskip("cryptography")
    from distributed.security import Security

    temporary = Security.temporary()
    (tmp_path / "cert.pem").write_text(temporary.tls_scheduler_cert)
    (tmp_path / "key.pem").write_text(temporary.tls_scheduler_key)
    os.chmod(tmp_path / "key.pem", stat.S_IRUSR | stat.S_IWUSR)
    tls = {"ca": str(tmp_path / "cert.pem"), "cert": str(tmp_path / "cert.pem"), "key": str(tmp_path / "key.pem")}
    dask = DaskProcesses(tmp_path, tls=tls)
    try:
        dask.add_worker("secure")
        dask.wait_for_workers(1)
        cohort = tmp_path / "cohort"
        shutil.copytree(COHORT / ASSIGNMENT / "alice_stable_by_hand", cohort / "alice")
        settings = {"DASK_DISTRIBUTED__COMM__TLS__CA_FILE": tls["ca"],
                    "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": tls["cert"],
                    "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": tls["key"],
                    "DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION": "True",
                    "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "10s"}
        secure = grade(ASSIGNMENT, cohort, tmp_path / "secure", "--no-progress", "--cluster", dask.address,
                       env=settings)
        assert secure.returncode == 0, secure.stderr + dask.logs()
        assert gradebook(tmp_path / "secure")[0]["status"] == "ok"
        plain = grade(ASSIGNMENT, cohort, tmp_path / "plain", "--no-progress", "--cluster", dask.address,
                      env={"DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "10s"})
        assert plain.returncode == 2 and "needs Dask's TLS settings" in plain.stderr, plain.stderr
        stranger = Security.temporary()  # a certificate the cluster does not trust
        (tmp_path / "other.pem").write_text(stranger.tls_client_cert)
        (tmp_path / "other-key.pem").write_text(stranger.tls_client_key)
        untrusted = {**settings, "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(tmp_path / "other.pem"),
                     "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(tmp_path / "other.pem"),
                     "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(tmp_path / "other-key.pem")}
        refused = grade(ASSIGNMENT, cohort, tmp_path / "untrusted", "--no-progress", "--cluster", dask.address,
                        env=untrusted)
        assert refused.returncode == 2 and "cannot reach the Dask scheduler" in refused.stderr, refused.stderr
    finally:
        dask.close()
