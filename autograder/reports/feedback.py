"""Per-student feedback: `feedback.md` (figures as PNG files under `figures/`) and a
self-contained `feedback.html` (the same figures embedded as data: URIs)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

from autograder.reports import html
from autograder.reports.common import check_message, fmt_points, hidden_note, slug, verdict
from autograder.results import CheckResult, SubmissionResult

FIGURE_CHOICES = ("all", "failed", "none")
FIGURES_DIR = "figures"
_ICONS = {"passed": "✅", "partial": "🟠", "failed": "❌", "grader error": "⚠️"}


@dataclass
class Figure:
    """One drawn artifact: PNG bytes and the file name used by feedback.md, or why it could not be drawn."""
    caption: str
    file_name: str
    png: bytes | None = None
    error: str = ""


def write_feedback(result: SubmissionResult, student_dir: Path, *, figures: str = "failed",
                   show_hidden: bool = False, hidden_rules: bool = True) -> None:
    """Write `student_dir/feedback.md` and `student_dir/feedback.html`.

    figures: "all" draws every check's artifacts, "failed" only those of checks that did not
    pass, "none" none. A hidden check shows its name, verdict and points, and when it failed the
    rule it grades (`hidden_rules=False` withholds that), unless `show_hidden` (then its message
    and figures too). A grader error says that it is one, never the student's mistake.
    """
    if figures not in FIGURE_CHOICES:
        raise ValueError(f"figures must be one of {FIGURE_CHOICES}, not {figures!r}")
    student_dir = Path(student_dir)
    student_dir.mkdir(parents=True, exist_ok=True)
    drawn = {id(c): _draw(c) for c in result.checks if _wants_figures(c, figures, show_hidden)}
    pngs = [f for figs in drawn.values() for f in figs if f.png]
    if pngs:
        (student_dir / FIGURES_DIR).mkdir(exist_ok=True)
        for fig in pngs:
            (student_dir / FIGURES_DIR / fig.file_name).write_bytes(fig.png)
    (student_dir / "feedback.md").write_text(_markdown(result, drawn, show_hidden, hidden_rules), encoding="utf-8")
    (student_dir / "feedback.html").write_text(_html(result, drawn, show_hidden, hidden_rules), encoding="utf-8")


def _wants_figures(check: CheckResult, figures: str, show_hidden: bool) -> bool:
    if not check.artifacts or figures == "none":
        return False
    if check.visibility == "hidden" and not show_hidden:
        return False
    return figures == "all" or check.status != "passed"


def _draw(check: CheckResult) -> list[Figure]:
    """Figures of the check's artifacts with a known kind; a drawing error becomes a note, never a crash."""
    from autograder.reports import figures as drawing

    out = []
    for index, artifact in enumerate(check.artifacts):
        kind = artifact.get("kind")
        if kind not in drawing.FIGURE_KINDS:
            continue
        fig = Figure(caption=drawing.CAPTIONS[kind], file_name=f"{slug(check.check_id)}-{index}.png")
        try:
            fig.png = drawing.render(artifact)
        except Exception as exc:  # malformed artifact data must not cost the student the whole report
            fig.error = f"{kind} figure could not be drawn: {type(exc).__name__}: {exc}"
        out.append(fig)
    return out


def _summary_line(result: SubmissionResult) -> str:
    passed = sum(c.status == "passed" for c in result.checks)
    return (f"Score: {fmt_points(result.score)} / {fmt_points(result.max_score)} points, "
            f"{passed} of {len(result.checks)} checks passed")


def _has_details(check: CheckResult, result: SubmissionResult, drawn: dict, show_hidden: bool) -> bool:
    return bool(check_message(check, result, show_hidden).strip() or drawn.get(id(check))
                or (check.visibility == "hidden" and not show_hidden and check.status != "passed"))


def _withheld(check: CheckResult, show_hidden: bool) -> bool:
    """A hidden check whose message the student does not see (a grader error's note they do)."""
    return check.visibility == "hidden" and not show_hidden and check.status != "grader_error"


