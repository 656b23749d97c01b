"""The late policy's every edge (docs/lms.md's table): at the deadline, one second after, grace,
per-day and per-hour rounding, cap, zero after N days, extensions, unknown times; the course file."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from autograder.gradebook.late import (LatePolicy, extended_due, judge, load_course, parse_time)

DUE = datetime(2026, 3, 1, 23, 59, tzinfo=timezone(timedelta(hours=-5)))
POLICY = LatePolicy(percent=10, per="day", cap=30, zero_after_days=7, grace_minutes=15)


@pytest.mark.parametrize("late_by, penalty", [
    (timedelta(0), 0),                              # exactly at the deadline: on time
    (-timedelta(days=2), 0),                        # early
    (timedelta(seconds=1), 0),                      # inside the grace period
    (timedelta(minutes=15), 0),                     # the last instant of grace
    (timedelta(minutes=15, seconds=1), 10),         # past grace: lateness counts from the deadline, 1 started day
    (timedelta(days=1), 10),                        # exactly one day
    (timedelta(days=1, seconds=1), 20),             # a second into day two
    (timedelta(days=3), 30),                        # three days
    (timedelta(days=5), 30),                        # capped at 30 %
    (timedelta(days=7), 30),                        # the last instant before "zero after 7 days"
    (timedelta(days=7, seconds=1), 100),            # after 7 days: zero
])
def test_penalty_per_day_with_grace_cap_and_zero_after(late_by, penalty):
    assert POLICY.penalty_percent(late_by) == penalty


def test_penalty_per_hour_counts_started_hours():
    hourly = LatePolicy(percent=2, per="hour", cap=50)
    assert hourly.penalty_percent(timedelta(minutes=1)) == 2
    assert hourly.penalty_percent(timedelta(hours=3)) == 6
    assert hourly.penalty_percent(timedelta(hours=3, minutes=1)) == 8
    assert hourly.penalty_percent(timedelta(days=3)) == 50


def test_the_penalty_applies_to_the_score_or_to_the_maximum():
    assert LatePolicy(percent=10).apply(80, 100, 20) == 64
    assert LatePolicy(percent=10, applies_to="max").apply(80, 100, 20) == 60
    assert LatePolicy(percent=10, applies_to="max").apply(10, 100, 20) == 0


def test_a_zero_percent_policy_never_penalises():
    assert LatePolicy().penalty_percent(timedelta(days=400)) == 0


@pytest.mark.parametrize("extension, due", [
    ("", DUE), ("2d", DUE + timedelta(days=2)), ("36h", DUE + timedelta(hours=36)),
    ("90m", DUE + timedelta(minutes=90)), ("2 days", DUE + timedelta(days=2)),
    ("2026-03-05T12:00:00+00:00", datetime(2026, 3, 5, 12, tzinfo=timezone.utc)),
])
def test_extensions_move_the_deadline(extension, due):
    assert extended_due(DUE, extension, timezone.utc) == due


def test_an_extension_turns_a_late_submission_on_time():
    submitted = DUE + timedelta(hours=30)
    assert judge(POLICY, DUE, submitted, "commit-time", None).penalty == 20
    extended = extended_due(DUE, "2d", timezone.utc)
    assert judge(POLICY, extended, submitted, "commit-time", None).penalty == 0
    assert judge(POLICY, extended, extended, "commit-time", None).penalty == 0  # at the extended deadline


def test_unknown_times_and_the_lms_late_mark():
    marked = judge(POLICY, DUE, None, "canvas-late-flag", True)
    assert marked.penalty == 10 and marked.late_by is None and "time unknown" in marked.note
    assert judge(POLICY, DUE, None, "canvas-late-flag", False).penalty == 0
    unknown = judge(POLICY, DUE, None, "", None)
    assert unknown.penalty == 0 and "unknown" in unknown.note
    assert judge(POLICY, None, DUE + timedelta(days=3), "commit-time", None).penalty == 0  # no deadline set


def test_a_file_time_is_marked_as_the_last_resort():
    verdict = judge(POLICY, DUE, DUE + timedelta(hours=2), "file-mtime", None)
    assert verdict.penalty == 10 and "last resort" in verdict.note
    assert "grace" in judge(POLICY, DUE, DUE + timedelta(minutes=5), "nbgrader-timestamp", None).note


def test_deadlines_must_say_their_time_zone():
    with pytest.raises(ValueError, match="no time zone"):
        parse_time("2026-03-01T23:59:00")
    assert parse_time("2026-03-01T23:59:00-05:00") == datetime(2026, 3, 2, 4, 59, tzinfo=timezone.utc)


def test_the_course_file(tmp_path):
    path = tmp_path / "course.toml"
    path.write_text('''
timezone = "America/Toronto"

[late]
per = "hour"
percent = 2.5
cap = 40
zero_after_days = 3
grace_minutes = 10

[assignments.optimizers]
due = 2026-03-01T23:59:00        # local time of the course's zone
canvas_column = "Optimizers (123456)"

[assignments.gates]
due = "2026-02-01T23:59:00Z"
''')
    course = load_course(path)
    assert course.late == LatePolicy(percent=2.5, per="hour", cap=40, zero_after_days=3, grace_minutes=10)
    due = course.settings("optimizers").due
    assert due.utcoffset() == timedelta(hours=-5) and (due.hour, due.minute) == (23, 59)
    assert course.settings("optimizers").canvas_column == "Optimizers (123456)"
    assert course.settings("gates").due == datetime(2026, 2, 1, 23, 59, tzinfo=timezone.utc)
    assert course.settings("line_search").due is None


@pytest.mark.parametrize("late, message", [('per = "week"', "per"), ("cap = 150", "cap"), ("percnt = 5", "unknown")])
def test_a_wrong_course_file_is_refused_with_the_reason(tmp_path, late, message):
    path = tmp_path / "course.toml"
    path.write_text(f"[late]\n{late}\n")
    with pytest.raises(ValueError, match=message):
        load_course(path)
