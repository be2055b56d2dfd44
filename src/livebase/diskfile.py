"""A file on disk: its SHA-256, and flushing it (or a folder's entries) to disk.

* :func:`sha256_of` reads the file in chunks of 1 MiB, so a file of any size is hashed
  in constant memory.
* :func:`fsync_path` flushes a file's bytes, or a folder's entries (a new name, a rename,
  a deletion), to disk before it returns.
"""

from __future__ import annotations

import hashlib
import os
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
