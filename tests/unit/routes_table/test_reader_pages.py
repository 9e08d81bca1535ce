"""A 200 that is not a Query page is a failed read (the router then answers from its stale cache),
and every 5xx is worth the one retry, like throttling."""

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from xoxzo_din.routes_table.reader import MalformedPageError, RoutesReader
from xoxzo_din.routing.actions import Say
from xoxzo_din.routing.router import Router

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
        reader.read_number,
        reader.read_global,
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
