"""Coverage-guided fuzzing of the importers (``fuzz/import_target.py``) for a bounded run.

The harness runs in a subprocess from the seeds of ``fuzz/corpus/`` (new inputs go to a
temporary folder, never into the repository) with a fixed libFuzzer seed, for ``RUNS``
inputs (about 45 s on an idle two-core machine) or ``MAX_SECONDS``, whichever comes first
(a busy machine runs fewer: the test prints how many). A crash
fails the test and prints the path of the input that crashed (``crash-<sha1>``); replay
it with ``python fuzz/import_target.py <path>``. ``make fuzz`` runs longer.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.ingest.fuzz_files import CORPUS, REPO

pytest.importorskip("atheris")

HARNESS = REPO / "fuzz" / "import_target.py"
RUNS = 8000
MAX_SECONDS = 90


def _fuzz(tmp_path, *args: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, int]:
    out = tmp_path / "corpus"
    out.mkdir()
    crashes = tmp_path / "crashes"
    crashes.mkdir()
    cmd = [
        sys.executable,
        str(HARNESS),
        str(out),
        str(CORPUS),
        "-seed=1",
        "-max_len=8192",
        "-timeout=60",
        "-rss_limit_mb=4096",
        f"-artifact_prefix={crashes}/",
        *args,
    ]
    proc = subprocess.run(
        cmd,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # the Python traceback goes to stdout, libFuzzer's to stderr
        text=True,
        timeout=MAX_SECONDS + 120,
        env={**(env or os.environ), "FUZZ_WORK": str(tmp_path / "work")},
        check=False,
    )
    done = re.search(r"Done (\d+) runs", proc.stdout)
    return proc, int(done.group(1)) if done else 0


@pytest.mark.slow
def test_bounded_fuzzing_finds_no_crash(tmp_path):
    proc, runs = _fuzz(tmp_path, f"-runs={RUNS}", f"-max_total_time={MAX_SECONDS}")
    crashes = sorted((tmp_path / "crashes").glob("*"))
    if proc.returncode != 0 or crashes:
        listing = "\n".join(str(p) for p in crashes) or "(no input written)"
        pytest.fail(
            f"the importers crashed (exit {proc.returncode}); inputs:\n{listing}\n"
            f"{proc.stdout[-4000:]}"
        )
    print(f"atheris: {runs} inputs")  # the figure docs/reliability.md reports
    # control against a run that did not fuzz at all: at least a few hundred inputs
    assert runs >= 300, proc.stdout[-2000:]


@pytest.mark.slow
def test_a_crash_fails_with_the_input(tmp_path):
    # control: a planted crash (an input starting with "planted crash") is reported
    seed = tmp_path / "seed"
    seed.mkdir()
    (seed / "boom").write_bytes(b"planted crash\n")
    env = {**os.environ, "FUZZ_SELF_TEST": "1"}
    proc, _ = _fuzz(tmp_path, str(seed), "-runs=10", env=env)
    assert proc.returncode != 0
    assert "KeyError: 'planted crash'" in proc.stdout
    assert list((tmp_path / "crashes").glob("crash-*"))
