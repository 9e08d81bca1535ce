"""Phone numbers in one canonical form: E.164 with a leading "+", e.g. "+81312345678".

XOXZO does not document whether `caller`/`recipient` carry a "+", and its DIN API gives numbers
as digits with the country code and no "+" ("815012345678"). People type Japanese numbers in
national format ("03-1234-5678", "090 1234 5678"). All of these become the same key.
"""

from __future__ import annotations

import re
import unicodedata

JAPAN_COUNTRY_CODE = "81"

# Separators people and systems put inside numbers, Japanese dashes ("ー", "‐", "−") included.
_SEPARATORS = re.compile(r"[\s\-.()/‐‑‒–—―−ー]")
# E.164: up to 15 ASCII digits, the country code never starts with 0.
_INTERNATIONAL_DIGITS = re.compile(r"[1-9][0-9]{6,14}")
# Japanese national format: a single trunk "0", then 9 or 10 digits (03-xxxx-xxxx, 090-xxxx-xxxx,
# 0120-xxx-xxx, 050-xxxx-xxxx). "00..." is a carrier/international prefix and stays ambiguous.
_JAPANESE_NATIONAL = re.compile(r"0[1-9][0-9]{8,9}")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def to_e164(raw: str | None) -> str | None:
    """Return `raw` as "+<digits>", or None when it is not an unambiguous phone number.

    Accepts "+81 3-1234-5678", "81312345678", "03-1234-5678", full-width digits; rejects empty,
    "anonymous", "non-numeric", "00..." and anything too short or too long.
    """
    if not raw:
        return None
    text = compact(raw)
    if text.startswith("+"):
        digits = without_japanese_trunk_zero(text[1:])
        return f"+{digits}" if _INTERNATIONAL_DIGITS.fullmatch(digits) else None
    if _JAPANESE_NATIONAL.fullmatch(text):
        return f"+{JAPAN_COUNTRY_CODE}{text[1:]}"
    digits = without_japanese_trunk_zero(text)
    if _INTERNATIONAL_DIGITS.fullmatch(digits):
        return f"+{digits}"
    return None


def compact(raw: str) -> str:
    """`raw` without separators, full-width characters made ASCII (NFKC), and "(0)" dropped
    after a country code ("+81 (0)3-1234-5678": the trunk 0 is not dialled from abroad)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if text.startswith("+"):
        text = text.replace("(0)", "")
    return _SEPARATORS.sub("", text)


def without_japanese_trunk_zero(digits: str) -> str:
    """ "8103..." -> "813...": a Japanese number never has a 0 after the country code, but people
    write "+81 03-1234-5678"."""
    with_trunk_zero = JAPAN_COUNTRY_CODE + "0"
    if digits.startswith(with_trunk_zero):
        return JAPAN_COUNTRY_CODE + digits[len(with_trunk_zero) :]
    return digits


def is_e164(number: str) -> bool:
    return _E164.fullmatch(number) is not None


def is_hidden(raw: str | None) -> bool:
    """A caller who withheld their number: XOXZO sends it empty, missing or without digits
    ("anonymous", "非通知"; inferred). A value with digits that is not a usable number is an
    unreadable caller, not an anonymous one."""
    return not raw or not any(character.isdigit() for character in unicodedata.normalize("NFKC", raw))
