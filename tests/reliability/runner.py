"""Helpers of the reliability tests: a warm CLI runner, store checksums, file digests.

The rules, one sentence each:

* :class:`WarmCli` runs ``livebase`` commands as child processes forked (POSIX) from one
  interpreter that imported the CLI once, so a command costs its own work, not the
  3–4 s of imports; each child is a real process (own store connection, own exit code)
  that can be SIGKILLed at any moment.
* A child that finishes closes its store as the real command does (its connections are
  collected, DuckDB checkpoints), then ends without the interpreter's slow teardown.
* :func:`store_sums` gives each store table's row count and a row-order-independent
  checksum (the sum of DuckDB's ``hash`` of every row, as a HUGEINT), leaving out only
  the columns that hold the wall-clock time of an import (``VOLATILE``).
* :func:`folder_bytes` maps every file under a folder (hidden ones too) to its bytes'
  SHA-256.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from livebase.store.schema import ALL_TABLES

# the import's own wall-clock times: when it ran, not what it loaded (a rerun after a
# crash runs at another moment); every other column of every table is compared
VOLATILE = {
    "imports": ("started_at", "finished_at"),
    "identity_merges": ("ts",),
}

# the zygote: imports the CLI and the modules its commands import lazily, then forks one
# child per request line ({"argv", "cwd", "env", "log"}); it answers {"pid"} at once and
# {"pid", "code"} when the child has ended (code -9: killed)
_ZYGOTE = r"""
import gc, importlib, json, os, sys
import ibis
import livebase.cli as cli
ibis.duckdb  # the backend loads on first use: load it here, open nothing
for name in (
    "livebase.ingest.pipeline", "livebase.segments.build", "livebase.segments.movement",
    "livebase.playbooks.planner", "livebase.playbooks.throttle", "livebase.exports.wave",
    "livebase.store.invariants", "livebase.store.load", "livebase.metrics.risk",
    "livebase.metrics.cohorts", "livebase.reports.files", "livebase.reports.base",
    "livebase.reports.base_html", "livebase.reports.recurring", "livebase.simulate",
    "livebase.web.auth",
):
    importlib.import_module(name)
for line in sys.stdin:
    job = json.loads(line)
    pid = os.fork()
    if pid == 0:
        fd = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.chdir(job["cwd"])
        os.environ.update(job["env"])
        sys.argv = ["livebase", *job["argv"]]
        code = 0
        try:
            cli.main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        # the command's store connections are closed (DuckDB checkpoints its log) as at the
        # real command's exit; then the child ends without the interpreter's slow teardown
        gc.collect()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    print(json.dumps({"pid": pid}), flush=True)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"pid": pid, "code": os.waitstatus_to_exitcode(status)}), flush=True)
