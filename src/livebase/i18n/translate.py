"""Look up a UI string by key and language.

A missing key raises :class:`KeyError`: there is no silent fallback to another language
or to the key itself, so a forgotten translation is caught by the tests.
"""

from __future__ import annotations

from typing import Literal

from livebase.errors import InputError
from livebase.i18n.strings import STRINGS

Lang = Literal["ru", "en"]
LANGS: tuple[str, ...] = tuple(STRINGS)
DEFAULT_LANG: Lang = "ru"


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is supported, else raise :class:`InputError`.

    >>> check_lang("en")
    'en'
    >>> check_lang("de")
    Traceback (most recent call last):
    ...
    livebase.errors.InputError: unsupported language 'de': use one of ru, en
    """
    if lang not in STRINGS:
        raise InputError(f"unsupported language {lang!r}: use one of {', '.join(LANGS)}")
    return lang


def t(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """The string ``key`` in ``lang``, with ``params`` substituted (``str.format``).

    Placeholders are never named ``key`` or ``lang``.

    >>> t("status.insufficient_data")
    'недостаточно данных'
    >>> t("report.title", "en", wave_id="w1")
    'Wave w1 readout'
    >>> t("no.such.key", "en")
    Traceback (most recent call last):
    ...
    KeyError: "no UI string 'no.such.key' in language 'en'"
    """
    table = STRINGS[check_lang(lang)]
    try:
        text = table[key]
    except KeyError:
        raise KeyError(f"no UI string {key!r} in language {lang!r}") from None
    return text.format(**params) if params else text
