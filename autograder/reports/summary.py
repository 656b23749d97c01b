"""The instructor's batch summary: `summary.html` (score distribution, item analysis, grader errors,
submissions that need attention, slowest submissions) and `summary.csv` (one row per check, the item
analysis, with each check's count of grader errors)."""
from __future__ import annotations

import csv
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from html import escape
from pathlib import Path

from autograder.reports import html
from autograder.reports.common import first_line, fmt_points, grader_error_line, problem, timed_out_checks
from autograder.results import SubmissionResult

CSV_COLUMNS = ("check_id", "name", "unit", "max_score", "n", "fail_rate", "mean_score", "most_common_message",
               "grader_errors")
SLOWEST_SHOWN = 10

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


@dataclass
class CheckStats:
    """Item analysis of one check over a batch.

    fail_rate = (submissions where it failed, partial credit included) / n, where n counts the
    submissions that got a verdict (a grader error is none: it is counted in `grader_errors`);
    most_common_message: a real first line from the largest group of failure messages, grouped by
    their first line with numbers masked (so "got 0.31" and "got 0.29" count as one mistake).
    """
    check_id: str
    name: str
    unit: str
    max_score: float
    n: int
    fail_rate: float
    mean_score: float
    most_common_message: str
    most_common_count: int
    grader_errors: int = 0


def check_statistics(results: list[SubmissionResult]) -> list[CheckStats]:
    """Per-check statistics over the submissions graded normally (status "ok", or "grader_error":
    its other checks have verdicts), in the order the checks first appear. Submissions that did not
    import, were missing or timed out as a whole fail every check with one message; they are listed
    apart and would only blur the item analysis."""
    by_check: dict[str, list] = {}
    errors: Counter = Counter()
    for result in (r for r in results if r.status in ("ok", "grader_error")):
        for check in result.checks:
            if check.status == "grader_error":
                errors[check.check_id] += 1
                by_check.setdefault(check.check_id, [])
            else:
                by_check.setdefault(check.check_id, []).append(check)
    stats = []
    for check_id, checks in by_check.items():
        if not checks:  # a grader error for every submission
            stats.append(CheckStats(check_id=check_id, name=check_id, unit="", max_score=0.0, n=0, fail_rate=0.0,
                                    mean_score=0.0, most_common_message="", most_common_count=0,
                                    grader_errors=errors[check_id]))
            continue
        failures = [first_line(c.output) for c in checks if c.status != "passed"]
        groups = Counter(_NUMBER.sub("#", line) for line in failures)
        pattern, count = groups.most_common(1)[0] if groups else ("", 0)
        example = next((line for line in failures if _NUMBER.sub("#", line) == pattern), "")
        stats.append(CheckStats(
            check_id=check_id, name=checks[0].name, unit=checks[0].unit or "",
            max_score=max(c.max_score for c in checks), n=len(checks),
            fail_rate=len(failures) / len(checks), mean_score=statistics.fmean(c.score for c in checks),
            most_common_message=example, most_common_count=count, grader_errors=errors[check_id],
        ))
    return stats


