"""Provisioner against an in-memory XOXZO and the template's tables in moto: what each operation
writes, in which order, and what it refuses."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from xoxzo_din.provisioning.budget import TimeBudget
from xoxzo_din.provisioning.errors import (
    CancelledIncompletelyError,
    ConflictError,
    ForeignNumberError,
    InvalidRequestError,
    NotAvailableError,
    NotHeldError,
    OutcomeUnknownError,
    SubscribedIncompletelyError,
)
from xoxzo_din.provisioning.numbers_table import NumberRecord, NumbersStore, NumberStatus
from xoxzo_din.provisioning.ownership import points_here
from xoxzo_din.provisioning.provisioner import Provisioner
from xoxzo_din.provisioning.results import redact_url
from xoxzo_din.routes_table.schema import DEFAULT_RULE_ID
from xoxzo_din.routes_table.writer import DynamoDbRoutesWriter, new_number_default_item
from xoxzo_din.xoxzo.errors import (
    XoxzoAuthError,
    XoxzoCredentialsError,
    XoxzoNotFoundError,
    XoxzoOutcomeUnknownError,
    XoxzoUnavailableError,
    XoxzoValidationError,
)
from xoxzo_din.xoxzo.models import AvailableDin, Subscription

ACTION_URL = (
    "https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/s3cr3t-0123456789abcdefghijklmnop"
)
OTHER_URL = "https://old.example.com/action/old-secret-0123456789abcdef"
# This stack's API before its secret was rotated: still this stack's.
ROTATED_URL = (
    "https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/rotated-away-0123456789abcdefghij"
)
# Another stack on the same XOXZO account (e.g. prod, when this one is dev).
PROD_URL = "https://prod987.execute-api.ap-northeast-1.amazonaws.com/action/prod-secret-0123456789abcdef"
TOKYO = AvailableDin("JPg3nw7pd5xjl8va", "+81345678901", "81", "3", 1300.0, 2.0)
IP_PHONE = AvailableDin("JPafr34rafic76tf", "+815012345678", "81", "50", 650.0, 1.0)
OSAKA = AvailableDin("JPj8mc3gt6pyw5rk", "+81612345678", "81", "6", 1100.0, 2.0)


class FakeXoxzo:
    """XOXZO in memory. `journal` is shared with the store and routes spies to check write order."""

    def __init__(self, journal: list[str], pool: list[AvailableDin]) -> None:
        self.journal = journal
        self.pool = {din.din_uid: din for din in pool}
        self.subscribed: dict[str, Subscription] = {}
        self.failures: dict[str, list[Exception]] = {}

    def _call(self, name: str) -> None:
        self.journal.append(f"xoxzo.{name}")
        queued = self.failures.get(name)
        if queued:
            raise queued.pop(0)

    def fail(self, name: str, *errors: Exception) -> None:
        self.failures.setdefault(name, []).extend(errors)

    def calls(self, name: str) -> int:
        return self.journal.count(f"xoxzo.{name}")

    def holds(self, din: AvailableDin, action_url: str | None = None) -> None:
        self.subscribed[din.din_uid] = Subscription(
            din.din_uid,
            din.number,
            action_url,
            monthly_cost=din.monthly_cost,
            minute_cost=din.minute_cost,
            country_code=din.country_code,
            prefix=din.prefix,
        )

    def search(self, *, country: str | None = None, prefix: str | None = None) -> list[AvailableDin]:
        self._call("search")
        return [
            din
            for uid, din in self.pool.items()
            if uid not in self.subscribed and (prefix is None or din.number[1:].startswith(prefix))
        ]

    def subscribe(self, din_uid: str) -> Subscription:
        self._call("subscribe")
        din = self.pool[din_uid]
        self.subscribed[din_uid] = Subscription(din_uid, din.number, None)
        return self.subscribed[din_uid]

    def list_subscriptions(self) -> list[Subscription]:
        self._call("list_subscriptions")
        return list(self.subscribed.values())

    def set_action_url(self, din_uid: str, action_url: str) -> None:
        self._call("set_action_url")
        if din_uid not in self.subscribed:
            raise XoxzoNotFoundError(404, {"detail": "Not found."}, "POST", f"/{din_uid}/")
        self.subscribed[din_uid] = replace(self.subscribed[din_uid], action_url=action_url)

    def cancel(self, din_uid: str) -> None:
        self._call("cancel")
        if self.subscribed.pop(din_uid, None) is None:
            raise XoxzoNotFoundError(404, {"detail": "Not found."}, "DELETE", f"/{din_uid}/")


class JournalingStore(NumbersStore):
    def __getattribute__(self, name: str) -> Any:
        attribute = super().__getattribute__(name)
        if name.startswith(("create", "replace_record", "mark_", "record_", "revert_")):
            journal: list[str] = super().__getattribute__("journal")

            def logged(*args: Any, **kwargs: Any) -> Any:
                first = args[0] if args else None
                status = f":{first.status}" if isinstance(first, NumberRecord) else ""
                journal.append(f"store.{name}{status}")
                return attribute(*args, **kwargs)

            return logged
        return attribute


class JournalingRoutes(DynamoDbRoutesWriter):
    journal: list[str]

    def ensure_default_route(self, number: str, now: str) -> bool:
        self.journal.append("routes.ensure_default_route")
        return super().ensure_default_route(number, now)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class World:
    def __init__(self, tables: dict[str, str]) -> None:
        self.journal: list[str] = []
        self.xoxzo = FakeXoxzo(self.journal, [TOKYO, IP_PHONE, OSAKA])
        dynamodb = boto3.resource("dynamodb")
        self.numbers = JournalingStore(dynamodb.Table(tables["NUMBERS_TABLE_NAME"]))
        self.numbers.journal = self.journal  # type: ignore[attr-defined]
        self.routes_table = dynamodb.Table(tables["ROUTES_TABLE_NAME"])
        self.routes = JournalingRoutes(self.routes_table)
        self.routes.journal = self.journal
        self.clock = Clock()
        self.provisioner = self.make(action_url=ACTION_URL)

    def make(self, **overrides: Any) -> Provisioner:
        options: dict[str, Any] = {
            "client": self.xoxzo,
            "numbers": self.numbers,
            "routes": self.routes,
            "action_url": ACTION_URL,
            "clock": self.clock,
        }
        return Provisioner(**(options | overrides))

    def record(self, din_uid: str) -> NumberRecord:
        found = self.numbers.get(din_uid)
        assert found is not None, f"no record of {din_uid}"
        return found

    def routes_of(self, number: str) -> list[dict[str, Any]]:
        return self.routes_table.query(
            KeyConditionExpression="#n = :n",
            ExpressionAttributeNames={"#n": "number"},
            ExpressionAttributeValues={":n": number},
        )["Items"]

    def seed(self, din: AvailableDin, status: NumberStatus, **changes: Any) -> None:
        self.numbers.create(
            NumberRecord(
                din_uid=din.din_uid,
                status=status,
                updated_at="2026-04-01T08:00:00Z",
                number=din.number,
                **changes,
            )
        )


@pytest.fixture
def world(tables: dict[str, str]) -> World:
    return World(tables)


def never_called() -> Any:
    raise AssertionError("XOXZO must not be called")


def fails_once(monkeypatch: pytest.MonkeyPatch, target: object, method: str) -> None:
    """`target.method` fails the first time as DynamoDB can (not a condition: an error of its own),
    then works."""
    original = getattr(target, method)
    calls: list[str] = []

    def failing(*args: Any, **kwargs: Any) -> Any:
        calls.append(method)
        if len(calls) == 1:
            raise ClientError(
                {"Error": {"Code": "InternalServerError", "Message": "detail kept for the logs"}}, method
            )
        return original(*args, **kwargs)

    monkeypatch.setattr(target, method, failing)


# --- subscribe -------------------------------------------------------------------------------------


def test_subscribe_writes_intent_first_then_posts_then_records_each_step(world: World) -> None:
    result = world.provisioner.subscribe(TOKYO.din_uid)

    assert result.outcome == "subscribed"
    assert (result.number, result.action_url_set, result.default_route_created) == (TOKYO.number, True, True)
    assert result.warnings == []
    writes = [entry for entry in world.journal if entry != "xoxzo.list_subscriptions"]
    assert writes == [
        "xoxzo.search",
        "store.create:subscribing",  # (1) intent, before any money is spent
        "xoxzo.subscribe",  # (2)
        "store.mark_active",  # (3)
        "xoxzo.set_action_url",  # (4)
        "store.record_action_url",  # (5)
        "routes.ensure_default_route",  # (6)
    ]
    record = world.record(TOKYO.din_uid)
    assert record.status is NumberStatus.ACTIVE
    assert record.subscribed_at == "2026-04-01T09:00:00Z"
    assert (record.monthly_cost, record.minute_cost, record.prefix) == (1300.0, 2.0, "3")
    assert record.action_url == ACTION_URL
    assert world.xoxzo.subscribed[TOKYO.din_uid].action_url == ACTION_URL
    [route] = world.routes_of(TOKYO.number)
    assert route["rule_id"] == DEFAULT_RULE_ID
    # Answers never show the action URL's secret.
    assert result.record is not None and "s3cr3t" not in str(result.record)


def test_subscribing_a_number_we_hold_subscribes_nothing(world: World) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)
    world.journal.clear()

    again = world.provisioner.subscribe(TOKYO.din_uid)

    assert again.outcome == "already_held"
    # Not even a XOXZO read (our record is enough), and no record write.
    assert [entry for entry in world.journal if not entry.startswith("routes.")] == []
    assert world.xoxzo.calls("subscribe") == 0


def test_a_held_number_with_unfinished_steps_gets_them_finished_by_subscribe(world: World) -> None:
    world.xoxzo.holds(TOKYO)
    world.seed(TOKYO, NumberStatus.ACTIVE)

    again = world.provisioner.subscribe(TOKYO.din_uid)

    assert (again.outcome, again.action_url_set, again.default_route_created) == ("already_held", True, True)
    assert world.xoxzo.calls("subscribe") == 0
    assert world.record(TOKYO.din_uid).action_url == ACTION_URL


@pytest.mark.parametrize("url_at_xoxzo", [None, ROTATED_URL, ACTION_URL], ids=["none", "rotated", "ours"])
def test_a_number_xoxzo_already_has_is_adopted_without_posting(
    world: World, url_at_xoxzo: str | None
) -> None:
    world.xoxzo.holds(TOKYO, action_url=url_at_xoxzo)

    result = world.provisioner.subscribe(TOKYO.din_uid)

    assert result.outcome == "adopted"
    assert world.xoxzo.calls("subscribe") == 0
    record = world.record(TOKYO.din_uid)
    assert (record.status, record.number, record.action_url) == (
        NumberStatus.ACTIVE,
        TOKYO.number,
        ACTION_URL,
    )
    assert world.xoxzo.subscribed[TOKYO.din_uid].action_url == ACTION_URL


@pytest.mark.parametrize(
    "status", [None, NumberStatus.CANCELLED, NumberStatus.FAILED, NumberStatus.MISSING_AT_XOXZO]
)
def test_subscribe_never_adopts_a_number_another_stack_points_at(
    world: World, status: NumberStatus | None
) -> None:
    world.xoxzo.holds(TOKYO, action_url=PROD_URL)
    if status is not None:
        world.seed(TOKYO, status)
    world.journal.clear()

    with pytest.raises(ForeignNumberError, match=r'prod987\.execute-api.*"adopt": \["JPg3nw7pd5xjl8va"\]'):
        world.provisioner.subscribe(TOKYO.din_uid)

    assert world.xoxzo.subscribed[TOKYO.din_uid].action_url == PROD_URL
    assert [entry for entry in world.journal if not entry.startswith("xoxzo.list")] == []
    assert world.routes_of(TOKYO.number) == []


def test_an_interrupted_subscribe_that_reached_xoxzo_is_adopted_on_retry(world: World) -> None:
    world.seed(TOKYO, NumberStatus.SUBSCRIBING)  # crashed right after the POST
    world.xoxzo.holds(TOKYO)

    result = world.provisioner.subscribe(TOKYO.din_uid)

    assert result.outcome == "adopted"
    assert world.xoxzo.calls("subscribe") == 0
    assert world.record(TOKYO.din_uid).status is NumberStatus.ACTIVE


def test_a_subscribe_still_running_elsewhere_is_not_posted_again(world: World) -> None:
    world.seed(TOKYO, NumberStatus.SUBSCRIBING)
    world.clock.now = datetime(2026, 4, 1, 8, 1, tzinfo=UTC)  # the intent is one minute old

    with pytest.raises(ConflictError, match="may still be running"):
        world.provisioner.subscribe(TOKYO.din_uid)

    assert world.xoxzo.calls("subscribe") == 0
    assert world.record(TOKYO.din_uid).status is NumberStatus.SUBSCRIBING


def test_a_stale_intent_xoxzo_never_got_is_subscribed_afresh(world: World) -> None:
    world.seed(TOKYO, NumberStatus.SUBSCRIBING)  # an hour old: the invocation died before POSTing

    result = world.provisioner.subscribe(TOKYO.din_uid)

    assert result.outcome == "subscribed"
    assert world.xoxzo.calls("subscribe") == 1
    assert "store.replace_record:subscribing" in world.journal


def test_two_subscribes_racing_for_the_intent_post_once(world: World) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)  # the first invocation
    # The second one read our record, XOXZO's list and the search before the first wrote anything.
    world.numbers.get = lambda din_uid: None  # type: ignore[method-assign]
    world.xoxzo.list_subscriptions = lambda: []  # type: ignore[method-assign]
    world.xoxzo.search = lambda **_: [TOKYO]  # type: ignore[method-assign]

    with pytest.raises(ConflictError, match="nothing was subscribed"):
        world.provisioner.subscribe(TOKYO.din_uid)

    assert world.xoxzo.calls("subscribe") == 1


def test_a_din_uid_xoxzo_does_not_offer_is_refused_before_any_write(world: World) -> None:
    with pytest.raises(NotAvailableError):
        world.provisioner.subscribe("JPunknown0000000")

    assert world.xoxzo.calls("subscribe") == 0
    assert world.numbers.get("JPunknown0000000") is None


def test_a_subscribe_xoxzo_refuses_leaves_a_failed_record(world: World) -> None:
    world.xoxzo.fail("subscribe", XoxzoValidationError(400, {"din_uid": ["No"]}, "POST", "/subs/"))

    with pytest.raises(XoxzoValidationError):
        world.provisioner.subscribe(TOKYO.din_uid)

    record = world.record(TOKYO.din_uid)
    assert record.status is NumberStatus.FAILED
    assert record.note == "XOXZO refused the subscribe: HTTP 400"
    assert world.routes_of(TOKYO.number) == []


def test_an_unanswered_subscribe_stays_subscribing_for_sync_to_settle(world: World) -> None:
    world.xoxzo.fail("subscribe", XoxzoOutcomeUnknownError("gone", attempts=4, last_status=503))

    with pytest.raises(OutcomeUnknownError, match="run sync"):
        world.provisioner.subscribe(TOKYO.din_uid)

    assert world.record(TOKYO.din_uid).status is NumberStatus.SUBSCRIBING


def test_a_subscribe_only_ever_refused_with_429_is_failed_and_can_be_tried_again(world: World) -> None:
    # The client says so with XoxzoUnavailableError (not OutcomeUnknown): no answer was lost.
    world.xoxzo.fail("subscribe", XoxzoUnavailableError("429s; not applied", attempts=1, last_status=429))

    with pytest.raises(XoxzoUnavailableError):
        world.provisioner.subscribe(TOKYO.din_uid)

    assert world.record(TOKYO.din_uid).status is NumberStatus.FAILED
    assert world.provisioner.subscribe(TOKYO.din_uid).outcome == "subscribed"  # one failure queued


def test_a_failed_action_url_does_not_undo_the_subscription(world: World) -> None:
    world.xoxzo.fail("set_action_url", XoxzoUnavailableError("down", attempts=4, last_status=503))

    result = world.provisioner.subscribe(TOKYO.din_uid)

    assert result.outcome == "subscribed"
    assert result.action_url_set is False
    assert any("run set-action-url or sync" in warning for warning in result.warnings)
    record = world.record(TOKYO.din_uid)
    assert (record.status, record.action_url) == (NumberStatus.ACTIVE, None)
    assert result.default_route_created is True


@pytest.mark.parametrize(
    ("where", "method", "step"),
    [
        ("numbers", "mark_active", "marking it active here (the record says 'subscribing')"),  # (3)
        ("numbers", "record_action_url", "recording its action URL (XOXZO has it)"),  # (5)
        ("routes", "ensure_default_route", "creating its default route"),  # (6)
    ],
)
def test_a_failure_of_ours_after_xoxzo_subscribed_says_the_number_is_billed_and_sync_finishes_it(
    world: World, monkeypatch: pytest.MonkeyPatch, where: str, method: str, step: str
) -> None:
    fails_once(monkeypatch, getattr(world, where), method)

    with pytest.raises(SubscribedIncompletelyError) as raised:
        world.provisioner.subscribe(TOKYO.din_uid)

    error = raised.value
    assert (error.kind, error.outcome) == ("SubscribedIncompletely", "subscribed")
    assert error.message == (
        f"{TOKYO.din_uid} IS subscribed at XOXZO and billed, but {step} failed (ClientError; see the "
        "function's logs): run sync to finish it (sync never subscribes again)"
    )
    assert isinstance(error.__cause__, ClientError)  # the handler logs it with its stack trace
    assert TOKYO.din_uid in world.xoxzo.subscribed

    world.provisioner.sync()

    record = world.record(TOKYO.din_uid)
    assert (record.status, record.action_url) == (NumberStatus.ACTIVE, ACTION_URL)
    assert world.xoxzo.subscribed[TOKYO.din_uid].action_url == ACTION_URL
    assert [route["rule_id"] for route in world.routes_of(TOKYO.number)] == [DEFAULT_RULE_ID]
    assert world.xoxzo.calls("subscribe") == 1


def test_an_adopted_or_held_number_whose_steps_fail_here_is_also_subscribed_incompletely(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.xoxzo.holds(TOKYO)
    fails_once(monkeypatch, world.numbers, "create")

    with pytest.raises(SubscribedIncompletelyError, match="IS subscribed at XOXZO") as adopted:
        world.provisioner.subscribe(TOKYO.din_uid)
    assert adopted.value.outcome == "adopted"

    world.seed(TOKYO, NumberStatus.ACTIVE)  # ours, not pointed here yet
    fails_once(monkeypatch, world.routes, "ensure_default_route")
    with pytest.raises(SubscribedIncompletelyError, match="creating its default route") as held:
        world.provisioner.subscribe(TOKYO.din_uid)
    assert held.value.outcome == "already_held"
    assert world.xoxzo.calls("subscribe") == 0


def test_an_existing_default_route_is_never_overwritten(world: World) -> None:
    mine = new_number_default_item(TOKYO.number, "2026-01-01T00:00:00Z") | {"text": "ours, by hand"}
    world.routes_table.put_item(Item=mine)

    result = world.provisioner.subscribe(TOKYO.din_uid)

    assert result.default_route_created is False
    [route] = world.routes_of(TOKYO.number)
    assert route["text"] == "ours, by hand"


def test_without_an_action_url_the_number_is_subscribed_and_the_gap_reported(world: World) -> None:
    result = world.make(action_url=None).subscribe(TOKYO.din_uid)

    assert result.outcome == "subscribed"
    assert world.xoxzo.calls("set_action_url") == 0
    assert any("ACTION_URL" in warning for warning in result.warnings)


# --- invalid input -----------------------------------------------------------------------------


def test_invalid_input_lists_every_problem_and_never_builds_the_client(world: World) -> None:
    provisioner = world.make(client=None, client_factory=never_called)

    with pytest.raises(InvalidRequestError) as search_error:
        provisioner.search(country="Japan", prefix="03-")
    with pytest.raises(InvalidRequestError) as subscribe_error:
        provisioner.subscribe("../etc")
    with pytest.raises(InvalidRequestError) as point_error:
        provisioner.set_action_url("JPx", all_numbers=True, action_url="ftp://x")
    with pytest.raises(InvalidRequestError) as cancel_error:
        provisioner.cancel("a b", confirm="")

    assert len(search_error.value.problems) == 2
    assert len(subscribe_error.value.problems) == 1
    assert len(point_error.value.problems) == 2
    assert len(cancel_error.value.problems) == 2


# --- set-action-url --------------------------------------------------------------------------


def test_set_action_url_refuses_a_number_we_do_not_hold(world: World) -> None:
    world.xoxzo.holds(TOKYO)
    provisioner = world.make(client=None, client_factory=never_called)

    with pytest.raises(NotHeldError, match="run sync"):
        provisioner.set_action_url(TOKYO.din_uid)


def test_set_action_url_for_all_goes_on_after_a_failure_and_reports_it(world: World) -> None:
    for din in (TOKYO, IP_PHONE, OSAKA):
        world.xoxzo.holds(din)
        world.seed(din, NumberStatus.ACTIVE)
    world.seed(replace(TOKYO, din_uid="JPcancelled00000"), NumberStatus.CANCELLED)
    world.xoxzo.fail("set_action_url", XoxzoAuthError(401, {"detail": "no"}, "POST", "/x/"))

    result = world.provisioner.set_action_url(all_numbers=True, action_url=OTHER_URL)

    assert (result.set_count, result.failed_count, result.skipped_count) == (2, 1, 0)
    assert world.xoxzo.calls("set_action_url") == 3  # cancelled numbers are not pointed
    failed = [outcome for outcome in result.numbers if outcome.outcome == "failed"]
    assert failed[0].error is not None and "HTTP 401" in failed[0].error
    pointed = [din for din, sub in world.xoxzo.subscribed.items() if sub.action_url == OTHER_URL]
    assert sorted(pointed) == sorted(
        outcome.din_uid for outcome in result.numbers if outcome.outcome == "set"
    )
    assert result.action_url == redact_url(OTHER_URL)


def test_set_action_url_stops_calling_xoxzo_when_time_runs_out(world: World) -> None:
    for din in (TOKYO, IP_PHONE):
        world.xoxzo.holds(din)
        world.seed(din, NumberStatus.ACTIVE)
    seconds_left = iter([30.0, 5.0])  # time for one attempt of 10 s, then not

    provisioner = world.make(budget=TimeBudget(lambda: next(seconds_left), attempt_seconds=10.0))
    result = provisioner.set_action_url(all_numbers=True)

    assert (result.set_count, result.skipped_count) == (1, 1)
    assert world.xoxzo.calls("set_action_url") == 1


def test_pointing_all_of_zero_numbers_needs_no_credentials(world: World) -> None:
    provisioner = world.make(client=None, client_factory=never_called)

    result = provisioner.set_action_url(all_numbers=True)

    assert result.numbers == []


# --- cancel ------------------------------------------------------------------------------------


def test_cancel_needs_the_din_uid_or_the_number_repeated(world: World) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)
    world.journal.clear()

    with pytest.raises(InvalidRequestError, match="matches neither"):
        world.provisioner.cancel(TOKYO.din_uid, confirm="+81399999999")

    assert world.journal == []
    result = world.provisioner.cancel(TOKYO.din_uid, confirm="03-4567-8901")  # national format
    assert result.outcome == "cancelled"


def test_cancel_marks_cancelled_and_keeps_routes_by_default(world: World) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)
    world.clock.advance(days=3)

    result = world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)

    assert (result.outcome, result.routes_deleted) == ("cancelled", 0)
    assert TOKYO.din_uid not in world.xoxzo.subscribed
    record = world.record(TOKYO.din_uid)
    assert (record.status, record.cancelled_at) == (NumberStatus.CANCELLED, "2026-04-04T09:00:00Z")
    assert record.subscribed_at == "2026-04-01T09:00:00Z"  # history is kept
    assert len(world.routes_of(TOKYO.number)) == 1
    assert world.journal[-3:] == ["store.mark_cancelling", "xoxzo.cancel", "store.mark_cancelled"]


def test_cancel_with_delete_routes_deletes_only_that_numbers_routes(world: World) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)
    world.provisioner.subscribe(OSAKA.din_uid)
    for rule in range(30):  # more than one batch of 25
        world.routes_table.put_item(Item={"number": TOKYO.number, "rule_id": f"rule-{rule:02}"})

    result = world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.number, delete_routes=True)

    assert result.routes_deleted == 31
    assert world.routes_of(TOKYO.number) == []
    assert len(world.routes_of(OSAKA.number)) == 1


def test_cancel_answered_404_means_already_gone(world: World) -> None:
    world.seed(TOKYO, NumberStatus.ACTIVE)  # XOXZO does not have it

    result = world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)

    assert result.outcome == "already_gone"
    record = world.record(TOKYO.din_uid)
    assert record.status is NumberStatus.CANCELLED
    assert record.note is not None and "404" in record.note


def test_cancel_refused_by_xoxzo_puts_the_number_back_as_it_was(world: World) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)
    world.xoxzo.fail("cancel", XoxzoAuthError(401, {"detail": "no"}, "DELETE", "/x/"))

    with pytest.raises(XoxzoAuthError):
        world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)

    assert world.record(TOKYO.din_uid).status is NumberStatus.ACTIVE
    assert TOKYO.din_uid in world.xoxzo.subscribed


def test_an_unanswered_cancel_stays_cancelling_and_a_retry_finishes_it(world: World) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)
    world.xoxzo.fail("cancel", XoxzoUnavailableError("down", attempts=4, last_status=503))

    with pytest.raises(OutcomeUnknownError):
        world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)
    assert world.record(TOKYO.din_uid).status is NumberStatus.CANCELLING

    assert world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid).outcome == "cancelled"
    assert world.record(TOKYO.din_uid).status is NumberStatus.CANCELLED


def test_a_failure_of_ours_after_xoxzo_cancelled_says_so_and_sync_finishes_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)
    fails_once(monkeypatch, world.numbers, "mark_cancelled")

    with pytest.raises(CancelledIncompletelyError) as raised:
        world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)

    error = raised.value
    assert (error.kind, error.outcome) == ("CancelledIncompletely", "cancelled")
    assert error.message == (
        f"{TOKYO.din_uid} IS cancelled at XOXZO and no longer billed, but recording it here failed "
        "(ClientError; see the function's logs): the record says 'cancelling': run sync"
    )
    assert TOKYO.din_uid not in world.xoxzo.subscribed
    assert world.record(TOKYO.din_uid).status is NumberStatus.CANCELLING

    report = world.provisioner.sync()

    assert [(a.din_uid, a.action) for a in report.actions] == [(TOKYO.din_uid, "cancel_completed")]
    assert world.record(TOKYO.din_uid).status is NumberStatus.CANCELLED
    assert world.xoxzo.calls("cancel") == 1


def test_a_cancel_answered_404_whose_record_fails_says_the_number_is_gone(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.seed(TOKYO, NumberStatus.ACTIVE)  # XOXZO does not have it
    fails_once(monkeypatch, world.numbers, "mark_cancelled")

    with pytest.raises(CancelledIncompletelyError, match=r"IS gone from XOXZO \(it answered 404\)") as raised:
        world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)

    assert raised.value.outcome == "already_gone"
    assert world.record(TOKYO.din_uid).status is NumberStatus.CANCELLING


def test_routes_a_cancel_failed_to_delete_are_deleted_by_cancelling_again(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    world.provisioner.subscribe(TOKYO.din_uid)
    fails_once(monkeypatch, world.routes, "delete_routes")

    with pytest.raises(CancelledIncompletelyError, match="deleting its routes failed") as raised:
        world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid, delete_routes=True)

    assert raised.value.message.endswith("run cancel again with delete_routes true")
    assert world.record(TOKYO.din_uid).status is NumberStatus.CANCELLED
    assert len(world.routes_of(TOKYO.number)) == 1
    again = world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid, delete_routes=True)
    assert (again.outcome, again.routes_deleted) == ("already_cancelled", 1)
    assert world.routes_of(TOKYO.number) == []
    assert world.xoxzo.calls("cancel") == 1


def test_cancel_of_a_number_only_xoxzo_has_keeps_a_record_of_it(world: World) -> None:
    world.xoxzo.holds(OSAKA, ROTATED_URL)  # this stack's API: ours, though not recorded here

    with pytest.raises(InvalidRequestError, match="must equal the din_uid"):
        world.provisioner.cancel(OSAKA.din_uid, confirm=OSAKA.number)  # no record to check it against
    result = world.provisioner.cancel(OSAKA.din_uid, confirm=OSAKA.din_uid)

    assert result.outcome == "cancelled"
    record = world.record(OSAKA.din_uid)
    assert (record.status, record.number) == (NumberStatus.CANCELLED, OSAKA.number)


@pytest.mark.parametrize("status", [None, NumberStatus.MISSING_AT_XOXZO])
def test_cancel_never_cancels_a_number_another_stack_points_at(
    world: World, status: NumberStatus | None
) -> None:
    # The confirmation is a typo guard, not proof of ownership: `list` shows the whole account.
    world.xoxzo.holds(OSAKA, PROD_URL)
    if status is not None:
        world.seed(OSAKA, status)

    with pytest.raises(ForeignNumberError, match="Nothing was cancelled"):
        world.provisioner.cancel(OSAKA.din_uid, confirm=OSAKA.din_uid)

    assert world.xoxzo.calls("cancel") == 0
    assert OSAKA.din_uid in world.xoxzo.subscribed
    if status is None:
        assert world.numbers.get(OSAKA.din_uid) is None
    else:
        assert world.record(OSAKA.din_uid).status is status

    # Taken over explicitly first, it is ours to cancel.
    world.provisioner.sync(adopt=[OSAKA.din_uid])
    assert world.provisioner.cancel(OSAKA.din_uid, confirm=OSAKA.number).outcome == "cancelled"


def test_cancel_refuses_numbers_that_were_never_ours(world: World) -> None:
    world.seed(TOKYO, NumberStatus.FAILED)
    with pytest.raises(NotHeldError):
        world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)
    with pytest.raises(NotHeldError):
        world.provisioner.cancel(OSAKA.din_uid, confirm=OSAKA.din_uid)
    assert world.xoxzo.calls("cancel") == 0


@pytest.mark.parametrize("held", [True, False], ids=["recorded", "not-recorded"])
def test_a_cancel_without_usable_credentials_writes_no_intent(world: World, held: bool) -> None:
    world.xoxzo.holds(TOKYO, ACTION_URL)
    if held:
        world.seed(TOKYO, NumberStatus.ACTIVE, action_url=ACTION_URL)

    def placeholder_secret() -> Any:
        raise XoxzoCredentialsError("XOXZO credentials unusable: sid is still the REPLACE_ME placeholder")

    provisioner = world.make(client=None, client_factory=placeholder_secret)
    with pytest.raises(XoxzoCredentialsError):
        provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)

    # Nothing was sent, so nothing says `cancelling`: set-action-url still works on the number.
    if held:
        assert world.record(TOKYO.din_uid).status is NumberStatus.ACTIVE
        assert world.provisioner.set_action_url(TOKYO.din_uid).set_count == 1
    else:
        assert world.numbers.get(TOKYO.din_uid) is None
    assert world.xoxzo.calls("cancel") == 0


def test_sync_puts_a_stale_cancel_intent_xoxzo_still_lists_back_to_active(world: World) -> None:
    world.xoxzo.holds(TOKYO, OTHER_URL)
    world.seed(TOKYO, NumberStatus.CANCELLING, action_url=OTHER_URL)  # an hour old: nothing runs it

    report = world.provisioner.sync()

    assert [(a.din_uid, a.action) for a in report.actions] == [
        (TOKYO.din_uid, "cancel_abandoned"),
        (TOKYO.din_uid, "action_url_set"),
        (TOKYO.din_uid, "default_route_created"),
    ]
    assert report.pending == [] and report.errors == []
    record = world.record(TOKYO.din_uid)
    assert (record.status, record.action_url) == (NumberStatus.ACTIVE, ACTION_URL)
    assert record.note is not None and "never took effect" in record.note
    assert world.xoxzo.calls("cancel") == 0
    # Active again: every operation on active numbers applies to it.
    assert world.provisioner.set_action_url(all_numbers=True).set_count == 1


def test_cancelling_a_cancelled_number_again_calls_nothing(world: World) -> None:
    world.seed(TOKYO, NumberStatus.CANCELLED)

    result = world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)

    assert result.outcome == "already_cancelled"
    assert world.xoxzo.calls("cancel") == 0


# --- list --------------------------------------------------------------------------------------


def test_list_shows_drift_per_number(world: World) -> None:
    world.xoxzo.holds(TOKYO, ACTION_URL)
    world.seed(TOKYO, NumberStatus.ACTIVE, action_url=ACTION_URL)  # in sync
    world.xoxzo.holds(OSAKA, OTHER_URL)  # only at XOXZO
    world.seed(IP_PHONE, NumberStatus.ACTIVE, action_url=ACTION_URL)  # only ours
    stray = AvailableDin("JPstray000000001", "+815099990000", "81", "50", 650.0, 1.0)
    world.xoxzo.holds(stray, OTHER_URL)
    world.seed(stray, NumberStatus.FAILED, action_url=ACTION_URL)  # status and URL differ
    gone = AvailableDin("JPgone0000000001", "+815088880000", "81", "50", 650.0, 1.0)
    world.seed(gone, NumberStatus.CANCELLED)  # history, no drift

    listing = {entry.din_uid: entry for entry in world.provisioner.list_numbers().numbers}

    assert listing[TOKYO.din_uid].drift == []
    assert listing[OSAKA.din_uid].drift == ["only_at_xoxzo", "action_url_not_this_stack"]
    assert listing[IP_PHONE.din_uid].drift == ["only_ours"]
    assert listing[stray.din_uid].drift == [
        "status_mismatch",
        "action_url_differs",
        "action_url_not_this_stack",
    ]
    assert listing[gone.din_uid].drift == []
    assert listing[OSAKA.din_uid].status is None and listing[OSAKA.din_uid].number == OSAKA.number
    assert listing[TOKYO.din_uid].action_url_at_xoxzo == redact_url(ACTION_URL)


# --- sync --------------------------------------------------------------------------------------


def test_sync_repairs_every_kind_of_drift_and_reports_it(world: World) -> None:
    world.xoxzo.holds(OSAKA, ROTATED_URL)  # only at XOXZO, ours -> imported, re-pointed, default route
    world.seed(IP_PHONE, NumberStatus.ACTIVE)  # only ours -> missing_at_xoxzo
    world.xoxzo.holds(TOKYO)
    world.seed(TOKYO, NumberStatus.SUBSCRIBING)  # the POST happened -> active
    lost = AvailableDin("JPlost0000000001", "+815077770000", "81", "50", 650.0, 1.0)
    world.seed(lost, NumberStatus.SUBSCRIBING)  # an hour old, XOXZO never got it -> failed
    ending = AvailableDin("JPending00000001", "+815066660000", "81", "50", 650.0, 1.0)
    world.seed(ending, NumberStatus.CANCELLING)  # XOXZO no longer has it -> cancelled

    report = world.provisioner.sync()

    done = {(action.din_uid, action.action) for action in report.actions}
    assert done == {
        (OSAKA.din_uid, "imported"),
        (OSAKA.din_uid, "action_url_set"),
        (OSAKA.din_uid, "default_route_created"),
        (IP_PHONE.din_uid, "marked_missing_at_xoxzo"),
        (TOKYO.din_uid, "subscribe_completed"),
        (TOKYO.din_uid, "action_url_set"),
        (TOKYO.din_uid, "default_route_created"),
        (lost.din_uid, "marked_failed"),
        (ending.din_uid, "cancel_completed"),
    }
    assert report.errors == [] and report.pending == []
    statuses = {
        din_uid: world.record(din_uid).status
        for din_uid in (OSAKA.din_uid, IP_PHONE.din_uid, TOKYO.din_uid, lost.din_uid, ending.din_uid)
    }
    assert statuses == {
        OSAKA.din_uid: NumberStatus.ACTIVE,
        IP_PHONE.din_uid: NumberStatus.MISSING_AT_XOXZO,
        TOKYO.din_uid: NumberStatus.ACTIVE,
        lost.din_uid: NumberStatus.FAILED,
        ending.din_uid: NumberStatus.CANCELLED,
    }
    assert world.record(OSAKA.din_uid).note is not None
    assert "imported by sync" in world.record(OSAKA.din_uid).note  # type: ignore[operator]
    assert all(sub.action_url == ACTION_URL for sub in world.xoxzo.subscribed.values())
    assert world.xoxzo.calls("subscribe") == 0 and world.xoxzo.calls("cancel") == 0

    second = world.provisioner.sync()
    assert second.actions == [] and second.in_sync == 5


def details(record: NumberRecord) -> tuple[object, ...]:
    return (record.monthly_cost, record.minute_cost, record.country_code, record.prefix)


def test_imported_adopted_and_cancelled_unrecorded_numbers_keep_what_xoxzo_lists_about_them(
    world: World,
) -> None:
    world.xoxzo.holds(OSAKA, ROTATED_URL)  # only at XOXZO, this stack's API: imported by sync
    world.xoxzo.holds(TOKYO)  # only at XOXZO: adopted by a subscribe naming it
    world.xoxzo.holds(IP_PHONE, ACTION_URL)  # only at XOXZO: cancelled without a record here

    world.provisioner.subscribe(TOKYO.din_uid)
    world.provisioner.cancel(IP_PHONE.din_uid, confirm=IP_PHONE.din_uid)
    world.provisioner.sync()

    assert details(world.record(OSAKA.din_uid)) == (1100.0, 2.0, "81", "6")
    assert details(world.record(TOKYO.din_uid)) == (1300.0, 2.0, "81", "3")
    assert details(world.record(IP_PHONE.din_uid)) == (650.0, 1.0, "81", "50")


def test_adopting_or_reactivating_fills_only_the_details_a_record_lacks(world: World) -> None:
    world.xoxzo.holds(TOKYO)
    world.seed(TOKYO, NumberStatus.MISSING_AT_XOXZO, monthly_cost=999.0)  # what search said then
    world.xoxzo.holds(OSAKA)
    world.seed(OSAKA, NumberStatus.CANCELLED)

    assert world.provisioner.subscribe(TOKYO.din_uid).outcome == "adopted"
    world.provisioner.sync()

    assert details(world.record(TOKYO.din_uid)) == (999.0, 2.0, "81", "3")
    assert details(world.record(OSAKA.din_uid)) == (1100.0, 2.0, "81", "6")


def test_sync_leaves_numbers_another_stack_points_at_alone_and_reports_them(world: World) -> None:
    # Dev and prod share one XOXZO API user: prod's numbers are on the list dev's sync reads.
    world.xoxzo.holds(OSAKA, PROD_URL)  # prod's, no record here
    world.xoxzo.holds(IP_PHONE, PROD_URL)
    world.seed(IP_PHONE, NumberStatus.CANCELLED)  # dev cancelled it once; prod subscribed it since
    # No record and no action URL: another stack's between its subscribe and its set-action-url
    # (ours always write their record before the POST, so no crash of ours leaves this).
    world.xoxzo.holds(TOKYO, None)
    crashed = AvailableDin("JPcrashed0000001", "+815055550000", "81", "50", 650.0, 1.0)
    world.xoxzo.holds(crashed, ROTATED_URL)  # ours before a secret rotation

    report = world.provisioner.sync()

    assert [(f.din_uid, f.number, f.status, f.points_to) for f in report.foreign] == [
        (IP_PHONE.din_uid, IP_PHONE.number, "cancelled", "prod987.execute-api.ap-northeast-1.amazonaws.com"),
        (TOKYO.din_uid, TOKYO.number, None, "(no action URL)"),
        (OSAKA.din_uid, OSAKA.number, None, "prod987.execute-api.ap-northeast-1.amazonaws.com"),
    ]
    assert report.foreign[2].hint == 'to take it over, run sync with "adopt": ["JPj8mc3gt6pyw5rk"]'
    assert world.xoxzo.subscribed[OSAKA.din_uid].action_url == PROD_URL
    assert world.xoxzo.subscribed[IP_PHONE.din_uid].action_url == PROD_URL
    assert world.numbers.get(OSAKA.din_uid) is None
    assert world.record(IP_PHONE.din_uid).status is NumberStatus.CANCELLED
    assert world.routes_of(OSAKA.number) == [] and world.routes_of(IP_PHONE.number) == []
    assert world.numbers.get(TOKYO.din_uid) is None
    assert world.xoxzo.subscribed[TOKYO.din_uid].action_url is None
    # One pointing at this stack's API (an older secret) is ours: imported and pointed here.
    imported = {(a.din_uid, a.action) for a in report.actions}
    assert (crashed.din_uid, "imported") in imported
    assert world.xoxzo.subscribed[crashed.din_uid].action_url == ACTION_URL
    assert report.errors == [] and report.in_sync == 0
    # Deploy-time re-pointing (every active number) does not touch them either.
    world.provisioner.set_action_url(all_numbers=True)
    assert world.xoxzo.subscribed[OSAKA.din_uid].action_url == PROD_URL

    again = world.provisioner.sync()
    assert [f.din_uid for f in again.foreign] == [IP_PHONE.din_uid, TOKYO.din_uid, OSAKA.din_uid]
    assert again.actions == [] and again.in_sync == 1


def test_sync_takes_over_only_the_numbers_adopt_names(world: World) -> None:
    world.xoxzo.holds(OSAKA, PROD_URL)
    world.xoxzo.holds(IP_PHONE, PROD_URL)
    world.seed(IP_PHONE, NumberStatus.MISSING_AT_XOXZO)

    report = world.provisioner.sync(adopt=[OSAKA.din_uid, IP_PHONE.din_uid, "JPnotlisted00001"])

    actions = {(a.din_uid, a.action) for a in report.actions}
    assert {(OSAKA.din_uid, "adopted"), (OSAKA.din_uid, "action_url_set")} <= actions
    assert {(IP_PHONE.din_uid, "reactivated"), (IP_PHONE.din_uid, "action_url_set")} <= actions
    assert report.foreign == []
    assert [(p.din_uid, p.action) for p in report.pending] == [("JPnotlisted00001", "adopt_not_found")]
    adopted = world.record(OSAKA.din_uid)
    assert (adopted.status, adopted.action_url) == (NumberStatus.ACTIVE, ACTION_URL)
    assert adopted.note is not None and "prod987" in adopted.note
    assert world.xoxzo.subscribed[OSAKA.din_uid].action_url == ACTION_URL
    assert [route["rule_id"] for route in world.routes_of(OSAKA.number)] == [DEFAULT_RULE_ID]


@pytest.mark.parametrize(
    ("adopt", "problem"),
    [
        ("JPg3nw7pd5xjl8va", "adopt must be a non-empty list"),
        ([], "adopt must be a non-empty list"),
        (["../etc"], "adopt[0] '../etc' is not a XOXZO din_uid"),
        ([TOKYO.din_uid, 7], "adopt[1] must be a string"),
        (["JPx"] * 101, "at most 100"),
    ],
)
def test_an_invalid_adopt_is_refused_before_xoxzo_is_called(world: World, adopt: Any, problem: str) -> None:
    provisioner = world.make(client=None, client_factory=never_called)

    with pytest.raises(InvalidRequestError, match=re.escape(problem)):
        provisioner.sync(adopt=adopt)


def test_sync_leaves_a_young_subscribe_intent_alone(world: World) -> None:
    world.seed(TOKYO, NumberStatus.SUBSCRIBING)
    world.clock.now = datetime(2026, 4, 1, 8, 2, tzinfo=UTC)

    report = world.provisioner.sync()

    assert [(p.din_uid, p.action) for p in report.pending] == [(TOKYO.din_uid, "subscribe_in_progress")]
    assert world.record(TOKYO.din_uid).status is NumberStatus.SUBSCRIBING


def test_sync_reactivates_a_number_xoxzo_bills_although_we_thought_it_gone(world: World) -> None:
    world.xoxzo.holds(TOKYO, ACTION_URL)
    world.seed(TOKYO, NumberStatus.MISSING_AT_XOXZO, action_url=ACTION_URL)
    world.routes_table.put_item(Item={"number": TOKYO.number, "rule_id": "office-hours"})

    report = world.provisioner.sync()

    assert [(a.action, a.din_uid) for a in report.actions] == [("reactivated", TOKYO.din_uid)]
    assert world.record(TOKYO.din_uid).status is NumberStatus.ACTIVE
    # It has routes (no default on purpose): sync adds none.
    assert [route["rule_id"] for route in world.routes_of(TOKYO.number)] == ["office-hours"]


def test_sync_reactivating_a_cancelled_number_keeps_when_it_was_cancelled(world: World) -> None:
    # We cancelled it, but XOXZO still lists it (a cancel XOXZO lost, or a dashboard re-subscribe).
    world.xoxzo.holds(TOKYO, ACTION_URL)
    world.seed(TOKYO, NumberStatus.CANCELLED, action_url=ACTION_URL, cancelled_at="2026-03-01T10:00:00Z")

    report = world.provisioner.sync()

    [action] = [a for a in report.actions if a.action == "reactivated"]
    assert action.din_uid == TOKYO.din_uid
    assert "2026-03-01T10:00:00Z" in action.detail
    record = world.record(TOKYO.din_uid)
    assert (record.status, record.cancelled_at, record.previous_cancelled_at) == (
        NumberStatus.ACTIVE,
        None,
        "2026-03-01T10:00:00Z",
    )
    assert record.note is not None and "cancelled at 2026-03-01T10:00:00Z" in record.note


def cancel_while_sync_waits_for_xoxzo(world: World, **cancel: Any) -> None:
    """The operator's cancel runs (in another invocation) after sync has read XOXZO's list and
    before sync writes anything."""
    read_xoxzo = world.xoxzo.list_subscriptions

    def listed_then_cancelled() -> list[Subscription]:
        listed = read_xoxzo()
        # Once: the cancel reads XOXZO's list too.
        world.xoxzo.list_subscriptions = read_xoxzo  # type: ignore[method-assign]
        world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid, **cancel)
        return listed

    world.xoxzo.list_subscriptions = listed_then_cancelled  # type: ignore[method-assign]


def test_a_cancel_between_syncs_read_and_its_write_is_not_overwritten(world: World) -> None:
    # Missing at XOXZO when an earlier sync looked; XOXZO lists it again (so sync would reactivate
    # it), and the operator cancels it while this sync runs.
    world.xoxzo.holds(TOKYO, ACTION_URL)
    world.seed(TOKYO, NumberStatus.MISSING_AT_XOXZO, action_url=ACTION_URL)
    cancel_while_sync_waits_for_xoxzo(world)

    report = world.provisioner.sync()

    assert TOKYO.din_uid not in world.xoxzo.subscribed  # the cancel happened at XOXZO
    record = world.record(TOKYO.din_uid)
    assert record.status is NumberStatus.CANCELLED
    assert record.cancelled_at == "2026-04-01T09:00:00Z"
    assert report.actions == []
    assert [(error.din_uid, error.action) for error in report.errors] == [(TOKYO.din_uid, "conflict")]


def test_a_cancel_with_routes_during_sync_gets_neither_its_record_nor_a_route_back(world: World) -> None:
    # Active, XOXZO's action URL is right but our record of it is not, and it has a route.
    world.xoxzo.holds(TOKYO, ACTION_URL)
    world.seed(TOKYO, NumberStatus.ACTIVE, action_url=OTHER_URL)
    world.routes_table.put_item(Item=new_number_default_item(TOKYO.number, "2026-04-01T08:00:00Z"))
    cancel_while_sync_waits_for_xoxzo(world, delete_routes=True)

    report = world.provisioner.sync()

    record = world.record(TOKYO.din_uid)
    assert (record.status, record.action_url) == (NumberStatus.CANCELLED, OTHER_URL)
    assert record.cancelled_at is not None
    assert world.routes_of(TOKYO.number) == []  # not re-created for a cancelled number
    assert [(error.din_uid, error.action) for error in report.errors] == [(TOKYO.din_uid, "conflict")]


def test_sync_creates_no_route_for_a_number_cancelled_after_its_last_write(world: World) -> None:
    # Nothing to record, but no route: the only write sync would make is the default route.
    world.xoxzo.holds(TOKYO, ACTION_URL)
    world.seed(TOKYO, NumberStatus.ACTIVE, action_url=ACTION_URL)
    cancel_while_sync_waits_for_xoxzo(world, delete_routes=True)

    report = world.provisioner.sync()

    assert world.record(TOKYO.din_uid).status is NumberStatus.CANCELLED
    assert world.routes_of(TOKYO.number) == []
    assert [(error.din_uid, error.action) for error in report.errors] == [(TOKYO.din_uid, "conflict")]


def test_subscribing_a_cancelled_number_again_keeps_its_last_cancellation(world: World) -> None:
    world.seed(TOKYO, NumberStatus.CANCELLED, cancelled_at="2026-03-01T10:00:00Z")

    result = world.provisioner.subscribe(TOKYO.din_uid)

    assert result.outcome == "subscribed"
    record = world.record(TOKYO.din_uid)
    assert (record.status, record.cancelled_at, record.previous_cancelled_at) == (
        NumberStatus.ACTIVE,
        None,
        "2026-03-01T10:00:00Z",
    )
    assert result.record is not None and result.record.previous_cancelled_at == "2026-03-01T10:00:00Z"


def test_adopting_refuses_a_record_that_changed_since_it_was_read(world: World) -> None:
    world.seed(TOKYO, NumberStatus.MISSING_AT_XOXZO)
    world.xoxzo.holds(TOKYO)
    read_xoxzo = world.xoxzo.list_subscriptions

    def cancelled_meanwhile() -> list[Subscription]:
        listed = read_xoxzo()
        # Once: the cancel reads XOXZO's list too.
        world.xoxzo.list_subscriptions = read_xoxzo  # type: ignore[method-assign]
        world.provisioner.cancel(TOKYO.din_uid, confirm=TOKYO.din_uid)
        return listed

    world.xoxzo.list_subscriptions = cancelled_meanwhile  # type: ignore[method-assign]

    with pytest.raises(ConflictError, match="changed meanwhile"):
        world.provisioner.subscribe(TOKYO.din_uid)

    assert world.record(TOKYO.din_uid).status is NumberStatus.CANCELLED
    assert world.xoxzo.calls("subscribe") == 0


def test_sync_reports_an_unfinished_cancel_and_a_xoxzo_failure_without_stopping(world: World) -> None:
    world.xoxzo.holds(TOKYO, ACTION_URL)
    world.seed(TOKYO, NumberStatus.CANCELLING, action_url=ACTION_URL)
    world.clock.now = datetime(2026, 4, 1, 8, 2, tzinfo=UTC)  # the cancel intent is two minutes old
    world.xoxzo.holds(OSAKA, OTHER_URL)
    world.seed(OSAKA, NumberStatus.ACTIVE, action_url=OTHER_URL)
    world.xoxzo.holds(IP_PHONE, OTHER_URL)
    world.seed(IP_PHONE, NumberStatus.ACTIVE, action_url=OTHER_URL)
    world.xoxzo.fail("set_action_url", XoxzoUnavailableError("down", attempts=4, last_status=503))

    report = world.provisioner.sync()

    assert [(p.din_uid, p.action) for p in report.pending] == [(TOKYO.din_uid, "cancel_unfinished")]
    assert len(report.errors) == 1 and "XoxzoUnavailableError" in report.errors[0].detail
    assert world.record(TOKYO.din_uid).status is NumberStatus.CANCELLING
    repointed = [a.din_uid for a in report.actions if a.action == "action_url_set"]
    assert len(repointed) == 1  # the other number was still tried


def test_sync_never_applies_a_decision_to_a_record_changed_since_it_read_it(world: World) -> None:
    world.seed(TOKYO, NumberStatus.ACTIVE)  # XOXZO does not list it...
    read_xoxzo = world.xoxzo.list_subscriptions

    def meanwhile() -> list[Subscription]:
        # ...and while sync asks XOXZO, someone else touches the record.
        world.numbers.record_action_url(TOKYO.din_uid, now="2026-04-01T09:00:00Z", action_url=OTHER_URL)
        return read_xoxzo()

    world.xoxzo.list_subscriptions = meanwhile  # type: ignore[method-assign]

    report = world.provisioner.sync()

    assert [(error.din_uid, error.action) for error in report.errors] == [(TOKYO.din_uid, "conflict")]
    assert "RecordChangedError" in report.errors[0].detail
    assert world.record(TOKYO.din_uid).status is NumberStatus.ACTIVE


def test_sync_reads_our_records_before_xoxzo_so_a_finishing_subscribe_is_not_missing(world: World) -> None:
    read_xoxzo = world.xoxzo.list_subscriptions

    def subscribe_completes_meanwhile() -> list[Subscription]:
        world.numbers.create(
            NumberRecord(TOKYO.din_uid, NumberStatus.SUBSCRIBING, "2026-04-01T09:00:00Z", number=TOKYO.number)
        )
        world.xoxzo.holds(TOKYO)
        return read_xoxzo()

    world.xoxzo.list_subscriptions = subscribe_completes_meanwhile  # type: ignore[method-assign]

    report = world.provisioner.sync()

    # Sync did not know the record when it read ours: without an action URL yet, the number looks
    # like another stack's; it is reported, not imported, and nothing breaks.
    assert [f.din_uid for f in report.foreign] == [TOKYO.din_uid] and report.errors == []
    assert world.record(TOKYO.din_uid).status is NumberStatus.SUBSCRIBING
    world.xoxzo.list_subscriptions = read_xoxzo  # type: ignore[method-assign]
    assert world.provisioner.sync().errors == []
    assert world.record(TOKYO.din_uid).status is NumberStatus.ACTIVE


MINE = "https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/s3cr3t-0123456789abcdefghijklmnop"


@pytest.mark.parametrize(
    ("url", "ours"),
    [
        (MINE, True),
        (MINE + "/", True),
        (MINE.replace("abc123.execute-api", "ABC123.Execute-API"), True),
        (MINE.replace(".com/", ".com:443/"), True),
        (MINE + "?caller=1", True),
        (ROTATED_URL, True),  # this stack's API, another secret: a rotation
        ("https://abc123.execute-api.ap-northeast-1.amazonaws.com/action", True),  # the output, no secret
        # The same stack re-created (a new API id) with the secret it was told to keep.
        (
            "https://new456.execute-api.ap-northeast-1.amazonaws.com/action/s3cr3t-0123456789abcdefghijklmnop",
            True,
        ),
        (PROD_URL, False),
        (MINE.replace("https://", "http://"), True),  # our secret: ours, re-pointed to https
        (ROTATED_URL.replace("https://", "http://"), False),  # another scheme, another secret
        ("https://abc123.execute-api.ap-northeast-1.amazonaws.com/other/s3cr3t-0123", False),
        ("not a url", False),
    ],
)
def test_which_action_urls_are_this_stacks(url: str, ours: bool) -> None:
    assert points_here(url, MINE) is ours


def test_a_short_secret_alone_never_makes_another_hosts_url_ours() -> None:
    short = "https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/short"
    assert points_here("https://other.example.com/action/short", short) is False
    assert points_here("https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/x", short) is True


def test_cancel_of_an_unrecorded_number_without_an_action_url_needs_adopt(world: World) -> None:
    # Another stack's, between its subscribe and its set-action-url, on the shared XOXZO account.
    world.xoxzo.holds(OSAKA, None)

    with pytest.raises(ForeignNumberError, match="has no action URL yet"):
        world.provisioner.cancel(OSAKA.din_uid, confirm=OSAKA.din_uid)

    assert world.xoxzo.calls("cancel") == 0 and world.numbers.get(OSAKA.din_uid) is None
    world.provisioner.sync(adopt=[OSAKA.din_uid])
    assert world.record(OSAKA.din_uid).status is NumberStatus.ACTIVE
    assert world.provisioner.cancel(OSAKA.din_uid, confirm=OSAKA.din_uid).outcome == "cancelled"


def test_a_re_created_stack_keeps_the_numbers_that_end_in_its_secret(world: World) -> None:
    # The stack was deleted and deployed again with the same ActionSecret: a new API id, a new
    # numbers table; the numbers still point at the old API with this stack's secret.
    old_api = ACTION_URL.replace("abc123", "old999")
    world.xoxzo.holds(TOKYO, old_api)

    report = world.provisioner.sync()

    assert report.foreign == []
    assert (TOKYO.din_uid, "imported") in {(a.din_uid, a.action) for a in report.actions}
    assert world.xoxzo.subscribed[TOKYO.din_uid].action_url == ACTION_URL