"""


@dataclass(frozen=True)
class Run:
    code: int  # the exit code; -9 when killed
    output: str  # stdout and stderr together
    seconds: float

    @property
    def killed(self) -> bool:
        return self.code == -signal.SIGKILL


class WarmCli:
    """``livebase`` commands in forked children of one warm interpreter."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        logs.mkdir(parents=True, exist_ok=True)
        self._n = 0
        self._buf = b""
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _ZYGOTE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
        )

    def close(self) -> None:
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)
        self.proc.stdout.close()

    def _line(self, timeout: float | None) -> dict | None:
        """The zygote's next answer, or None when ``timeout`` passes first."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, 4096)
            if not chunk:
                raise RuntimeError("the warm CLI process ended")
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return json.loads(line)

    def run(
        self, *argv: str, cwd: Path, fault: str | None = None, kill_after: float | None = None
    ) -> Run:
        """Run ``livebase *argv``; with ``kill_after``, SIGKILL it after that many seconds
        unless it has ended; with ``fault``, set ``LIVEBASE_FAULT``."""
        assert self.proc.stdin is not None
        self._n += 1
        log = self.logs / f"run-{self._n}.log"
        env = {"LIVEBASE_FAULT": fault or "", "LIVEBASE_DEBUG": "1"}
        job = {"argv": list(argv), "cwd": str(cwd), "env": env, "log": str(log)}
        start = time.monotonic()
        self.proc.stdin.write((json.dumps(job) + "\n").encode())
        self.proc.stdin.flush()
        pid = self._line(timeout=60)["pid"]
        done = self._line(timeout=kill_after if kill_after is not None else 600)
        if done is None:
            if kill_after is None:
                raise TimeoutError(f"livebase {' '.join(argv)} did not end")
            # the child may have ended this very moment (then it is gone already)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            done = self._line(timeout=60)
        assert done is not None
        assert done["pid"] == pid
        # a child killed at once never opened its log
        output = log.read_text(encoding="utf-8") if log.exists() else ""
        return Run(done["code"], output, time.monotonic() - start)


def store_sums(root: Path) -> dict[str, tuple[int, int]]:
    """{table: (rows, checksum)} of the workspace's store (opened read-only): the
    checksum is the sum of DuckDB's hash of each row's compared columns."""
    import duckdb

    con = duckdb.connect(str(root / "store.duckdb"), read_only=True)
    try:
        tables = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        have = {r[0] for r in tables}
        parts = [
            f"SELECT '{name}' AS t, count(*) AS n, coalesce(sum(hash("
            + ", ".join(f'"{c}"' for c in _compared(name))
            + f')::HUGEINT), 0) AS h FROM "{name}"'
            for name in sorted(ALL_TABLES)
            if name in have
        ]
        rows = con.execute(" UNION ALL ".join(parts)).fetchall()
    finally:
        con.close()
    found = {t: (int(n), int(h)) for t, n, h in rows}
    return {name: found.get(name, (-1, 0)) for name in sorted(ALL_TABLES)}  # -1: no table


def _compared(name: str) -> list[str]:
    return [c for c in ALL_TABLES[name].columns if c not in VOLATILE.get(name, ())]


def table_names(root: Path) -> list[str]:
    """Every table and view of the store (a leftover scratch table would show here)."""
    import duckdb

    con = duckdb.connect(str(root / "store.duckdb"), read_only=True)
    try:
        rows = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    finally:
        con.close()
    return sorted(r[0] for r in rows)


def _frame(con, name: str) -> pd.DataFrame:
    quoted = ", ".join(f'"{c}"::VARCHAR AS "{c}"' for c in _compared(name))
    return con.execute(f'SELECT {quoted} FROM "{name}"').df()


def store_rows(root: Path, table: str) -> list[tuple]:
    """The table's rows as sorted tuples of text (to show what differs)."""
    import duckdb

    con = duckdb.connect(str(root / "store.duckdb"), read_only=True)
    try:
        frame = _frame(con, table)
    finally:
        con.close()
    return sorted(tuple("∅" if v is None else v for v in r) for r in frame.itertuples(False))


def diff_stores(a: Path, b: Path) -> str:
    """The tables whose checksums differ, with a few rows only one side has."""
    sa, sb = store_sums(a), store_sums(b)
    lines = []
    for name in sorted(set(sa) | set(sb)):
        if sa.get(name) == sb.get(name):
            continue
        ra, rb = set(store_rows(a, name)), set(store_rows(b, name))
        lines.append(f"{name}: {sa.get(name)} vs {sb.get(name)}")
        lines += [f"  only in {a.name}: {r}" for r in sorted(ra - rb)[:3]]
        lines += [f"  only in {b.name}: {r}" for r in sorted(rb - ra)[:3]]
    return "\n".join(lines)


def folder_bytes(folder: Path) -> dict[str, str]:
    """{relative path: SHA-256 of its bytes} of every file under ``folder``."""
    if not folder.exists():
        return {}
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def copy_workspace(src: Path, dst: Path) -> Path:
    """A copy of a closed workspace folder (config, store and exports)."""
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    return dst
