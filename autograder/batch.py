"""`grade`: a whole class, in parallel, resumable, one gradebook row per student.

Each student's outputs (`results.json`, `feedback.md`, `feedback.html`) are written
atomically (temporary file + rename) as soon as the student is graded; the gradebook is
rebuilt from them at the end. A student whose submission bytes and grader fingerprint
are unchanged since the last run is skipped (`regrade=True` forces), so a batch killed
mid-run and started again ends with the same gradebook, no duplicate rows, no torn files.
"""
from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import secrets
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from autograder import __version__, reference, sandbox, speed
from autograder.results import SubmissionResult, from_gradescope, to_gradescope
from autograder.submission import Submission

@dataclass(frozen=True)
class BatchOptions:
    mode: str = "auto"
    figures: str = "failed"
    show_hidden: bool = False
    hidden_rules: bool = True  # a failed hidden check's feedback names its rule (`--withhold-hidden-rules`: no)
    limits: sandbox.Limits = sandbox.Limits()


@cache
def grader_fingerprint(assignment: str) -> str:
    """Hash of the grader version, its code and the assignment's reference solution."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")) + [reference.SOLUTIONS_DIR / f"{assignment}.py"]:
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write `data` (text as UTF-8, or bytes) to `path` so that readers see the old file or the
    new one, never a torn one.

    The bytes go to a new file that has no name yet (Linux `O_TMPFILE`), which is then linked
    under a temporary name and renamed over `path`: a grader killed while writing (SIGKILL, a
    node lost) leaves no half-written file behind, only, between two system calls, a complete
    one under a dot-name. Elsewhere a named temporary file is written and renamed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}"
    try:
        fd = os.open(path.parent, os.O_TMPFILE | os.O_WRONLY, 0o644)
    except (AttributeError, OSError):  # not Linux, or a file system without unnamed files
        return _write_named_then_rename(path, payload)
    try:
        _write_all(fd, payload)
        os.fchmod(fd, 0o644)  # outputs are for course staff to read, whatever the umask
        _link_unnamed(fd, tmp)
    except OSError:  # no /proc to name it through: the portable way
        return _write_named_then_rename(path, payload)
    finally:
        os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _link_unnamed(fd: int, name: Path) -> None:
    """Give the unnamed file `fd` the name `name`: linkat(2) following /proc/self/fd/N. Python calls
    linkat with AT_SYMLINK_FOLLOW only when a directory descriptor is passed, so one is."""
    directory = os.open(name.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.link(f"/proc/self/fd/{fd}", name.name, src_dir_fd=directory, dst_dir_fd=directory, follow_symlinks=True)
    finally:
        os.close(directory)


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def _write_named_then_rename(path: Path, payload: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are for course staff to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def grade_submission(sub: Submission, *, options: BatchOptions = BatchOptions()) -> SubmissionResult:
    """Grade one `Submission` (any form, all checks) in a sandboxed worker, in this process's
    pytest session of the assignment (runtime/session.py)."""
    from autograder.runtime.runner import grade_source, grade_unavailable
    from autograder.runtime.session import shared_session

    session = shared_session(sub.assignment)
    if sub.source is None:
        result = grade_unavailable(sub.assignment, sub.error, student=sub.student, session=session)
    else:
        result = grade_source(sub.assignment, sub.source, student=sub.student, mode=options.mode,
                              limits=options.limits, warm=True, session=session)
    result.fingerprint = {"submission": sub.digest, "grader": grader_fingerprint(sub.assignment)}
    return result


def grade_or_error(sub: Submission, options: BatchOptions) -> SubmissionResult:
    """`grade_submission`, or a row saying the grader failed: never raises for the student's sake.
    The one grading step of the embedded pool and of a Dask worker (autograder/cluster/)."""
    try:
        return grade_submission(sub, options=options)
    except Exception as exc:  # a grader bug must not cost the batch; the row says what happened
        return SubmissionResult(student=sub.student, assignment=sub.assignment, checks=[],
                                output=f"grader error: {type(exc).__name__}: {exc}", status="error")


def _grade_and_write(sub: Submission, out_dir: Path, options: BatchOptions) -> SubmissionResult:
    """Pool task: grade one student and write their outputs; never raises for the student's sake."""
    result = grade_or_error(sub, options)
    student_dir = out_dir / sub.student
    write_student_feedback(result, student_dir, options)
    write_atomic(student_dir / "results.json", results_json(result, options))
    return result


