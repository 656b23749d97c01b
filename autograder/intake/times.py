"""Submission times exported from an LMS, for layouts whose download carries none (`--times`).

* Canvas: the JSON of the submissions API (`GET /api/v1/courses/:course/assignments/:id/submissions`),
  a list of objects with `user_id` (or `anonymous_id`) and `submitted_at` (ISO 8601, UTC);
* Moodle: the grading worksheet CSV ("Download grading worksheet"), columns `Identifier`
  ("Participant 1234567") and `Last modified (submission)` (a local time without zone: read in the
  course's time zone);
* any CSV with columns `student` and `submitted_at` (ISO 8601 with zone).

Returns {student id: (aware datetime, source)}.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, tzinfo
from pathlib import Path


def load_times(path: Path, zone: tzinfo) -> dict[str, tuple[datetime, str]]:
    text = Path(path).read_text(encoding="utf-8-sig")
    if text.lstrip().startswith("["):
        return _canvas(json.loads(text))
    rows = list(csv.DictReader(io.StringIO(text)))
    header = set(rows[0]) if rows else set()
    if {"Identifier", "Last modified (submission)"} <= header:
        return _moodle(rows, zone)
    if {"student", "submitted_at"} <= header:
        return {r["student"]: (_aware(datetime.fromisoformat(r["submitted_at"].replace("Z", "+00:00")), zone),
                               "times-file") for r in rows if r["submitted_at"].strip()}
    raise ValueError(f"{path}: not a Canvas submissions JSON, a Moodle grading worksheet, "
                     "or a CSV with columns student,submitted_at")


def _canvas(items: list) -> dict:
    times = {}
    for item in items:
        when = item.get("submitted_at")
        student = f"anon_{item['anonymous_id']}" if item.get("anonymous_id") and not item.get("user_id") \
            else str(item.get("user_id", ""))
        if when and student:
            times[student] = (datetime.fromisoformat(when.replace("Z", "+00:00")), "canvas-api")
    return times


def _moodle(rows: list[dict], zone: tzinfo) -> dict:
    from dateutil import parser

    times = {}
    for row in rows:
        ident = row["Identifier"].rsplit(" ", 1)[-1]
        when = row["Last modified (submission)"].strip()
        if ident.isdigit() and when and when != "-":
            times[ident] = (_aware(parser.parse(when), zone), "moodle-worksheet")
    return times


def _aware(when: datetime, zone: tzinfo) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=zone)
