"""The route reader against moto (tables from template.yaml) and against stubbed DynamoDB errors."""

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from botocore.stub import Stubber

from tools.local_env import put_route_items
from xoxzo_din.tables.routes_reader import CLIENT_CONFIG, MAX_LOOKUP_SECONDS, LookupTimeoutError, RoutesReader

ITEMS: list[dict[str, Any]] = [
    {"number": "*", "rule_id": "default", "action": "voicemail"},
    {"number": "+81312345678", "rule_id": "default", "action": "say", "text": "a"},
    {
        "number": "+81312345678",
        "rule_id": "vip",
        "callers": {"+819012345678"},
        "priority": 5,
        "action": "voicemail",
    },
    {"number": "+81399999999", "rule_id": "default", "action": "say", "text": "other number"},
]
QUERY = {
    "TableName": "routes",
    "KeyConditionExpression": "#number = :number",
    "ExpressionAttributeNames": {"#number": "number"},
    "ExpressionAttributeValues": {":number": {"S": "+81312345678"}},
}


def test_reads_one_partition_per_request(tables):
    client = boto3.client("dynamodb", config=CLIENT_CONFIG)
    put_route_items(client, tables["ROUTES_TABLE_NAME"], ITEMS)
    reader = RoutesReader(client, tables["ROUTES_TABLE_NAME"])

    items = reader.read_number("+81312345678")
    assert sorted(item["rule_id"] for item in items) == ["default", "vip"]
    vip = next(item for item in items if item["rule_id"] == "vip")
    assert vip["callers"] == {"+819012345678"} and vip["priority"] == 5
    assert reader.requests_made == 1

    assert [item["rule_id"] for item in reader.read_global()] == ["default"]
    assert reader.read_number("+81300000000") == []
    assert reader.requests_made == 3


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def stubbed():
    client = boto3.client("dynamodb", config=CLIENT_CONFIG)
    with Stubber(client) as stubber:
        yield client, stubber


def test_follows_pages_past_one_megabyte(stubbed):
    client, stubber = stubbed
    last_key = {"number": {"S": "+81312345678"}, "rule_id": {"S": "a"}}
    stubber.add_response(
        "query",
        {"Items": [{"number": {"S": "+81312345678"}, "rule_id": {"S": "a"}}], "LastEvaluatedKey": last_key},
        expected_params=QUERY,
    )
    stubber.add_response(
        "query",
        {"Items": [{"number": {"S": "+81312345678"}, "rule_id": {"S": "b"}}]},
        expected_params={**QUERY, "ExclusiveStartKey": last_key},
    )
    items = RoutesReader(client, "routes").read_number("+81312345678")
    assert [item["rule_id"] for item in items] == ["a", "b"]


def test_retries_throttling_once_but_not_access_denied(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("query", "ThrottlingException")
    stubber.add_response("query", {"Items": []})
    reader = RoutesReader(client, "routes")
    assert reader.read_number("+81312345678") == []
    assert reader.requests_made == 2

    stubber.add_client_error("query", "AccessDeniedException")
    with pytest.raises(ClientError):
        reader.read_number("+81312345678")
    assert reader.requests_made == 3


def test_gives_up_after_the_bounded_attempts(stubbed):
    client, stubber = stubbed
    for _ in range(2):
        stubber.add_client_error("query", "InternalServerError", http_status_code=500)
    reader = RoutesReader(client, "routes")
    with pytest.raises(ClientError):
        reader.read_number("+81312345678")
    assert reader.requests_made == 2
    stubber.assert_no_pending_responses()


def test_one_time_budget_for_the_whole_read_not_per_page():
    """Two slow pages: the second may not start once the read's budget is spent."""
    clock = Clock()

    class SlowClient:
        calls = 0

        def query(self, **arguments):
            self.calls += 1
            clock.now += MAX_LOOKUP_SECONDS * 0.6
            return {
                "Items": [],
                "LastEvaluatedKey": {"number": {"S": "x"}, "rule_id": {"S": str(self.calls)}},
            }

    client = SlowClient()
    reader = RoutesReader(client, "routes", clock=clock)  # type: ignore[arg-type]
    with pytest.raises(LookupTimeoutError):
        reader.read_number("+81312345678")
    assert client.calls == 1 and clock.now <= MAX_LOOKUP_SECONDS


class TimingOutClient:
    """Every Query times out after a full connect + read timeout of the clock's time."""

    def __init__(self, clock):
        self.clock = clock
        self.calls = 0

    def query(self, **arguments):
        self.calls += 1
        self.clock.now += MAX_LOOKUP_SECONDS / 2
        raise ReadTimeoutError(endpoint_url="https://dynamodb")


def test_a_timeout_is_retried_only_while_the_budget_allows():
    clock = Clock()
    client = TimingOutClient(clock)
    reader = RoutesReader(client, "routes", clock=clock)  # type: ignore[arg-type]
    with pytest.raises(ReadTimeoutError):
        reader.read_number("+81312345678")
    assert client.calls == 2 and clock.now <= MAX_LOOKUP_SECONDS + 1e-9


def test_the_start_up_read_of_the_global_default_makes_one_attempt():
    clock = Clock()
    client = TimingOutClient(clock)
    reader = RoutesReader(client, "routes", clock=clock)  # type: ignore[arg-type]
    with pytest.raises(ReadTimeoutError):
        reader.read_global_once()
    assert client.calls == 1
    with pytest.raises(ReadTimeoutError):
        reader.read_global()  # on a call: the full budget, two attempts
    assert client.calls == 3
