"""The web app (SPEC F6.2, F6.3, F1.5): dashboard pages, their JSON twins, the webhook.

The rules, one sentence each:

* One app serves one workspace; every store access holds one lock, so the webhook's
  writes and the pages' reads never interleave.
* On a DuckDB file the pages read a snapshot (a copy refreshed within seconds of a
  change) and the webhook holds the store only for a burst of events, so CLI commands
  run while the app serves; see :class:`Store`.
* Nothing but the login page, the static assets (stylesheet and scripts, no data) and the
  webhook (which checks its own token or signature) answers without a login: a page asks
  for the session cookie, a JSON endpoint for the session cookie or an API token
  (``Authorization: Bearer <token>``, see ``livebase token add``).
* Without them a page redirects to ``/login?next=<page>`` and a JSON endpoint answers 401
  in the error envelope (:mod:`livebase.web.errors`).
* The session cookie is signed with the workspace's secret, expires after 12 hours, is
  ``HttpOnly`` and ``SameSite=Strict``, and ``Secure`` unless the app serves plain HTTP
  on the loopback address; logging out clears it.
* An address whose path or query holds a control character (``%00`` …) is refused with
  400 before any page or endpoint reads it.
* Every answer carries the security headers of :mod:`livebase.web.headers` (a content
  security policy, ``nosniff``, no framing, no caching, no referrer to other sites).
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import shutil
import threading
import time
import uuid
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from livebase.engine import StoreBusy, connect, duckdb_url, lock_wait_s
from livebase.engine import parse as engine_parse
from livebase.errors import ConfigError, EngineError, InputError, InsufficientData
from livebase.ingest.normalize import CONTROL
from livebase.store.workspace import Workspace
from livebase.web import auth
from livebase.web.errors import CODES, ApiError, envelope
from livebase.web.headers import secured

COOKIE = "livebase_session"
STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"
PUBLIC_PREFIXES = ("/static/", "/webhook/")
PUBLIC_PATHS = ("/login",)
# the errors an HTML page names in the reader's language (others: a generic title)
PAGE_CODES = ("bad_input", "not_found", "insufficient_data", "invalid_request", "internal")
log = logging.getLogger("livebase.web")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


# The store files this process holds, shared by every Store on the same file: a lock for
# its writers and snapshots, and how many DuckDB connections of this process are open on
# it. No snapshot is copied while one is: closing the copy's descriptor would drop the
# process's POSIX lock on the file (DuckDB's lock) under that connection.
_FILES = threading.Lock()
_FILE_LOCKS: dict[str, threading.RLock] = {}
_OPEN: Counter[str] = Counter()


def _file_lock(path: Path) -> threading.RLock:
    with _FILES:
        return _FILE_LOCKS.setdefault(str(path), threading.RLock())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _open_here(path: Path) -> bool:
    """Whether this process has ``path`` open (Linux: ``/proc/self/fd``; elsewhere only
    the Stores' own writers are known, through ``_OPEN``)."""
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        return False
    target = str(path)
    for name in os.listdir(fds):
        try:
            if os.readlink(fds / name) == target:
                return True
        except OSError:  # closed meanwhile
            continue
    return False


def _share(path: Path, wait: float) -> int | None:
    """A read descriptor of ``path`` holding a shared POSIX lock (DuckDB's writers then
    wait), or ``None`` when a writer of another process held it for ``wait`` seconds."""
    import fcntl

    deadline = time.monotonic() + wait
    pause = 0.05
    fd = os.open(path, os.O_RDONLY)
    while True:
        try:
            fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            return fd
        except OSError:  # EAGAIN / EACCES: a writer holds it
            left = deadline - time.monotonic()
            if left <= 0:
                os.close(fd)
                return None
            time.sleep(min(pause, left))  # bounded by the wait
            pause = min(pause * 2, 0.25)


def _names(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (a compacted store is a new
    file moved over the old one; the old one must never be copied).

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = Path(d) / "s"
    ...     _ = p.write_bytes(b"x")
    ...     fd = os.open(p, os.O_RDONLY)
    ...     before = _names(fd, p)
    ...     _ = (Path(d) / "t").write_bytes(b"y")
    ...     os.replace(Path(d) / "t", p)
    ...     after = _names(fd, p)
    ...     os.close(fd)
    >>> before, after
    (True, False)
    """
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def _copy(source: int, target: Path) -> None:
    """Copy the open file ``source`` (never closing another descriptor of it) to ``target``."""
    size = os.fstat(source).st_size
    out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        done = 0
        try:
            while done < size:
                n = os.copy_file_range(source, out, size - done, done, done)
                if n == 0:
                    break
                done += n
        except (AttributeError, OSError):  # no copy_file_range here: plain reads
            while done < size:
                chunk = os.pread(source, min(1 << 20, size - done), done)
                if not chunk:
                    break
                os.pwrite(out, chunk, done)
                done += len(chunk)
    finally:
        os.close(out)


class Store:
    """The app's workspace: the pages' reads, the webhook's writes, and the pages' data
    cached until the data changes.

    On a DuckDB file (the default engine) one process holding the file excludes every
    other, so the app holds the store only briefly and CLI commands (an import, segment)
    run while it serves:

    * Pages read a snapshot: a copy of the store file (and its WAL) in
      ``<workspace>/.serve/``, opened read-only; the copy is made under a shared lock on
      the store file (another process's writer waits), never while this process has a
      connection open on it.
    * A keeper thread checks the store file every ``REFRESH_S`` seconds (size, time,
      WAL): when it changed and no other process holds it, a new snapshot replaces the
      old one (deleted) and the cache is emptied; while another process holds it, the
      pages keep the snapshot they have (``as_of`` says when it was taken).
    * The webhook writes through :meth:`try_write`: the store is opened read-write for a
      burst and, while open, the pages read it (so an event shows at once); the keeper
      closes it after ``IDLE_S`` seconds without writes and snapshots it, the pages
      waiting for the copy.
    * A burst lasts ``MAX_BURST_S`` at most, then the store stays free for ``COOL_S``
      (longer than a waiting command's pause between tries), so a steady stream of
      events never keeps a command out; events arriving meanwhile wait it out.
    * :meth:`try_write` yields ``None`` when another process held the store for its
      wait: the webhook then spools the event (``spool``), which the keeper drains when
      the store frees, and on start-up and shutdown.
    * A store larger than ``LIVEBASE_SNAPSHOT_MAX_MB`` (default 16384), a store this
      process already has open elsewhere, an in-memory store, and a server engine
      (PostgreSQL, Spark: other processes may read and write it meanwhile) are held open
      for the app's life instead, behind one lock; there a cache entry is also rebuilt
      once it is ``SHARED_TTL`` seconds old.
    """

    CACHE_SIZE = 256
    SHARED_TTL = 60.0
    REFRESH_S = 2.0  # how often the store file is checked for changes
    IDLE_S = 1.0  # the writer closes after this long without a write
    MAX_BURST_S = 5.0  # … and after this long open, then pauses COOL_S
    COOL_S = 0.25  # longer than a waiting command's longest pause (engine: 0.1 s)
    TICK_S = 0.1
    DRAIN_RETRY_S = 0.5
    LOCAL_WAIT_S = 30.0  # how long a request waits for this process's other writers
    SHUTDOWN_DRAIN_S = 5.0
    SNAPSHOT_MAX_MB = 16384.0
    SNAPSHOT_MAX_ENV = "LIVEBASE_SNAPSHOT_MAX_MB"

    def __init__(self, root: Path, *, engine: str | None = None) -> None:
        self.root = Path(root)
        ws = Workspace.open(self.root, engine=engine)  # waits for the store like a command
        self.config = ws.config
        self.secret = auth.workspace_secret(ws)
        self.ttl = None if ws.con.name == "duckdb" else self.SHARED_TTL
        self._lock = threading.RLock()
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self.spool: Any = None  # set by the webhook: pending(), drain(store)
        self.as_of: dt.datetime | None = None  # when the pages' snapshot was taken (UTC)
        parsed = engine_parse(self.config.engine)
        try:
            self.lock_wait = lock_wait_s(parsed.settings)
            self.file = self._store_file(parsed)
        except ConfigError:
            ws.close()
            raise
        self._direct: Workspace | None = None
        if self.file is None:
            self._direct = ws
            return
        # snapshots
        self.serve_dir = self.root / ".serve"
        self.serve_dir.mkdir(mode=0o700, exist_ok=True)
        self._tag = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._seq = 0
        self._snapshot: Path | None = None
        self._reader: Workspace | None = None
        self._writer: Workspace | None = None
        self._seen: tuple[Any, ...] | None = None
        self._wlock = _file_lock(self.file)
        self._closing = False
        self._cool_until = 0.0
        self._burst_start = self._last_write = 0.0
        self._checked = time.monotonic()
        self._next_drain = 0.0
        self._clean_stale()
        ws.close()  # DuckDB checkpoints on close
        if _open_here(self.file):  # this process holds it otherwise: hold it as before
            self.file = None
            self._direct = Workspace.open(self.root, engine=engine)
            return
        if not self._take_snapshot(self.lock_wait):
            raise StoreBusy(str(self.file), None)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._keeper = threading.Thread(target=self._keep, name="livebase-store", daemon=True)
        self._keeper.start()
        atexit.register(self._halt)  # never a DuckDB call in a thread at interpreter exit

    # ------------------------------------------------------------ set-up

    def _store_file(self, parsed: Any) -> Path | None:
        """The DuckDB file to snapshot, or ``None`` to hold the store open (see above)."""
        if parsed.backend != "duckdb" or not parsed.target:
            return None
        try:
            import fcntl  # noqa: F401  (POSIX locks: not on Windows)
        except ImportError:
            return None
        path = Path(parsed.target)
        if not path.is_absolute():
            path = self.root / path
        path = path.resolve()
        text = os.environ.get(self.SNAPSHOT_MAX_ENV, "").strip()
        try:
            limit = float(text) if text else self.SNAPSHOT_MAX_MB
        except ValueError:
            raise ConfigError(
                f"{self.SNAPSHOT_MAX_ENV} must be a size in MB, not {text!r}"
            ) from None
        size = sum(p.stat().st_size for p in (path, _wal(path)) if p.exists())
        return path if size <= limit * 1e6 else None

    @property
    def snapshots(self) -> bool:
        """Whether the pages read snapshots (else the store is held open)."""
        return self.file is not None

    def _clean_stale(self) -> None:
        """Delete the snapshots of servers that are gone (killed, crashed)."""
        for path in self.serve_dir.glob("snapshot-*.duckdb*"):
            pid = path.name.split("-")[1]
            if pid.isdigit() and not _alive(int(pid)):
                path.unlink(missing_ok=True)

    # ------------------------------------------------------------ reading

    def _current(self) -> Workspace:
        if self._direct is not None:
            return self._direct
        current = self._writer or self._reader
        if current is None:
            raise EngineError("the store is closed")
        return current

    @property
    def ws(self) -> Workspace:
        """What the pages read now (the snapshot, the writer during a burst)."""
        return self._current()

    @contextmanager
    def use(self, *, write: bool = False) -> Iterator[Workspace]:
        """The workspace to read (under the lock); with ``write`` the store itself,
        waiting for it as a command does (:class:`StoreBusy` after the lock wait)."""
        if write:
            with self.try_write(self.lock_wait) as ws:
                if ws is None:
                    raise StoreBusy(str(self.file), None)
                yield ws
            return
        with self._lock:
            yield self._current()

    def cached(self, key: Hashable, build: Callable[[Workspace], Any]) -> Any:
        """``build(ws)``, or what it returned for ``key`` since the data last changed."""
        with self._lock:
            if key in self._cache:
                built, value = self._cache[key]
                if self.ttl is None or time.monotonic() - built < self.ttl:
                    self._cache.move_to_end(key)
                    return value
            value = build(self._current())
            self._cache[key] = (time.monotonic(), value)
            self._cache.move_to_end(key)
            if len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
            return value

    # ------------------------------------------------------------ writing

    @contextmanager
    def try_write(
        self, wait: float, *, local_wait: float | None = None
    ) -> Iterator[Workspace | None]:
        """The store opened read-write (under the lock; the cache is emptied after), or
        ``None`` when another process held it for ``wait`` seconds or this process's
        other writers (and a closing or pausing writer) for ``local_wait`` seconds
        (default ``LOCAL_WAIT_S``)."""
        if self._direct is not None:
            with self._lock:
                try:
                    yield self._direct
                finally:
                    self._cache.clear()
            return
        local = self.LOCAL_WAIT_S if local_wait is None else local_wait
        if not self._acquire_writer(wait, local):
            yield None
            return
        try:
            with self._lock:
                try:
                    yield self._writer
                finally:
                    self._cache.clear()
                    self._last_write = time.monotonic()
        finally:
            self._wlock.release()

    def _acquire_writer(self, wait: float, local_wait: float) -> bool:
        """Hold ``_wlock`` with the writer open (True), or nothing (False): ``wait`` is how
        long another process may keep the store, ``local_wait`` how long this process's
        own writers (a request's group, the drain, a closing writer) may."""
        local = time.monotonic() + local_wait
        while True:
            # the writer closing, or pausing for a command: wait that out
            while self._closing or time.monotonic() < self._cool_until:
                if time.monotonic() >= local:
                    return False
                time.sleep(0.02)  # bounded by local_wait
            if not self._wlock.acquire(timeout=max(local - time.monotonic(), 0.01)):
                return False
            if self._writer is not None:
                return True
            if not (self._closing or time.monotonic() < self._cool_until):
                break
            self._wlock.release()  # a close came first: wait for it as above
        try:
            con = connect(self.config.engine, home=self.root, lock_wait=wait)
        except StoreBusy:
            self._wlock.release()
            return False
        except EngineError as exc:  # e.g. this process opened it otherwise meanwhile
            log.warning("cannot open the store for writing: %s", exc)
            self._wlock.release()
            return False
        writer = Workspace(self.root, self.config)
        writer.__dict__["con"] = con
        with self._lock:
            self._writer = writer
            self._cache.clear()  # the pages read the store itself now
        with _FILES:
            _OPEN[str(self.file)] += 1
        self._burst_start = self._last_write = time.monotonic()
        return True

    def burst_over(self) -> bool:
        """Whether the writer has been open for ``MAX_BURST_S`` (drains stop there)."""
        return self._writer is not None and time.monotonic() - self._burst_start >= (
            self.MAX_BURST_S
        )

    def _close_writer(self, *, cool: bool) -> None:
        """Checkpoint and close the writer, then snapshot the store with the reads held,
        so the pages go from the store to its copy without a step back (unless another
        process takes the store in between: then the pages read the last snapshot until
        that process lets go)."""
        self._closing = True
        try:
            with self._wlock, self._lock:
                if self._writer is None:
                    return
                writer, self._writer = self._writer, None
                try:
                    writer.con.raw_sql("CHECKPOINT")
                finally:
                    writer.close()
                    with _FILES:
                        _OPEN[str(self.file)] -= 1
                    self._cache.clear()
                self._take_snapshot(0.0)
                if cool:  # before a waiting writer of this process gets the lock
                    self._cool_until = time.monotonic() + self.COOL_S
        finally:
            self._closing = False

    # ------------------------------------------------------------ snapshots

    def _stat(self) -> tuple[Any, ...]:
        assert self.file is not None
        out: list[Any] = []
        for path in (self.file, _wal(self.file)):
            try:
                st = path.stat()
            except FileNotFoundError:
                out.append(None)
            else:
                out.append((st.st_size, st.st_mtime_ns, st.st_ino))
        return tuple(out)

    def changed(self) -> bool:
        """Whether the store file differs from the one the snapshot was taken of."""
        return self._stat() != self._seen

    def refresh(self, *, force: bool = False) -> bool:
        """Take a new snapshot if the store changed (or ``force``) and no process holds
        it; True when the pages now read a new one."""
        if self.file is None or self._writer is not None:
            return False
        if not (force or self.changed()):
            return False
        return self._take_snapshot(0.0)

    def _take_snapshot(self, wait: float) -> bool:
        """Copy the store under a shared lock and read the copy; False when another
        process held the store for ``wait`` seconds (a caller holding ``_lock`` keeps the
        pages waiting meanwhile, else they read the old snapshot until the switch)."""
        assert self.file is not None
        with self._wlock:
            with _FILES:
                if _OPEN[str(self.file)] > 0:
                    return False
            if _open_here(self.file):  # a connection of this process outside the Store
                return False
            try:
                fd = _share(self.file, wait)
            except OSError as exc:  # the file is gone (moved, being replaced)
                log.warning("cannot read the store for the pages: %s", exc)
                return False
            if fd is None:
                return False
            if not _names(fd, self.file):  # replaced while we waited (livebase erase)
                os.close(fd)
                return False
            self._seq += 1
            target = self.serve_dir / f"snapshot-{self._tag}-{self._seq}.duckdb"
            try:
                seen = self._stat()
                started = time.perf_counter()
                _copy(fd, target)
                wal = _wal(self.file)
                if wal.exists() and wal.stat().st_size:
                    shutil.copyfile(wal, _wal(target))
                took = time.perf_counter() - started
            except OSError as exc:  # a full disk: keep the snapshot we have
                log.warning("cannot copy the store for the pages: %s", exc)
                _remove(target)
                return False
            finally:
                os.close(fd)
        try:
            reader = self._open_reader(target)
        except Exception:
            _remove(target)
            raise
        with self._lock:
            old, self._reader = self._reader, reader
            old_path, self._snapshot = self._snapshot, target
            self._seen = seen
            self.as_of = utc_now()
            self._cache.clear()
            if old is not None:
                old.close()
        if old_path is not None:
            _remove(old_path)
        log.debug("snapshot %s taken in %.3f s", target.name, took)
        return True

    def _open_reader(self, path: Path) -> Workspace:
        settings = dict(engine_parse(self.config.engine).settings)
        settings.pop("lock_wait", None)
        url = duckdb_url(path) + (f"?{urlencode(settings)}" if settings else "")
        reader = Workspace(self.root, self.config)
        reader.__dict__["con"] = connect(url, read_only=True, lock_wait=0)
        return reader

    # ------------------------------------------------------------ the keeper

    def wake(self) -> None:
        """Run the keeper now (an event was spooled)."""
        if self._direct is None:
            self._wake.set()

    def _halt(self) -> None:
        self._stop.set()
        self._wake.set()
        self._keeper.join(timeout=30)

    def _keep(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.TICK_S)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self._tick()
            except Exception:
                log.exception("the store keeper failed (it goes on)")

    def _tick(self) -> None:
        now = time.monotonic()
        if self._writer is not None:
            if now - self._last_write >= self.IDLE_S:
                self._close_writer(cool=False)
            elif now - self._burst_start >= self.MAX_BURST_S:
                self._close_writer(cool=True)
        spool = self.spool
        drain = spool is not None and now >= self._next_drain and spool.pending()
        if drain and not spool.drain(self):
            self._next_drain = time.monotonic() + self.DRAIN_RETRY_S
        if self._writer is None and now - self._checked >= self.REFRESH_S:
            self._checked = now
            self.refresh()

    def attach_spool(self, spool: Any) -> None:
        """Spooled events go to the store from now on, those of an earlier run first."""
        if spool.pending():
            spool.drain(self)  # before the keeper sees it: one drainer at a time
        self.spool = spool

    # ------------------------------------------------------------ closing

    def close(self) -> None:
        """Stop the keeper, drain the spool (for ``SHUTDOWN_DRAIN_S`` at most; what is
        left waits for the next start), close the store and delete the snapshot."""
        if self._direct is not None:
            with self._lock:
                self._cache.clear()
                self._direct.close()
            return
        atexit.unregister(self._halt)
        self._halt()
        self._cool_until = 0.0
        deadline = time.monotonic() + self.SHUTDOWN_DRAIN_S
        spool = self.spool
        while spool is not None and spool.pending() and time.monotonic() < deadline:
            if spool.drain(self):
                break
            if self.burst_over():
                self._close_writer(cool=False)
            time.sleep(0.05)  # bounded by the deadline
        if spool is not None and spool.pending():
            log.warning("webhook events are left in the spool for the next start")
        with self._wlock, self._lock:
            self._cache.clear()
            if self._writer is not None:
                writer, self._writer = self._writer, None
                writer.close()
                with _FILES:
                    _OPEN[str(self.file)] -= 1
            if self._reader is not None:
                self._reader.close()
                self._reader = None
            if self._snapshot is not None:
                _remove(self._snapshot)
                self._snapshot = None


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _remove(path: Path) -> None:
    for p in (path, _wal(path)):
        p.unlink(missing_ok=True)


def plotly_bundle() -> Path:
    """plotly.js as shipped inside the plotly package."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.endswith(".json") or path.startswith(("/api/", "/webhook/"))


def _safe_next(target: str | None) -> str:
    """Only a local path may be the target after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def create_app(
    root: Path,
    *,
    secure_cookies: bool = True,
    clock: Callable[[], dt.datetime] = utc_now,
    engine: str | None = None,
) -> FastAPI:
    """The app of the workspace at ``root``; ``secure_cookies=False`` only for plain HTTP
    on the loopback address (``livebase serve`` decides); ``engine`` overrides the
    workspace's engine URL."""
    store = Store(root, engine=engine)
    app = FastAPI(
        title="livebase",
        description="The dashboard's data as JSON, and the event webhook.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.store = store
    app.state.clock = clock
    app.state.templates = TEMPLATES

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> Response:
        # the bundle of the installed plotly package: served locally, never from a CDN
        from fastapi.responses import FileResponse

        return FileResponse(plotly_bundle(), media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def current_user(request: Request) -> str | None:
        cookie = request.cookies.get(COOKIE)
        user = auth.read_session(store.secret, cookie, now=clock())
        if user is not None:
            return user
        header = request.headers.get("authorization", "")
        if wants_json(request) and header.lower().startswith("bearer "):
            with store.use() as ws:
                name = auth.check_token(ws, header[7:].strip())
            return None if name is None else f"token:{name}"
        return None

    @app.middleware("http")
    async def gate(request: Request, call_next):
        path = request.url.path
        texts = [path]
        if not path.startswith("/webhook/"):  # the webhook checks its own parameters
            texts += [k + v for k, v in request.query_params.multi_items()]
        if any(CONTROL.search(x) for x in texts):
            return secured(problem(request, 400, "the address contains a control character"))
        if not path.startswith("/webhook/") and request.scope.get("query_string"):
            # an empty filter field of a page's form means "no filter"
            pairs = [(k, v) for k, v in request.query_params.multi_items() if v != ""]
            request.scope["query_string"] = urlencode(pairs).encode("latin-1")
            request = Request(request.scope, request.receive)
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            response = await call_next(request)
        else:
            user = current_user(request)
            if user is None:
                if wants_json(request):
                    response = envelope(
                        401, "log in, or send an API token: Authorization: Bearer <token>"
                    )
                else:
                    query = request.url.query
                    target = quote(path + (f"?{query}" if query else ""), safe="")
                    lang = request.query_params.get("lang")
                    extra = f"&lang={quote(lang)}" if lang in ("ru", "en") else ""
                    response = RedirectResponse(f"/login?next={target}{extra}", status_code=303)
            else:
                request.state.user = user
                response = await call_next(request)
        return secured(response)

    def problem(request: Request, status: int, message: str, code: str | None = None):
        """The error envelope for the API and the webhook, an HTML page for a page."""
        code = code or CODES.get(status, "error")
        if wants_json(request) or request.method != "GET":
            return envelope(status, message, code)
        from livebase.web.render import page_lang, render

        lang = page_lang(request.query_params.get("lang"))
        context = {"code": code if code in PAGE_CODES else "error", "message": message}
        return render(request, "error.html", context, lang=lang, status=status)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError):
        return problem(request, exc.status, exc.message, exc.code)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404:
            message = f"no such page: {request.url.path}"
        return problem(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
        return problem(request, 422, f"{where}: {first.get('msg', 'invalid')}".strip(": "))

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError):
        return problem(request, 400, str(exc))

    @app.exception_handler(InsufficientData)
    async def insufficient(request: Request, exc: InsufficientData):
        return problem(request, 409, str(exc))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception):
        log.exception("unhandled error on %s", getattr(request.scope.get("route"), "path", "?"))
        return problem(request, 500, "internal error: see the server's log")

    @app.get("/login", response_class=HTMLResponse, include_in_schema=False)
    def login_page(request: Request, next: str = "/", lang: str = "ru", failed: int = 0):
        from livebase.web.render import render

        return render(
            request,
            "login.html",
            {"next": _safe_next(next), "failed": bool(failed)},
            lang=lang,
            status=401 if failed else 200,
        )

    @app.post("/login", include_in_schema=False)
    def login(
        username: str = Form(...),
        password: str = Form(...),
        next: str = Form("/"),
        lang: str = Form("ru"),
    ):
        with store.use() as ws:
            ok = auth.check_login(ws, username, password)
        if not ok:
            target = f"/login?failed=1&lang={quote(lang)}&next={quote(_safe_next(next))}"
            return RedirectResponse(target, status_code=303)
        response = RedirectResponse(_safe_next(next), status_code=303)
        response.set_cookie(
            COOKIE,
            auth.make_session(store.secret, username, now=clock()),
            max_age=12 * 3600,
            httponly=True,
            samesite="strict",
            secure=secure_cookies,
            path="/",
        )
        return response

    @app.post("/logout", include_in_schema=False)
    def logout():
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_document() -> Response:
        from fastapi.responses import JSONResponse

        return JSONResponse(app.openapi())

    from livebase.web.pages import register_pages
    from livebase.web.webhook_routes import register_webhook

    register_pages(app)
    register_webhook(app)
    return app
