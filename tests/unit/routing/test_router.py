from dataclasses import FrozenInstanceError
from datetime import UTC, datetime

import pytest

from xoxzo_din.routing.actions import Say
from xoxzo_din.routing.router import ERROR_RETRY_SECONDS, MAX_CACHED_NUMBERS, Answer, Router, _Entry
from xoxzo_din.routing.rules import NumberRoutes

FALLBACK = Say("ja", "fallback")
AT = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)  # Wednesday 10:30 in Tokyo
NUMBER = "+81312345678"


class FakeTable:
    """Stands in for DynamoDB: serves partitions of the items it holds, counts reads, can fail."""

    def __init__(self, items):
        self.items = items
        self.reads: list[str] = []
        self.failure: Exception | None = None

    def read_number(self, number):
        return self._read(number)

    def read_global(self):
        return self._read("*")

    def read_global_once(self):
        return self.read_global()

    def _read(self, partition):
        self.reads.append(partition)
        if self.failure:
            raise self.failure
        return [item for item in self.items if item["number"] == partition]


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
def table():
    return FakeTable(list(ITEMS))


@pytest.fixture
def router(table, clock):
    router = Router(table, fallback=FALLBACK, ttl_seconds=30, clock=clock)
    assert router.load_global() == ((), None)  # at start-up, as the handler does
    table.reads.clear()
    return router


def test_miss_reads_once_then_hits_until_the_ttl_expires(router, table, clock):
    first = router.answer("03-1234-5678", "+81335550123", AT)
    assert (first.line, first.routes, first.source, first.requests) == (
        "transfer +81312340000",
        "dynamodb",
        "rule:open",
        1,
    )
    assert table.reads == [NUMBER]

    second = router.answer("+81312345678", "+81335550123", AT)  # same number, other spelling
    assert (second.routes, second.line, second.requests) == ("cache", first.line, 0)
    assert table.reads == [NUMBER]

    clock.now += 30
    assert router.answer(NUMBER, None, AT).routes == "dynamodb"
    assert table.reads == [NUMBER, NUMBER]


def test_never_more_than_one_read_per_call(router, table, clock):
    for step in range(200):
        clock.now += 7  # every number and the global default go stale now and then
        before = len(table.reads)
        answer = router.answer(f"+8131234000{step % 3}", None, AT)
        assert len(table.reads) - before == answer.requests <= 1


def test_the_global_default_is_refreshed_on_a_call_that_reads_nothing_else(router, table, clock):
    assert router.answer("+81355550000", None, AT).line == 'say ja "global"'
    table.items[0] = {"number": "*", "rule_id": "default", "action": "voicemail"}
    clock.now += 31
    # This call reads its number (a miss): it answers with the global default it has.
    assert router.answer("+81355550000", None, AT).line == 'say ja "global"'
    assert table.reads[-1] == "+81355550000"
    # The next one hits the cache, so it may refresh the global default.
    answer = router.answer("+81355550000", None, AT)
    assert (answer.line, answer.requests, table.reads[-1]) == ("voicemail", 1, "*")


def test_edits_show_after_the_ttl(router, table, clock):
    assert router.answer(NUMBER, None, AT).line == "transfer +81312340000"
    table.items = [item for item in ITEMS if item["rule_id"] != "open"]
    assert router.answer(NUMBER, None, AT).line == "transfer +81312340000"  # still cached
    clock.now += 31
    assert router.answer(NUMBER, None, AT).line == "voicemail"


def test_unknown_numbers_get_the_global_default_and_are_cached_too(router, table):
    assert router.answer("+81355550000", None, AT).line == 'say ja "global"'
    assert router.answer("+81355550000", None, AT).routes == "cache"
    assert table.reads == ["+81355550000"]


def test_a_recipient_that_is_not_a_number_reads_nothing(router, table):
    answer = router.answer("not-a-number", None, AT)
    assert (answer.line, answer.recipient, answer.routes) == ('say ja "global"', None, "none")
    assert table.reads == []


