"""A route item as DynamoDB sends it ({"S": "text"}, {"N": "5"}, ...) read into plain Python values.

The action function reads its items with botocore alone, so it reads attribute values itself
instead of importing boto3 for its deserializer (docs/explanation/performance.md#the-dynamodb-client).
Every type the DynamoDB console can write is read as boto3 would read it, except binary values,
which stay `bytes`:

S -> str, N -> Decimal, B -> bytes, BOOL -> bool, NULL -> None, M -> dict, L -> list,
SS -> set[str], NS -> set[Decimal], BS -> set[bytes].

An item with any other value (an unknown type, a payload of the wrong kind, a number that is not
one, nesting deeper than DynamoDB allows) is never an exception: it is read as a `MalformedItem`,
which route parsing reports as a problem and skips.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from xoxzo_din.tables.schema import NUMBER, RULE_ID

# DynamoDB's own limit on maps and lists nested in an item.
MAX_DEPTH = 32

type Item = dict[str, Any]


class MalformedItem(dict[str, Any]):
    """An item that could not be read: only its number and rule_id (when they are strings), and why."""

    __slots__ = ("problem",)

    def __init__(self, identity: Mapping[str, str], problem: str) -> None:
        super().__init__(identity)
        self.problem = problem


class _MalformedValueError(ValueError):
    pass


def item_from_dynamodb(raw: Mapping[str, Any]) -> Item:
    """The item's attributes as plain values, or a MalformedItem saying what could not be read."""
    try:
        return {_name(name): _value(value, 0) for name, value in raw.items()}
    except _MalformedValueError as error:
        return MalformedItem(_identity(raw), f"not a DynamoDB item: {error}")


def _name(name: object) -> str:
    if not isinstance(name, str):
        raise _MalformedValueError(f"attribute name {_shown(name)} is not a string")
    return name


def _identity(raw: Mapping[str, Any]) -> dict[str, str]:
    identity: dict[str, str] = {}
    for key in (NUMBER, RULE_ID):
        value = raw.get(key)
        if isinstance(value, dict) and isinstance(text := value.get("S"), str):
            identity[key] = text
    return identity


def _value(value: object, depth: int) -> Any:
    if not isinstance(value, dict) or len(value) != 1:
        raise _MalformedValueError(f"{_shown(value)} is not an attribute value (one type and its data)")
    ((kind, data),) = value.items()
    reader = _READERS.get(kind) if isinstance(kind, str) else None
    if reader is None:
        raise _MalformedValueError(f"{_shown(kind)} is not a DynamoDB type")
    return reader(data, depth)


def _shown(value: object) -> str:
    """A short repr, whatever the value's depth (a plain repr of a deeply nested value raises)."""
    try:
        text = repr(value)
    except RecursionError:
        import reprlib  # noqa: PLC0415  (only such a value pays for it)

        text = reprlib.Repr(maxlevel=2).repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _text(data: object, _depth: int = 0) -> str:
    if not isinstance(data, str):
        raise _MalformedValueError(f"S holds {_shown(data)}, not a string")
    return data


def _number(data: object, _depth: int = 0) -> Decimal:
    try:
        number = Decimal(data) if isinstance(data, str) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise _MalformedValueError(f"N holds {_shown(data)}, not a number")
    return number


def _binary(data: object, _depth: int = 0) -> bytes:
    if not isinstance(data, bytes | bytearray):
        raise _MalformedValueError(f"B holds {_shown(data)}, not bytes")
    return bytes(data)


def _boolean(data: object, _depth: int = 0) -> bool:
    if not isinstance(data, bool):
        raise _MalformedValueError(f"BOOL holds {_shown(data)}, not true or false")
    return data


def _null(data: object, _depth: int = 0) -> None:
    if data is not True:
        raise _MalformedValueError(f"NULL holds {_shown(data)}, not true")


def _map(data: object, depth: int) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _MalformedValueError(f"M holds {_shown(data)}, not a map")
    _nested(depth)
    return {_name(name): _value(value, depth + 1) for name, value in data.items()}


def _list(data: object, depth: int) -> list[Any]:
    if not isinstance(data, list):
        raise _MalformedValueError(f"L holds {_shown(data)}, not a list")
    _nested(depth)
    return [_value(value, depth + 1) for value in data]


def _nested(depth: int) -> None:
    if depth >= MAX_DEPTH:
        raise _MalformedValueError(f"maps and lists nested deeper than {MAX_DEPTH}")


def _set(member: Callable[[object], Any], kind: str) -> Callable[[object, int], set[Any]]:
    def read(data: object, _depth: int = 0) -> set[Any]:
        if not isinstance(data, list):
            raise _MalformedValueError(f"{kind} holds {_shown(data)}, not a list")
        return {member(value) for value in data}

    return read


_READERS: dict[str, Callable[[object, int], Any]] = {
    "S": _text,
    "N": _number,
    "B": _binary,
    "BOOL": _boolean,
    "NULL": _null,
    "M": _map,
    "L": _list,
    "SS": _set(_text, "SS"),
    "NS": _set(_number, "NS"),
    "BS": _set(_binary, "BS"),
}