def _markdown(result: SubmissionResult, drawn: dict, show_hidden: bool, hidden_rules: bool = True) -> str:
    lines = [f"# Feedback: {result.assignment}", ""]
    if result.student:
        lines += [f"Student: `{result.student}`", ""]
    lines += [f"**{_summary_line(result)}**", ""]
    if result.output.strip():
        lines += [f"**Submission ({result.status}):**", "", _fence(result.output), ""]
    lines += ["| Result | Check | Unit | Points |", "|---|---|---|---|"]
    for c in result.checks:
        v = verdict(c)
        unit = f"`{c.unit}`" if c.unit else ""
        hidden = " (hidden)" if c.visibility == "hidden" else ""
        lines.append(f"| {_ICONS[v]} {v} | {_cell(c.name)}{hidden} | {unit} | "
                     f"{fmt_points(c.score)}/{fmt_points(c.max_score)} |")
    details = [c for c in result.checks if _has_details(c, result, drawn, show_hidden)]
    if details:
        lines += ["", "## Details"]
    for c in details:
        v = verdict(c)
        lines += ["", f"### {_ICONS[v]} {c.name} ({fmt_points(c.score)}/{fmt_points(c.max_score)})", ""]
        meta = [f"unit `{c.unit}`" if c.unit else "", f"kind {c.kind}" if c.kind else ""]
        if any(meta):
            lines += [", ".join(m for m in meta if m), ""]
        if _withheld(c, show_hidden):
            lines += [f"*{hidden_note(c, hidden_rules)}*"]
            continue
        message = check_message(c, result, show_hidden)
        if message.strip():
            lines += [_fence(message), ""]
        for fig in drawn.get(id(c), []):
            if fig.png:
                lines += [f"![{fig.caption}]({FIGURES_DIR}/{fig.file_name})", "", f"*{fig.caption}*", ""]
            else:
                lines += [f"*{fig.error}*", ""]
    return "\n".join(lines).rstrip() + "\n"


def _html(result: SubmissionResult, drawn: dict, show_hidden: bool, hidden_rules: bool = True) -> str:
    parts = [f"<h1>Feedback: {escape(result.assignment)}</h1>"]
    if result.student:
        parts.append(f'<p class="meta">Student: <code>{escape(result.student)}</code></p>')
    parts.append(f"<p><strong>{escape(_summary_line(result))}</strong></p>")
    if result.output.strip():
        parts.append(f'<div class="alert"><p><strong>Submission ({escape(result.status)}):</strong></p>'
                     f"<pre>{escape(result.output)}</pre></div>")
    rows = []
    for c in result.checks:
        name = escape(c.name) + (" <em>(hidden)</em>" if c.visibility == "hidden" else "")
        if _has_details(c, result, drawn, show_hidden):
            name = f'<a href="#{slug(c.check_id)}">{name}</a>'
        rows.append(f"<tr><td>{html.badge(verdict(c))}</td><td>{name}</td>"
                    f"<td><code>{escape(c.unit or '')}</code></td>"
                    f'<td class="num">{fmt_points(c.score)}/{fmt_points(c.max_score)}</td></tr>')
    parts.append("<table><thead><tr><th>Result</th><th>Check</th><th>Unit</th><th class=\"num\">Points</th>"
                 f"</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    details = [c for c in result.checks if _has_details(c, result, drawn, show_hidden)]
    if details:
        parts.append("<h2>Details</h2>")
    for c in details:
        meta = ", ".join(m for m in (f"unit <code>{escape(c.unit)}</code>" if c.unit else "",
                                     f"kind {escape(c.kind)}" if c.kind else "") if m)
        body = [f'<section class="check" id="{slug(c.check_id)}"><h3>{html.badge(verdict(c))} {escape(c.name)} '
                f"({fmt_points(c.score)}/{fmt_points(c.max_score)})</h3>"]
        if meta:
            body.append(f'<p class="meta">{meta}</p>')
        if _withheld(c, show_hidden):
            body.append(f'<p class="hidden-note">{escape(hidden_note(c, hidden_rules))}</p>')
        else:
            message = check_message(c, result, show_hidden)
            if message.strip():
                body.append(f"<pre>{escape(message)}</pre>")
            for fig in drawn.get(id(c), []):
                if fig.png:
                    body.append(f"<figure>{html.png_img(fig.png, fig.caption)}"
                                f"<figcaption>{escape(fig.caption)}</figcaption></figure>")
                else:
                    body.append(f'<p class="hidden-note">{escape(fig.error)}</p>')
        body.append("</section>")
        parts.append("".join(body))
    return html.page(f"Feedback: {result.assignment} {result.student}".strip(), "\n".join(parts))


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _fence(text: str) -> str:
    """`text` in a fenced code block whose fence is longer than any backtick run inside it."""
    fence = "`" * max(3, max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    return f"{fence}text\n{text.rstrip()}\n{fence}"