def test_dynamodb_failure_serves_the_last_good_routes(router, table, clock):
    router.answer(NUMBER, None, AT)
    clock.now += 31
    table.failure = TimeoutError("read timeout")
    answer = router.answer(NUMBER, None, AT)
    assert answer.line == "transfer +81312340000"
    assert answer.routes == "stale" and "read timeout" in (answer.lookup_error or "")
    assert answer.requests == 1  # the failed read counts
    # While it fails, DynamoDB is tried again only every few seconds, not on every call.
    for _ in range(3):
        again = router.answer(NUMBER, None, AT)
        assert (again.line, again.routes, again.requests) == ("transfer +81312340000", "stale", 0)
    assert table.reads.count(NUMBER) == 2
    clock.now += ERROR_RETRY_SECONDS
    router.answer(NUMBER, None, AT)
    assert table.reads.count(NUMBER) == 3


def test_an_outage_does_not_cost_a_timeout_per_call_for_uncached_numbers(router, table, clock):
    table.failure = ConnectionError("down")
    clock.now += 29  # the global default read at start-up expires in a second
    first = router.answer(NUMBER, None, AT)
    assert (first.line, first.source, first.routes) == ('say ja "global"', "global-default", "unavailable")
    # No other number waits for DynamoDB either, nor does the expired global default.
    clock.now += 2
    for step in range(5):
        answer = router.answer(f"+8131234000{step}", None, AT)
        assert (answer.routes, answer.requests, answer.line) == ("unavailable", 0, 'say ja "global"')
    assert table.reads == [NUMBER]
    table.failure = None
    clock.now += ERROR_RETRY_SECONDS
    assert router.answer(NUMBER, None, AT).line == "transfer +81312340000"


def test_a_failed_read_at_start_up_pauses_reads_for_the_first_calls(table, clock):
    table.failure = TimeoutError("read timeout")
    router = Router(table, fallback=FALLBACK, ttl_seconds=30, clock=clock)
    assert "read timeout" in (router.load_global()[1] or "")
    table.failure = None
    # The first call does not spend a second timeout on an outage found moments ago.
    answer = router.answer(NUMBER, None, AT)
    assert (answer.routes, answer.requests, answer.source) == ("unavailable", 0, "fallback")
    assert table.reads == ["*"]
    clock.now += ERROR_RETRY_SECONDS
    assert router.answer(NUMBER, None, AT).line == "transfer +81312340000"


def test_without_any_global_default_the_fallback_answers(table, clock):
    table.failure = ConnectionError("down")
    router = Router(table, fallback=FALLBACK, ttl_seconds=30, clock=clock)
    problems, error = router.load_global()
    assert problems == () and "down" in (error or "")
    answer = router.answer(NUMBER, None, AT)
    assert (answer.line, answer.source) == ('say ja "fallback"', "fallback")


def test_malformed_items_are_reported_once_per_read(router, table, clock):
    table.items.append({"number": NUMBER, "rule_id": "typo", "action": "tranfer"})
    assert len(router.answer(NUMBER, None, AT).problems) == 1
    assert router.answer(NUMBER, None, AT).problems == ()
    clock.now += 31
    assert len(router.answer(NUMBER, None, AT).problems) == 1


def test_zero_ttl_reads_every_call(table, clock):
    router = Router(table, fallback=FALLBACK, ttl_seconds=0, clock=clock)
    router.answer(NUMBER, None, AT)
    router.answer(NUMBER, None, AT)
    assert table.reads.count(NUMBER) == 2


def test_the_cache_is_bounded(table, clock):
    router = Router(table, fallback=FALLBACK, ttl_seconds=30, clock=clock, max_entries=2)
    router.load_global()
    for number in ("+81300000001", "+81300000002", "+81300000003"):
        router.answer(number, None, AT)
    # The last two stay cached: the bound is the number of entries kept, not one less.
    assert router.answer("+81300000003", None, AT).routes == "cache"
    assert router.answer("+81300000002", None, AT).routes == "cache"
    assert router.answer("+81300000001", None, AT).routes == "dynamodb"  # evicted first, so read again
    assert table.reads.count("+81300000001") == 2


