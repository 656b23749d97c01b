"""The layouts a class's submissions arrive in, one class each (docs/lms.md has an example of each).

A layout `recognizes` top-level entries of the download and `collect`s one Submission per student,
with the student id the layout gives (Canvas: the user id; Moodle: the participant id; nbgrader:
the student folder; git: the clone's folder; folders: the folder or zip name), and the submission
time where the layout carries one (`Submission.time_source` says from where).
"""
from __future__ import annotations

import os
import re
import subprocess
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

from autograder.intake.common import Candidate, IntakeContext, StudentFiles, choose, file_time
from autograder.intake.safety import archive_kind, is_inside
from autograder.submission import MAX_SOURCE_BYTES, Submission


def visible_entries(root: Path) -> list[Path]:
    """The top-level entries that can be submissions: no hidden files, no macOS `__MACOSX`."""
    return sorted(p for p in root.iterdir() if not p.name.startswith(".") and p.name != "__MACOSX")


class Layout:
    name = ""
    description = ""
    example = ""

    def recognizes(self, entry: Path, assignment: str) -> bool:
        raise NotImplementedError

    def collect(self, root: Path, assignment: str, ctx: IntakeContext) -> list[Submission]:
        raise NotImplementedError

    @staticmethod
    def _timed(student: str, ctx: IntakeContext, fallback: tuple[datetime | None, str]) -> tuple[datetime | None, str]:
        """The time from the instructor's LMS export when it has this student, else `fallback`."""
        return ctx.times.get(student, fallback)


class CanvasLayout(Layout):
    """Canvas "Download Submissions": `<sortablename>[_LATE]_<userid>_<attachmentid>_<filename>`.

    From Canvas's ContentZipper: the prefix is `[sortable name, "LATE" if late, user id]` joined by
    `_` with non-word characters removed (the name is lower-cased and `_<digits>_` in it collapsed,
    so the first `_<digits>_<digits>_` is the ids); anonymous grading gives `anon_<anonymous id>`
    and no name; each uploaded file is its own entry; a text entry or URL is `..._text.html` /
    `..._link.html`. Canvas renames a re-uploaded file (`optimizers-1.py`). Canvas's zip carries no
    submission time: the `LATE` mark is the time information, unless `--times` gives Canvas's
    `submitted_at` (the submissions API)."""
    name = "canvas"
    description = "Canvas 'Download Submissions' zip or its unzipped folder"
    example = "müllerjürgen_LATE_40213_881902_optimizers-1.py"
    FILE = re.compile(r"^(?:(?P<name>\w*?)_)??(?:(?P<late>LATE)_)?(?P<id>anon_[A-Za-z0-9]+|\d+)_"
                      r"(?:(?P<attachment>\d+)_(?P<file>.+)|(?P<kind>text|link)\.html)$")

    def recognizes(self, entry, assignment):
        return entry.is_file() and bool(self.FILE.match(entry.name))

    def collect(self, root, assignment, ctx):
        groups: dict[str, list[tuple[re.Match, Path]]] = defaultdict(list)
        for entry in visible_entries(root):
            match = self.FILE.match(entry.name) if entry.is_file() and is_inside(entry, root) else None
            if match:
                groups[match["id"]].append((match, entry))
        subs = []
        for student, files in sorted(groups.items()):
            bundle = StudentFiles(student, ctx)
            late = any(m["late"] for m, _ in files)
            kinds = [m["kind"] for m, _ in files if m["kind"]]
            for match, path in files:
                if match["file"]:
                    bundle.add(match["file"], path, order=int(match["attachment"]))
            if kinds and not any(m["file"] for m, _ in files):
                bundle.notes.append(f"submitted as an online {'text entry' if 'text' in kinds else 'URL'}, not a file")
            when, source = self._timed(student, ctx, (None, "canvas-late-flag"))
            subs.append(bundle.submission(assignment, root, display_name=files[0][0]["name"] or "", late_flag=late,
                                          submitted_at=when, time_source=source, layout=self.name))
        return subs


