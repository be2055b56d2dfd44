"""The Russian and English string tables stay in step; a missing key is an error."""

from __future__ import annotations

import string

import pytest

from livebase.errors import InputError
from livebase.experiments.status import REASONS
from livebase.i18n import LANGS, t
from livebase.i18n.strings import EN, RU, STRINGS


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys():
    assert set(RU) == set(EN)
    assert set(LANGS) == {"ru", "en"}


@pytest.mark.parametrize("key", sorted(RU))
def test_placeholders_match_across_languages(key):
    assert _placeholders(RU[key]) == _placeholders(EN[key])


@pytest.mark.parametrize("lang", LANGS)
def test_no_empty_string(lang):
    assert all(text.strip() for text in STRINGS[lang].values())


@pytest.mark.parametrize("lang", LANGS)
def test_no_placeholder_is_named_like_an_argument_of_t(lang):
    for text in STRINGS[lang].values():
        assert not _placeholders(text) & {"key", "lang"}


def test_every_reason_code_and_status_is_translated():
    for lang in LANGS:
        for code in REASONS:
            assert t(f"reason.{code}", lang)
        for status in ("ok", "control", "insufficient_data"):
            assert t(f"status.{status}", lang)
        for status in ("ok", "mismatch", "insufficient_data", "not_checked"):
            assert t(f"srm.{status}", lang, chi2="1", p="p = 1", reason="x")


def test_missing_key_raises_instead_of_falling_back():
    with pytest.raises(KeyError, match=r"no\.such\.key"):
        t("no.such.key", "ru")


def test_unknown_language_is_an_input_error():
    with pytest.raises(InputError, match="unsupported language"):
        t("status.ok", "de")


def test_default_language_is_russian():
    assert t("status.insufficient_data") == "недостаточно данных"
    assert t("status.insufficient_data", "en") == "not enough data"


def test_parameters_are_substituted():
    assert t("report.title", "ru", wave_id="r90-2025-03") == "Итоги волны r90-2025-03"
