"""The call path's own reader of DynamoDB attribute values (tables/attribute_values.py): every
type the console can write, read as boto3 reads it (binary values stay bytes), and a malformed
item read as a MalformedItem, never an exception."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.tables.attribute_values import MAX_DEPTH, MalformedItem, item_from_dynamodb

NUMBER = "+81312345678"
# Every type, as botocore hands a Query's items over (B and BS already decoded from base64).
EVERY_TYPE: dict[str, Any] = {
    "number": {"S": NUMBER},
    "rule_id": {"S": "every-type"},
    "text": {"S": "営業時間外です"},
    "empty": {"S": ""},
    "priority": {"N": "10"},
    "ratio": {"N": "-0.25"},
    "huge": {"N": "1E+125"},
    "picture": {"B": b"\x00\xffbinary"},
    "enabled": {"BOOL": False},
    "note": {"NULL": True},
    "settings": {"M": {"nested": {"L": [{"S": "a"}, {"N": "1"}, {"M": {}}]}, "flag": {"BOOL": True}}},
    "list": {"L": [{"S": "x"}, {"NULL": True}, {"SS": ["y"]}]},
    "callers": {"SS": ["+819012345678", "+819087654321"]},
    "numbers": {"NS": ["1", "2.5"]},
    "blobs": {"BS": [b"a", b"b"]},
}
EXPECTED: dict[str, Any] = {
    "number": NUMBER,
    "rule_id": "every-type",
    "text": "営業時間外です",
    "empty": "",
    "priority": Decimal(10),
    "ratio": Decimal("-0.25"),
    "huge": Decimal("1E+125"),
    "picture": b"\x00\xffbinary",
    "enabled": False,
    "note": None,
    "settings": {"nested": ["a", Decimal(1), {}], "flag": True},
    "list": ["x", None, {"y"}],
    "callers": {"+819012345678", "+819087654321"},
    "numbers": {Decimal(1), Decimal("2.5")},
    "blobs": {b"a", b"b"},
}


def test_every_attribute_type_is_read():
    item = item_from_dynamodb(EVERY_TYPE)
    assert not isinstance(item, MalformedItem)
    assert item == EXPECTED
    assert {kind for value in EVERY_TYPE.values() for kind in value} == {
        "S",
        "N",
        "B",
        "BOOL",
        "NULL",
        "M",
        "L",
        "SS",
        "NS",
        "BS",
    }


def plain(value: Any) -> Any:
    """boto3's reading with its Binary wrapper unwrapped (ours keeps bytes)."""
    if isinstance(value, Binary):
        return value.__bytes__()
    if isinstance(value, dict):
        return {name: plain(inner) for name, inner in value.items()}
    if isinstance(value, list):
        return [plain(inner) for inner in value]
    if isinstance(value, set):
        return {plain(inner) for inner in value}
    return value


def test_values_are_those_boto3_reads_but_bytes_for_binary():
    boto3_reading = {name: TypeDeserializer().deserialize(value) for name, value in EVERY_TYPE.items()}
    assert item_from_dynamodb(EVERY_TYPE) == plain(boto3_reading)


