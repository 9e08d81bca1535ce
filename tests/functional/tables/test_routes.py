"""The routes table as everything but the call path reads and writes it (moto): one number's items
page after page, and the tool's conditional writes, which never overwrite an edit made in the
console meanwhile, an attribute added included."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from xoxzo_din.tables.routes import ConcurrentEditError, delete_item, items_of, write_item

NUMBER = "+81312345678"


def test_a_numbers_items_are_read_page_after_page_and_no_other_numbers(table, monkeypatch):
    for rule in range(5):
        table.put_item(Item={"number": NUMBER, "rule_id": f"r{rule}", "action": "voicemail"})
    table.put_item(Item={"number": "+81300000000", "rule_id": "default", "action": "voicemail"})
    query, pages = table.meta.client.query, []

    def small_pages(**kwargs: Any) -> dict[str, Any]:
        page: dict[str, Any] = query(**kwargs, Limit=2)
        pages.append(len(page["Items"]))
        return page

    monkeypatch.setattr(table.meta.client, "query", small_pages)
    assert [item["rule_id"] for item in items_of(table, NUMBER)] == [f"r{rule}" for rule in range(5)]
    assert len(pages) >= 3


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