def write_summary(results: list[SubmissionResult], out_dir: Path) -> None:
    """Write `out_dir/summary.html` and `out_dir/summary.csv`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stats = check_statistics(results)
    with open(out_dir / "summary.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for s in stats:
            writer.writerow([s.check_id, s.name, s.unit, fmt_points(s.max_score), s.n, f"{s.fail_rate:.4f}",
                             f"{s.mean_score:.4f}", s.most_common_message, s.grader_errors])
    (out_dir / "summary.html").write_text(_html(results, stats), encoding="utf-8")


def _html(results: list[SubmissionResult], stats: list[CheckStats]) -> str:
    from autograder.reports import figures

    assignments = ", ".join(sorted({r.assignment for r in results})) or "(no submissions)"
    scores = [r.score for r in results]
    max_score = max((r.max_score for r in results), default=0.0)
    parts = [f"<h1>Summary: {escape(assignments)}</h1>"]
    if scores:
        parts.append(f"<p>{len(results)} submissions; score mean {statistics.fmean(scores):.2f}, "
                     f"median {statistics.median(scores):g}, of {fmt_points(max_score)} points; "
                     f"{sum(s >= max_score for s in scores)} full marks, {sum(s == 0 for s in scores)} zero.</p>")
        parts.append("<h2>Score distribution</h2>"
                     f"<figure>{html.png_img(figures.score_histogram(scores, max_score), 'score histogram')}</figure>")
    parts.append("<h2>Item analysis</h2><p>Over the submissions graded normally (status ok); the others are "
                 "listed under <a href=\"#attention\">need attention</a>.</p><table><thead><tr><th>Check</th><th>Unit</th><th class=\"num\">Points</th>"
                 "<th class=\"num\">n</th><th>Fail rate</th><th class=\"num\">Mean</th>"
                 "<th>Most common failure (count)</th></tr></thead><tbody>")
    for s in sorted(stats, key=lambda s: -s.fail_rate):
        message = f"{escape(s.most_common_message)} ({s.most_common_count})" if s.most_common_count else ""
        parts.append(f"<tr><td>{escape(s.name)}<br><small><code>{escape(s.check_id)}</code></small></td>"
                     f"<td><code>{escape(s.unit)}</code></td><td class=\"num\">{fmt_points(s.max_score)}</td>"
                     f"<td class=\"num\">{s.n}</td><td><span class=\"bar\" style=\"width:{100 * s.fail_rate:.0f}px\">"
                     f"</span> {100 * s.fail_rate:.0f}%</td><td class=\"num\">{s.mean_score:.2f}</td>"
                     f"<td>{message}</td></tr>")
    parts.append("</tbody></table>")
    parts += _grader_errors_html(results)
    flagged = [(r, problem(r)) for r in results if problem(r)]
    parts.append(f'<h2 id="attention">Submissions that need attention ({len(flagged)})</h2>')
    if flagged:
        parts.append("<table><thead><tr><th>Student</th><th>Problem</th><th class=\"num\">Score</th>"
                     "<th>Message</th></tr></thead><tbody>")
        for r, why in flagged:
            detail = first_line(r.output) if r.status != "ok" else "; ".join(
                f"{c.name}: {first_line(c.output)}" for c in timed_out_checks(r))
            parts.append(f"<tr><td>{escape(r.student)}</td><td>{escape(why)}</td>"
                         f"<td class=\"num\">{fmt_points(r.score)}</td><td>{escape(detail)}</td></tr>")
        parts.append("</tbody></table>")
    else:
        parts.append("<p>Every submission imported and ran without timeouts.</p>")
    slowest = sorted(results, key=lambda r: -r.seconds)[:SLOWEST_SHOWN]
    parts.append('<h2 id="slowest">Slowest submissions</h2><table>'
                 "<thead><tr><th>Student</th><th class=\"num\">Seconds</th>"
                 "<th class=\"num\">Score</th></tr></thead><tbody>")
    parts += [f"<tr><td>{escape(r.student)}</td><td class=\"num\">{r.seconds:.2f}</td>"
              f"<td class=\"num\">{fmt_points(r.score)}</td></tr>" for r in slowest]
    parts.append("</tbody></table>")
    return html.page(f"Summary: {assignments}", "\n".join(parts))


def _grader_errors_html(results: list[SubmissionResult]) -> list[str]:
    """The checks on which the grader itself failed, per submission: no verdict, points withheld
    (each student's results.json keeps the traceback under the check's `extra_data.grader_error`)."""
    rows = [(r, c) for r in results for c in r.grader_errors]
    parts = [f'<h2 id="grader-errors">Grader errors ({len(rows)})</h2>']
    if not rows:
        return parts + ["<p>The grader ran every check without an error of its own.</p>"]
    parts.append("<p>The grader's own code (the reference, a diagnosis, a check helper) raised: these checks have "
                 "no verdict and their points are withheld; the students were told it is not their mistake. "
                 "Fix the grader and run <code>grade</code> again (a changed grader regrades every submission).</p>"
                 "<table><thead><tr><th>Student</th><th>Check</th><th>Error</th></tr></thead><tbody>")
    parts += [f"<tr><td>{escape(r.student)}</td><td>{escape(c.name)}<br><small><code>{escape(c.check_id)}</code>"
              f"</small></td><td><code>{escape(grader_error_line(c))}</code></td></tr>" for r, c in rows]
    parts.append("</tbody></table>")
    return parts
