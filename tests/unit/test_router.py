from datetime import UTC, datetime

import pytest

from xoxzo_din.actions import Say
from xoxzo_din.router import ERROR_RETRY_SECONDS, Router
from xoxzo_din.routes_store import RouteItems

FALLBACK = Say("ja", "fallback")
AT = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)  # Wednesday 10:30 in Tokyo
NUMBER = "+81312345678"


class FakeReader:
    """Stands in for DynamoDB: returns the items it holds, counts requests, can fail."""

    def __init__(self, items):
        self.items = items
        self.requests: list[str | None] = []
        self.failure: Exception | None = None

    def __call__(self, number):
        self.requests.append(number)
        if self.failure:
            raise self.failure
        return RouteItems(
            number_items=[item for item in self.items if item["number"] == number],
            global_items=[item for item in self.items if item["number"] == "*"],
        )


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


ITEMS = [
    {"number": "*", "rule_id": "default", "action": "say", "text": "global"},
    {"number": NUMBER, "rule_id": "default", "action": "voicemail"},
    {
        "number": NUMBER,
        "rule_id": "open",
        "days": "mon-fri",
        "hours": "09:00-17:00",
        "action": "transfer",
        "to": "+81312340000",
    },
]


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def reader():
    return FakeReader(list(ITEMS))


@pytest.fixture
def router(reader, clock):
    return Router(reader, fallback=FALLBACK, ttl_seconds=30, clock=clock)


def test_miss_reads_once_then_hits_until_the_ttl_expires(router, reader, clock):
    first = router.answer("03-1234-5678", "+81335550123", AT)
    assert (first.line, first.routes, first.source) == ("transfer +81312340000", "dynamodb", "rule:open")
    assert reader.requests == [NUMBER]

    second = router.answer("+81312345678", "+81335550123", AT)  # same number, other spelling
    assert second.routes == "cache" and second.line == first.line
    assert reader.requests == [NUMBER]

    clock.now += 30
    assert router.answer(NUMBER, None, AT).routes == "dynamodb"
    assert len(reader.requests) == 2


def test_edits_show_after_the_ttl(router, reader, clock):
    assert router.answer(NUMBER, None, AT).line == "transfer +81312340000"
    reader.items = [item for item in ITEMS if item["rule_id"] != "open"]
    assert router.answer(NUMBER, None, AT).line == "transfer +81312340000"  # still cached
    clock.now += 31
    assert router.answer(NUMBER, None, AT).line == "voicemail"


def test_unknown_numbers_get_the_global_default_and_are_cached_too(router, reader):
    assert router.answer("+81355550000", None, AT).line == 'say ja "global"'
    assert router.answer("+81355550000", None, AT).routes == "cache"
    assert reader.requests == ["+81355550000"]


def test_a_recipient_that_is_not_a_number_reads_only_the_global_items(router, reader):
    answer = router.answer("not-a-number", None, AT)
    assert answer.line == 'say ja "global"' and answer.recipient is None
    assert reader.requests == [None]


def test_dynamodb_failure_serves_the_last_good_routes(router, reader, clock):
    router.answer(NUMBER, None, AT)
    clock.now += 31
    reader.failure = TimeoutError("read timeout")
    answer = router.answer(NUMBER, None, AT)
    assert answer.line == "transfer +81312340000"
    assert answer.routes == "stale" and "read timeout" in (answer.lookup_error or "")
    # While it fails, the number is retried only every few seconds, not on every call.
    assert router.answer(NUMBER, None, AT).routes == "cache"
    assert len(reader.requests) == 2
    clock.now += ERROR_RETRY_SECONDS
    router.answer(NUMBER, None, AT)
    assert len(reader.requests) == 3


def test_failure_without_cached_routes_uses_the_last_global_default_then_the_fallback(router, reader):
    reader.failure = ConnectionError("down")
    answer = router.answer(NUMBER, None, AT)
    assert (answer.line, answer.source, answer.routes) == ('say ja "fallback"', "fallback", "none")

    reader.failure = None
    router.answer("+81355550000", None, AT)  # learns the global default
    reader.failure = ConnectionError("down")
    answer = router.answer(NUMBER, None, AT)
    assert (answer.line, answer.source) == ('say ja "global"', "global-default")


def test_malformed_items_are_reported_once_per_read(router, reader, clock):
    reader.items.append({"number": NUMBER, "rule_id": "typo", "action": "tranfer"})
    assert len(router.answer(NUMBER, None, AT).problems) == 1
    assert router.answer(NUMBER, None, AT).problems == ()
    clock.now += 31
    assert len(router.answer(NUMBER, None, AT).problems) == 1


def test_zero_ttl_reads_every_call(reader, clock):
    router = Router(reader, fallback=FALLBACK, ttl_seconds=0, clock=clock)
    router.answer(NUMBER, None, AT)
    router.answer(NUMBER, None, AT)
    assert len(reader.requests) == 2


def test_the_cache_is_bounded(reader, clock):
    router = Router(reader, fallback=FALLBACK, ttl_seconds=30, clock=clock, max_entries=2)
    for number in ("+81300000001", "+81300000002", "+81300000003"):
        router.answer(number, None, AT)
    router.answer("+81300000001", None, AT)  # evicted first, so read again
    assert reader.requests.count("+81300000001") == 2
