"""The only writes made to the RoutesTable by code: provisioning's default route of a new number,
and deleting a cancelled number's routes (people edit the rest in the console)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from xoxzo_din.tables.paging import every_item
from xoxzo_din.tables.schema import DEFAULT_LANGUAGE, DEFAULT_RULE_ID, NUMBER, RULE_ID

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

# What a newly subscribed number says until someone writes its routes.
NEW_NUMBER_GREETING = "お電話ありがとうございます。ただいま準備中です。しばらくしてからおかけ直しください。"


def new_number_default_item(number: str, now_iso: str) -> dict[str, Any]:
    """The default route item that provisioning creates for a number that has none."""
    return {
        NUMBER: number,
        RULE_ID: DEFAULT_RULE_ID,
        "action": "say",
        "language": DEFAULT_LANGUAGE,
        "text": NEW_NUMBER_GREETING,
        "note": f"created by provisioning at {now_iso}; edit freely",
    }


class RoutesWriter(Protocol):
    def ensure_default_route(self, number: str, now: str) -> bool:
        """Create the number's default route unless it has one; True when it was created."""
        ...

    def has_routes(self, number: str) -> bool: ...
    def delete_routes(self, number: str) -> int:
        """Delete every route item of the number; return how many there were."""
        ...


class DynamoDbRoutesWriter:
    """The few writes provisioning makes to the routes table."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def ensure_default_route(self, number: str, now: str) -> bool:
        try:
            self._table.put_item(
                Item=new_number_default_item(number, now),
                # Never overwrite a default someone already wrote by hand.
                ConditionExpression=Attr(NUMBER).not_exists(),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def has_routes(self, number: str) -> bool:
        page = self._table.query(KeyConditionExpression=Key(NUMBER).eq(number), Limit=1, ConsistentRead=True)
        return bool(page.get("Items"))

    def delete_routes(self, number: str) -> int:
        items = every_item(
            self._table.query,
            KeyConditionExpression=Key(NUMBER).eq(number),
            ProjectionExpression="#number, #rule_id",
            ExpressionAttributeNames={"#number": NUMBER, "#rule_id": RULE_ID},
            ConsistentRead=True,
        )
        keys = [{NUMBER: item[NUMBER], RULE_ID: item[RULE_ID]} for item in items]
        with self._table.batch_writer() as batch:
            for key in keys:
                batch.delete_item(Key=key)
        return len(keys)