def write_student_feedback(result: SubmissionResult, folder: Path, options: BatchOptions) -> None:
    """A student's feedback.md / feedback.html / figures under `options` (the pool and the cluster
    path both write through here, so their outputs cannot drift apart)."""
    from autograder.reports.feedback import write_feedback

    write_feedback(result, folder, figures=options.figures, show_hidden=options.show_hidden,
                   hidden_rules=options.hidden_rules)


def results_json(result: SubmissionResult, options: BatchOptions) -> str:
    """A student's results.json text under `options` (no indent: the C encoder)."""
    return json.dumps(to_gradescope(result, show_hidden=options.show_hidden, hidden_rules=options.hidden_rules))


def previous_result(path: Path) -> SubmissionResult | None:
    """The result saved by an earlier run, if it is complete and readable."""
    try:
        return from_gradescope(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def grade_batch(assignment: str, submissions_dir: Path, out_dir: Path, *, jobs: int | None = None,
                regrade: bool = False, options: BatchOptions = BatchOptions(),
                progress: bool = True, cluster: str | None = None) -> list[SubmissionResult]:
    """Grade every student of `submissions_dir`; write OUT/<student>/* and OUT/gradebook.csv.

    `cluster`: grade on Dask instead of the embedded pool ("tcp://HOST:PORT", "tls://...", or
    "local:N"; autograder/cluster/), with the same results; `jobs` is then unused."""
    return run_batch(assignment, submissions_dir, out_dir, jobs=jobs, regrade=regrade, options=options,
                     progress=progress, cluster=cluster).results


@dataclass
class BatchRun:
    """What `run_batch` did: the intake, the results, the gradebook rows, and the regrade diff."""
    layout: str
    submissions: list[Submission]
    results: list[SubmissionResult]
    rows: list                 # gradebook.book.GradebookRow, roster's missing students included
    changes: list              # versions.ScoreChange against the gradebook this run replaces
    replaced: list[str]        # students whose earlier results were (or, in a dry run, would be) replaced
    applied: bool              # False: a dry run, OUT untouched
    version: int | None        # the version kept before replacing, if any
    warnings: list[str]


def run_batch(assignment: str, submissions: Path, out_dir: Path, *, jobs: int | None = None,
              regrade: bool = False, only: list[str] | None = None, dry_run: bool = False,
              options: BatchOptions = BatchOptions(), course=None, progress: bool = True,
              report=None, cluster: str | None = None) -> BatchRun:
    """Grade a class as downloaded (SPEC §2.2) into `out_dir`.

    A student is graded when forced (`regrade`: everyone; `only`: those named) or when their
    submission or the grader changed since the results in OUT. When a run would replace earlier
    results, or is a `dry_run`, students are graded into `OUT/.staging/` first; the change of every
    student's final score is computed and passed to `report` (a callable taking the table's text)
    before anything in OUT is touched. A dry run stops there. Otherwise the current results are kept
    as a version (versions.py) and the staged ones moved into place. `cluster` grades on Dask
    instead of the embedded pool (see `grade_batch`), with the same results."""
    from autograder import intake, versions
    from autograder.gradebook import book
    from autograder.intake.times import load_times

    course = course or book.CourseOptions()
    out_dir = Path(out_dir)
    times = load_times(course.times_file, course.course.timezone) if course.times_file else None
    taken = intake.collect(Path(submissions), assignment, scratch=out_dir / ".intake", layout=course.layout,
                           times=times)
    subs = taken.submissions
    for sub in subs:  # an id that would land on OUT's own folders
        if sub.student in versions.NOT_RESULTS or sub.student.startswith("."):
            sub.notes.append(f"id {sub.student!r} is one of the output folder's own names: written as {sub.student}_")
            sub.student += "_"
    unknown = sorted(set(only or ()) - {s.student for s in subs})
    if unknown:
        raise ValueError(f"--only: no submission from {', '.join(unknown)} in {submissions}")
    results: dict[str, SubmissionResult] = {}
    todo, replaced = [], []
    for sub in subs:
        earlier = previous_result(out_dir / sub.student / "results.json")
        wanted = {"submission": sub.digest, "grader": grader_fingerprint(assignment)}
        forced = sub.student in only if only else regrade
        current = earlier is not None and earlier.fingerprint == wanted and earlier.status != "error"
        if earlier is not None and not forced and (current or only):
            results[sub.student] = earlier  # unchanged; with --only, everyone not named stays as is
            continue
        todo.append(sub)
        if earlier is not None:
            replaced.append(sub.student)
    staging = out_dir / ".staging" if (replaced or dry_run) else out_dir
    if staging != out_dir:
        shutil.rmtree(staging, ignore_errors=True)
    if cluster is None:
        graded = _run(todo, staging, options, jobs or os.cpu_count() or 1, progress)
    else:
        from autograder.cluster import grade_on_cluster
        graded = grade_on_cluster(cluster, assignment, todo, staging, options, progress)
    for result in graded:
        results[result.student] = result
    ordered = [results[sub.student] for sub in subs]
    rows = book.build_rows(assignment, subs, ordered, course=course.course, roster=course.roster, due=course.due)
    changes = versions.compare(versions.read_gradebook(out_dir / "gradebook.csv"),
                               versions.gradebook_text_rows(book.gradebook_csv(rows)))
    run = BatchRun(layout=taken.layout, submissions=subs, results=ordered, rows=rows, changes=changes,
                   replaced=replaced, applied=not dry_run, version=None, warnings=list(taken.notes))
    if report is not None and (replaced or regrade or only or dry_run):
        report(versions.format_changes(changes, len(rows)))
    if dry_run:
        shutil.rmtree(staging, ignore_errors=True)
        return run
    if staging != out_dir:
        run.version = versions.snapshot(out_dir, f"before grading {len(todo)} students again "
                                                 f"({'regrade' if regrade or only else 'grader or submission changed'})")
        for staged in sorted(staging.iterdir()) if staging.is_dir() else []:
            target = out_dir / staged.name
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staged, target)
        shutil.rmtree(staging, ignore_errors=True)
    run.warnings += book.write_gradebooks(out_dir, assignment, rows, course=course.course, roster=course.roster,
                                          write=write_atomic)
    from autograder.reports.summary import write_summary
    write_summary(ordered, out_dir)
    return run


