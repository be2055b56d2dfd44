"""Coverage-guided fuzzing of the importers with atheris (libFuzzer for Python).

* An input is one export for one preset: a first line ``<preset>.<format>`` names them
  (the seeds in ``fuzz/corpus/``); otherwise the first byte picks the preset (of every
  preset livebase lists, the generic mapping with ``fuzz/mapping.yaml``) and the second
  the format (CSV or XLSX), and the rest is the file.
* Every input goes through the reader and the preset, and must be refused with an
  ``InputError`` naming the file or have every record loaded or rejected (never both),
  each reject with its line, its column (empty only for a whole-row problem) and a reason
  (``tests/ingest/fuzz_files.check_converted``). Payments see the order ids of the orders
  seed as stored orders.
* With ``FUZZ_FULL=1`` every input is also imported whole into one workspace per process
  (emptied before each input) and the store is checked: balance, rejects, invariants, and
  a second import of the same file changes nothing (``check_import``). That is about a
  hundred times slower, so CI runs the first mode.
* Any other exception or a failed check is a crash: libFuzzer writes the input to
  ``<artifact_prefix>crash-<sha1>`` and exits non-zero.

Scratch files go to ``FUZZ_WORK`` (a new temporary folder when unset). Run (the first
folder receives new inputs, the seeds are only read)::

    python fuzz/import_target.py /tmp/corpus fuzz/corpus -runs=5000 -artifact_prefix=/tmp/
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

with atheris.instrument_imports(include=["livebase", "tests.ingest.fuzz_files"]):
    from livebase.ingest.pipeline import import_file  # noqa: I001 (instrumented imports)
    from livebase.store.workspace import Workspace
    from tests.ingest.fuzz_files import (
        check_converted,
        check_import,
        known_orders_of_seed,
        reset,
        seed,
        split_input,
    )

FULL = os.environ.get("FUZZ_FULL") == "1"
# for the test that shows a crash is caught: an input starting with this raises KeyError
SELF_TEST = os.environ.get("FUZZ_SELF_TEST") == "1"
# scratch files (libFuzzer ends the process without Python's clean-up: give FUZZ_WORK)
WORK = Path(os.environ.get("FUZZ_WORK") or tempfile.mkdtemp(prefix="livebase-fuzz-"))
WORK.mkdir(parents=True, exist_ok=True)
KNOWN_ORDERS = known_orders_of_seed()
_ws: Workspace | None = None


def _workspace() -> Workspace:
    global _ws
    if _ws is None:
        _ws = Workspace.init(WORK / "school")
    reset(_ws)
    return _ws


def test_one_input(data: bytes) -> None:
    if SELF_TEST and data.startswith(b"planted crash"):
        raise KeyError("planted crash")
    preset, fmt, body = split_input(data)
    path = WORK / f"input.{fmt}"
    path.write_bytes(body)
    payments = preset == "getcourse-payments"
    check_converted(path, preset, KNOWN_ORDERS if payments else frozenset())
    if FULL:
        ws = _workspace()
        if payments:
            orders = WORK / "orders.csv"
            orders.write_bytes(seed("getcourse-orders"))
            import_file(ws, orders, "getcourse-orders")
        check_import(ws, path, preset)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
