"""Dashboard render time on the demo school (issue 8: "pages render in under a second").

Every page of the dashboard and its JSON twin is requested over HTTP from a real uvicorn
server on 127.0.0.1 (in a thread of this process), with the session cookie of a bench user
who logged in through ``POST /login``, as a browser would:

* the school is ``livebase.demo.run_demo(folder, customers=N, seed=7, lang="ru")``, built
  once into ``bench/data/web-demo`` (``web-demo-<N>`` for other sizes) by a child process,
  plus the monetary segment snapshots of the month-ends 2025-01-31 … 2025-04-30 that the
  store lacks (so the segment trend has points to draw);
* the pages are ``/``, ``/segments``, ``/cohorts``, ``/risk``, ``/waves``, the R90 wave's
  page and the card of that wave's treated customer with the most message events, each in
  Russian and English, and each page's ``.json`` twin with the same ``lang``;
* time = wall time of one full request (a new connection, the whole body read); "cold" is
  the first request of each URL in this server, then ``--repeat`` rounds request every URL
  once in turn (so background load falls on all alike) and the table shows their median;
* the twin builds the same data as the page without the template and the chart figures,
  so page − twin is the time of rendering;
* peak RSS is this process's ``ru_maxrss`` (the server, its imports and the small HTTP
  client; the school is built and prepared in child processes, so their memory is not in it);
* a page (Russian) whose warm median is at least ``--threshold`` seconds is requested twice
  more, its endpoint run in the server's worker thread once under timers of every query
  (Ibis → SQL compile, and DuckDB's run and fetch) and once under cProfile.

Usage: ``python bench/web_bench.py [--customers 20000] [--repeat 5] [--out FILE]`` (the
markdown goes to ``--out`` and the raw figures next to it as ``.json``; without ``--out``
the markdown goes to stdout).
"""

from __future__ import annotations

import argparse
import cProfile
import http.client
import json
import os
import pstats
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from report import fmt_s, log, machine, median  # noqa: E402

DEMO_SEED = 7
DEFAULT_CUSTOMERS = 20_000
SNAPSHOTS = ("2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30")
BENCH_USER = "bench"
META = ".bench-web.json"
LANGS = ("ru", "en")
PASSWORD_ENV = "LIVEBASE_BENCH_PASSWORD"


def parse_count(text: str) -> int:
    """``20000``, ``20k`` or ``1M`` as a number."""
    t = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(t[-1:], 1)
    return int(float(t[:-1] if scale > 1 else t) * scale)


def demo_folder(data_dir: Path, customers: int) -> Path:
    name = "web-demo" if customers == DEFAULT_CUSTOMERS else f"web-demo-{customers}"
    return data_dir / name


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def commit() -> str:
    """The short id of the checked-out commit, read from .git (no git process)."""
    git = HERE.parent / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head[:7]
        ref = head[5:]
        path = git / ref
        if path.exists():
            return path.read_text().strip()[:7]
        for line in (git / "packed-refs").read_text().splitlines():
            if line.endswith(" " + ref):
                return line[:7]
    except OSError:
        pass
    return "unknown"


# ----------------------------------------------------------------- the school (child)


