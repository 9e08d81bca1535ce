"""Read routes from DynamoDB: one Query of one partition (a number's, or the global `*` one).

A Query names its partition, so it never scans (the action function's IAM policy allows nothing
else), and returns up to 1 MB of items in one response: far more than any number's rules. Timeouts
are short and retries bounded, so a slow DynamoDB costs at most `MAX_LOOKUP_SECONDS` per read
before the caller falls back to cached or default routes. The client is botocore's and the items are
read by attribute_values.py: no boto3 on the call path (docs/explanation/performance.md).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.loaders import Loader
from botocore.session import get_session

from xoxzo_din.tables.attribute_values import Item, item_from_dynamodb
from xoxzo_din.tables.schema import GLOBAL_NUMBER, NUMBER

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SERVICE = "dynamodb"
CONNECT_TIMEOUT_SECONDS = 0.1
READ_TIMEOUT_SECONDS = 0.25
# One retry, only if it can still finish inside the budget (no back-off sleep: we are on a call).
MAX_ATTEMPTS = 2
MAX_LOOKUP_SECONDS = MAX_ATTEMPTS * (CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS)
# The time between setting a read's deadline and checking it before its first attempt.
_CLOCK_SLACK_SECONDS = 0.001

# botocore's own retries are off: its back-off sleeps could exceed the budget above.
CLIENT_CONFIG = Config(
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=READ_TIMEOUT_SECONDS,
    retries={"total_max_attempts": 1, "mode": "standard"},
    tcp_keepalive=True,
)

# Worth one more try: throttling (these codes come with a 400), any 5xx (below), timeouts and
# connection errors (BotoCoreError).
_RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


class LookupTimeoutError(TimeoutError):
    """A read that would not finish inside MAX_LOOKUP_SECONDS."""


class MalformedPageError(ValueError):
    """A 200 whose body is not a Query page (no `Items` list, or a `Count` that does not match it):
    a failed read, never "no routes"."""


class DynamoDBOnlyLoader(Loader):
    """botocore's data loader for a session that makes one DynamoDB client. Before it reads a
    service's model, botocore checks that the service exists by listing every service it has
    data for (hundreds of folders, once for the model and once for its endpoint rules); here that
    list is DynamoDB alone. Every file is still read as botocore reads it."""

    def list_available_services(self, type_name: str) -> list[str]:
        return [SERVICE]


def create_dynamodb_client() -> DynamoDBClient:
    """The client the action function uses, botocore's; honours AWS_ENDPOINT_URL_DYNAMODB (local runs)."""
    session = get_session()
    data_path = session.get_config_variable("data_path")  # AWS_DATA_PATH, as botocore reads it
    session.register_component(
        "data_loader", DynamoDBOnlyLoader(extra_search_paths=data_path.split(os.pathsep) if data_path else [])
    )
    client: DynamoDBClient = session.create_client(SERVICE, config=CLIENT_CONFIG)  # type: ignore[assignment]
    return client


class RoutesReader:
    """Reads the route items of one partition of the routes table."""

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._table_name = table_name
        self._clock = clock
        self.requests_made = 0  # for metrics and benchmarks

    def read_number(self, number: str) -> list[Item]:
        """The items of `number` (E.164). Raises on DynamoDB failure or when out of time."""
        return self._query(number)

    def read_global(self) -> list[Item]:
        """The items of the global `*` partition (its default)."""
        return self._query(GLOBAL_NUMBER)

    def read_global_once(self) -> list[Item]:
        """The same with a single attempt: at start-up, where a cold start already costs time,
        an outage should not cost two timeouts before the first answer."""
        return self._query(GLOBAL_NUMBER, attempts=1)

    def _query(self, partition: str, attempts: int = MAX_ATTEMPTS) -> list[Item]:
        deadline = self._clock() + attempts * (CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS)
        arguments: dict[str, Any] = {
            "TableName": self._table_name,
            "KeyConditionExpression": "#number = :number",
            "ExpressionAttributeNames": {"#number": NUMBER},
            "ExpressionAttributeValues": {":number": {"S": partition}},
        }
        items: list[Item] = []
        while True:
            page = self._request(arguments, deadline, attempts)
            items.extend(map(item_from_dynamodb, page["Items"]))
            if "LastEvaluatedKey" not in page:  # only past 1 MB of items in one partition
                return items
            arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _request(self, arguments: dict[str, Any], deadline: float, attempts: int) -> dict[str, Any]:
        # An attempt starts only if its worst case (connect + read timeout) ends by the deadline.
        attempt_seconds = CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS
        for attempt in range(1, attempts + 1):
            if self._clock() + attempt_seconds > deadline + _CLOCK_SLACK_SECONDS:
                raise LookupTimeoutError("no time left for another DynamoDB request")
            self.requests_made += 1
            try:
                return _checked(self._client.query(**arguments))
            except (BotoCoreError, ClientError, MalformedPageError) as error:
                if attempt == attempts or not _retryable(error):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover


def _checked(page: Any) -> dict[str, Any]:
    """The page, if it is one: an `Items` list, and a `Count` (when given) that matches it."""
    items = page.get("Items") if isinstance(page, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise MalformedPageError("DynamoDB answered a Query without an Items list")
    count = page.get("Count", len(items))
    if count != len(items):
        raise MalformedPageError(f"DynamoDB answered Count {count!r} with {len(items)} items")
    return dict(page)


def _retryable(error: BotoCoreError | ClientError | MalformedPageError) -> bool:
    """Throttling and any server-side error (5xx) are worth one more try, as are timeouts,
    connection errors and a malformed page; a client error (4xx) is not."""
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return error.response.get("Error", {}).get("Code") in _RETRYABLE_CODES or status >= 500
    return True
