from decimal import Decimal

import pytest

from livebase.errors import ConfigError, InputError
from livebase.ingest.pipeline import import_file
from livebase.ingest.presets import get_preset, preset_names
from livebase.ingest.presets.mapping import load_mapping
from tests.conftest import write_csv

RETAIL = (
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    "536365,85123A,HEART HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"
    "536365,71053,LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n"
    "536365,71053,LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n"
    "536366,22633,HAND WARMER,6,2010-12-01 08:28:00,1.85,,United Kingdom\n"
    "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,17850.0,United Kingdom\n"
    "536380,22,FREE GIFT,1,2010-12-01 09:45:00,0,12583.0,France\n"
)


def test_online_retail_sample(ws, tmp_path):
    path = write_csv(tmp_path / "retail.csv", RETAIL)
    result = import_file(ws, path, "online-retail")
    assert (result.rows_in, result.rows_loaded, result.rows_rejected) == (6, 4, 2)
    reasons = ws.table("rejects").order_by("line").to_pandas()[["line", "reason"]]
    assert reasons.values.tolist() == [
        [4, "duplicate of line 3"],
        [5, "no customer: the identity columns are empty"],
    ]
    o = ws.table("orders").order_by("order_id").to_pandas().set_index("order_id")
    # 6 × 2.55 + 6 × 3.39 = 35.64 (the duplicate line is not added twice)
    assert o.loc["retail:536365", "amount"] == Decimal("35.64")
    assert o.loc["retail:536365", "customer_id"] == "retail:17850"
    # London is GMT in December: 08:26 local = 08:26 UTC
    assert str(o.loc["retail:536365", "created_at"]) == "2010-12-01 08:26:00"
    # the cancellation nets out as a refund
    assert o.loc["retail:C536379", "status"] == "refunded"
    assert o.loc["retail:C536379", "amount"] == Decimal("0.00")
    assert o.loc["retail:C536379", "refunded_amount"] == Decimal("27.50")
    assert o.loc["retail:536380", "amount"] == Decimal("0.00")
    c = ws.table("customers").order_by("customer_id").to_pandas()
    assert c[["customer_id", "region"]].values.tolist() == [
        ["retail:12583", "France"],
        ["retail:17850", "United Kingdom"],
    ]


def test_cdnow_sample_ids_are_stable(ws, tmp_path):
    text = (
        " customer_id  date number_of_cds  dollar_value\r\n"
        " 00002 19970112  1   12.00\r\n 00002 19970112  5   77.00\r\n"
        " 00002 19970112  1   12.00\r\n"
    )
    path = write_csv(tmp_path / "cd.txt", text)
    result = import_file(ws, path, "cdnow")
    assert (result.rows_loaded, result.rows_rejected) == (3, 0)
    ids = sorted(ws.table("orders").order_id.to_pyarrow().to_pylist())
    # a re-import of an edited copy finds the same ids: nothing doubles
    write_csv(tmp_path / "cd2.txt", text + " 00003 19970102  2   20.76\r\n")
    again = import_file(ws, tmp_path / "cd2.txt", "cdnow")
    assert (again.rows_new, again.rows_updated) == (1, 0)
    new_ids = sorted(ws.table("orders").order_id.to_pyarrow().to_pylist())
    assert set(ids) < set(new_ids)


