"""The invocation's time budget: the XOXZO client never starts an attempt (or a backoff) that could
outlast it, and provisioning reports what it did not start instead of being killed by the Lambda
timeout. A fake clock advances by the timeouts a scripted session pretends to wait."""

from __future__ import annotations

import json
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import requests

from xoxzo_din.provisioning import runtime as provisioning_runtime
from xoxzo_din.provisioning.budget import TimeBudget
from xoxzo_din.provisioning.errors import OutcomeUnknownError
from xoxzo_din.provisioning.provisioner import Provisioner
from xoxzo_din.tables.numbers import NumberRecord, NumbersStore, NumberStatus
from xoxzo_din.tables.routes_writer import DynamoDbRoutesWriter
from xoxzo_din.xoxzo.client import XoxzoClient
from xoxzo_din.xoxzo.errors import XoxzoUnavailableError
from xoxzo_din.xoxzo.models import ClientSettings, XoxzoCredentials

BASE = "https://api.example.test"
SUBSCRIPTIONS = "/voice/dins/subscriptions/"
DIN_UID = "JPafr34rafic76tf"
OTHER_UID = "JPbq7x2mkd94htza"
ACTION_URL = "https://abc.execute-api.ap-northeast-1.amazonaws.com/action/s3cr3t-0123456789abcdef"
AVAILABLE = {
    "country_code": "81",
    "din": "815012345678",
    "din_uid": DIN_UID,
    "minute_cost": 1,
    "monthly_cost": 650.0,
    "prefix": "50",
}
DEFAULTS = ClientSettings()
NO_BACKOFF = ClientSettings(backoff_base=0.0)
# A scripted outcome: a slow connect, then the read timeout (the worst case of an attempt).
TIMEOUT = "timeout"


@dataclass
class Clock:
    """Seconds since the invocation started; the budget ends at `end`."""

    end: float
    now: float = 0.0

    def left(self) -> float:
        return self.end - self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Session(requests.Session):
    """Answers per (method, path) from a script; a timeout costs the request's read timeout."""

    clock: Clock
    script: dict[tuple[str, str], deque[Any]] = field(default_factory=dict)
    sent: list[tuple[float, str, str]] = field(default_factory=list)
    check_budget: bool = True

    def __post_init__(self) -> None:
        super().__init__()

    def on(self, method: str, path: str, *outcomes: Any) -> None:
        self.script.setdefault((method, path), deque()).extend(outcomes)

    def request(self, method, url, **kwargs):  # type: ignore[override]
        path = url.removeprefix(BASE)
        self.sent.append((self.clock.now, method, path))
        connect, read = kwargs["timeout"]
        if self.check_budget:
            assert self.clock.left() >= connect + read, "an attempt that could outlast the budget"
        outcome = self.script[(method, path)].popleft()
        if outcome == TIMEOUT:
            self.clock.now += connect + read
            raise requests.ReadTimeout("read timed out")
        status, body, *seconds = outcome  # (status, body) or (status, body, seconds it takes)
        self.clock.now += seconds[0] if seconds else 0.05
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode()
        return response


def client(clock: Clock, session: Session, settings: ClientSettings = DEFAULTS) -> XoxzoClient:
    made = XoxzoClient(XoxzoCredentials("sid", "token"), BASE, settings, deadline=clock.left)
    made._session = session  # the scripted transport
    made._sleep = clock.sleep
    made._rng = random.Random(7)  # noqa: S311 - jitter in a test
    return made


class HighestJitter(random.Random):
    """Every backoff at its ceiling."""

    def uniform(self, a: float, b: float) -> float:
        return b


# --- the client ---------------------------------------------------------------------------------


