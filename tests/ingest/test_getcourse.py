"""GetCourse exports with the rows real schools send: every row loaded or rejected."""

from decimal import Decimal

import pytest

from livebase.errors import InputError
from livebase.ingest.pipeline import import_file
from tests.conftest import write_csv
from tests.ingest.gc_files import ORDER_HEADERS, order, write_orders


def _orders(ws):
    return ws.table("orders").order_by("order_id").to_pandas()


def _rejects(ws):
    return ws.table("rejects").order_by("line").to_pandas()


def test_orders_awkward_rows(ws, tmp_path):
    rows = [
        order(
            1,
            11,
            "Anna@Mail.ru ",
            amount="27\u00a0400,00 ₽",
            phone="8 (916) 123-45-67",
            title="Курс «Рисование; акварель»",
        ),
        order(2, 12, "b@x.ru", status="Новый", amount="300 руб."),
        order(3, 13, "c@x.ru", created="junk"),  # line 4: junk date
        order(4, 14, "d@x.ru", amount="-5"),  # line 5: negative amount
        order(5, 15, "e@x.ru", status="Частично оплачен", amount="1 000"),
        order(6, 16, "f@x.ru", status="Ожидаем возврата"),
        order(7, 17, "g@x.ru", title="Бесплатный вебинар", amount="0"),
        order(8, 18, "h@x.ru", tags="подарок, весна"),
        order(9, 19, "i@x.ru", payment_system="Безналичный расчёт"),
    ]
    path = write_orders(tmp_path / "orders.csv", rows)
    result = import_file(ws, path, "getcourse-orders")
    assert (result.rows_in, result.rows_loaded, result.rows_rejected) == (9, 7, 2)
    assert result.balanced
    rej = _rejects(ws)
    assert rej[["line", "column", "value"]].values.tolist() == [
        [4, "Дата создания", "junk"],
        [5, "Стоимость, RUB", "-5"],
    ]
    assert rej.reason.tolist() == ["not a date: 'junk'", "negative amount: '-5'"]
    o = _orders(ws).set_index("order_id")
    assert o.loc["gc:1", "amount"] == Decimal("27400.00")
    assert o.loc["gc:1", "product_title"] == "Курс «Рисование; акварель»"
    assert o.loc["gc:1", "customer_id"] == "gc:11"
    assert o.loc["gc:2", "status"] == "pending"
    assert o.loc["gc:5", "status"] == "partially_paid"
    assert o.loc["gc:6", "status"] == "paid"
    assert bool(o.loc["gc:6", "refund_pending"]) is True
    assert o.loc["gc:7", "category"] == "webinar"
    assert bool(o.loc["gc:8", "is_gift"]) is True
    assert bool(o.loc["gc:9", "is_corporate"]) is True
    # 14:35 Moscow is 11:35 UTC
    assert str(o.loc["gc:1", "paid_at"]) == "2025-03-05 11:35:00"
    c = ws.table("customers").to_pandas().set_index("customer_id")
    assert c.loc["gc:11", "email"] == "anna@mail.ru"
    assert c.loc["gc:11", "phone"] == "+79161234567"


def test_windows_1251_comma_delimited_and_headers_in_any_order(ws, tmp_path):
    headers = [*list(reversed(ORDER_HEADERS)), "Моё поле"]
    path = write_orders(
        tmp_path / "o.csv",
        [order(1, 5, "a@b.ru", **{"Моё поле": "x"})],
        delim=",",
        encoding="cp1251",
        bom=False,
        headers=headers,
    )
    result = import_file(ws, path, "getcourse-orders")
    assert (result.rows_loaded, result.rows_rejected) == (1, 0)
    assert _orders(ws).product_title.tolist() == ["Курс «Акварель»"]


def test_missing_required_column_refuses_the_file(ws, tmp_path):
    headers = [h for h in ORDER_HEADERS if h != "Статус"]
    path = write_orders(tmp_path / "o.csv", [order(1, 5, "a@b.ru")], headers=headers)
    with pytest.raises(InputError, match="missing required column 'Статус'") as info:
        import_file(ws, path, "getcourse-orders")
    assert info.value.line == 1
    assert ws.table("imports").count().execute() == 0
    assert ws.table("orders").count().execute() == 0


def test_duplicate_rows_and_repeated_headers(ws, tmp_path):
    rows = [order(1, 5, "a@b.ru"), order(1, 5, "a@b.ru"), order(2, 6, "c@d.ru")]
    path = write_orders(tmp_path / "o.csv", rows)
    # an export glued from two files repeats the header line mid-file
    text = path.read_bytes().decode("utf-8-sig")
    lines = text.split("\r\n")
    text = "\r\n".join([*lines[:3], lines[0], *lines[3:]])
    path.write_bytes(text.encode("utf-8"))
    result = import_file(ws, path, "getcourse-orders")
    assert (result.rows_in, result.rows_loaded, result.rows_rejected) == (4, 2, 2)
    reasons = _rejects(ws).set_index("line").reason.to_dict()
    assert reasons == {3: "duplicate of line 2 (same key)", 4: "repeated header line"}
    assert ws.table("orders").count().execute() == 2