class MoodleLayout(Layout):
    """Moodle assignment "Download all submissions", flat or with "Download submissions in folders".

    From mod/assign: the prefix is `<full name>_<participant id>_` (blind marking: `Participant_<id>_`,
    underscores in names become spaces), then `<subtype>_<plugin>` (`assignsubmission_file`), then
    `_<filename>` (flat) or `/<filename>` (in folders). Moodle's zip stores each file's modification
    time, which is used (marked `file-mtime`) unless `--times` gives the grading worksheet's
    "Last modified (submission)"."""
    name = "moodle"
    description = "Moodle assignment download (flat files or one folder per student)"
    example = "Zoë Ortega Díaz_1234567_assignsubmission_file_optimizers.py"
    ENTRY = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)(?:_(?P<file>.+))?$")

    def recognizes(self, entry, assignment):
        return bool(self.ENTRY.match(entry.name))

    def collect(self, root, assignment, ctx):
        groups: dict[str, list[tuple[re.Match, Path]]] = defaultdict(list)
        for entry in visible_entries(root):
            match = self.ENTRY.match(entry.name)
            if match and is_inside(entry, root):
                groups[match["id"]].append((match, entry))
        subs = []
        for student, entries in sorted(groups.items()):
            bundle = StudentFiles(student, ctx)
            for match, path in entries:
                if path.is_dir():
                    bundle.add_folder(path)
                elif match["plugin"] == "file" and match["file"]:
                    bundle.add(match["file"], path)
            if not bundle.candidates and any(m["plugin"] == "onlinetext" for m, _ in entries):
                bundle.notes.append("submitted as online text, not a file")
            times = [file_time(c.path) for c in bundle.candidates if c.depth == 0]
            fallback = (max(times), "file-mtime") if times else (None, "")
            when, source = self._timed(student, ctx, fallback)
            subs.append(bundle.submission(assignment, root, display_name=entries[0][0]["name"],
                                          submitted_at=when, time_source=source, layout=self.name))
        return subs


class NbgraderLayout(Layout):
    """nbgrader's exchange-collected tree `submitted/<student>/<assignment>/`, whose
    `timestamp.txt` (written by `nbgrader collect`) is the submission time."""
    name = "nbgrader"
    description = "nbgrader submitted/<student>/<assignment>/ tree"
    example = "submitted/jdoe/optimizers/optimizers.ipynb (+ timestamp.txt)"

    def recognizes(self, entry, assignment):
        return entry.is_dir() and (entry / assignment).is_dir()

    @staticmethod
    def base(root: Path) -> Path:
        return root / "submitted" if (root / "submitted").is_dir() else root

    def collect(self, root, assignment, ctx):
        subs = []
        for student_dir in visible_entries(root):
            folder = student_dir / assignment
            if not (student_dir.is_dir() and is_inside(student_dir, root) and folder.is_dir()
                    and is_inside(folder, root)):
                continue
            student = student_dir.name
            bundle = StudentFiles(student, ctx)
            bundle.add_folder(folder)
            fallback = (None, "")
            stamp = folder / "timestamp.txt"
            if stamp.is_file() and not stamp.is_symlink():
                try:
                    fallback = (parse_nbgrader_timestamp(stamp.read_text(encoding="utf-8", errors="replace")[:200]),
                                "nbgrader-timestamp")
                except ValueError as exc:
                    bundle.notes.append(f"timestamp.txt unreadable ({exc})")
            if fallback[0] is None:
                times = [file_time(c.path) for c in bundle.candidates if c.depth == 0]
                fallback = (max(times), "file-mtime") if times else (None, "")
            when, source = self._timed(student, ctx, fallback)
            subs.append(bundle.submission(assignment, folder, submitted_at=when, time_source=source, layout=self.name))
        return subs


def parse_nbgrader_timestamp(text: str) -> datetime:
    """nbgrader's own parser (`nbgrader.utils.parse_utc`: naive UTC, a zone name or offset
    honoured), made aware."""
    from nbgrader.utils import parse_utc

    try:
        return parse_utc(text.strip()).replace(tzinfo=timezone.utc)
    except (ValueError, OverflowError, TypeError) as exc:
        raise ValueError(str(exc)) from None


