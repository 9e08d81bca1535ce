"""Whether a phone number (a transfer target, a caller on a list) or a caller prefix can exist, by
Google's libphonenumber metadata (`phonenumbers`), and what is wrong with it in plain words.
Imported only when a check runs: the operators' tool and the route-changes function have it; the
action function never loads it (docs/decisions.md)."""

from __future__ import annotations

from functools import cache
from typing import Any

# A number written without a country code is Japanese, as everywhere in the routes.
HOME_REGION = "JP"
JAPAN_CODE = 81
# Digits of a Japanese number written from its leading 0: 03-1234-5678 (10), 090-1234-5678 (11).
JAPANESE_LENGTHS = (10, 11)
DIGITS = "0123456789"


def _library() -> Any:
    import phonenumbers  # noqa: PLC0415 - only the checks need it, never the call path

    return phonenumbers


def valid_phone_number(number: str) -> bool:
    return number_problem(number) is None


@cache
def number_problem(raw: str, e164: str | None = None) -> str | None:
    """Why `raw` (as the user typed it; `e164`: as the function reads it, when it can) cannot be a
    phone number in use, in one plain sentence naming it; None when it can be."""
    library = _library()
    try:
        parsed = library.parse(e164 or raw, HOME_REGION)
    except library.NumberParseException as error:
        if error.error_type == library.NumberParseException.INVALID_COUNTRY_CODE:
            return f"{raw} starts with a country code that no country has"
        return f"{raw} is not a phone number"
    if library.is_valid_number(parsed):
        return None
    national = library.national_significant_number(parsed)
    code = parsed.country_code
    if code == JAPAN_CODE:
        return _japanese_problem(raw, national)
    where = _where(code)
    lengths = _lengths(code)
    if len(national) not in lengths:
        return f"{raw} has {len(national)} digits after +{code}; numbers {where} have {_or(lengths)}"
    return f"{raw} is not a number that can exist {where}: check its digits"


def _japanese_problem(raw: str, national: str) -> str:
    digits = "0" + national
    written = "" if _digits_of(raw).startswith("0") else f" ({digits} in Japan)"
    count = f"{raw} has {len(digits)} digits{written}"
    if len(digits) not in JAPANESE_LENGTHS:
        return f"{count}; Japanese numbers have {_or(JAPANESE_LENGTHS)}"
    if any(_valid(f"+{JAPAN_CODE}{national}{digit}") for digit in DIGITS):
        return f"{count}; numbers starting {digits[:3]} have {len(digits) + 1}: a digit is missing"
    if any(_valid(f"+{JAPAN_CODE}{national[:i]}{national[i + 1 :]}") for i in range(len(national))):
        return f"{count}; numbers starting {digits[:3]} have {len(digits) - 1}: a digit too many"
    return f"{raw} is not a Japanese number that can exist: no number in use starts {digits[:3]}"


@cache
def prefix_problem(raw: str, e164_prefix: str) -> str | None:
    """Why no phone number can start with `e164_prefix` ("+8190", what the function reads the
    caller prefix `raw` as); None when some can."""
    library = _library()
    digits = e164_prefix.removeprefix("+")
    codes = sorted(library.COUNTRY_CODE_TO_REGION_CODE)
    code = next((c for c in codes if digits.startswith(str(c))), None)
    if code is None:
        if any(str(c).startswith(digits) for c in codes):
            return None  # a part of a country code: "+8*"
        return f"{raw} starts with a country code that no country has"
    national = digits[len(str(code)) :]
    if not national or _completes(code, national):
        return None
    where = "Japanese" if code == JAPAN_CODE else f"+{code}"
    shown = f"0{national}" if code == JAPAN_CODE else f"+{code} {national}"
    return f"{raw}: no {where} number starts with {shown}"


def _completes(code: int, national: str) -> bool:
    """Whether some valid number of country `code` starts with `national`: every length the
    country's numbers may have, the rest filled with one digit repeated, then with any first digit
    and one digit repeated (enough for the metadata's patterns, which are ranges of leading digits)."""
    lengths = [length for length in _lengths(code) if length >= len(national)]
    for length in lengths:
        rest = length - len(national)
        if rest == 0:
            if _valid(f"+{code}{national}"):
                return True
            continue
        candidates = [fill * rest for fill in DIGITS] + [
            first + fill * (rest - 1) for first in DIGITS for fill in DIGITS
        ]
        if any(_valid(f"+{code}{national}{tail}") for tail in candidates):
            return True
    return False


@cache
def _valid(e164: str) -> bool:
    library = _library()
    try:
        return bool(library.is_valid_number(library.parse(e164)))
    except library.NumberParseException:
        return False


@cache
def _lengths(code: int) -> tuple[int, ...]:
    """The lengths (after the country code) numbers of country `code` may have."""
    library = _library()
    found: set[int] = set()
    for region in library.region_codes_for_country_code(code):
        metadata = library.PhoneMetadata.metadata_for_region(region)
        if metadata is not None:
            found.update(length for length in metadata.general_desc.possible_length if length > 0)
    return tuple(sorted(found))


def country_name(code: int) -> str:
    """The country a calling code belongs to, in English ("Japan"); "+1" and the like when the code
    is shared by several countries."""
    library = _library()
    from phonenumbers import geocoder  # noqa: PLC0415 - with the library, only when a check runs

    regions = library.region_codes_for_country_code(code)
    if len(regions) == 1:
        example = library.example_number(regions[0])
        if example is not None:
            name = str(geocoder.country_name_for_number(example, "en"))
            if name:
                return name
    return f"+{code}"


def _where(code: int) -> str:
    name = country_name(code)
    return f"in {name}" if not name.startswith("+") else f"with {name}"


def _digits_of(raw: str) -> str:
    import unicodedata  # noqa: PLC0415

    return "".join(c for c in unicodedata.normalize("NFKC", raw) if c.isdigit() or c == "+")


def _or(lengths: tuple[int, ...]) -> str:
    if len(lengths) > 2 and lengths[-1] - lengths[0] == len(lengths) - 1:
        return f"{lengths[0]} to {lengths[-1]}"
    return ", ".join(map(str, lengths[:-1])) + (" or " if len(lengths) > 1 else "") + str(lengths[-1])