def test_repeated_header_columns_take_the_first_value(ws, tmp_path):
    headers = [*ORDER_HEADERS, "Email"]
    row = order(1, 5, "")
    path = tmp_path / "o.csv"
    values = [row.get(h, "") for h in ORDER_HEADERS] + ["late@x.ru"]
    write_csv(path, ";".join(headers) + "\n" + ";".join(values) + "\n")
    import_file(ws, path, "getcourse-orders")
    c = ws.table("customers").to_pandas()
    assert c.email.tolist() == ["late@x.ru"]


def test_truncated_line(ws, tmp_path):
    path = write_orders(tmp_path / "o.csv", [order(1, 5, "a@b.ru")])
    with open(path, "ab") as fh:
        fh.write(b"2;1002;6")
    result = import_file(ws, path, "getcourse-orders")
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    rej = _rejects(ws).iloc[0]
    assert rej.line == 3
    assert "expected 22 fields, found 3" in rej.reason


def test_users_export(ws, tmp_path):
    text = (
        "id;Email;Тип регистрации;Создан;Последняя активность;Имя;Фамилия;Телефон;Город;"
        "utm_source;Дата рождения ребенка;Часовой пояс\n"
        "101;Anna@X.ru;Покупка;01.02.2024 10:00;03.03.2025 12:00;Анна;Петрова;89161234567;"
        "Москва;vk;14.02.2017;Europe/Moscow\n"
        "102;anna@x.ru ;Регистрация;02.02.2024 10:00;;Анна;;;Тверь;;;\n"
        "103;boris@x.ru;;03.02.2024 10:00;;Борис;;;;;;Mars/Olympus\n"
    )
    path = write_csv(tmp_path / "users.csv", text, encoding="cp1251")
    result = import_file(ws, path, "getcourse-users")
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    c = ws.table("customers").to_pandas().set_index("customer_id")
    assert list(c.index) == ["gc:101"]  # 102 shares the email: merged into 101
    assert c.loc["gc:101", "name"] == "Анна Петрова"
    assert str(c.loc["gc:101", "child_birth_date"])[:10] == "2017-02-14"
    assert str(c.loc["gc:101", "created_at"]) == "2024-02-01 07:00:00"
    merges = ws.table("identity_merges").to_pandas()
    assert merges[["from_id", "into_id", "rule"]].values.tolist() == [["gc:102", "gc:101", "email"]]
    assert "unknown time zone" in ws.table("rejects").to_pandas().reason.iloc[0]


def test_payments_refunds_net_out_and_survive_reimport(ws, tmp_path):
    orders = write_orders(
        tmp_path / "o.csv",
        [order(1, 5, "a@b.ru", amount="10 000"), order(2, 5, "a@b.ru", amount="4 000")],
    )
    import_file(ws, orders, "getcourse-orders")
    payments = write_csv(
        tmp_path / "p.csv",
        "Номер;Пользователь;Email;Заказ;Дата создания;Тип;Статус;Сумма;Комиссии;Получено;"
        "Код платежа;Название\n"
        "501;A;a@b.ru;1;05.03.2025 14:35;Карта;Получен;10 000;0;10 000;x;Курс\n"
        "502;A;a@b.ru;1;20.03.2025 10:00;Карта;Возвращен;10 000;0;0;x;Курс\n"
        "503;A;a@b.ru;2;25.03.2025 10:00;Карта;returned;1 000;0;0;x;Курс\n"
        "504;A;a@b.ru;99;25.03.2025 10:00;Карта;Получен;1 000;0;0;x;Курс\n",
    )
    result = import_file(ws, payments, "getcourse-payments")
    assert (result.rows_loaded, result.rows_rejected) == (3, 1)
    assert "unknown order" in ws.table("rejects").to_pandas().reason.iloc[0]
    o = _orders(ws).set_index("order_id")
    assert o.loc["gc:1", "status"] == "refunded"
    assert o.loc["gc:1", "refunded_amount"] == Decimal("10000.00")
    assert o.loc["gc:2", "status"] == "paid"  # partly refunded
    assert o.loc["gc:2", "refunded_amount"] == Decimal("1000.00")
    # a later orders export still says "Завершен": the refund stays
    again = write_orders(
        tmp_path / "o2.csv", [order(1, 5, "a@b.ru", amount="10 000"), order(3, 5, "a@b.ru")]
    )
    result = import_file(ws, again, "getcourse-orders")
    assert (result.rows_new, result.rows_updated) == (1, 0)
    assert _orders(ws).set_index("order_id").loc["gc:1", "status"] == "refunded"
