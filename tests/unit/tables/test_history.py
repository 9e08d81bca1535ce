"""A route change as the stream delivers it, as the history table keeps it, and the routes as they
were at a moment (what `routes restore` puts back): no I/O."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from xoxzo_din.tables.history import Change, items_at, plain_number

AT = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
Image = dict[str, Any]


def stream_record(old: Image | None, new: Image | None, sequence: str = "100") -> dict[str, Any]:
    data: dict[str, Any] = {
        "Keys": {"number": {"S": "+81312345678"}, "rule_id": {"S": "lunch"}},
        "ApproximateCreationDateTime": AT.timestamp(),
        "SequenceNumber": sequence,
    }
    if old is not None:
        data["OldImage"] = old
    if new is not None:
        data["NewImage"] = new
    return {"eventID": "e1", "dynamodb": data}


def test_a_stream_record_becomes_a_change_with_plain_values():
    change = Change.of_stream_record(
        stream_record({"action": {"S": "voicemail"}}, {"action": {"S": "say ja x"}, "priority": {"N": "10"}})
    )
    assert (change.number, change.rule_id, change.at, change.event_id) == ("+81312345678", "lunch", AT, "e1")
    assert change.old == {"action": "voicemail"}
    assert change.new == {"action": "say ja x", "priority": Decimal(10)}
    assert change.kind == "changed"
    assert change.sequence == "100".rjust(40, "0")  # sorts as a number would


@pytest.mark.parametrize(
    ("old", "new", "kind"), [(None, {"a": {"S": "x"}}, "created"), ({"a": {"S": "x"}}, None, "deleted")]
)
def test_created_and_deleted_items_are_told_apart(old, new, kind):
    assert Change.of_stream_record(stream_record(old, new)).kind == kind


def test_the_kept_item_reads_back_as_the_same_change_and_expires_after_the_retention():
    change = Change.of_stream_record(stream_record({"action": {"S": "voicemail"}}, None))
    item = change.to_item(retention_days=30)
    assert item["expires_at"] == int((AT + timedelta(days=30)).timestamp())
    assert "new" not in item and item["old"] == {"action": "voicemail"}
    assert Change.of_item(item) == change


def test_changes_within_one_second_keep_their_order_in_the_sort_key():
    first = Change.of_stream_record(stream_record(None, {"a": {"S": "1"}}, sequence="9"))
    second = Change.of_stream_record(stream_record(None, {"a": {"S": "2"}}, sequence="10"))
    assert first.to_item(1)["changed_at"] < second.to_item(1)["changed_at"]


def change(rule_id: str, minutes: int, old: Image | None, new: Image | None) -> Change:
    return Change("+81312345678", rule_id, AT + timedelta(minutes=minutes), "e", old, new)


def test_the_routes_at_a_moment_undo_every_later_change_newest_first():
    current = [{"rule_id": "a", "action": "v3"}, {"rule_id": "c", "action": "new"}]
    changes = [
        change("a", 1, {"rule_id": "a", "action": "v1"}, {"rule_id": "a", "action": "v2"}),
        change("a", 2, {"rule_id": "a", "action": "v2"}, {"rule_id": "a", "action": "v3"}),
        change("b", 3, {"rule_id": "b", "action": "gone"}, None),  # deleted later: back
        change("c", 4, None, {"rule_id": "c", "action": "new"}),  # created later: away
    ]
    assert items_at(current, changes, AT + timedelta(minutes=1, seconds=30)) == [
        {"rule_id": "a", "action": "v2"},
        {"rule_id": "b", "action": "gone"},
    ]
    assert items_at(current, changes, AT + timedelta(minutes=10)) == current  # nothing later


def test_whole_numbers_read_as_ints_for_messages():
    assert (plain_number(Decimal(10)), plain_number(Decimal("1.5")), plain_number("x")) == (10, 1.5, "x")