def test_an_unreachable_xoxzo_costs_at_most_the_budget_not_four_full_attempts() -> None:
    clock = Clock(end=40.0)
    session = Session(clock)
    session.on("GET", SUBSCRIPTIONS, *[TIMEOUT] * 4)

    with pytest.raises(XoxzoUnavailableError) as raised:
        client(clock, session).list_subscriptions()

    # At 0 s and ~18 s: a third attempt (18.05 s) no longer fits in the 40 s.
    assert len(session.sent) == 2
    assert raised.value.out_of_time and raised.value.attempts == 2
    assert "no time left" in str(raised.value)
    assert clock.now <= clock.end


def test_without_a_deadline_every_attempt_is_made() -> None:
    clock = Clock(end=40.0)
    session = Session(clock)
    session.on("GET", SUBSCRIPTIONS, *[TIMEOUT] * 4)
    session.check_budget = False
    unlimited = client(clock, session)
    unlimited._deadline = None

    with pytest.raises(XoxzoUnavailableError) as raised:
        unlimited.list_subscriptions()

    assert len(session.sent) == DEFAULTS.max_attempts
    assert not raised.value.out_of_time
    assert clock.now > 70  # what an invocation used to spend on one unreachable call


def test_no_request_is_sent_without_time_for_one_whole_attempt() -> None:
    clock = Clock(end=DEFAULTS.attempt_seconds - 0.01)
    session = Session(clock)

    with pytest.raises(XoxzoUnavailableError) as raised:
        client(clock, session).set_action_url(DIN_UID, ACTION_URL)

    assert session.sent == []
    assert (raised.value.out_of_time, raised.value.attempts) == (True, 0)


def test_a_backoff_that_would_cross_the_deadline_is_not_slept() -> None:
    clock = Clock(end=19.0)
    session = Session(clock)
    session.on("GET", SUBSCRIPTIONS, (503, {}), (200, []))
    settings = ClientSettings(backoff_base=8.0, backoff_max=8.0)
    slow = client(clock, session, settings)
    slow._rng = HighestJitter()

    with pytest.raises(XoxzoUnavailableError, match="no time left"):
        slow.list_subscriptions()

    assert len(session.sent) == 1
    assert clock.now < 1.0  # neither slept 8 s nor started a second attempt


def test_a_subscribe_cut_short_after_a_lost_answer_says_its_outcome_is_unknown() -> None:
    clock = Clock(end=30.0)
    session = Session(clock)
    session.on("POST", SUBSCRIPTIONS, TIMEOUT)  # XOXZO may have applied it

    with pytest.raises(XoxzoUnavailableError) as raised:
        client(clock, session).subscribe(DIN_UID)

    # 15 s of read timeout left 15 s: not enough to read the subscription list (18.05 s).
    assert [(method, path) for _, method, path in session.sent] == [("POST", SUBSCRIPTIONS)]
    assert raised.value.out_of_time
    assert "the outcome is unknown" in str(raised.value)


# --- provisioning ---------------------------------------------------------------------------------


@pytest.fixture
def store(tables: dict[str, str]) -> NumbersStore:
    return provisioning_runtime.numbers_store()


def provisioner(store: NumbersStore, clock: Clock, session: Session) -> Provisioner:
    """With the operations' client settings, but no backoff: the timelines are exact."""
    return Provisioner(
        client=client(clock, session, NO_BACKOFF),
        numbers=store,
        routes=DynamoDbRoutesWriter(boto3.resource("dynamodb").Table("test-RoutesTable")),
        action_url=ACTION_URL,
        clock=lambda: datetime(2026, 4, 1, 9, 0, tzinfo=UTC),
        budget=TimeBudget(clock.left, DEFAULTS.attempt_seconds),
    )


def test_a_subscribe_whose_post_is_cut_short_is_answered_outcome_unknown_and_left_for_sync(
    store: NumbersStore, tables: dict[str, str]
) -> None:
    clock = Clock(end=45.0)
    session = Session(clock)
    session.on("GET", SUBSCRIPTIONS, (200, []))
    session.on("GET", "/voice/dins/", (200, [AVAILABLE]))
    session.on("POST", SUBSCRIPTIONS, TIMEOUT, TIMEOUT)
    session.on("GET", SUBSCRIPTIONS, (200, []))  # the check after the first lost answer
    # After the second lost answer (at ~36 s) there is no time left to look at the list again.

    with pytest.raises(OutcomeUnknownError, match="run sync"):
        provisioner(store, clock, session).subscribe(DIN_UID)

    record = store.get(DIN_UID)
    assert record is not None and record.status is NumberStatus.SUBSCRIBING
    assert clock.now <= clock.end


