"""A file on disk: its SHA-256, flushing it (or a folder's entries) to disk, replacing it
whole, and a lock held through a lock file.

* :func:`sha256_of` reads the file in chunks of 1 MiB, so a file of any size is hashed
  in constant memory.
* :func:`fsync_path` flushes a file's bytes, or a folder's entries (a new name, a rename,
  a deletion), to disk before it returns.
* :func:`write_atomic` writes a temporary file beside the target, flushes it, moves it
  over the target (``os.replace``) and flushes the folder: a reader, or a crash, sees the
  old bytes or the new ones, never a part; an existing file keeps its permissions.
* :func:`flocked` holds an exclusive ``flock`` on a lock file (0600) for a block, shared
  by every process and thread that takes the same file; it gives up after ``wait``
  seconds when told to.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
import time
from collections.abc import Iterator
from pathlib import Path


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fsync_path(path: Path) -> None:
    """Flush a file, or a folder's entries, to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_folder(folder: Path) -> None:
    """Flush a folder's entries (a rename or a deletion) to disk where the system can."""
    if os.name == "posix":
        fsync_path(folder)


def write_atomic(
    path: Path, data: bytes, *, temp: Path | None = None, mode: int | None = None
) -> Path:
    """Replace ``path`` with ``data`` through ``temp`` (default ``.<name>.<12 hex>.tmp``
    beside it); the file keeps the mode it had, or gets ``mode``, or the default one.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_atomic(Path(d) / "a.txt", b"new", mode=0o600)
    ...     p.read_bytes(), oct(p.stat().st_mode & 0o777), sorted(os.listdir(d))
    (b'new', '0o600', ['a.txt'])
    """
    path = Path(path)
    tmp = temp or path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    if mode is None and path.exists():
        mode = stat.S_IMODE(path.stat().st_mode)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666 if mode is None else mode)
        with os.fdopen(fd, "wb") as fh:
            if mode is not None:
                os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        sync_folder(path.parent)
    finally:
        tmp.unlink(missing_ok=True)
    return path


@contextlib.contextmanager
def flocked(path: Path, wait: float | None = None) -> Iterator[bool]:
    """Hold an exclusive ``flock`` on the lock file ``path`` for the block: yields True,
    or False when another holder kept it ``wait`` seconds (0: one try; None: wait as
    long as it takes)."""
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        held = True
        if wait is None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError:
                    if time.monotonic() >= deadline:
                        held = False
                        break
                time.sleep(0.1)  # bounded by the deadline
        yield held
    finally:
        os.close(fd)  # releases the lock
