"""Reading untrusted archives and folders without leaving the scratch folder.

Every archive a course hands us (a Canvas or Moodle download, a student's own `.zip`, a zip inside
that zip) is extracted by `SafeExtractor` into a scratch folder, under these rules:

* a member's path must stay inside the destination: absolute paths, drive letters, `..`
  components, backslash tricks and NUL bytes are refused (`safe_member_path`), and the resolved
  target is checked once more against the destination;
* symbolic-link entries (Unix mode `S_IFLNK` in the zip's external attributes) are never created;
* disk and memory stay bounded: at most `max_members` entries, `max_member_bytes` per file and
  `max_total_bytes` per archive, checked on the declared sizes before anything is decompressed;
  a header that under-declares is cut short by `zipfile` itself (it reads no more than declared,
  then fails the CRC check), and the bytes streamed (64 KiB chunks) are counted against the caps
  once more;
* files are written 0644 and folders 0755 whatever the archive says (no setuid, no exec bits);
* nested zips are extracted in turn, to `max_depth` levels of archive (the class download is
  level 0), each against its own limits.

A member that breaks a per-member rule is skipped and named in `Extraction.refused`; an archive
that breaks a whole-archive rule (too many entries, too many bytes) raises `UnsafeArchive`, whose
message is shown to the instructor in that student's gradebook row.
"""
from __future__ import annotations

import os
import stat
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

CHUNK = 64 << 10
ARCHIVE_SUFFIXES = (".zip",)
UNSUPPORTED_ARCHIVES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".rar", ".7z", ".gz", ".bz2", ".xz")


class UnsafeArchive(ValueError):
    """The archive as a whole is refused (its message says why, for the gradebook)."""


@dataclass(frozen=True)
class ExtractionLimits:
    """Bounds for one archive. The defaults fit one student's hand-in (a few source files and
    notebooks); `CLASS_LIMITS` fits a whole class's download."""
    max_members: int = 1000
    max_member_bytes: int = 16 << 20
    max_total_bytes: int = 64 << 20
    max_depth: int = 2


STUDENT_LIMITS = ExtractionLimits()
CLASS_LIMITS = ExtractionLimits(max_members=50_000, max_member_bytes=64 << 20, max_total_bytes=4 << 30)


@dataclass
class Extraction:
    """What `SafeExtractor.extract` wrote, and what it refused to write (member, reason)."""
    root: Path
    files: list[Path] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def safe_member_path(dest: Path, name: str) -> Path:
    """The path inside `dest` where member `name` may be written; ValueError when there is none.

    Zip names use `/`; a `\\` (Windows tools) is read as a separator too, so `..\\x` is caught."""
    if "\x00" in name:
        raise ValueError("NUL byte in the name")
    posix = PurePosixPath(name.replace("\\", "/"))
    if posix.is_absolute() or (posix.parts and len(posix.parts[0]) == 2 and posix.parts[0][1] == ":"):
        raise ValueError("absolute path")
    if any(part == ".." for part in posix.parts):
        raise ValueError("path goes up out of the archive ('..')")
    parts = [p for p in posix.parts if p not in ("", ".")]
    if not parts:
        raise ValueError("empty name")
    target = dest.joinpath(*parts)
    if not target.resolve().is_relative_to(dest.resolve()):
        raise ValueError("path leaves the archive's folder")
    return target


def is_symlink_entry(info: zipfile.ZipInfo) -> bool:
    """A zip entry that stores a symbolic link (Info-ZIP keeps the Unix mode in the high 16 bits)."""
    return stat.S_ISLNK(info.external_attr >> 16)


def archive_kind(path: Path) -> str:
    """"zip", "unsupported" (another archive format) or "" (not an archive), by name."""
    name = path.name.lower()
    if name.endswith(ARCHIVE_SUFFIXES):
        return "zip"
    if name.endswith(UNSUPPORTED_ARCHIVES):
        return "unsupported"
    return ""


