"""python -m autograder {check, grade, release, gradescope, rubric} (SPEC §2)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from autograder import speed
from autograder.reference import ASSIGNMENTS, REPO_ROOT

EXIT_OK, EXIT_FAILED = 0, 1
# autograder.intake.LAYOUTS' names, spelled out so that `check` does not import the intake package
LAYOUT_NAMES = ("canvas", "moodle", "nbgrader", "git", "folders")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="self-check one submission with the visible checks")
    check.add_argument("--assignment", required=True, choices=ASSIGNMENTS)
    check.add_argument("path", type=Path, help="NAME.py, NAME.ipynb, or a folder holding one")
    _add_common(check)
    check.add_argument("--no-color", action="store_true", help="plain text (default: colour on a terminal)")
    check.set_defaults(run=run_check)

    grade = commands.add_parser("grade", help="grade a folder of submissions (one sub-folder or .zip per student)")
    grade.add_argument("--assignment", required=True, choices=ASSIGNMENTS)
    grade.add_argument("--out", required=True, type=Path, help="output folder")
    grade.add_argument("submissions", type=Path)
    _add_common(grade)
    grade.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="parallel students (default: cores)")
    grade.add_argument("--regrade", action="store_true", help="grade again even when nothing changed")
    grade.add_argument("--figures", choices=("all", "failed", "none"), default="failed",
                       help="figures in feedback.html (default: for failed checks)")
    grade.add_argument("--show-hidden", action="store_true", help="show hidden checks' messages in feedback")
    grade.add_argument("--withhold-hidden-rules", action="store_true",
                       help="a failed hidden check's feedback shows its result only, not the rule it grades")
    grade.add_argument("--no-progress", action="store_true")
    _add_course_options(grade)
    grade.add_argument("--cluster", metavar="ADDRESS", default=None,
                       help="grade on Dask: tcp://HOST:PORT or tls://HOST:PORT (a running scheduler) or local:N "
                            "(N local worker processes); needs nnopt-grader[dask] (docs/scale.md)")
    grade.set_defaults(run=run_grade)

    course = commands.add_parser("course", help="merge the assignments' gradebooks into one course gradebook")
    course.add_argument("--out", required=True, type=Path, help="output folder")
    course.add_argument("--roster", type=Path, default=None, help="roster.csv (docs/lms.md): one row per student")
    course.add_argument("gradebooks", nargs="+", type=Path, help="the `grade --out` folders, one per assignment")
    course.set_defaults(run=run_course)

    versions = commands.add_parser("versions", help="list, compare or revert the kept results of a `grade --out` folder")
    versions.add_argument("--out", required=True, type=Path, help="the `grade --out` folder")
    action = versions.add_mutually_exclusive_group()
    action.add_argument("--diff", type=int, metavar="N", help="compare version N with the current gradebook")
    action.add_argument("--revert", type=int, metavar="N", help="make version N current (the current one is kept)")
    versions.set_defaults(run=run_versions)

    release = commands.add_parser("release", help="generate assignments/ (stubs, notebooks) from solutions/")
    release.add_argument("--out", type=Path, default=REPO_ROOT / "assignments")
    release.add_argument("--source-notebooks", type=Path, default=None,
                         help="also write instructor source notebooks for nbgrader here")
    release.add_argument("--kit-dist", type=Path, default=REPO_ROOT / "dist",
                         help="where the student kit goes (wheel and handouts; docs/student-kit.md)")
    release.add_argument("--no-kit", action="store_true", help="regenerate the handouts only")
    release.set_defaults(run=run_release)

    bundle = commands.add_parser("gradescope", help="build a Gradescope autograder.zip")
    bundle.add_argument("--assignment", required=True, choices=ASSIGNMENTS)
    bundle.add_argument("--out", type=Path, default=Path("autograder.zip"))
    bundle.set_defaults(run=run_gradescope)

    rubric = commands.add_parser("rubric", help="print an assignment's rubric (checks and points)")
    rubric.add_argument("--assignment", required=True, choices=ASSIGNMENTS)
    rubric.set_defaults(run=run_rubric)
    return parser


def _add_common(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--sandbox", choices=("auto", "bwrap", "process", "portable"), default="auto",
                     help="worker isolation (default: bubblewrap when available; portable on Windows)")
    sub.add_argument("--format", choices=("text", "github"), default="text",
                     help="github: job summary ($GITHUB_STEP_SUMMARY) and ::error annotations")
    sub.add_argument("--junit", type=Path, default=None, help="also write JUnit XML here")


def _add_course_options(grade: argparse.ArgumentParser) -> None:
    """Courses as they are (SPEC §2.2, docs/lms.md): LMS downloads, roster, deadlines, regrades."""
    grade.add_argument("--layout", choices=LAYOUT_NAMES, default=None,
                       help="how SUBMISSIONS is laid out (default: detected)")
    grade.add_argument("--roster", type=Path, default=None,
                       help="roster.csv: ids, names, emails, SIS ids, sections, extensions; lists missing students")
    grade.add_argument("--course", type=Path, default=None, help="course file (TOML): late policy, due times, LMS columns")
    grade.add_argument("--due", default=None, help="deadline, ISO 8601 with time zone (e.g. 2026-03-01T23:59-05:00)")
    grade.add_argument("--times", type=Path, default=None,
                       help="submission times exported from the LMS (Canvas submissions JSON, Moodle grading worksheet)")
    grade.add_argument("--only", nargs="+", metavar="ID", default=None, action="extend",
                       help="grade (again) only these students (after SUBMISSIONS, or comma-separated)")
    grade.add_argument("--dry-run", action="store_true",
                       help="grade into a staging folder, show whose scores would change, write nothing")


def _ci_outputs(args, results, sources) -> None:
    if args.format == "github":
        from autograder.reports.github import write_github
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        write_github(results, sources, summary_path=Path(summary) if summary else None, stream=sys.stdout)
    if args.junit:
        from autograder.reports.junit import write_junit
        write_junit(results, args.junit)


def run_check(args) -> int:
    speed.grading_process()
    from autograder import sandbox, submission
    from autograder.reports.terminal import render_terminal
    from autograder.runtime.runner import grade_source

    sub = submission.load(args.path, args.assignment)
    if sub.source is None:
        print(f"error: {sub.error}", file=sys.stderr)
        return EXIT_FAILED
    speed.freeze_long_lived(collect=False)  # what is alive now lives until exit
    result = grade_source(args.assignment, sub.source, hidden=False, student=sub.student,
                          mode=args.sandbox, limits=sandbox.Limits())
    if args.format == "text":
        color = not args.no_color and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        print(render_terminal(result, color=color))
    _ci_outputs(args, [result], {result.student: sub.source_path})
    all_passed = result.checks and all(c.status == "passed" for c in result.checks)
    return EXIT_OK if all_passed else EXIT_FAILED


def run_grade(args) -> int:
    speed.grading_process(jobs=args.jobs)
    from autograder import batch
    from autograder.gradebook.book import CourseOptions
    from autograder.gradebook.late import load_course, parse_time
    from autograder.gradebook.roster import Roster
    from autograder.intake import UnknownLayout

    if not args.submissions.exists():
        print(f"error: {args.submissions} does not exist", file=sys.stderr)
        return 2
    from autograder.cluster import ClusterAddress, ClusterUnavailable  # Dask itself only with --cluster

    try:
        if args.cluster is not None:
            ClusterAddress.parse(args.cluster)  # a typo fails before anything is read
        course = CourseOptions(layout=args.layout, roster=Roster.load(args.roster) if args.roster else None,
                               course=load_course(args.course), due=parse_time(args.due) if args.due else None,
                               times_file=args.times)
        options = batch.BatchOptions(mode=args.sandbox, figures=args.figures, show_hidden=args.show_hidden,
                                     hidden_rules=not args.withhold_hidden_rules)
        only = [i for item in args.only for i in item.split(",") if i] if args.only else None
        run = batch.run_batch(args.assignment, args.submissions, args.out, jobs=max(1, args.jobs),
                              regrade=args.regrade, only=only, dry_run=args.dry_run, options=options,
                              course=course, progress=not args.no_progress, report=print, cluster=args.cluster)
    except (UnknownLayout, ValueError, OSError, ClusterUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for warning in run.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.dry_run:
        print("dry run: nothing in the output folder was changed", file=sys.stderr)
        return EXIT_OK
    _ci_outputs(args, run.results, {s.student: s.source_path for s in run.submissions})
    results = run.results
    total = sum(r.score for r in results)
    kept = f"; earlier results kept as version {run.version} (python -m autograder versions --out {args.out})" \
        if run.version else ""
    print(f"graded {len(results)} submissions of {args.assignment} ({run.layout} layout): mean raw score "
          f"{total / max(1, len(results)):.2f}; gradebook at {args.out / 'gradebook.csv'}{kept}", file=sys.stderr)
    return EXIT_OK


def run_course(args) -> int:
    from autograder.batch import write_atomic
    from autograder.gradebook.course import merge
    from autograder.gradebook.roster import Roster

    try:
        warnings = merge(args.gradebooks, Roster.load(args.roster) if args.roster else None, args.out, write_atomic)
    except (ValueError, OSError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"course gradebook at {args.out / 'course_gradebook.csv'} (and canvas_import.csv, moodle_import.csv)",
          file=sys.stderr)
    return EXIT_OK


def run_versions(args) -> int:
    from autograder import versions

    try:
        if args.diff is not None:
            changes = versions.diff_version(args.out, args.diff)
            print(versions.format_changes(changes, len(versions.read_gradebook(args.out / "gradebook.csv"))))
        elif args.revert is not None:
            kept = versions.revert(args.out, args.revert)
            print(f"version {args.revert} is current again; the results it replaced are version {kept}")
        else:
            for number, info in versions.list_versions(args.out):
                print(f"{number:4d}  {info.get('created', '?')}  {info.get('reason', '')}")
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return EXIT_OK


def run_release(args) -> int:
    from autograder.release import release_all

    for path in release_all(REPO_ROOT, args.out, args.source_notebooks):
        print(path)
    if not args.no_kit:
        from autograder.release.kit import build_kit

        for path in build_kit(REPO_ROOT, args.kit_dist, args.out):
            print(path)
    return EXIT_OK


def run_gradescope(args) -> int:
    from autograder.gradescope import build_bundle

    print(build_bundle(args.assignment, args.out, REPO_ROOT))
    return EXIT_OK


def run_rubric(args) -> int:
    from autograder.runtime.rubric import rubric_table

    print(rubric_table(args.assignment))
    return EXIT_OK
