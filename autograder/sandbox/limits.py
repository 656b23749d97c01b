"""Resource limits of one untrusted worker and how they become rlimits."""
from __future__ import annotations

import sys
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    """Limits of one worker. Wall deadlines are enforced by the trusted client;
    the rest are kernel rlimits (soft = hard) set in the worker before it execs Python."""

    call_seconds: float = 5.0          # per-call wall deadline (enforced by the trusted client)
    import_seconds: float = 10.0       # importing the submission
    submission_seconds: float = 120.0  # whole submission wall budget (client/runner)
    memory_bytes: int = 1 << 30        # RLIMIT_AS
    cpu_seconds: int = 120             # RLIMIT_CPU
    max_processes: int = 32            # RLIMIT_NPROC (counts threads; OPENBLAS_NUM_THREADS=1 in the worker env)
    file_bytes: int = 8 << 20          # RLIMIT_FSIZE
    open_files: int = 64               # RLIMIT_NOFILE
    output_bytes: int = 64 << 10       # captured stdout+stderr kept
    frame_bytes: int = 64 << 20        # max protocol frame (used by the client)
    scratch_bytes: int = 64 << 20      # size of each private tmpfs (/scratch and /tmp) in bwrap mode

    def __post_init__(self):
        for spec in fields(self):
            if getattr(self, spec.name) <= 0:
                raise ValueError(f"Limits.{spec.name} must be positive, got {getattr(self, spec.name)!r}")

    def rlimits(self) -> dict[int, int]:
        """The kernel limits, `resource.RLIMIT_* -> value` (soft and hard alike); core dumps off.
        POSIX only (`resource` is imported here, so that this module also imports on Windows)."""
        import resource

        return {
            resource.RLIMIT_AS: self.memory_bytes,
            resource.RLIMIT_CPU: self.cpu_seconds,
            resource.RLIMIT_NPROC: self.max_processes,
            resource.RLIMIT_FSIZE: self.file_bytes,
            resource.RLIMIT_NOFILE: self.open_files,
            resource.RLIMIT_CORE: 0,
        }

    def prlimit_args(self) -> list[str]:
        """The same limits as arguments of util-linux `prlimit` (which sets soft = hard)."""
        return [
            f"--as={self.memory_bytes}",
            f"--cpu={self.cpu_seconds}",
            f"--nproc={self.max_processes}",
            f"--fsize={self.file_bytes}",
            f"--nofile={self.open_files}",
            "--core=0",
        ]


def apply_rlimits(limits: Limits) -> None:
    """Set every rlimit of `limits` on the calling process (used as a `preexec_fn`); POSIX only.

    On Linux every limit must take. Elsewhere a limit the kernel refuses is left as it was:
    macOS rejects any RLIMIT_AS with EINVAL (Python: "ValueError: current limit exceeds maximum
    limit", cpython#78783), which would otherwise stop every worker from starting."""
    import resource

    strict = sys.platform.startswith("linux")
    for which, value in limits.rlimits().items():
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            if strict:
                raise
