import datetime as dt
import hashlib

import pandas as pd

from livebase.exports.retargeting import hashed, retargeting_rows, span

T = dt.datetime
# SHA-256 of "anna@mail.ru" and of "79161234567", computed once with hashlib
ANNA = hashlib.sha256(b"anna@mail.ru").hexdigest()
PHONE = hashlib.sha256(b"79161234567").hexdigest()


def test_hashes_of_normalised_email_and_phone():
    assert hashed("  Anna@Mail.RU ", "+79161234567") == [ANNA, PHONE]
    assert hashed(None, "+7 (916) 123-45-67") == ["", PHONE]
    assert hashed("anna@mail.ru", float("nan")) == [ANNA, ""]
    assert len(ANNA) == 64
    assert ANNA.lower() == ANNA


def test_one_row_per_customer_and_the_span():
    touches = pd.DataFrame(
        {
            "customer_id": ["c1", "c1", "c2"],
            "email": ["anna@mail.ru", "anna@mail.ru", None],
            "phone": [None, None, "+79161234567"],
            "planned_at": [T(2025, 5, 12), T(2025, 5, 15), T(2025, 5, 13)],
            "ends_at": [T(2025, 5, 14), T(2025, 5, 18), None],
            "frequency": [2, 3, None],
        }
    )
    assert retargeting_rows(touches) == sorted([[ANNA, ""], ["", PHONE]])
    assert span(touches) == {
        "starts_at": "2025-05-12T00:00:00Z",
        "ends_at": "2025-05-18T00:00:00Z",
        "frequency": 3,
        "customers": 2,
    }
