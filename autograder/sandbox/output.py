"""Bounded capture of a worker's stdout+stderr.

A daemon thread drains the pipe for as long as anything writes to it, keeps the first
`cap` bytes and counts the rest, so a worker printing 200 MB neither blocks on a full
pipe nor costs memory. `stop()` ends the thread even if an escaped grandchild still
holds the pipe's write end open.
"""
from __future__ import annotations

import os
import selectors
import threading

CHUNK = 1 << 16


class BoundedText:
    """The first `cap` bytes of a stream of chunks, kept; the rest counted (thread-safe)."""

    def __init__(self, cap: int):
        self._cap = cap
        self._kept = bytearray()
        self._discarded = 0
        self._lock = threading.Lock()

    def add(self, chunk: bytes) -> None:
        with self._lock:
            room = max(self._cap - len(self._kept), 0)
            self._kept += chunk[:room]
            self._discarded += max(0, len(chunk) - room)

    def text(self) -> str:
        """What was kept (UTF-8, undecodable bytes replaced), with a note if truncated."""
        with self._lock:
            text = self._kept.decode("utf-8", errors="replace")
            discarded = self._discarded
        if discarded:
            text += f"\n[... output truncated: {discarded} more bytes discarded]"
        return text


class CapturedOutput:
    """A worker's output as a thread drains it into a `BoundedText`; `stop()` ends the draining."""

    def __init__(self, cap: int):
        self._buffer = BoundedText(cap)

    def text(self) -> str:
        """What was captured so far (UTF-8, undecodable bytes replaced), with a note if truncated."""
        return self._buffer.text()


class OutputCollector(CapturedOutput):
    """A pipe's output (the POSIX workers' stdout and stderr), drained by a thread that `select`s
    on the pipe and on a wake-up pipe, so that `stop()` ends it even while a writer lives."""

    def __init__(self, read_fd: int, cap: int):
        super().__init__(cap)
        self._fd = read_fd
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._drain, name=f"sandbox-output-{read_fd}", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._fd, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while True:
                ready = {key.fd for key, _ in selector.select()}
                if self._wake_r in ready:
                    return
                chunk = os.read(self._fd, CHUNK)
                if not chunk:
                    return
                self._buffer.add(chunk)

    def stop(self, timeout: float = 1.0) -> None:
        """Let the thread read what is already in the pipe, then end it and close the pipe."""
        if self._wake_w < 0:
            return
        self._thread.join(timeout)  # EOF comes at once when every writer is dead
        os.write(self._wake_w, b"x")
        self._thread.join()
        for fd in (self._fd, self._wake_r, self._wake_w):
            os.close(fd)
        self._wake_w = -1
