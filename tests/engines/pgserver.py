"""A throwaway PostgreSQL server for tests (Debian's binaries, 127.0.0.1, trust auth).

start_postgres(tmpdir) -> (url, stop)

- finds /usr/lib/postgresql/<newest>/bin (or $PG_BIN, or ``pg_config --bindir``);
- as root, runs initdb/pg_ctl as an unprivileged system user ($LIVEBASE_PG_USER, default
  ``livebase-pg``, created with ``useradd --system`` when missing) through ``runuser -u``;
  as a normal user, runs them directly;
- data dir, socket dir and log live in a fresh ``mkdtemp`` under /tmp owned by that user:
  pytest's tmp_path is under /tmp/pytest-of-root (mode 0700), which the server user cannot
  enter, so ``tmpdir`` only receives a copy of the server log at stop;
- a free port on 127.0.0.1, trust auth, fsync off (a throwaway server), TimeZone UTC.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path


def _pg_bin() -> Path:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if found:
        return Path(found[-1]).parent
    if shutil.which("pg_config"):
        return Path(subprocess.check_output(["pg_config", "--bindir"], text=True).strip())
    raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> str | None:
    """The user that runs the server; None when we are not root (run as ourselves)."""
    if os.geteuid() != 0:
        return None
    name = os.environ.get("LIVEBASE_PG_USER", "livebase-pg")
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
        )
    return name


def start_postgres(
    tmpdir: os.PathLike | str, *, timeout: float = 30
) -> tuple[str, Callable[[], None]]:
    bindir = _pg_bin()
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="lbpg-"))  # /tmp/lbpg-xxxx, mode 0700
    data, sock, log = root / "data", root / "sock", root / "postgres.log"
    sock.mkdir()
    keep_log = Path(tmpdir).resolve() / "postgres.log"
    prefix: list[str] = []
    if user is not None:
        pw = pwd.getpwnam(user)
        for p in (root, sock):
            os.chown(p, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", user, "--"]  # no PAM prompt, no tty needed

    def run(*args: str) -> None:
        res = subprocess.run(
            [*prefix, *args], capture_output=True, text=True, cwd="/", timeout=timeout
        )
        if res.returncode != 0:
            extra = log.read_text() if log.exists() else ""
            raise RuntimeError(f"{Path(args[0]).name} failed: {res.stdout}{res.stderr}{extra}")

    def cleanup() -> None:
        if log.exists():
            shutil.copyfile(log, keep_log)
        shutil.rmtree(root, ignore_errors=True)

    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )
        for attempt in range(3):  # another process may grab the free port first
            port = _free_port()
            opts = (
                f"-c listen_addresses=127.0.0.1 -c port={port} "
                f"-c unix_socket_directories={sock} -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off -c TimeZone=UTC -c max_connections=50"
            )
            try:
                run(
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-o",
                    opts,
                    "-w",
                    "-t",
                    str(int(timeout)),
                    "start",
                )
                break
            except RuntimeError:
                if attempt == 2:
                    raise
    except BaseException:
        cleanup()
        raise

    def stop() -> None:
        try:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        finally:
            cleanup()

    return f"postgres://postgres@127.0.0.1:{port}/postgres", stop
