"""The class list: who should hand in, and what the LMS knows them by.

`roster.csv` has a header row; columns are matched case-insensitively, aliases in brackets:

| column | meaning |
|---|---|
| `id` [student, user_id, canvas_id, participant] | the id the download's layout gives (Canvas user id, Moodle participant id, nbgrader student, clone folder) — required |
| `name` [full_name] | display name |
| `sortable_name` | "Last, First" (Canvas's Student column); made from `name` when absent |
| `email` [email address] | Moodle maps imports by it |
| `sis_user_id` [sis id, idnumber, id number] | Canvas SIS User ID / Moodle ID number |
| `sis_login_id` [login, login_id, username] | Canvas SIS Login ID / Moodle username |
| `section` | Canvas section |
| `extension` | for every assignment: a duration (`2d`, `36h`, `90m`) or a new deadline (ISO 8601) |
| `extension_<assignment>` | the same for one assignment; wins over `extension` |

A Canvas gradebook export (`Student, ID, SIS User ID, SIS Login ID, Section, ...`) is a roster as
it is: its "Points Possible" row is skipped.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

ALIASES = {
    "id": ("id", "student", "user_id", "canvas_id", "participant", "student_id"),
    "name": ("name", "full_name", "full name"),
    "sortable_name": ("sortable_name", "sortable name"),
    "email": ("email", "email address", "email_address"),
    "sis_user_id": ("sis_user_id", "sis user id", "sis id", "idnumber", "id number"),
    "sis_login_id": ("sis_login_id", "sis login id", "login", "login_id", "username"),
    "section": ("section",),
    "extension": ("extension",),
}


@dataclass
class RosterEntry:
    id: str
    name: str = ""
    sortable_name: str = ""
    email: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    extensions: dict = field(default_factory=dict)  # assignment ("" for all) -> extension text

    def extension(self, assignment: str) -> str:
        return self.extensions.get(assignment) or self.extensions.get("", "")


class Roster:
    """Roster entries by id, in the file's order."""

    def __init__(self, entries: list[RosterEntry]):
        self.entries = {e.id: e for e in entries}

    def __contains__(self, student: str) -> bool:
        return student in self.entries

    def get(self, student: str) -> RosterEntry | None:
        return self.entries.get(student)

    def ids(self) -> list[str]:
        return list(self.entries)

    @classmethod
    def empty(cls) -> "Roster":
        return cls([])

    @classmethod
    def load(cls, path: Path) -> "Roster":
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = {_canonical(h): h for h in reader.fieldnames or []}
            if "id" not in columns:
                raise ValueError(f"{path}: no id column (one of {', '.join(ALIASES['id'])}); "
                                 f"columns found: {', '.join(reader.fieldnames or [])}")
            canvas_export = "Student" in (reader.fieldnames or []) and "ID" in (reader.fieldnames or [])
            entries = []
            for row in reader:
                value = {key: (row.get(header) or "").strip() for key, header in columns.items()}
                if not value["id"] or (canvas_export and row.get("Student", "").strip().startswith("Points Possible")):
                    continue
                entry = RosterEntry(id=value["id"], email=value.get("email", ""),
                                    sis_user_id=value.get("sis_user_id", ""), sis_login_id=value.get("sis_login_id", ""),
                                    section=value.get("section", ""))
                if canvas_export:
                    entry.sortable_name = row.get("Student", "").strip()
                    entry.name = _from_sortable(entry.sortable_name)
                else:
                    entry.name = value.get("name", "")
                    entry.sortable_name = value.get("sortable_name") or _sortable(entry.name)
                for header in reader.fieldnames or []:
                    lowered = header.strip().lower()
                    if lowered == "extension" or lowered.startswith("extension_"):
                        text = (row.get(header) or "").strip()
                        if text:
                            entry.extensions[lowered.removeprefix("extension").lstrip("_")] = text
                entries.append(entry)
        return cls(entries)


def _canonical(header: str) -> str:
    lowered = header.strip().lower()
    for key, names in ALIASES.items():
        if lowered in names:
            return key
    return lowered


def _sortable(name: str) -> str:
    """"Jürgen Müller" -> "Müller, Jürgen" (the last word is taken as the family name)."""
    parts = name.split()
    return f"{parts[-1]}, {' '.join(parts[:-1])}" if len(parts) > 1 else name


def _from_sortable(sortable: str) -> str:
    last, _, first = sortable.partition(",")
    return f"{first.strip()} {last.strip()}".strip() if first else sortable
