"""The route reader against moto (tables from template.yaml) and against stubbed DynamoDB errors."""

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from tools.local_env import put_route_items
from xoxzo_din.routes_store import CLIENT_CONFIG, RoutesReader

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


def test_reads_the_number_and_the_global_partition_in_one_request(tables):
    client = boto3.client("dynamodb", config=CLIENT_CONFIG)
    put_route_items(client, tables["ROUTES_TABLE_NAME"], ITEMS)
    reader = RoutesReader(client, tables["ROUTES_TABLE_NAME"])

    routes = reader.read("+81312345678")
    assert sorted(item["rule_id"] for item in routes.number_items) == ["default", "vip"]
    assert [item["rule_id"] for item in routes.global_items] == ["default"]
    vip = next(item for item in routes.number_items if item["rule_id"] == "vip")
    assert vip["callers"] == {"+819012345678"} and vip["priority"] == 5
    assert reader.requests_made == 1

    assert reader.read(None).number_items == []
    assert len(reader.read(None).global_items) == 1
    assert reader.read("+81300000000").number_items == []


@pytest.fixture
def stubbed():
    client = boto3.client("dynamodb", config=CLIENT_CONFIG)
    with Stubber(client) as stubber:
        yield client, stubber


def test_follows_next_token_pages(stubbed):
    client, stubber = stubbed
    stubber.add_response(
        "execute_statement",
        {"Items": [{"number": {"S": "+81312345678"}, "rule_id": {"S": "a"}}], "NextToken": "page-2"},
    )
    stubber.add_response(
        "execute_statement",
        {"Items": [{"number": {"S": "*"}, "rule_id": {"S": "default"}}]},
        expected_params={
            "Statement": 'SELECT * FROM "routes" WHERE "number" = ? OR "number" = ?',
            "Parameters": [{"S": "+81312345678"}, {"S": "*"}],
            "NextToken": "page-2",
        },
    )
    routes = RoutesReader(client, "routes").read("+81312345678")
    assert len(routes.number_items) == 1 and len(routes.global_items) == 1


def test_retries_throttling_once_but_not_access_denied(stubbed):
    client, stubber = stubbed
    stubber.add_client_error("execute_statement", "ThrottlingException")
    stubber.add_response("execute_statement", {"Items": []})
    reader = RoutesReader(client, "routes")
    assert reader.read("+81312345678").number_items == []
    assert reader.requests_made == 2

    stubber.add_client_error("execute_statement", "AccessDeniedException")
    with pytest.raises(ClientError):
        reader.read("+81312345678")
    assert reader.requests_made == 3


def test_gives_up_after_the_bounded_attempts(stubbed):
    client, stubber = stubbed
    for _ in range(2):
        stubber.add_client_error("execute_statement", "InternalServerError", http_status_code=500)
    reader = RoutesReader(client, "routes")
    with pytest.raises(ClientError):
        reader.read("+81312345678")
    assert reader.requests_made == 2
    stubber.assert_no_pending_responses()
