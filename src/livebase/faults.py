"""Fault points for the crash tests: a process dies on the spot where the environment says.

The rules, one sentence each:

* ``fault(name)`` kills the running process with SIGKILL (no clean-up, no ``finally``,
  no flush: as a power cut or the OOM killer would) when the environment variable
  ``LIVEBASE_FAULT`` equals ``name``, and does nothing otherwise.
* The points sit once per step, never in a loop: ``import.write`` (an import's rows are
  written, its ``imports`` row is not, the transaction is open), ``segment.write`` (the
  ``rfm`` rows of a build are replaced, its ``segments`` are not), ``plan.write`` (a
  wave's assignments and touches are replaced, its exclusions are not) and
  ``export.files`` (a wave's e-mail lists are written, its other files and manifest are
  not) and ``erase.compact`` (an erasure's store transaction is committed, the store is
  not yet compacted).
* Where a process cannot send itself SIGKILL (Windows) it ends with ``os._exit(137)``,
  which skips clean-up just the same.

>>> fault("import.write")  # LIVEBASE_FAULT is not set here: nothing happens
"""

from __future__ import annotations

import os
import signal

ENV = "LIVEBASE_FAULT"
POINTS = ("import.write", "segment.write", "plan.write", "export.files", "erase.compact")


def fault(name: str) -> None:
    """Die at once (SIGKILL) when ``LIVEBASE_FAULT`` names this point."""
    if os.environ.get(ENV) != name:
        return
    kill = getattr(signal, "SIGKILL", None)
    if kill is not None:
        os.kill(os.getpid(), kill)
    os._exit(137)