class SafeExtractor:
    """Extracts one zip under `ExtractionLimits` (see the module docstring for the rules)."""

    def __init__(self, limits: ExtractionLimits = STUDENT_LIMITS):
        self.limits = limits

    def extract(self, archive: Path, dest: Path) -> Extraction:
        limits = self.limits
        dest.mkdir(parents=True, exist_ok=True)
        result = Extraction(root=dest)
        try:
            handle = zipfile.ZipFile(archive)
        except (zipfile.BadZipFile, OSError) as exc:
            raise UnsafeArchive(f"{archive.name} is not a readable zip ({exc})") from None
        with handle:
            infos = handle.infolist()
            if len(infos) > limits.max_members:
                raise UnsafeArchive(f"{archive.name} has {len(infos)} entries; at most {limits.max_members} are read")
            declared = sum(i.file_size for i in infos)
            if declared > limits.max_total_bytes:
                raise UnsafeArchive(f"{archive.name} expands to {declared} bytes; at most "
                                    f"{limits.max_total_bytes} are read (a zip bomb?)")
            written = 0
            for info in infos:
                try:
                    target = safe_member_path(dest, info.filename)
                except ValueError as exc:
                    result.refused.append((info.filename, str(exc)))
                    continue
                if is_symlink_entry(info):
                    result.refused.append((info.filename, "symbolic link"))
                    continue
                if info.is_dir():
                    target.mkdir(mode=0o755, parents=True, exist_ok=True)
                    continue
                if info.file_size > limits.max_member_bytes:
                    result.refused.append((info.filename, f"{info.file_size} bytes; at most "
                                                          f"{limits.max_member_bytes} per file"))
                    continue
                try:
                    written += self._copy_member(handle, info, target, limits.max_total_bytes - written)
                except _TooLarge as exc:
                    raise UnsafeArchive(f"{archive.name}: {exc} (a zip bomb?)") from None
                except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
                    # RuntimeError: encrypted member; NotImplementedError: unknown compression
                    result.refused.append((info.filename, f"unreadable ({exc})"))
                    continue
                result.files.append(target)
        return result

    def _copy_member(self, handle: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int) -> int:
        """Stream one member to `target`, counting the real decompressed bytes against both caps."""
        cap = min(self.limits.max_member_bytes, budget)
        target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        if target.is_symlink() or target.is_dir():
            raise OSError(f"{info.filename} collides with an earlier entry")
        size = 0
        try:
            with handle.open(info) as source, open(target, "wb") as sink:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > cap:
                        raise _TooLarge(f"{info.filename} decompresses past {cap} bytes")
                    sink.write(chunk)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        os.chmod(target, 0o644)
        try:  # the zip's own time stamp (local time, no zone) is the file's time, as unzip keeps it
            stamp = time.mktime(info.date_time + (0, 0, -1))
            os.utime(target, (stamp, stamp))
        except (OverflowError, ValueError):
            pass
        return size


class _TooLarge(Exception):
    pass


def is_inside(path: Path, folder: Path) -> bool:
    """A real file or folder of `folder`: symbolic links (to the reference, to /etc) don't count."""
    return not path.is_symlink() and path.resolve().is_relative_to(folder.resolve())


def walk_files(folder: Path, limit: int = STUDENT_LIMITS.max_members) -> list[Path]:
    """The regular files under `folder`, never following a symbolic link, at most `limit` of them
    (UnsafeArchive past that: a folder of thousands of files is refused like such an archive)."""
    found: list[Path] = []
    for current, dirs, files in os.walk(folder, followlinks=False):
        base = Path(current)
        dirs[:] = sorted(d for d in dirs if not (base / d).is_symlink())
        for name in sorted(files):
            path = base / name
            if path.is_symlink() or not path.is_file():
                continue
            found.append(path)
            if len(found) > limit:
                raise UnsafeArchive(f"{folder.name} holds more than {limit} files")
    return found
