"""python -m nnopt_kit check --assignment NAME PATH: the students' self-check (SPEC §2, §2.1).

Same arguments, report and exit status as the grader's `check`: the visible checks, a readable
report, exit status 0 when every visible check passes, 1 otherwise; `--format github` writes the
job summary and ::error annotations, `--junit PATH` JUnit XML.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from nnopt_kit.reference import ASSIGNMENTS

EXIT_OK, EXIT_FAILED = 0, 1


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return args.run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m nnopt_kit", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    check = commands.add_parser("check", help="self-check one submission with the visible checks")
    check.add_argument("--assignment", required=True, choices=ASSIGNMENTS)
    check.add_argument("path", type=Path, help="NAME.py, NAME.ipynb, or a folder holding one")
    check.add_argument("--sandbox", choices=("auto", "bwrap", "process", "portable"), default="auto",
                       help="worker isolation (default: bubblewrap when available, else a plain process; "
                            "portable: a plain process over pipes, the default on Windows)")
    check.add_argument("--format", choices=("text", "github"), default="text",
                       help="github: job summary ($GITHUB_STEP_SUMMARY) and ::error annotations")
    check.add_argument("--junit", type=Path, default=None, help="also write JUnit XML here")
    check.add_argument("--no-color", action="store_true", help="plain text (default: colour on a terminal)")
    check.set_defaults(run=run_check)
    handouts = commands.add_parser("handout", help="copy an assignment's stub and notebook into a folder")
    handouts.add_argument("--assignment", required=True, choices=ASSIGNMENTS)
    handouts.add_argument("--out", type=Path, default=Path("."))
    handouts.set_defaults(run=run_handout)
    return parser


def run_check(args) -> int:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # the worker needs the other core
    from nnopt_kit import sandbox, submission
    from nnopt_kit.reports.terminal import render_terminal
    from nnopt_kit.runtime.runner import grade_source

    sub = submission.load(args.path, args.assignment)
    if sub.source is None:
        print(f"error: {sub.error}", file=sys.stderr)
        return EXIT_FAILED
    gc.freeze()
    result = grade_source(args.assignment, sub.source, hidden=False, student=sub.student,
                          mode=args.sandbox, limits=sandbox.Limits())
    if args.format == "text":
        color = not args.no_color and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        print(render_terminal(result, color=color))
    if args.format == "github":
        from nnopt_kit.reports.github import write_github
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        write_github([result], {result.student: sub.source_path}, summary_path=Path(summary) if summary else None,
                     stream=sys.stdout)
    if args.junit:
        from nnopt_kit.reports.junit import write_junit
        write_junit([result], args.junit)
    all_passed = result.checks and all(c.status == "passed" for c in result.checks)
    return EXIT_OK if all_passed else EXIT_FAILED


def run_handout(args) -> int:
    """Copy the released stub and notebook of an assignment (shipped in the kit) into --out."""
    import shutil

    source = Path(__file__).resolve().parent / "handouts" / args.assignment
    args.out.mkdir(parents=True, exist_ok=True)
    for path in sorted(p for p in source.iterdir() if p.suffix in (".py", ".ipynb")):
        target = args.out / path.name
        if target.exists():
            print(f"kept your {target} (not overwritten)", file=sys.stderr)
            continue
        shutil.copyfile(path, target)
        print(target)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
