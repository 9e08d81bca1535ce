"""Phone numbers in one canonical form: E.164 with a leading "+", e.g. "+81312345678".

XOXZO does not document whether `caller`/`recipient` carry a "+", and its DIN API gives numbers
as digits with the country code and no "+" ("815012345678"). People type Japanese numbers in
national format ("03-1234-5678", "090 1234 5678"). All of these become the same key.
"""

from __future__ import annotations

import re
import unicodedata

JAPAN_COUNTRY_CODE = "81"

# Separators people and systems put inside numbers.
_SEPARATORS = re.compile(r"[\s\-.()/]")
# E.164: up to 15 digits, the country code never starts with 0.
_INTERNATIONAL_DIGITS = re.compile(r"[1-9]\d{6,14}")
# Japanese national format: a single trunk "0", then 9 or 10 digits (03-xxxx-xxxx, 090-xxxx-xxxx,
# 0120-xxx-xxx, 050-xxxx-xxxx). "00..." is a carrier/international prefix and stays ambiguous.
_JAPANESE_NATIONAL = re.compile(r"0[1-9]\d{8,9}")
_E164 = re.compile(r"\+[1-9]\d{6,14}")


def to_e164(raw: str | None) -> str | None:
    """Return `raw` as "+<digits>", or None when it is not an unambiguous phone number.

    Accepts "+81 3-1234-5678", "81312345678", "03-1234-5678", full-width digits; rejects empty,
    "anonymous", "non-numeric", "00..." and anything too short or too long.
    """
    if not raw:
        return None
    # NFKC turns full-width digits and "＋" into ASCII.
    text = unicodedata.normalize("NFKC", raw).strip()
    if text.startswith("+"):
        # "+81 (0)3-1234-5678": the bracketed trunk 0 is not dialled from abroad.
        text = text.replace("(0)", "")
    text = _SEPARATORS.sub("", text)
    if text.startswith("+"):
        digits = text[1:]
        return f"+{digits}" if _INTERNATIONAL_DIGITS.fullmatch(digits) else None
    if _JAPANESE_NATIONAL.fullmatch(text):
        return f"+{JAPAN_COUNTRY_CODE}{text[1:]}"
    if _INTERNATIONAL_DIGITS.fullmatch(text):
        return f"+{text}"
    return None


def is_e164(number: str) -> bool:
    return _E164.fullmatch(number) is not None


def is_hidden(raw: str | None) -> bool:
    """A caller who withheld their number: XOXZO sends it empty, missing or without digits
    ("anonymous", "非通知"; inferred). A value with digits that is not a usable number is an
    unreadable caller, not an anonymous one."""
    return not raw or not any(character.isdigit() for character in unicodedata.normalize("NFKC", raw))