class GitClonesLayout(Layout):
    """A folder of per-student git clones (e.g. GitHub Classroom). The graded commit is HEAD;
    its committer time is the submission time. The files are read from the commit's objects,
    not the working tree (an uncommitted edit is not handed in). Only plumbing commands run
    (rev-parse, cat-file, ls-tree), with no user or system configuration, so a repository's
    `.git/config` cannot make git run a program; a `.git` that is a file or a link, or whose
    object store borrows from outside (alternates), is refused."""
    name = "git"
    description = "a folder of per-student git clones"
    example = "optimizers-jdoe/.git (GitHub Classroom clone)"

    def recognizes(self, entry, assignment):
        return entry.is_dir() and (entry / ".git").exists()

    def collect(self, root, assignment, ctx):
        subs = []
        for clone in visible_entries(root):
            if not clone.is_dir() or not is_inside(clone, root):
                continue
            subs.append(self._one(clone, assignment, ctx))
        return subs

    def _one(self, clone: Path, assignment: str, ctx: IntakeContext) -> Submission:
        student = clone.name
        sub = Submission(student=student, assignment=assignment, origin=clone, layout=self.name)
        try:
            repo = self._checked_git_dir(clone)
            head = self._git(repo, "rev-parse", "--verify", "HEAD^{commit}").decode().strip()
            when = commit_time(self._git(repo, "cat-file", "commit", head))
            listing = self._git(repo, "ls-tree", "-r", "-z", "-l", "--full-tree", head)
        except (OSError, ValueError, subprocess.SubprocessError) as exc:
            sub.error = f"cannot read the git clone: {exc}"
            return sub
        bundle = StudentFiles(student, ctx)
        blobs = {}
        for record in listing.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, kind, sha, size = meta.split()
            if kind != b"blob" or mode == b"120000":  # symbolic links are not followed
                continue
            blobs[path.decode("utf-8", "replace")] = (sha.decode(), int(size))
        chosen = choose(assignment, [Candidate(p, clone / p) for p in blobs])
        facts = dict(submitted_at=when, time_source="commit-time", layout=self.name)
        if chosen is None:
            sub = bundle.submission(assignment, clone, **facts)
            sub.error = f"no {assignment}.py or {assignment}.ipynb in commit {head[:12]}"
            return sub
        sha, size = blobs[chosen.name]
        target = bundle.folder / "HEAD" / chosen.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if size > MAX_SOURCE_BYTES:
            sub.error = f"cannot read the submission: {chosen.name} is larger than {MAX_SOURCE_BYTES} bytes"
            return sub
        target.write_bytes(self._git(repo, "cat-file", "blob", sha))
        bundle.candidates.append(Candidate(chosen.name, target))
        result = bundle.submission(assignment, clone, **facts)
        result.notes.append(f"graded commit {head[:12]}")
        return result

    @staticmethod
    def _checked_git_dir(clone: Path) -> Path:
        repo = clone / ".git"
        if repo.is_symlink() or not repo.is_dir():
            raise ValueError(".git is not a folder of the clone (a link or a gitdir file is not followed)")
        if (repo / "objects" / "info" / "alternates").exists():
            raise ValueError("the repository borrows objects from elsewhere (objects/info/alternates)")
        for count, (current, dirs, files) in enumerate(os.walk(repo)):
            if count > 20000:
                raise ValueError(".git has too many folders")
            for name in dirs + files:
                if (Path(current) / name).is_symlink():
                    raise ValueError(f"symbolic link inside .git ({name})")
        return repo

    @staticmethod
    def _git(repo: Path, *args: str) -> bytes:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_CONFIG_NOSYSTEM": "1",
               "GIT_CONFIG_GLOBAL": os.devnull, "HOME": os.devnull, "GIT_TERMINAL_PROMPT": "0",
               "GIT_NO_REPLACE_OBJECTS": "1", "LC_ALL": "C"}
        run = subprocess.run(["git", "-c", "safe.directory=*", "--git-dir", str(repo), *args], env=env,
                             capture_output=True, timeout=30, cwd=repo, stdin=subprocess.DEVNULL)
        if run.returncode != 0:
            raise ValueError(f"git {args[0]}: {run.stderr.decode('utf-8', 'replace').strip()[:200]}")
        return run.stdout


def commit_time(commit_object: bytes) -> datetime:
    """The committer time of a raw commit object (`committer Name <mail> 1700000000 +0100`)."""
    for line in commit_object.split(b"\n\n", 1)[0].split(b"\n"):
        if line.startswith(b"committer "):
            seconds, offset = line.rsplit(b" ", 2)[1:]
            sign = -1 if offset.startswith(b"-") else 1
            zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5])))
            return datetime.fromtimestamp(int(seconds), tz=zone)
    raise ValueError("commit without a committer line")


class FoldersLayout(Layout):
    """SPEC §2's own layout: one folder or `.zip` per student, named by the student's id. The
    submission time is the chosen file's modification time (the last resort, marked `file-mtime`)."""
    name = "folders"
    description = "one folder or .zip per student, named by the student's id"
    example = "s1234567/optimizers.py or s1234567.zip"

    def recognizes(self, entry, assignment):
        return (entry.is_dir() and not entry.is_symlink()) or (entry.is_file() and archive_kind(entry) == "zip")

    def collect(self, root, assignment, ctx):
        subs, seen = [], set()
        for entry in visible_entries(root):
            if not is_inside(entry, root) or not self.recognizes(entry, assignment):
                continue
            student = entry.name[:-4] if entry.is_file() else entry.name
            if student in seen:
                continue
            seen.add(student)
            bundle = StudentFiles(student, ctx)
            if entry.is_dir():
                bundle.add_folder(entry)
            else:
                bundle.add(entry.name, entry)
            sub = bundle.submission(assignment, entry, layout=self.name)
            if sub.source is not None:
                sub.submitted_at, sub.time_source = self._timed(student, ctx, (file_time(sub.origin), "file-mtime"))
            subs.append(sub)
        return subs


# Most specific first: a Moodle folder or a git clone is also "a folder per student".
LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in
                              (NbgraderLayout(), GitClonesLayout(), MoodleLayout(), CanvasLayout(), FoldersLayout())}
