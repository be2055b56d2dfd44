"""``livebase serve`` in a process of its own, for the tests that need a real server."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

LIVEBASE = [sys.executable, "-m", "livebase"]


@contextlib.contextmanager
def serving(
    root: Path, env: dict[str, str] | None = None
) -> Iterator[tuple[subprocess.Popen, str]]:
    """``livebase serve`` in another process on a free port of 127.0.0.1: the process and
    the address it printed; stopped with Ctrl+C (SIGINT) when the block ends."""
    proc = subprocess.Popen(
        [*LIVEBASE, "serve", "-w", str(root), "--port", "0", "--lang", "en"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    lines: queue.Queue[str] = queue.Queue()
    # what it prints and its log, read all along (a full pipe would stop it); whole once
    # the block has ended
    proc.output, proc.errors = [], []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            proc.output.append(line)
            lines.put(line)

    def read_errors() -> None:
        assert proc.stderr is not None
        proc.errors.extend(proc.stderr)

    readers = [threading.Thread(target=f, daemon=True) for f in (read, read_errors)]
    for reader in readers:
        reader.start()
    try:
        deadline = time.monotonic() + 90
        url = None
        while url is None:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail("the server did not print its address within 90 s")
            if "http://" in line:
                url = line[line.index("http://") :].split("/?")[0].strip()
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for reader in readers:
            reader.join(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
