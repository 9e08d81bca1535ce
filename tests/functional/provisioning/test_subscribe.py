"""subscribe against an in-memory XOXZO and the template's tables in moto: what it writes, in which
order, and what it refuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError

from tests.functional.provisioning.world import (
    ACTION_URL,
    PROD_URL,
    ROTATED_URL,
    TOKYO,
    World,
    fails_once,
)
from xoxzo_din.provisioning.errors import (
    ConflictError,
    ForeignNumberError,
    NotAvailableError,
    OutcomeUnknownError,
    SubscribedIncompletelyError,
)
from xoxzo_din.tables.numbers import NumberStatus
from xoxzo_din.tables.recorded_url import recorded_url
from xoxzo_din.tables.routes_writer import new_number_default_item
from xoxzo_din.tables.schema import DEFAULT_RULE_ID
from xoxzo_din.xoxzo.errors import (
    XoxzoOutcomeUnknownError,
    XoxzoUnavailableError,
    XoxzoValidationError,
)
from xoxzo_din.xoxzo.models import Subscription


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
    assert record.action_url == recorded_url(ACTION_URL)
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
    assert world.record(TOKYO.din_uid).action_url == recorded_url(ACTION_URL)


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
        recorded_url(ACTION_URL),
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
    assert (record.status, record.action_url) == (NumberStatus.ACTIVE, recorded_url(ACTION_URL))
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
