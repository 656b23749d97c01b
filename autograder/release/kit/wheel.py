"""A pure-Python wheel written directly (PEP 427): the same tree gives the same bytes.

No build backend runs at release: a wheel is a zip of the package files plus `.dist-info`
(METADATA, WHEEL, entry_points.txt, RECORD with each file's SHA-256). Entries are sorted and
dated 1980-01-01 so that regenerating the kit is byte-for-byte reproducible.
"""
from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

FIXED_DATE = (1980, 1, 1, 0, 0, 0)


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def metadata_text(name: str, version: str, summary: str, requires: list[str], python: str,
                  description: str) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", f"Summary: {summary}",
             f"Requires-Python: {python}", *(f"Requires-Dist: {r}" for r in requires),
             "Description-Content-Type: text/markdown", "", description]
    return "\n".join(lines) + "\n"


def write_wheel(out_dir: Path, package_dir: Path, *, name: str, version: str, summary: str,
                requires: list[str], python: str, scripts: dict[str, str], description: str) -> Path:
    """Write `{name}-{version}-py3-none-any.whl` holding `package_dir` into `out_dir`."""
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    files: dict[str, bytes] = {}
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files[f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}"] = path.read_bytes()
    files[f"{info}/METADATA"] = metadata_text(name, version, summary, requires, python, description).encode()
    files[f"{info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: nnopt-grader release\nRoot-Is-Purelib: true\n"
                              b"Tag: py3-none-any\n")
    if scripts:
        files[f"{info}/entry_points.txt"] = ("[console_scripts]\n" + "".join(
            f"{script} = {target}\n" for script, target in sorted(scripts.items()))).encode()
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in sorted(files.items()))
    record += f"{info}/RECORD,,\n"
    files[f"{info}/RECORD"] = record.encode()
    out_dir.mkdir(parents=True, exist_ok=True)
    wheel = out_dir / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path, data in sorted(files.items()):
            entry = zipfile.ZipInfo(path, FIXED_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return wheel