def test_mapping_errors_name_the_line(tmp_path):
    bad = tmp_path / "m.yaml"
    bad.write_text(
        "table: orders\nsource: x\ncustomer: {id: a}\ncolumns:\n  amount: s\n"
        "negative_amounts: sometimes\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"m.yaml:6: negative_amounts"):
        load_mapping(bad)
    bad.write_text("table: ordrs\nsource: x\ncolumns: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"m.yaml:1: table: .*unknown table 'ordrs'"):
        load_mapping(bad)
    bad.write_text(
        "table: orders\nsource: x\ncustomer: {id: a}\ncolumns:\n  amout: s\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"columns\.amout: table orders has no such column"):
        load_mapping(bad)
    bad.write_text("table: [orders\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="invalid YAML"):
        load_mapping(bad)


def test_mapping_missing_column_and_enum_values(ws, tmp_path):
    m = tmp_path / "lms.yaml"
    m.write_text(
        "table: activities\nsource: lms\ncustomer: {email: mail}\n"
        "columns: {event_id: id, ts: when, kind: what}\n",
        encoding="utf-8",
    )
    data = write_csv(
        tmp_path / "e.csv",
        "id,mail,when,what\n1,a@b.ru,2025-01-01 10:00,login\n2,a@b.ru,2025-01-02 10:00,dance\n",
    )
    result = import_file(ws, data, "mapping", mapping=m)
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    assert "unknown kind 'dance'" in ws.table("rejects").to_pandas().reason.iloc[0]
    other = write_csv(tmp_path / "x.csv", "id,mail\n1,a@b.ru\n")
    with pytest.raises(InputError, match="missing columns 'what', 'when' named by the mapping"):
        import_file(ws, other, "mapping", mapping=m)


def test_presets_listed():
    names = preset_names()
    for name in (
        "getcourse-users",
        "getcourse-orders",
        "getcourse-payments",
        "esp-events",
        "mapping",
        "online-retail",
        "cdnow",
        "lms-events",
        "consents",
    ):
        assert name in names
    with pytest.raises(InputError, match="unknown preset"):
        get_preset("bitrix-magic")
    with pytest.raises(InputError, match="needs --mapping"):
        get_preset("mapping")


def test_bitrix24_deals(ws, tmp_path):
    text = (
        "ID;Название;Стадия сделки;Сумма;Валюта;Дата создания;Дата изменения;"
        "Контакт: Рабочий e-mail;Контакт: Рабочий телефон;UTM Source;UTM Medium;UTM Campaign\n"
        "11;Курс «Python»;Сделка успешна;45 000;RUB;01.03.2025 10:00:00;03.03.2025 12:00:00;"
        "Ivan@X.ru;;vk;cpc;spring\n"
        "12;Курс «SQL»;Переговоры;30 000;RUB;02.03.2025 10:00:00;02.03.2025 10:00:00;"
        ";8 916 000 11 22;;;\n"
        "13;Курс «SQL»;Сделка провалена;30 000;RUB;02.03.2025 10:00:00;05.03.2025 10:00:00;"
        ";;;;\n"
    )
    path = write_csv(tmp_path / "deals.csv", text, encoding="cp1251")
    result = import_file(ws, path, "bitrix24-deals")
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert "no customer" in ws.table("rejects").to_pandas().reason.iloc[0]
    o = ws.table("orders").order_by("order_id").to_pandas()
    assert o[["order_id", "status", "amount"]].values.tolist() == [
        ["b24:11", "paid", Decimal("45000.00")],
        ["b24:12", "pending", Decimal("30000.00")],
    ]
    assert o.customer_id.str.startswith(("em:", "ph:")).all()


def test_getcourse_orders_as_xlsx(ws, tmp_path):
    from openpyxl import Workbook

    from tests.ingest.gc_files import ORDER_HEADERS, order

    wb = Workbook()
    sheet = wb.active
    sheet.append(ORDER_HEADERS)
    row = order(1, 5, "a@b.ru")
    row["Стоимость, RUB"] = row["Оплачено"] = 12000.5  # numbers, as Excel keeps them
    import datetime as dt

    row["Дата создания"] = dt.datetime(2025, 3, 5, 14, 30)  # a real date cell
    sheet.append([row.get(h, "") for h in ORDER_HEADERS])
    sheet.append([row.get(h, "") if h != "Статус" else "Непонятный" for h in ORDER_HEADERS])
    wb.save(tmp_path / "orders.xlsx")
    result = import_file(ws, tmp_path / "orders.xlsx", "getcourse-orders")
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    assert ws.table("rejects").to_pandas().line.tolist() == [3]
    o = ws.table("orders").to_pandas().iloc[0]
    assert o.amount == Decimal("12000.50")
    assert str(o.created_at) == "2025-03-05 11:30:00"  # Moscow → UTC


def test_mapping_header_names_a_headerless_file(ws, tmp_path):
    # the shipped cdnow-sample mapping: no header line, records numbered from line 1
    text = " 00004 0001 19970101  2   29.33\r\n 00004 0001 1997011X  2   29.73\r\n"
    result = import_file(ws, write_csv(tmp_path / "s.txt", text), "cdnow-sample")
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    reject = ws.table("rejects").to_pandas().iloc[0]
    assert (reject.line, reject.column) == (2, "date")
    assert ws.table("customers").customer_id.to_pyarrow().to_pylist() == ["cdnow:00004"]
    bad = tmp_path / "m.yaml"
    bad.write_text(
        "table: orders\nsource: x\nheader: [a, b, a]\ncustomer: {id: a}\ncolumns: {amount: b}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"m.yaml:3: header: .*repeated column names a"):
        load_mapping(bad)