def test_the_cache_keeps_4096_numbers_by_default(table, clock):
    assert MAX_CACHED_NUMBERS == 4096
    router = Router(table, fallback=FALLBACK, ttl_seconds=3600, clock=clock)
    router.load_global()
    numbers = [f"+8130000{index:04d}" for index in range(4097)]
    for number in numbers[:4096]:
        router.answer(number, None, AT)
    assert router.answer(numbers[0], None, AT).routes == "cache"  # all 4096 kept
    router.answer(numbers[4096], None, AT)  # one more evicts the least recently used: numbers[1]
    assert router.answer(numbers[1], None, AT).routes == "dynamodb"


def test_reads_resume_five_seconds_after_a_failure(table, clock):
    assert ERROR_RETRY_SECONDS == 5.0
    table.failure = TimeoutError("read timeout")
    router = Router(table, fallback=FALLBACK, ttl_seconds=30, clock=clock)
    router.load_global()
    table.failure = None
    failed_at = clock.now
    clock.now = failed_at + 4.9
    assert router.answer(NUMBER, None, AT).requests == 0
    clock.now = failed_at + 5.0  # exactly five seconds after the failed read
    # A call that reads nothing else refreshes the global default at once.
    answer = router.answer("not-a-number", None, AT)
    assert (answer.requests, answer.source, table.reads) == (1, "global-default", ["*", "*"])


def test_the_global_default_is_refreshed_the_moment_it_expires(router, table, clock):
    clock.now += 10
    router.answer(NUMBER, None, AT)  # cached until 1040; the global default until 1030
    clock.now += 20
    answer = router.answer(NUMBER, None, AT)
    assert (answer.routes, answer.requests, table.reads) == ("cache", 1, [NUMBER, "*"])


def test_a_failed_refresh_of_the_global_default_is_reported(router, table, clock):
    clock.now += 10
    router.answer(NUMBER, None, AT)
    clock.now += 20
    table.failure = ConnectionError("down")
    answer = router.answer(NUMBER, None, AT)
    assert (answer.line, answer.routes, answer.requests) == ("transfer +81312340000", "cache", 1)
    assert "down" in (answer.lookup_error or "")


def test_rules_under_the_global_number_are_reported_not_read(table, clock):
    table.items.append({"number": "*", "rule_id": "x", "action": "voicemail"})
    router = Router(table, fallback=FALLBACK, ttl_seconds=30, clock=clock)
    problems, error = router.load_global()
    assert error is None and len(problems) == 1
    assert "only the item with rule_id 'default'" in problems[0]
    assert router.answer("not-a-number", None, AT).line == 'say ja "global"'


def test_answers_and_cache_entries_are_immutable_or_compact():
    answer = Answer(
        line="voicemail", source="fallback", routes="none", recipient=None, anonymous_caller=False
    )
    assert (answer.requests, answer.problems, answer.lookup_error) == (0, (), None)
    with pytest.raises(FrozenInstanceError):
        answer.line = "say"  # type: ignore[misc]
    # Up to MAX_CACHED_NUMBERS entries per container: no per-instance dict.
    assert not hasattr(answer, "__dict__")
    assert not hasattr(_Entry(NumberRoutes(), 0.0), "__dict__")


def test_start_up_reads_the_global_default_with_its_own_reader(table, clock):
    start_up_reads: list[str] = []

    def read_global_once():
        start_up_reads.append("*")
        return table.read_global()

    table.read_global_once = read_global_once
    router = Router(table, fallback=FALLBACK, ttl_seconds=30, clock=clock)
    router.load_global()
    assert start_up_reads == ["*"]
    clock.now += 31
    router.answer("not-a-number", None, AT)  # reads nothing else: refreshes with the call's reader
    assert start_up_reads == ["*"] and table.reads == ["*", "*"]
