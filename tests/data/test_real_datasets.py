"""The public datasets of ../shared/data load with their known counts."""

import pytest

from livebase.ingest.pipeline import import_file
from tests.conftest import SHARED_DATA

pytestmark = pytest.mark.slow

RETAIL = SHARED_DATA / "online_retail" / "online_retail_2010_2011.csv"
CDNOW = SHARED_DATA / "cdnow" / "CDNOW_master.txt"


def test_online_retail(ws):
    result = import_file(ws, RETAIL, "online-retail")
    assert result.rows_in == 541_909
    assert result.balanced
    reasons = ws.table("rejects").to_pandas().reason
    no_customer = reasons.str.startswith("no customer").sum()
    duplicates = reasons.str.startswith("duplicate of line").sum()
    # 135,080 rows lack a CustomerID; 43 of them are also exact duplicates of an earlier
    # row and are rejected as such first. 5,268 exact duplicate rows in all.
    assert (no_customer, duplicates) == (135_080 - 43, 5_268)
    assert result.rows_rejected == 135_037 + 5_268
    assert ws.table("customers").count().execute() == 4_372
    # invoices with a customer (cancellations included)
    assert ws.table("orders").count().execute() == 22_190
    assert import_file(ws, RETAIL, "online-retail").already_imported_as == result.import_id


def test_cdnow(ws):
    result = import_file(ws, CDNOW, "cdnow")
    assert (result.rows_in, result.rows_loaded, result.rows_rejected) == (69_659, 69_659, 0)
    assert ws.table("customers").count().execute() == 23_570
    assert ws.table("orders").count().execute() == 69_659
