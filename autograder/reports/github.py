"""GitHub Actions output: a Markdown job summary and `::error` / `::warning` annotations.

Annotations point at the graded unit's `def`/`class` line in the student's file (the last
top-level definition, the one Python keeps; `Class.method` units point at the method).
For a notebook the annotation points at the line of the `.ipynb` JSON file that holds that
`def` line (GitHub annotates the raw file) and its message names the code cell. A submission
that does not parse is annotated at its syntax error instead; a unit that is not defined,
at line 1. Paths are written relative to the working directory (the workspace in Actions)
when the file lies under it; a zipped submission is annotated as a whole file. Hidden checks
show their name and points only.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TextIO

from autograder.reports.common import check_message, clip, fmt_points, hidden_note, shown_output, verdict
from autograder.results import SubmissionResult

SUMMARY_MESSAGE_CHARS = 4000
ANNOTATION_MESSAGE_LINES = 12
_ICONS = {"passed": "✅", "partial": "🟠", "failed": "❌", "grader error": "⚠️"}


@dataclass
class Location:
    """Where an annotation points: a 1-based line of `path` and, for notebooks, a note like 'code cell 3'."""
    line: int
    note: str = ""


def write_github(results: list[SubmissionResult], sources: dict[str, Path], *, summary_path: Path | None,
                 stream: TextIO) -> None:
    """Append the job summary to `summary_path` ($GITHUB_STEP_SUMMARY) when given; write the annotations
    of every result to `stream`. `sources` maps a student id to the submission file."""
    if summary_path is not None:
        with open(summary_path, "a", encoding="utf-8") as handle:
            handle.write(job_summary(results))
    for result in results:
        for command in annotations(result, sources.get(result.student)):
            stream.write(command + "\n")


def job_summary(results: list[SubmissionResult]) -> str:
    """Markdown: per submission a score line, a table of checks and the visible failure messages."""
    parts = []
    for r in results:
        ok = r.status == "ok" and all(c.status == "passed" for c in r.checks)
        who = f" ({r.student})" if r.student else ""
        passed = sum(c.status == "passed" for c in r.checks)
        parts += [f"### {'✅' if ok else '❌'} {r.assignment}{who}: {fmt_points(r.score)}/{fmt_points(r.max_score)} points",
                  "", f"{passed} of {len(r.checks)} checks passed.", ""]
        if r.output.strip():
            parts += [f"**Submission ({r.status}):**", "", "```text", clip(r.output, SUMMARY_MESSAGE_CHARS).rstrip(),
                      "```", ""]
        if r.checks:
            parts += ["| Result | Check | Points |", "|---|---|---|"]
            parts += [f"| {_ICONS[verdict(c)]} {verdict(c)} | {c.name.replace('|', chr(92) + '|')} | "
                      f"{fmt_points(c.score)}/{fmt_points(c.max_score)} |" for c in r.checks]
            parts.append("")
        for c in r.checks:
            message = check_message(c, r) or (hidden_note(c) if c.visibility == "hidden" else "")
            if c.status == "passed" or not message.strip():
                continue
            fence = "````" if "```" in message else "```"
            parts += [f"<details><summary>{_ICONS[verdict(c)]} {escape(c.name)}</summary>", "",
                      f"{fence}text", clip(message, SUMMARY_MESSAGE_CHARS).rstrip(), fence, "", "</details>", ""]
    return "\n".join(parts) + "\n"


def annotations(result: SubmissionResult, source: Path | None) -> list[str]:
    """Workflow commands for one submission: its import failure, else one per check that did not pass."""
    file = _display_path(source) if source is not None and Path(source).is_file() else None
    readable = file is not None and Path(source).suffix in (".py", ".ipynb")  # not a .zip
    if result.status not in ("ok", "grader_error"):  # a grader error is one check's, annotated below
        where = syntax_error_location(Path(source)) if readable else None
        return [_command("error", f"{result.assignment}: {result.status}", result.output or result.status,
                         file, where)]
    commands = []
    for check in result.checks:
        if check.status == "passed":
            continue
        where, missing = None, ""
        if readable and check.unit:
            where = locate_unit(Path(source), check.unit)
            if where is None:
                where, missing = Location(1), f"`{check.unit}` is not defined in this file.\n"
        points = f"{fmt_points(check.score)}/{fmt_points(check.max_score)}"
        message = missing + (shown_output(check) or (hidden_note(check) if check.visibility == "hidden" else ""))
        commands.append(_command("warning" if verdict(check) in ("partial", "grader error") else "error",
                                 f"{check.name} ({points})", message or check.name, file, where))
    return commands


def locate_unit(path: Path, unit: str) -> Location | None:
    """The line of the last top-level definition of `unit` ("name" or "Class.method") in a .py or .ipynb file."""
    if path.suffix == ".ipynb":
        return _locate_in_notebook(path, unit)
    line = _definition_line(path.read_text(encoding="utf-8", errors="replace"), unit)
    return Location(line) if line else None


def syntax_error_location(path: Path) -> Location | None:
    """Where the file (or, for a notebook, the first code cell) fails to parse, if it does."""
    if path.suffix != ".ipynb":
        try:
            ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except SyntaxError as exc:
            return Location(exc.lineno or 1)
        return None
    for index, number, lines in _code_cells(path):
        try:
            ast.parse(_without_magics(lines))
        except SyntaxError as exc:
            return _notebook_line(path, index, number, exc.lineno or 1)
    return None


def _definition_line(source: str, unit: str) -> int | None:
    """1-based line of the last top-level `def`/`class` named by `unit`; a regex fallback when the source
    does not parse."""
    outer, _, inner = unit.partition(".")
    try:
        tree = ast.parse(source)
    except SyntaxError:
        pattern = re.compile(rf"^\s*(?:async\s+)?(?:def|class)\s+{re.escape(inner or outer)}\b", re.MULTILINE)
        hits = list(pattern.finditer(source))
        return source.count("\n", 0, hits[-1].start()) + 1 if hits else None
    found = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == outer:
            found = node
    if found is not None and inner:
        members = [n for n in getattr(found, "body", []) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                   and n.name == inner]
        found = members[-1] if members else found
    return found.lineno if found is not None else None


def _cells(path: Path) -> list[tuple[str, list[str]]]:
    """(cell type, source lines) of every cell of a notebook, read as JSON (no nbformat import)."""
    out = []
    for cell in json.loads(path.read_text(encoding="utf-8", errors="replace")).get("cells", []):
        source = cell.get("source", "")
        out.append((cell.get("cell_type", ""), ("".join(source) if isinstance(source, list) else source).splitlines()))
    return out


def _code_cells(path: Path) -> list[tuple[int, int, list[str]]]:
    """(index among all cells, code cell number from 1, source lines) of the notebook's code cells."""
    code = [(index, lines) for index, (kind, lines) in enumerate(_cells(path)) if kind == "code"]
    return [(index, number, lines) for number, (index, lines) in enumerate(code, start=1)]


