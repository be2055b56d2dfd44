"""Reading the rejects of an import back, with the file each came from."""

from __future__ import annotations

from livebase.store.workspace import Workspace


def list_rejects(ws: Workspace, import_id: int, *, limit: int = 50) -> tuple[list[dict], int]:
    r = ws.table("rejects")
    i = ws.table("imports").select("import_id", "source")
    rows = r.filter(r.import_id == import_id).join(i, "import_id").order_by("line")
    total = int(rows.count().execute())
    return rows.limit(limit).to_pyarrow().to_pylist(), total