def prepare(folder: Path, customers: int) -> dict:
    """Build the demo school unless built, add the missing month-end snapshots, add the
    bench user, and pick the R90 wave and a customer; runs in a child process."""
    from livebase.demo import DEMO_MARKER, run_demo
    from livebase.segments.build import build_segments
    from livebase.store.workspace import Workspace
    from livebase.web.auth import add_user
    from livebase.web.data import segment_dates

    out: dict = {"folder": str(folder), "customers": customers}
    meta_path = folder / META
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
    if meta and (meta["customers"], meta["seed"]) != (customers, DEMO_SEED):
        raise SystemExit(f"{folder} holds another school ({meta}); remove it first")
    if meta is None:
        if folder.exists():
            if not (folder / DEMO_MARKER).exists():
                raise SystemExit(f"{folder} exists and is not a demo school; remove it first")
            log(f"{folder}: an unfinished build, removed")
            shutil.rmtree(folder)
        log(f"building the demo school ({customers:,} customers) into {folder}")
        t0 = time.perf_counter()
        run_demo(folder, customers=customers, seed=DEMO_SEED, lang="ru")
        meta = {
            "customers": customers,
            "seed": DEMO_SEED,
            "built_in_s": round(time.perf_counter() - t0, 1),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        meta_path.write_text(json.dumps(meta, indent=1) + "\n")
        log(f"built in {meta['built_in_s']:,.0f} s")
    out["demo"] = meta
    ws = Workspace.open(folder)
    try:
        have = set(segment_dates(ws))
        added = {}
        for day in (date.fromisoformat(x) for x in SNAPSHOTS):
            if day in have:
                continue
            t0 = time.perf_counter()
            build_segments(ws, day)
            added[day.isoformat()] = round(time.perf_counter() - t0, 2)
            log(f"segments of {day} built in {added[day.isoformat()]:.1f} s")
        out["snapshots_added"] = added
        out["snapshots"] = [d.isoformat() for d in segment_dates(ws)]
        add_user(ws, BENCH_USER, os.environ[PASSWORD_ENV])
        con = ws.con.con  # the raw DuckDB connection: two small lookups
        row = con.execute(
            "SELECT wave_id FROM waves WHERE segment = 'R90' ORDER BY starts_on, wave_id LIMIT 1"
        ).fetchone()
        if row is None:
            raise SystemExit(f"{folder}: no R90 wave")
        out["wave_id"] = row[0]
        cid = con.execute(
            """
            SELECT a.customer_id, count(m.event_id) AS n
            FROM assignments a LEFT JOIN messages m USING (customer_id)
            WHERE a.wave_id = ? AND a.arm <> 'holdout'
            GROUP BY a.customer_id ORDER BY n DESC, a.customer_id LIMIT 1
            """,
            [out["wave_id"]],
        ).fetchone()
        out["customer_id"], out["customer_messages"] = cid
        out["customer_orders"] = con.execute(
            "SELECT count(*) FROM orders WHERE customer_id = ?", [cid[0]]
        ).fetchone()[0]
        out["customers_in_store"] = con.execute("SELECT count(*) FROM customers").fetchone()[0]
    finally:
        ws.close()
    return out


# ------------------------------------------------------------------ the client


@dataclass
class Url:
    page: str  # label of the page
    lang: str
    path: str  # the page, with ?lang=
    twin: str  # its JSON twin, with ?lang=


@dataclass
class Timing:
    cold: float = 0.0
    warm: list[float] = field(default_factory=list)
    warm_cpu: list[float] = field(default_factory=list)  # the process's CPU seconds
    size: int = 0
    status: int = 0


class Client:
    """HTTP/1.1 over a new connection per request, the session cookie sent along."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""
        self.cpu = 0.0  # CPU seconds of the whole process (every thread) in the last request

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, bytes, http.client.HTTPResponse, float]:
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        wall = time.perf_counter() - t0
        self.cpu = time.process_time() - cpu0
        return resp.status, data, resp, wall

    def login(self, username: str, password: str) -> float:
        form = urlencode({"username": username, "password": password, "next": "/"}).encode()
        status, _, resp, wall = self.request(
            "POST",
            "/login",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        cookie = resp.getheader("set-cookie") or ""
        if status != 303 or not cookie.startswith("livebase_session="):
            raise SystemExit(f"login failed: HTTP {status}")
        self.cookie = cookie.split(";", 1)[0]
        return wall

    def get(self, path: str) -> tuple[int, int, float]:
        status, data, _, wall = self.request("GET", path)
        if status != 200:
            raise SystemExit(f"GET {path}: HTTP {status}: {data[:300]!r}")
        return status, len(data), wall


def urls(wave_id: str, customer_id: str) -> list[Url]:
    pages = [
        ("overview", "/", "/index.json"),
        ("segments", "/segments", "/segments.json"),
        ("cohorts", "/cohorts", "/cohorts.json"),
        ("risk", "/risk", "/risk.json"),
        ("waves", "/waves", "/waves.json"),
        (f"wave {wave_id}", f"/waves/{quote(wave_id, safe='')}", None),
        ("customer card", f"/customers/{quote(customer_id, safe='')}", None),
    ]
    out = []
    for label, path, twin in pages:
        for lang in LANGS:
            q = f"?lang={lang}"
            out.append(Url(label, lang, path + q, (twin or path + ".json") + q))
    return out


# ----------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(app, port: int):
    import uvicorn

    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise SystemExit("uvicorn did not start")
        time.sleep(0.02)
    return server, thread


@contextmanager
def query_timers():
    """Time every query the Ibis DuckDB backend runs (``execute``, ``to_pyarrow``), and its
    compile step (``_to_duckdb_relation``: Ibis expression → SQL → relation), labelled with
    the innermost livebase line outside the web package that ran it."""
    from ibis.backends.duckdb import Backend

    src = str(HERE.parent / "src" / "livebase") + "/"
    web = src + "web/"
    found: dict[str, dict] = {}
    depth = [0]
    compile_s = [0.0]

    def where() -> str:
        frame = sys._getframe(2)
        fallback = "?"
        while frame is not None:
            name = frame.f_code.co_filename
            if name.startswith(src):
                label = f"{name[len(src) - 9 :]}:{frame.f_lineno} ({frame.f_code.co_name})"
                if not name.startswith(web):
                    return label
                fallback = label if fallback == "?" else fallback
            frame = frame.f_back
        return fallback

    def timed(method: str):
        original = getattr(Backend, method)

        def run(self, *a, **k):
            if depth[0]:
                return original(self, *a, **k)
            label = where()
            depth[0] += 1
            compile_s[0] = 0.0
            t0 = time.perf_counter()
            try:
                return original(self, *a, **k)
            finally:
                depth[0] -= 1
                blank = {"where": label, "calls": 0, "s": 0.0, "compile_s": 0.0}
                q = found.setdefault(label, blank)
                q["calls"] += 1
                q["s"] += time.perf_counter() - t0
                q["compile_s"] += compile_s[0]

        return original, run

    def compiling(original):
        def run(self, *a, **k):
            t0 = time.perf_counter()
            try:
                return original(self, *a, **k)
            finally:
                compile_s[0] += time.perf_counter() - t0

        return run

    saved = {}
    for method in ("execute", "to_pyarrow"):
        saved[method], wrapper = timed(method)
        setattr(Backend, method, wrapper)
    saved["_to_duckdb_relation"] = Backend._to_duckdb_relation
    Backend._to_duckdb_relation = compiling(Backend._to_duckdb_relation)
    try:
        yield found
    finally:
        for method, original in saved.items():
            setattr(Backend, method, original)


class EndpointHook:
    """Runs the next sync endpoint the server calls (in its worker thread) under the query
    timers or under cProfile: FastAPI calls every sync endpoint through
    ``fastapi.routing._run_sync_endpoint``, which this wraps while installed."""

    def __init__(self) -> None:
        import fastapi.routing as routing

        self.routing = routing
        self.original = routing._run_sync_endpoint
        self.mode: str | None = None
        self.seconds = 0.0
        self.queries: dict[str, dict] = {}
        self.profile: cProfile.Profile | None = None

    def __enter__(self) -> EndpointHook:
        self.routing._run_sync_endpoint = self.run
        return self

    def __exit__(self, *exc) -> None:
        self.routing._run_sync_endpoint = self.original

    def run(self, *, function, arguments):
        mode, self.mode = self.mode, None
        t0 = time.perf_counter()
        try:
            if mode == "timers":
                with query_timers() as self.queries:
                    return self.original(function=function, arguments=arguments)
            if mode == "cprofile":
                self.profile = cProfile.Profile()
                self.profile.enable()
                try:
                    return self.original(function=function, arguments=arguments)
                finally:
                    self.profile.disable()
            return self.original(function=function, arguments=arguments)
        finally:
            if mode:
                self.seconds = time.perf_counter() - t0


def profile_route(client: Client, url: str, top: int = 15) -> dict:
    """Two more requests of ``url``: the endpoint once under the query timers, once under
    cProfile (both in the server's worker thread)."""
    with EndpointHook() as hook:
        hook.mode = "timers"
        plain_http = client.get(url)[2]
        plain, queries = hook.seconds, hook.queries
        hook.mode = "cprofile"
        client.get(url)
        wall, prof = hook.seconds, hook.profile
    if prof is None:
        raise SystemExit(f"{url}: the endpoint hook did not run (not a sync endpoint?)")
    stats = pstats.Stats(prof)
    root = str(HERE.parent / "src") + "/"
    stdlib = sysconfig.get_paths()["stdlib"] + "/"

    def name(key) -> str:
        file, line, func = key
        short = file.split("site-packages/", 1)[-1].replace(root, "").replace(stdlib, "")
        return f"{short}:{line}({func})"

    rows = [
        {"function": name(k), "calls": v[1], "own_s": v[2], "cum_s": v[3]}
        for k, v in stats.stats.items()  # type: ignore[attr-defined]
    ]
    by_package: dict[str, float] = {}
    for r in rows:
        key = package(r["function"])
        by_package[key] = by_package.get(key, 0.0) + r["own_s"]
    own = sorted(rows, key=lambda r: -r["own_s"])[:top]
    ours = sorted(
        (r for r in rows if r["function"].startswith("livebase/")), key=lambda r: -r["cum_s"]
    )[:top]
    return {
        "url": url,
        "wall_s": wall,
        "plain_s": plain,
        "plain_http_s": plain_http,
        "queries": sorted(queries.values(), key=lambda q: -q["s"]),
        "by_package": dict(sorted(by_package.items(), key=lambda kv: -kv[1])),
        "own": own,
        "livebase_cumulative": ours,
    }


def package(function: str) -> str:
    """Where a profiled function's own time counts: DuckDB's execution, a library, …"""
    if "_duckdb" in function:
        return "duckdb (queries run and fetched)"
    if function.startswith("templates/") or ".html:" in function:
        return "jinja2 (templates)"
    for prefix in ("ibis", "sqlglot", "pandas", "pyarrow", "numpy", "jinja2", "livebase"):
        if function.startswith(prefix + "/"):
            return prefix
    return "other (standard library, builtins, …)"


# ------------------------------------------------------------------- the report


def markdown(res: dict, threshold: float, top_queries: int = 12) -> str:
    info, prep = res["machine"], res["prepare"]
    lines = [
        f"Run {res['started'][:16].replace('T', ' ')}–{res['finished'][11:16]} UTC, commit "
        f"`{res['commit']}`, with `python bench/web_bench.py {' '.join(res['argv'])}`.",
        "",
        f"- Machine: {info['cpu']}, `nproc` = {info['nproc']}, memory {info['memory']} "
        f"(shared with other work); load average at start "
        f"{', '.join(f'{x:.2f}' for x in info['load_average'])}, at the end "
        f"{', '.join(f'{x:.2f}' for x in res['load_average_end'])}; {info['os']}, "
        f"Python {info['python']}; {res['versions']}.",
        f"- School: `run_demo(customers={prep['customers']:,}, seed={DEMO_SEED})` "
        f"({prep['customers_in_store']:,} customers in the store; built in "
        f"{prep['demo']['built_in_s']:,.0f} s on {prep['demo']['built_at'][:10]}), "
        f"monetary segment snapshots {', '.join(prep['snapshots'])} "
        f"({added_text(prep['snapshots_added'])}); the wave is "
        f"`{prep['wave_id']}`, the card is `{prep['customer_id']}` "
        f"({prep['customer_messages']:,} message events, {prep['customer_orders']} orders).",
        f"- Server: uvicorn in a thread of the bench process, one app "
        f"(`create_app(root, secure_cookies=False)`); a new connection per request; "
        f"{res['repeat']} warm rounds. Peak RSS {res['rss']['peak']:,.0f} MiB (after imports "
        f"{res['rss']['imports']:,.0f}, with the app open {res['rss']['app']:,.0f}, after the "
        f"cold requests {res['rss']['cold']:,.0f}).",
        f"- First request of the process (`/login` POST): {res['login_s']:.2f} s; the first "
        "page request also pays for first-use imports and template compiles.",
        "",
        "| page | lang | cold s | median s | CPU s | twin cold s | twin median s "
        "| page − twin s | size KB | twin KB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in res["rows"]:
        p, tw = row["page_t"], row["twin_t"]
        pm, tm = median(p["warm"]), median(tw["warm"])
        flag = f" **≥ {threshold:g} s**" if pm >= threshold else ""
        lines.append(
            f"| {row['page']} | {row['lang']} | {fmt_s(p['cold'])} | {fmt_s(pm)}{flag} | "
            f"{fmt_s(median(p['warm_cpu']))} | {fmt_s(tw['cold'])} | {fmt_s(tm)} | "
            f"{fmt_s(pm - tm)} | "
            f"{p['size'] / 1024:,.0f} | {tw['size'] / 1024:,.0f} |"
        )
    slow = [r for r in res["rows"] if median(r["page_t"]["warm"]) >= threshold]
    lines += [""]
    lines += [
        "CPU s: the median of the bench process's CPU time (every thread: the server, "
        "DuckDB's workers, the client) over the warm requests of the page; less "
        "disturbed by other work on the machine than the wall time.",
        "",
    ]
    if not slow:
        lines.append(f"Every page answers in under {threshold:g} s warm.")
    else:
        lines.append(
            f"At or above {threshold:g} s warm: "
            + ", ".join(
                f"{r['page']} ({r['lang']}, {median(r['page_t']['warm']):.2f} s)" for r in slow
            )
            + "."
        )
    for prof in res.get("profiles", []):
        lines += [
            "",
            f"Profile of `{prof['url']}`: two more requests, the endpoint (in the server's "
            f"worker thread) once under query timers ({prof['plain_s']:.2f} s; the whole "
            f"request {prof['plain_http_s']:.2f} s), once under cProfile "
            f"({prof['wall_s']:.2f} s). Own time by package (cProfile): "
            + ", ".join(f"{k} {v:.2f} s" for k, v in prof["by_package"].items() if v >= 0.01)
            + ".",
            "",
            "Queries of the plain call (`execute` / `to_pyarrow` of the Ibis DuckDB backend, "
            "by the livebase line that ran them; compile = Ibis expression → SQL → DuckDB relation "
            "(parsed and bound, not run), "
            "the rest is DuckDB running it and the result's conversion): "
            f"{sum(q['calls'] for q in prof['queries'])} queries, "
            f"{sum(q['s'] for q in prof['queries']):.2f} s, of which compile "
            f"{sum(q['compile_s'] for q in prof['queries']):.2f} s; the route's other "
            f"{prof['plain_s'] - sum(q['s'] for q in prof['queries']):.2f} s is Python "
            "outside these queries (building Ibis expressions, pandas, the template; SQL "
            "run another way, e.g. `raw_sql`, is in it too).",
            "",
            "| query run at | calls | s | compile s |",
            "|---|---:|---:|---:|",
            *(
                f"| `{q['where']}` | {q['calls']} | {q['s']:.2f} | {q['compile_s']:.2f} |"
                for q in prof["queries"][:top_queries]
            ),
            "",
            "livebase functions by cumulative time (under cProfile):",
            "",
            "| function | calls | own s | cumulative s |",
            "|---|---:|---:|---:|",
            *(
                f"| `{r['function']}` | {r['calls']:,} | {r['own_s']:.2f} | {r['cum_s']:.2f} |"
                for r in prof["livebase_cumulative"]
            ),
            "",
            "Most own time:",
            "",
            "| function | calls | own s | cumulative s |",
            "|---|---:|---:|---:|",
            *(
                f"| `{r['function']}` | {r['calls']:,} | {r['own_s']:.2f} | {r['cum_s']:.2f} |"
                for r in prof["own"]
            ),
        ]
    return "\n".join(lines) + "\n"


def added_text(added: dict[str, float]) -> str:
    if not added:
        return "all there already, none added"
    return "added by the bench: " + ", ".join(f"{k} in {v:.1f} s" for k, v in added.items())


def versions() -> str:
    from importlib.metadata import version

    names = ("fastapi", "starlette", "uvicorn", "jinja2", "plotly", "duckdb", "ibis-framework")
    return ", ".join(f"{n} {version(n)}" for n in names)


# ------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(description="dashboard render time (see bench/README.md)")
    p.add_argument("--customers", default=str(DEFAULT_CUSTOMERS), help="demo size (20k, 20000)")
    p.add_argument("--repeat", type=int, default=5, help="warm rounds over every URL")
    p.add_argument("--out", type=Path, help="markdown file (raw figures: same name, .json)")
    p.add_argument("--data-dir", type=Path, default=HERE / "data")
    p.add_argument("--threshold", type=float, default=1.0, help="profile pages this slow (s)")
    p.add_argument("--no-profile", action="store_true")
    p.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)  # the child's side
    args = p.parse_args(argv)
    customers = parse_count(args.customers)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    if args.prepare:
        print(json.dumps(prepare(args.prepare, customers)))
        return 0

    started = datetime.now(UTC)
    info = machine()
    folder = demo_folder(args.data_dir, customers)
    folder.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(24)
    log(f"preparing {folder} in a child process")
    child = subprocess.run(
        [sys.executable, __file__, "--prepare", str(folder), "--customers", str(customers)],
        stdout=subprocess.PIPE,
        env={**os.environ, PASSWORD_ENV: password},
        check=True,
    )
    prep = json.loads(child.stdout)

    rss: dict[str, float] = {}
    import uvicorn  # noqa: F401  (timed with the imports)

    from livebase.web.app import create_app

    rss["imports"] = rss_mib()
    app = create_app(folder, secure_cookies=False)
    rss["app"] = rss_mib()
    port = free_port()
    server, thread = start_server(app, port)
    log(f"uvicorn on 127.0.0.1:{port}")
    client = Client(port)
    login_s = client.login(BENCH_USER, password)
    targets = urls(prep["wave_id"], prep["customer_id"])
    pages = {u.path: Timing() for u in targets}
    twins = {u.twin: Timing() for u in targets}
    profiles: list[dict] = []
    try:
        for u in targets:  # cold: each URL's first request, the page before its twin
            for path, timing in ((u.path, pages[u.path]), (u.twin, twins[u.twin])):
                timing.status, timing.size, timing.cold = client.get(path)
            log(
                f"cold {u.page} {u.lang}: page {pages[u.path].cold:.2f} s, "
                f"twin {twins[u.twin].cold:.2f} s"
            )
        rss["cold"] = rss_mib()
        for k in range(args.repeat):
            for u in targets:
                for path, timing in ((u.path, pages[u.path]), (u.twin, twins[u.twin])):
                    timing.warm.append(client.get(path)[2])
                    timing.warm_cpu.append(client.cpu)
            log(f"warm round {k + 1}/{args.repeat} done")
        rss["peak"] = rss_mib()
        for u in targets:
            slow = median(pages[u.path].warm) >= args.threshold
            if slow and u.lang == "ru" and not args.no_profile:
                log(f"profiling {u.path}")
                profiles.append(profile_route(client, u.path))
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    rows = [
        {
            "page": u.page,
            "lang": u.lang,
            "path": u.path,
            "twin": u.twin,
            "page_t": asdict(pages[u.path]),
            "twin_t": asdict(twins[u.twin]),
        }
        for u in targets
    ]
    app.state.store.close()
    res = {
        "started": started.isoformat(timespec="minutes"),
        "finished": datetime.now(UTC).isoformat(timespec="minutes"),
        "argv": argv,
        "commit": commit(),
        "machine": info,
        "load_average_end": os.getloadavg(),
        "versions": versions(),
        "prepare": prep,
        "repeat": args.repeat,
        "rss": rss,
        "login_s": login_s,
        "rows": rows,
        "profiles": profiles,
    }
    text = markdown(res, args.threshold)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        args.out.with_suffix(".json").write_text(json.dumps(res, indent=1) + "\n", "utf-8")
        log(f"wrote {args.out} and {args.out.with_suffix('.json')}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
