"""Whether a transfer target is a real phone number, by Google's libphonenumber metadata
(`phonenumbers`). Imported only when a check runs: the operators' tool and the route-changes
function have it; the action function never loads it (docs/decisions.md)."""

from __future__ import annotations


def valid_phone_number(number: str) -> bool:
    import phonenumbers  # noqa: PLC0415 - only the checks need it, never the call path

    try:
        return bool(phonenumbers.is_valid_number(phonenumbers.parse(number)))
    except phonenumbers.NumberParseException:
        return False
