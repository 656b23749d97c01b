"""Deadlines and late work: the course file's policy, per-student extensions, the penalty.

The rule, for a submission at time `t` against the student's deadline `due` (the assignment's
due time, moved by the student's extension in the roster):

    late_by = t - due                      (on time when late_by <= 0: exactly at the deadline is on time)
    late_by <= grace                 ->  penalty 0         (the grace period forgives; it does not shift the clock)
    late_by >  zero_after            ->  penalty 100 %
    otherwise                        ->  penalty = min(cap, percent * ceil(late_by / unit))
                                         (unit = one day or one hour; every started unit counts)
    final = raw * (1 - penalty/100)          (applies_to = "score", the default)
    final = max(0, raw - max * penalty/100)  (applies_to = "max")

A submission the LMS marks late but whose time is unknown (a Canvas download without `--times`)
is late by an unknown amount: it gets the penalty of one unit, the least a late submission gets,
and its row says so. No time at all and no late mark: no penalty, and the row says the time is unknown.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path


@dataclass(frozen=True)
class LatePolicy:
    percent: float = 0.0          # deducted per started unit late
    per: str = "day"              # "day" | "hour"
    cap: float = 100.0            # at most this many percent in total (before zero_after)
    zero_after_days: float | None = None
    grace_minutes: float = 0.0
    applies_to: str = "score"     # "score" (of the points earned) | "max" (of the points possible)

    def __post_init__(self):
        if self.per not in ("day", "hour"):
            raise ValueError(f"late.per must be 'day' or 'hour', not {self.per!r}")
        if self.applies_to not in ("score", "max"):
            raise ValueError(f"late.applies_to must be 'score' or 'max', not {self.applies_to!r}")
        if not 0 <= self.cap <= 100 or self.percent < 0 or self.grace_minutes < 0:
            raise ValueError("late: percent and grace_minutes must be >= 0 and cap within 0..100")

    @property
    def unit(self) -> timedelta:
        return timedelta(days=1) if self.per == "day" else timedelta(hours=1)

    def penalty_percent(self, late_by: timedelta) -> float:
        """The percent deducted for a submission `late_by` after the deadline (see the module rule)."""
        if late_by <= timedelta(0) or late_by <= timedelta(minutes=self.grace_minutes):
            return 0.0
        if self.zero_after_days is not None and late_by > timedelta(days=self.zero_after_days):
            return 100.0
        units = math.ceil(late_by / self.unit)
        return min(self.cap, self.percent * units)

    def unknown_lateness_percent(self) -> float:
        """A submission marked late whose time is unknown: the penalty of one started unit."""
        return min(self.cap, self.percent)

    def apply(self, raw: float, max_score: float, penalty: float) -> float:
        if self.applies_to == "max":
            return round(max(0.0, raw - max_score * penalty / 100), 6)
        return round(raw * (1 - penalty / 100), 6)


@dataclass(frozen=True)
class AssignmentSettings:
    """One assignment's entry in the course file."""
    due: datetime | None = None
    canvas_column: str = ""       # Canvas gradebook column, e.g. "Optimizers (123456)"
    moodle_column: str = ""       # Moodle grade item name as the import shows it


@dataclass(frozen=True)
class CourseConfig:
    """The course file (TOML). Example in docs/lms.md."""
    timezone: tzinfo = timezone.utc
    late: LatePolicy = LatePolicy()
    assignments: dict | None = None

    def settings(self, assignment: str) -> AssignmentSettings:
        return (self.assignments or {}).get(assignment, AssignmentSettings())


def load_course(path: Path | None) -> CourseConfig:
    """Read the course file (`tomllib`, `tomli` before Python 3.11); no file: the defaults."""
    if path is None:
        return CourseConfig()
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    zone = _zone(data.get("timezone", "UTC"))
    known = {"per", "percent", "cap", "zero_after_days", "grace_minutes", "applies_to"}
    late = data.get("late", {})
    unknown = set(late) - known
    if unknown:
        raise ValueError(f"{path}: unknown [late] keys {sorted(unknown)}; known: {sorted(known)}")
    assignments = {}
    for name, entry in data.get("assignments", {}).items():
        due = entry.get("due")
        assignments[name] = AssignmentSettings(
            due=parse_time(due, zone) if due else None, canvas_column=entry.get("canvas_column", ""),
            moodle_column=entry.get("moodle_column", ""))
    return CourseConfig(timezone=zone, late=LatePolicy(**late), assignments=assignments)


def _zone(name: str) -> tzinfo:
    from zoneinfo import ZoneInfo

    return timezone.utc if name.upper() == "UTC" else ZoneInfo(name)


def parse_time(value, zone: tzinfo | None = None) -> datetime:
    """An ISO 8601 time (TOML datetimes arrive parsed). Without a zone it is read in `zone`;
    with no `zone` either it is refused: a deadline must say which clock it means."""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    if when.tzinfo is None:
        if zone is None:
            raise ValueError(f"{value!r} has no time zone; write it like 2026-03-01T23:59:00-05:00")
        when = when.replace(tzinfo=zone)
    return when


_DURATION = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>d|h|m|days?|hours?|minutes?)\s*$", re.I)


def extended_due(due: datetime | None, extension: str, zone: tzinfo) -> datetime | None:
    """The deadline after a roster extension: a duration (`2d`, `36h`, `90m`) added to the due
    time, or a new deadline (ISO 8601). Empty: the due time unchanged."""
    extension = (extension or "").strip()
    if not extension or due is None and not extension[:1].isdigit():
        return due
    match = _DURATION.match(extension)
    if match:
        if due is None:
            return None
        unit = match["unit"][0].lower()
        amount = float(match["n"])
        return due + {"d": timedelta(days=amount), "h": timedelta(hours=amount), "m": timedelta(minutes=amount)}[unit]
    return parse_time(extension, zone)


@dataclass(frozen=True)
class LateVerdict:
    """What the gradebook shows about timing for one student."""
    due: datetime | None
    late_by: timedelta | None     # None: unknown (no time, or only a late mark)
    penalty: float                # percent
    note: str = ""


def judge(policy: LatePolicy, due: datetime | None, submitted_at: datetime | None, time_source: str,
          late_flag: bool | None) -> LateVerdict:
    """Apply the policy to one submission (the module docstring's rule)."""
    if due is None:
        return LateVerdict(due, None, 0.0, "")
    if submitted_at is None:
        if late_flag:
            penalty = policy.unknown_lateness_percent()
            charged = f": penalty of one {policy.per}" if penalty else ""
            return LateVerdict(due, None, penalty, f"marked late by the LMS, time unknown{charged} "
                                                   "(give --times for the exact time)")
        note = "on time by the LMS's mark" if late_flag is False else "submission time unknown: no penalty"
        return LateVerdict(due, None, 0.0, note)
    late_by = submitted_at - due
    penalty = policy.penalty_percent(late_by)
    note = "time from the file's modification time (last resort)" if time_source == "file-mtime" else ""
    if timedelta(0) < late_by <= timedelta(minutes=policy.grace_minutes):
        note = "; ".join(filter(None, [note, "within the grace period"]))
    return LateVerdict(due, late_by, penalty, note)