@pytest.mark.parametrize(
    "value",
    ["text", Decimal("12.5"), b"bytes", True, None, {"a": [1, "b"]}, ["x"], {"s"}, {Decimal(3)}, {b"z"}],
)
def test_what_boto3_writes_reads_back(value):
    written = TypeSerializer().serialize(value)
    assert item_from_dynamodb({"value": written}) == {"value": value}


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ({"X": "1"}, "'X' is not a DynamoDB type"),
        ({}, "not an attribute value"),
        ({"S": "a", "N": "1"}, "not an attribute value"),
        ("plain", "not an attribute value"),
        (None, "not an attribute value"),
        ({"S": 5}, "S holds 5, not a string"),
        ({"N": "abc"}, "N holds 'abc', not a number"),
        ({"N": 5}, "N holds 5, not a number"),
        ({"N": "NaN"}, "not a number"),
        ({"N": "Infinity"}, "not a number"),
        ({"B": "YmFzZTY0"}, "B holds 'YmFzZTY0', not bytes"),
        ({"BOOL": "true"}, "BOOL holds 'true', not true or false"),
        ({"BOOL": 1}, "not true or false"),
        ({"NULL": False}, "NULL holds False, not true"),
        ({"M": []}, "M holds [], not a map"),
        ({"M": {"a": "b"}}, "not an attribute value"),
        ({"M": {1: {"S": "b"}}}, "attribute name 1 is not a string"),
        ({"L": {}}, "L holds {}, not a list"),
        ({"L": [{"S": 1}]}, "S holds 1"),
        ({"SS": "a"}, "SS holds 'a', not a list"),
        ({"SS": ["a", 1]}, "S holds 1, not a string"),
        ({"NS": ["1", "x"]}, "N holds 'x'"),
        ({"NS": "1"}, "NS holds '1', not a list"),
        ({"BS": [b"a", "b"]}, "B holds 'b', not bytes"),
        ({"BS": b"a"}, "BS holds b'a', not a list"),
        ({"S": ["x" * 100]}, "S holds ['" + "x" * 35 + "..., not a string"),
    ],
)
def test_a_malformed_value_makes_a_malformed_item_never_an_exception(value, problem):
    item = item_from_dynamodb({"number": {"S": NUMBER}, "rule_id": {"S": "r"}, "text": value})
    assert isinstance(item, MalformedItem)
    assert dict(item) == {"number": NUMBER, "rule_id": "r"}  # only what identifies it
    assert problem in item.problem and item.problem.startswith("not a DynamoDB item: ")
    assert len(item.problem) < 120  # the value is shown, cut short


def test_a_malformed_item_without_a_readable_key_is_still_one():
    unnamed: Any = {"number": {"N": "5"}, "rule_id": {"S": 5}, 7: {"S": "x"}}
    item = item_from_dynamodb(unnamed)
    assert isinstance(item, MalformedItem) and dict(item) == {}
    number_named: Any = {7: {"S": "x"}}
    nameless = item_from_dynamodb(number_named)
    assert isinstance(nameless, MalformedItem)
    assert nameless.problem == "not a DynamoDB item: attribute name 7 is not a string"


def test_nesting_is_read_down_to_dynamodbs_limit_and_no_further():
    def nested(depth: int) -> dict[str, Any]:
        value: dict[str, Any] = {"S": "leaf"}
        for level in range(depth):
            value = {"L": [value]} if level % 2 else {"M": {"inner": value}}
        return value

    assert not isinstance(item_from_dynamodb({"deep": nested(MAX_DEPTH)}), MalformedItem)
    too_deep = item_from_dynamodb({"deep": nested(MAX_DEPTH + 1)})
    assert isinstance(too_deep, MalformedItem) and "deeper than 32" in too_deep.problem
    absurd = item_from_dynamodb({"deep": nested(100_000)})  # never a RecursionError
    assert isinstance(absurd, MalformedItem)


def test_rule_parsing_skips_a_malformed_item_as_a_problem():
    good = item_from_dynamodb(
        {"number": {"S": NUMBER}, "rule_id": {"S": "default"}, "action": {"S": "voicemail"}}
    )
    bad = item_from_dynamodb({"number": {"S": NUMBER}, "rule_id": {"S": "010-vip"}, "priority": {"N": "ten"}})
    routes = parse_number_routes([good, bad])
    assert routes.default is not None and routes.rules == ()
    assert routes.problems == (f"{NUMBER}/010-vip: not a DynamoDB item: N holds 'ten', not a number",)


def test_a_malformed_default_item_sets_no_default():
    bad = item_from_dynamodb({"number": {"S": "*"}, "rule_id": {"S": "default"}, "action": {"X": "say"}})
    routes = parse_number_routes([bad], global_partition=True)
    assert routes.default is None and len(routes.problems) == 1


def test_a_value_too_deep_to_print_is_a_malformed_item_not_an_exception():
    deep: list[object] = []
    for _ in range(200_000):
        deep = [deep]
    item = item_from_dynamodb({"number": {"S": "+81312345678"}, "rule_id": {"S": "r"}, "text": {"S": deep}})
    assert isinstance(item, MalformedItem) and "S holds" in item.problem
