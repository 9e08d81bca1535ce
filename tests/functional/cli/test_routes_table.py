"""The tool's writes to the routes table (moto) are conditional: they never overwrite an edit made
in the console meanwhile, an attribute added included."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xoxzo_din_cli.routes_table import ConcurrentEditError, delete_item, write_item

NUMBER = "+81312345678"


def test_a_write_is_refused_when_the_item_changed_since_it_was_read(table):
    seen = {"number": NUMBER, "rule_id": "r", "action": "voicemail", "priority": Decimal(5)}
    table.put_item(Item=seen)
    table.put_item(Item={**seen, "priority": Decimal(6)})  # someone edits it in the console
    with pytest.raises(ConcurrentEditError):
        write_item(table, {**seen, "priority": Decimal(7)}, seen)
    with pytest.raises(ConcurrentEditError):
        delete_item(table, seen)
    with pytest.raises(ConcurrentEditError):
        write_item(table, {"number": NUMBER, "rule_id": "r", "action": "voicemail"}, None)  # it exists now
    assert table.get_item(Key={"number": NUMBER, "rule_id": "r"})["Item"]["priority"] == 6


def test_an_attribute_added_in_the_console_meanwhile_is_a_conflict_too(table):
    seen = {"number": NUMBER, "rule_id": "010-x", "priority": Decimal(10), "action": "say", "text": "old"}
    table.put_item(Item=seen)
    table.put_item(Item={**seen, "callers": "+81120000000"})  # someone makes it a block list
    with pytest.raises(ConcurrentEditError):
        write_item(table, {**seen, "text": "new"}, seen)
    assert table.get_item(Key={"number": NUMBER, "rule_id": "010-x"})["Item"]["callers"] == "+81120000000"
