"""Read routes from DynamoDB: a number's partition and the global `*` partition in ONE request.

The request is a PartiQL SELECT whose WHERE names both partition keys (`number = ? OR number = ?`),
which DynamoDB answers without a scan; the action function's IAM policy also denies any statement
that would scan. Timeouts are short and retries bounded so a slow DynamoDB costs at most
`MAX_LOOKUP_SECONDS` before the caller falls back to cached or default routes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from xoxzo_din.route_items import GLOBAL_NUMBER, NUMBER

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CONNECT_TIMEOUT_SECONDS = 0.1
READ_TIMEOUT_SECONDS = 0.25
# One retry, only if it can still finish inside the budget (no back-off sleep: we are on a call).
MAX_ATTEMPTS = 2
MAX_LOOKUP_SECONDS = 2 * (CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS)

# botocore's own retries are off: its back-off sleeps could exceed the budget above.
CLIENT_CONFIG = Config(
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=READ_TIMEOUT_SECONDS,
    retries={"total_max_attempts": 1, "mode": "standard"},
    tcp_keepalive=True,
)

# Worth one more try: throttling, server-side errors; timeouts and connection errors (BotoCoreError).
_RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)

type Item = dict[str, Any]


@dataclass(frozen=True, slots=True)
class RouteItems:
    number_items: list[Item]
    global_items: list[Item]


def create_dynamodb_client() -> DynamoDBClient:
    """The client the action function uses; honours AWS_ENDPOINT_URL_DYNAMODB (local runs)."""
    import boto3  # noqa: PLC0415 - imported here so tests and tools can build their own client

    return boto3.client("dynamodb", config=CLIENT_CONFIG)


class RoutesReader:
    """Reads one number's route items together with the global default items."""

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
        self._deserializer = TypeDeserializer()
        self.requests_made = 0  # for metrics and benchmarks

    def read(self, number: str | None) -> RouteItems:
        """Items of `number` (None: only the global ones). Raises on DynamoDB failure."""
        keys = [GLOBAL_NUMBER] if number is None or number == GLOBAL_NUMBER else [number, GLOBAL_NUMBER]
        # Values travel as parameters; only our own table and attribute names are in the text.
        where = " OR ".join(f'"{NUMBER}" = ?' for _ in keys)
        statement = f'SELECT * FROM "{self._table_name}" WHERE {where}'  # noqa: S608
        parameters: list[Any] = [{"S": key} for key in keys]
        items: list[Item] = []
        next_token: str | None = None
        while True:
            page = self._execute(statement, parameters, next_token)
            items.extend(
                {name: self._deserializer.deserialize(value) for name, value in raw.items()}
                for raw in page.get("Items", [])
            )
            next_token = page.get("NextToken")
            if not next_token:
                break
        return RouteItems(
            number_items=[item for item in items if item.get(NUMBER) != GLOBAL_NUMBER],
            global_items=[item for item in items if item.get(NUMBER) == GLOBAL_NUMBER],
        )

    def _execute(self, statement: str, parameters: list[Any], next_token: str | None) -> dict[str, Any]:
        started = self._clock()
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self.requests_made += 1
            try:
                arguments: dict[str, Any] = {"Statement": statement, "Parameters": parameters}
                if next_token:
                    arguments["NextToken"] = next_token
                return dict(self._client.execute_statement(**arguments))
            except (BotoCoreError, ClientError) as error:
                out_of_time = self._clock() - started + MAX_LOOKUP_SECONDS / MAX_ATTEMPTS > MAX_LOOKUP_SECONDS
                if attempt == MAX_ATTEMPTS or out_of_time or not _retryable(error):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover


def _retryable(error: BotoCoreError | ClientError) -> bool:
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code") in _RETRYABLE_CODES
    return True
