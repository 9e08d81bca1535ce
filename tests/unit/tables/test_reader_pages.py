"""A 200 that is not a Query page is a failed read (the router then answers from its stale cache),
and every 5xx is worth the one retry, like throttling."""

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.loaders import Loader

from tests.helpers.routes_source import ItemsSource
from xoxzo_din.routing.actions import Say
from xoxzo_din.routing.router import Router
from xoxzo_din.tables.routes_reader import (
    CONNECT_TIMEOUT_SECONDS,
    READ_TIMEOUT_SECONDS,
    DynamoDBOnlyLoader,
    MalformedPageError,
    RoutesReader,
    create_dynamodb_client,
)

NUMBER = "+81312345678"
GOOD = {
    "Items": [{"number": {"S": NUMBER}, "rule_id": {"S": "default"}, "action": {"S": "voicemail"}}],
    "Count": 1,
}


class Scripted:
    """A DynamoDB client whose Query answers come from a script (a page, or an exception)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = 0

    def query(self, **_arguments):
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def scripted(*answers: Any) -> Any:
    """A Scripted client, typed as the DynamoDB client it stands for."""
    return Scripted(*answers)


def server_error(status: int, code: str = "SomethingNew") -> ClientError:
    response: Any = {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "Query")


@pytest.mark.parametrize(
    "garbage", [{}, {"Items": "<html>"}, {"Items": [], "Count": 3}, {"Items": ["x"]}, None]
)
def test_a_page_without_items_is_a_failed_read_not_an_empty_one(garbage):
    reader = RoutesReader(scripted(garbage, garbage), "t")
    with pytest.raises(MalformedPageError):
        reader.read_number(NUMBER)


def test_a_garbage_page_is_retried_once():
    client: Any = Scripted({}, GOOD)
    assert RoutesReader(client, "t").read_number(NUMBER)[0]["action"] == "voicemail"
    assert client.calls == 2


@pytest.mark.parametrize(
    ("error", "calls"), [(server_error(500), 2), (server_error(503), 2), (server_error(400), 1)]
)
def test_every_5xx_is_retried_and_a_client_error_is_not(error, calls):
    client: Any = Scripted(error, GOOD)
    reader = RoutesReader(client, "t")
    if calls == 2:
        assert reader.read_number(NUMBER)
    else:
        with pytest.raises(ClientError):
            reader.read_number(NUMBER)
    assert client.calls == calls


def test_the_router_answers_from_its_stale_routes_when_dynamodb_answers_garbage():
    clock = [0.0]
    reader = RoutesReader(scripted({"Items": [], "Count": 0}, GOOD, {}, {}), "t")
    router = Router(
        reader,
        fallback=Say("ja", "fallback"),
        ttl_seconds=1,
        clock=lambda: clock[0],
    )
    router.load_global()
    at = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    assert router.answer(NUMBER, "", at).line == "voicemail"
    clock[0] = 10.0  # the cache is stale; DynamoDB now answers {} twice
    answer = router.answer(NUMBER, "", at)
    assert (answer.line, answer.routes) == ("voicemail", "stale")
    assert answer.lookup_error is not None and "MalformedPageError" in answer.lookup_error


def test_a_malformed_item_is_skipped_and_reported_never_raised():
    """DynamoDB would not send it; a garbled response might: the item's own problem, the rest read."""
    malformed = {"number": {"S": NUMBER}, "rule_id": {"S": "010-vip"}, "priority": {"N": "ten"}}
    good: list[dict[str, Any]] = GOOD["Items"]  # type: ignore[assignment]
    page = {"Items": [*good, malformed], "Count": 2}
    reader = RoutesReader(scripted(page), "t")
    router = Router(ItemsSource(reader.read_number), fallback=Say("ja", "fallback"), ttl_seconds=30)
    answer = router.answer(NUMBER, "", datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    assert (answer.line, answer.routes, answer.lookup_error) == ("voicemail", "dynamodb", None)
    assert answer.problems == (f"{NUMBER}/010-vip: not a DynamoDB item: N holds 'ten', not a number",)


def test_the_client_is_botocores_for_dynamodb_alone(monkeypatch):
    """No boto3 on the call path (docs/explanation/performance.md): botocore's client, whose loader
    lists DynamoDB as the only service; the local endpoint variable still applies."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000")
    client = create_dynamodb_client()
    assert client.meta.service_model.service_name == "dynamodb"
    assert client.meta.endpoint_url == "http://127.0.0.1:8000"
    config: Any = client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (
        CONNECT_TIMEOUT_SECONDS,
        READ_TIMEOUT_SECONDS,
    )
    assert DynamoDBOnlyLoader().list_available_services("service-2") == ["dynamodb"]
    assert "dynamodb" in Loader().list_available_services("service-2")  # botocore's own, for comparison
