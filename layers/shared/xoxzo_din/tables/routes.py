"""The RoutesTable as everything but the call path reads and writes it: one number's items (the
canary, the route-changes function), every item by number (the operators' tool: a scan is fine
here, the action function never scans), and conditional writes that never overwrite a concurrent
edit. The call path's own reader: routes_reader; provisioning's writes: routes_writer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase
from botocore.exceptions import ClientError

from xoxzo_din.tables.paging import every_item
from xoxzo_din.tables.schema import ATTRIBUTES, NUMBER, RULE_ID
from xoxzo_din.tables.snapshot import Item, Routes


def items_of(table: Any, number: str) -> list[Item]:
    """Every item of `number`, page after page. Through the table's client, which (unlike the
    resource) may serve several threads at once, and still turns values to and from DynamoDB's form."""
    items = every_item(
        table.meta.client.query,
        TableName=table.name,
        KeyConditionExpression="#number = :number",
        ExpressionAttributeNames={"#number": NUMBER},
        ExpressionAttributeValues={":number": number},
        ConsistentRead=True,
    )
    return list(items)


def put_items(table: Any, items: Iterable[Mapping[str, Any]]) -> int:
    """Write `items` as they are, overwriting (seeding a table: the local stack, the tests); how
    many were written."""
    count = 0
    # The last of two items with one key wins, as one put_item after another would.
    with table.batch_writer(overwrite_by_pkeys=[NUMBER, RULE_ID]) as batch:
        for item in items:
            batch.put_item(Item=dict(item))
            count += 1
    return count


def read_routes(table: Any) -> Routes:
    by_number: dict[str, list[Item]] = defaultdict(list)
    for item in every_item(table.scan, ConsistentRead=True):
        by_number[str(item.get(NUMBER))].append(item)
    for items in by_number.values():
        items.sort(key=lambda item: str(item.get(RULE_ID)))
    return Routes(dict(by_number))


class ConcurrentEditError(Exception):
    """An item changed in the table since it was read: it was not written."""


def _unchanged(item: Mapping[str, Any] | None, also_absent: Iterable[str] = ()) -> ConditionBase:
    """The item is still as read (None: it still does not exist): every attribute it had has the
    same value, and no attribute the function reads (or the write brings) was added meanwhile."""
    if item is None:
        return Attr(NUMBER).not_exists()
    condition: ConditionBase = Attr(NUMBER).exists()
    for name, value in item.items():
        if name not in (NUMBER, RULE_ID):
            condition &= Attr(name).eq(value)
    for name in sorted((ATTRIBUTES | set(also_absent)) - set(item)):
        condition &= Attr(name).not_exists()
    return condition


def write_item(table: Any, item: Item, seen: Item | None) -> None:
    """Put `item` if the table still holds `seen` (None: no item) under its key."""
    try:
        table.put_item(Item=item, ConditionExpression=_unchanged(seen, item))
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise ConcurrentEditError(f"{item[NUMBER]}/{item[RULE_ID]} changed since it was read") from error
        raise


def delete_item(table: Any, seen: Item) -> None:
    """Delete the item `seen` if it is still exactly that."""
    try:
        table.delete_item(
            Key={NUMBER: seen[NUMBER], RULE_ID: seen[RULE_ID]}, ConditionExpression=_unchanged(seen)
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise ConcurrentEditError(f"{seen[NUMBER]}/{seen[RULE_ID]} changed since it was read") from error
        raise
