"""Russian and English UI strings, and locale formatting of money, dates and percents.

>>> from decimal import Decimal
>>> t("status.insufficient_data", "en")
'not enough data'
>>> format_money(Decimal("27400"), "RUB", "ru") == "27\u00a0400\u00a0₽"
True
"""

from livebase.i18n.formatting import (
    NBSP,
    format_alpha,
    format_date,
    format_level,
    format_money,
    format_number,
    format_p_value,
    format_percent,
    format_percent_interval,
    format_pp,
    format_pp_interval,
)
from livebase.i18n.translate import DEFAULT_LANG, LANGS, Lang, check_lang, t

__all__ = [
    "DEFAULT_LANG",
    "LANGS",
    "NBSP",
    "Lang",
    "check_lang",
    "format_alpha",
    "format_date",
    "format_level",
    "format_money",
    "format_number",
    "format_p_value",
    "format_percent",
    "format_percent_interval",
    "format_pp",
    "format_pp_interval",
    "t",
]
