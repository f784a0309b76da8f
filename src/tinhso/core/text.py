"""Vietnamese text helpers: folding for search with or without diacritics."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def strip_diacritics(text: str) -> str:
    """Return `text` without Vietnamese tone and vowel marks (đ becomes d)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def fold(text: str) -> str:
    """Return the search key of `text`: no diacritics, lower case, single spaces."""
    return _SPACES.sub(" ", strip_diacritics(text or "").lower()).strip()