def _without_magics(lines: list[str]) -> str:
    """Cell source with IPython magics and shell escapes blanked (line numbers kept)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)


def _locate_in_notebook(path: Path, unit: str) -> Location | None:
    found = None
    for index, number, lines in _code_cells(path):
        line = _definition_line(_without_magics(lines), unit)
        if line:
            found = (index, number, line)
    return _notebook_line(path, *found) if found else None


def _notebook_line(path: Path, cell_index: int, cell_number: int, line_in_cell: int) -> Location:
    """The raw .ipynb line holding line `line_in_cell` of the cell at `cell_index` (code cell `cell_number`).

    nbformat stores each source line as one JSON string per file line; the target is the k-th file
    line whose string holds that text, k counting identical lines in the cells before it. Falls back
    to line 1 when the layout is different.
    """
    cells = _cells(path)
    cell_lines = cells[cell_index][1]
    target = cell_lines[line_in_cell - 1] if line_in_cell <= len(cell_lines) else ""
    note = f"code cell {cell_number}, line {line_in_cell}"
    occurrence = sum(lines.count(target) for _, lines in cells[:cell_index])
    occurrence += cell_lines[:line_in_cell].count(target)
    matches = []
    for number, raw in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        text = raw.strip().rstrip(",")
        if not (text.startswith('"') and text.endswith('"')):
            continue
        try:
            decoded = json.loads(text)
        except ValueError:
            continue
        if target and target in decoded.splitlines():
            matches.append(number)
    if occurrence and len(matches) >= occurrence:
        return Location(matches[occurrence - 1], note)
    return Location(1, note)


def _command(level: str, title: str, message: str, file: str | None, where: Location | None) -> str:
    properties = []
    if file:
        properties.append(f"file={_escape_property(file)}")
        if where:
            properties.append(f"line={where.line}")
    properties.append(f"title={_escape_property(title)}")
    lines = message.rstrip().splitlines()
    if len(lines) > ANNOTATION_MESSAGE_LINES:
        lines = lines[:ANNOTATION_MESSAGE_LINES] + [f"… ({len(lines) - ANNOTATION_MESSAGE_LINES} more lines)"]
    if where and where.note:
        lines.append(f"({where.note})")
    return f"::{level} {','.join(properties)}::{_escape_data(chr(10).join(lines))}"


def _escape_data(text: str) -> str:
    """Workflow-command message escaping: % CR LF."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """Workflow-command property escaping: % CR LF : ,"""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _display_path(path: Path) -> str:
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()
