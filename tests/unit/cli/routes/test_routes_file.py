"""Routes as code: the YAML round trip is lossless, a shared schedule applies to several numbers,
an invalid file is refused whole, and the plan says what an import would change."""

from decimal import Decimal

import pytest

from tools.local_env import sample_routes
from xoxzo_din.tables.snapshot import group
from xoxzo_din_cli.routes.routes_file import RoutesFileError, dump, load, plan

NUMBER = "+81312345678"


def as_table(items):
    """Items as boto3 reads them back: whole numbers as Decimal."""
    return [
        {k: Decimal(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in i.items()}
        for i in items
    ]


def test_export_then_import_of_the_same_file_changes_nothing():
    table = group(as_table(sample_routes()))
    again = load(dump(table))
    assert plan(table, again, prune=True).empty
    assert again.by_number.keys() == table.by_number.keys()


def test_types_survive_the_round_trip():
    item = {
        "number": NUMBER,
        "rule_id": "r",
        "priority": Decimal("20"),
        "enabled": False,
        "action": "voicemail",
        "callers": {"+819012345678", "anonymous"},
        "weight": Decimal("0.1"),
        "dates": "2026-08-13",
        "hours": "12:00-13:00",
    }
    back = load(dump(group([item]))).items_of(NUMBER)[0]
    assert back == item
    assert "!stringset" in dump(group([item]))


def test_a_shared_schedule_applies_to_each_of_its_numbers():
    text = """
version: 1
shared:
  - numbers: ["+81312345679", "+81312345680"]
    routes:
      default: {action: voicemail}
      060-open: {priority: 60, days: mon-fri, hours: "09:00-17:00", action: transfer, to: "+81312340000"}
"""
    routes = load(text)
    assert routes.numbers == ["+81312345679", "+81312345680"]
    assert [item["rule_id"] for item in routes.items_of("+81312345680")] == ["060-open", "default"]


def test_an_invalid_file_lists_every_problem():
    text = """
version: 2
numbers:
  "0312345678": {default: {action: voicemail}}
  "+81312345678":
    010-x: {action: sya}
    020-y: {action: voicemail, number: "+1"}
"""
    with pytest.raises(RoutesFileError) as raised:
        load(text)
    problems = raised.value.problems
    assert len(problems) == 4
    assert problems[0] == "version must be 1"
    assert any("'0312345678' is not a key the function reads: write '+81312345678'" in p for p in problems)
    assert any("020-y: number come from the file's structure" in p for p in problems)
    assert any("010-x" in p and "sya" in p for p in problems)


def test_the_plan_adds_changes_and_prunes_only_the_files_numbers():
    table = group(
        as_table(
            [
                {"number": NUMBER, "rule_id": "a", "action": "voicemail"},
                {"number": NUMBER, "rule_id": "b", "action": "voicemail"},
                {"number": "+81399990000", "rule_id": "c", "action": "voicemail"},
            ]
        )
    )
    wanted = load(
        'version: 1\nnumbers:\n  "+81312345678":\n'
        "    a: {action: voicemail, priority: 5}\n    d: {action: voicemail}\n"
    )
    kept = plan(table, wanted, prune=False)
    assert ([i["rule_id"] for i in kept.added], [n["rule_id"] for _, n in kept.changed], kept.removed) == (
        ["d"],
        ["a"],
        [],
    )
    assert [i["rule_id"] for i in kept.kept] == ["b"]
    pruned = plan(table, wanted, prune=True)
    assert [i["rule_id"] for i in pruned.removed] == ["b"]


def test_keys_yaml_reads_as_numbers_are_refused_with_a_hint():
    with pytest.raises(RoutesFileError) as raised:
        load(
            "version: 1\nnumbers:\n  +81312345678:\n    010: {action: voicemail}\n"
            "  '+81 3 1234 5679': {default: {action: voicemail}}\n"
        )
    problems = " | ".join(raised.value.problems)
    assert "quote the number" in problems and "'+81 3 1234 5679' is not a key the function reads" in problems


def test_number_sets_and_binary_values_survive_the_round_trip():
    from boto3.dynamodb.types import Binary  # noqa: PLC0415 - only this test needs it

    item = {
        "number": NUMBER,
        "rule_id": "r",
        "action": "voicemail",
        "ns": {Decimal(1), Decimal("2.5")},
        "blob": Binary(b"\x00\x01"),
    }
    table = group([item])
    text = dump(table)
    assert "!numberset" in text and "!binary" in text
    assert plan(table, load(text), prune=True).empty
