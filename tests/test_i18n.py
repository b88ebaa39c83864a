"""The page's words in English and Arabic, and dates written for either."""

from __future__ import annotations

from mapapp.core.dates import literal_date
from mapapp.draw.i18n import CLAIMANT, KIND, LANGS, STATUS, TEXT, date_label, label, t


def test_every_word_is_in_both_languages() -> None:
    for table in (TEXT, STATUS, KIND, CLAIMANT):
        for key, words in table.items():
            assert set(words) == set(LANGS), key
            assert all(words[lang].strip() for lang in LANGS), key
    assert t("date", "ar") == "التاريخ"


def test_a_label_without_words_is_its_key() -> None:
    assert label(STATUS, "sole", "en") == "Sole control"
    assert label(STATUS, "not-a-status", "ar") == "not-a-status"


def test_dates_are_written_with_their_precision_in_each_language() -> None:
    month = literal_date(2015, 9)
    assert date_label(month, "en") == "Sep 2015"
    assert "أيلول/سبتمبر" in date_label(month, "ar")