def test_no_subscribe_intent_is_written_without_time_for_the_post(store: NumbersStore) -> None:
    clock = Clock(end=40.0)
    session = Session(clock)
    session.on("GET", SUBSCRIPTIONS, (200, []))
    session.on("GET", "/voice/dins/", (200, [AVAILABLE], 25.0))  # a slow search eats the time

    with pytest.raises(XoxzoUnavailableError, match="nothing was subscribed"):
        provisioner(store, clock, session).subscribe(DIN_UID)

    assert store.get(DIN_UID) is None
    assert ("POST", SUBSCRIPTIONS) not in [(method, path) for _, method, path in session.sent]


def test_no_cancel_intent_is_written_without_time_for_the_delete(store: NumbersStore) -> None:
    store.create(NumberRecord(DIN_UID, NumberStatus.ACTIVE, "2026-04-01T08:00:00Z", number="+815012345678"))
    clock = Clock(end=10.0)
    session = Session(clock)

    with pytest.raises(XoxzoUnavailableError, match="nothing was cancelled"):
        provisioner(store, clock, session).cancel(DIN_UID, confirm=DIN_UID)

    assert store.get(DIN_UID).status is NumberStatus.ACTIVE  # type: ignore[union-attr]
    assert session.sent == []


def test_set_action_url_for_all_reports_unreachable_numbers_failed_and_the_rest_skipped(
    store: NumbersStore,
) -> None:
    third = "JPc81vnq5rw0peyd"
    for din_uid in (DIN_UID, OTHER_UID, third):
        store.create(NumberRecord(din_uid, NumberStatus.ACTIVE, "2026-04-01T08:00:00Z"))
    clock = Clock(end=110.0)  # the operation's budget: 120 s minus the reserve
    session = Session(clock)
    for din_uid in (DIN_UID, OTHER_UID, third):
        session.on("POST", f"{SUBSCRIPTIONS}{din_uid}/", *[TIMEOUT] * 4)

    result = provisioner(store, clock, session).set_action_url(all_numbers=True)

    outcomes = [(outcome.din_uid, outcome.outcome) for outcome in result.numbers]
    # The first number uses its 4 attempts (~72 s); the second is cut short after 2; the third is
    # not started: the answer comes before the Lambda timeout, with every number accounted for.
    assert [outcome for _, outcome in outcomes] == ["failed", "failed", "skipped"]
    assert (result.failed_count, result.skipped_count) == (2, 1)
    assert clock.now <= clock.end


def test_sync_leaves_an_action_url_it_has_no_time_to_set_for_the_next_sync(store: NumbersStore) -> None:
    store.create(NumberRecord(DIN_UID, NumberStatus.ACTIVE, "2026-04-01T08:00:00Z", number="+815012345678"))
    clock = Clock(end=20.0)
    session = Session(clock)
    listed = [{"din_uid": DIN_UID, "din": "815012345678", "action": {"url": None}}]
    session.on("GET", SUBSCRIPTIONS, (200, listed, 5.0))  # leaves 15 s: less than one attempt
    routes = boto3.resource("dynamodb").Table("test-RoutesTable")
    routes.put_item(Item={"number": "+815012345678", "rule_id": "default"})

    report = provisioner(store, clock, session).sync()

    assert [(p.din_uid, p.action) for p in report.pending] == [(DIN_UID, "action_url_skipped")]
    assert report.errors == []
    assert [(method, path) for _, method, path in session.sent] == [("GET", SUBSCRIPTIONS)]
