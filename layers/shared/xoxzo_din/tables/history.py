"""The history of every route change: one item per change (old and new item, when), written by
the route-changes function from the RoutesTable's stream, kept for a retention period (TTL), read
by `xoxzo-din routes history` and `routes restore` (docs/how-to/see-what-callers-hear.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key
from boto3.dynamodb.types import TypeDeserializer

from xoxzo_din.tables.paging import every_item
from xoxzo_din.tables.schema import NUMBER, RULE_ID

# The history table's sort key: the ISO time (stream records carry whole seconds), then the record's
# sequence number, zero-padded (it grows with every change of an item), then the event id.
CHANGED_AT = "changed_at"
_SEQUENCE_DIGITS = 40
EXPIRES_AT = "expires_at"  # the history table's TTL attribute (epoch seconds)
_DESERIALIZER = TypeDeserializer()


@dataclass(frozen=True)
class Change:
    number: str
    rule_id: str
    at: datetime
    event_id: str
    old: dict[str, Any] | None  # the item before (None: it was created)
    new: dict[str, Any] | None  # the item after (None: it was deleted)
    sequence: str = ""  # the stream's sequence number, zero-padded: orders changes within a second

    @property
    def kind(self) -> str:
        return "created" if self.old is None else "deleted" if self.new is None else "changed"

    @classmethod
    def of_stream_record(cls, record: Mapping[str, Any]) -> Change:
        """One DynamoDB Streams record (NEW_AND_OLD_IMAGES) of the RoutesTable."""
        data = record["dynamodb"]
        keys = _plain(data["Keys"])
        when = datetime.fromtimestamp(float(data.get("ApproximateCreationDateTime", 0)), UTC)
        return cls(
            number=str(keys[NUMBER]),
            rule_id=str(keys[RULE_ID]),
            at=when,
            event_id=str(record.get("eventID", "")),
            old=_plain(data["OldImage"]) if "OldImage" in data else None,
            new=_plain(data["NewImage"]) if "NewImage" in data else None,
            sequence=str(data.get("SequenceNumber", "")).rjust(_SEQUENCE_DIGITS, "0"),
        )

    def to_item(self, retention_days: int) -> dict[str, Any]:
        item: dict[str, Any] = {
            NUMBER: self.number,
            CHANGED_AT: f"{self.at.isoformat(timespec='milliseconds')}#{self.sequence}#{self.event_id}",
            RULE_ID: self.rule_id,
            EXPIRES_AT: int((self.at + timedelta(days=retention_days)).timestamp()),
        }
        if self.old is not None:
            item["old"] = self.old
        if self.new is not None:
            item["new"] = self.new
        return item

    @classmethod
    def of_item(cls, item: Mapping[str, Any]) -> Change:
        when, _, rest = str(item[CHANGED_AT]).partition("#")
        sequence, _, event_id = rest.partition("#")
        return cls(
            number=str(item[NUMBER]),
            rule_id=str(item[RULE_ID]),
            at=datetime.fromisoformat(when),
            event_id=event_id,
            old=dict(item["old"]) if "old" in item else None,
            new=dict(item["new"]) if "new" in item else None,
            sequence=sequence,
        )


def _plain(image: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _DESERIALIZER.deserialize(value) for name, value in image.items()}


def record_changes(table: Any, changes: Iterable[Change], retention_days: int) -> int:
    written = 0
    with table.batch_writer() as batch:
        for change in changes:
            batch.put_item(Item=change.to_item(retention_days))
            written += 1
    return written


def changes_of(table: Any, number: str) -> list[Change]:
    """A number's changes, oldest first."""
    items = every_item(table.query, KeyConditionExpression=Key(NUMBER).eq(number), ConsistentRead=True)
    return [Change.of_item(item) for item in items]


def items_at(
    current: Iterable[Mapping[str, Any]], changes: Iterable[Change], moment: datetime
) -> list[dict[str, Any]]:
    """A number's items as they were at `moment`: the current ones, with every later change undone
    (newest first)."""
    items = {str(item[RULE_ID]): dict(item) for item in current}
    for change in sorted(changes, key=lambda c: (c.at, c.sequence), reverse=True):
        if change.at <= moment:
            break
        if change.old is None:
            items.pop(change.rule_id, None)
        else:
            items[change.rule_id] = dict(change.old)
    return [items[rule_id] for rule_id in sorted(items)]


def plain_number(value: Any) -> Any:
    """DynamoDB numbers as ints where they are whole (for messages)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