def _run(todo, out_dir, options, jobs, progress):
    from tqdm import tqdm

    bar = tqdm(total=len(todo), unit="student", disable=not progress or not todo, dynamic_ncols=True)
    try:
        if jobs == 1 or len(todo) <= 1:
            from autograder.runtime.session import close_shared_sessions

            try:
                for sub in todo:
                    bar.set_postfix_str(sub.student)
                    yield _grade_and_write(sub, out_dir, options)
                    bar.update()
            finally:
                close_shared_sessions()  # its thread and that thread's zygote
            return
        from autograder.reports import figures

        figures.preload()  # before the fork: not once per pool process, and not again for the summary
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_pin_pool_process,
                                 initargs=(context.Value("i", 0),)) as pool:
            futures = [pool.submit(_pool_task, sub, out_dir, options) for sub in todo]
            for future in as_completed(futures):
                result = future.result()
                bar.set_postfix_str(result.student)
                bar.update()
                yield result
    finally:
        bar.close()


def _pool_task(sub: Submission, out_dir: Path, options: BatchOptions) -> SubmissionResult:
    """`_grade_and_write` in a pool process; after its first student, what is alive is frozen
    (`speed.freeze_long_lived`)."""
    result = _grade_and_write(sub, out_dir, options)
    speed.freeze_long_lived(collect=True)
    return result


def _pin_pool_process(counter) -> None:
    """Pool initializer: the k-th pool process gets `speed.pool_process(k)`."""
    with counter.get_lock():
        index = counter.value
        counter.value += 1
    speed.pool_process(index)
