"""sync against an in-memory XOXZO and the template's tables in moto: the drift it repairs, what it
leaves alone, and the writes of others it never overwrites."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from tests.functional.provisioning.world import (
    ACTION_URL,
    IP_PHONE,
    OSAKA,
    OTHER_URL,
    PROD_URL,
    ROTATED_URL,
    TOKYO,
    World,
    never_called,
)
from xoxzo_din.provisioning.errors import (
    InvalidRequestError,
)
from xoxzo_din.tables.numbers import NumberRecord, NumberStatus
from xoxzo_din.tables.recorded_url import recorded_url
from xoxzo_din.tables.routes_writer import new_number_default_item
from xoxzo_din.tables.schema import DEFAULT_RULE_ID
from xoxzo_din.xoxzo.errors import (
    XoxzoUnavailableError,
)
from xoxzo_din.xoxzo.models import AvailableDin, Subscription


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
    assert (adopted.status, adopted.action_url) == (NumberStatus.ACTIVE, recorded_url(ACTION_URL))
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
    assert (record.status, record.action_url) == (NumberStatus.CANCELLED, recorded_url(OTHER_URL))
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
    assert (record.status, record.action_url) == (NumberStatus.ACTIVE, recorded_url(ACTION_URL))
    assert record.note is not None and "never took effect" in record.note
    assert world.xoxzo.calls("cancel") == 0
    # Active again: every operation on active numbers applies to it.
    assert world.provisioner.set_action_url(all_numbers=True).set_count == 1


def test_a_re_created_stack_keeps_the_numbers_that_end_in_its_secret(world: World) -> None:
    # The stack was deleted and deployed again with the same action secret: a new API id, a new
    # numbers table; the numbers still point at the old API with this stack's secret.
    old_api = ACTION_URL.replace("abc123", "old999")
    world.xoxzo.holds(TOKYO, old_api)

    report = world.provisioner.sync()

    assert report.foreign == []
    assert (TOKYO.din_uid, "imported") in {(a.din_uid, a.action) for a in report.actions}
    assert world.xoxzo.subscribed[TOKYO.din_uid].action_url == ACTION_URL


def secret_of(url: str) -> str:
    return url.rstrip("/").rpartition("/")[2]


def test_no_write_keeps_the_secret_and_sync_removes_it_from_records_written_before(
    world: World, tables: dict[str, str]
) -> None:
    table = boto3.resource("dynamodb").Table(tables["NUMBERS_TABLE_NAME"])
    world.provisioner.subscribe(TOKYO.din_uid)  # writes the record, points it here, records that
    # Records of an earlier version hold the URL in clear (a hand-written item, as they were).
    world.xoxzo.holds(OSAKA, ACTION_URL)
    table.put_item(
        Item={
            "din_uid": OSAKA.din_uid,
            "status": "active",
            "number": OSAKA.number,
            "updated_at": "2026-04-01T08:00:00Z",
            "action_url": ACTION_URL,
            "version": 3,
        }
    )
    table.put_item(
        Item={
            "din_uid": "JPcancelled00001",
            "status": "cancelled",
            "number": "+81300000001",
            "updated_at": "2026-04-01T08:00:00Z",
            "action_url": OTHER_URL,
            "version": 1,
        }
    )
    assert world.record(OSAKA.din_uid).points_at(ACTION_URL)  # read in any form: nothing drifts
    assert world.provisioner.list_numbers().numbers[0].drift == []

    report = world.provisioner.sync()

    secret_removed = [a.din_uid for a in report.actions if a.action == "action_url_secret_removed"]
    assert sorted(secret_removed) == sorted([OSAKA.din_uid, "JPcancelled00001"])
    # Upkeep, not drift: the SyncRepairs metric (and its alarm) counts repairs() only.
    assert report.repairs() == [a for a in report.actions if a.action != "action_url_secret_removed"]
    assert len(report.repairs()) == len(report.actions) - 2
    items = table.scan(ConsistentRead=True)["Items"]
    assert len(items) == 3
    stored = "\n".join(str(item) for item in items)
    assert secret_of(ACTION_URL) not in stored and secret_of(OTHER_URL) not in stored
    assert {item["din_uid"]: item["action_url"] for item in items} == {
        TOKYO.din_uid: recorded_url(ACTION_URL),
        OSAKA.din_uid: recorded_url(ACTION_URL),
        "JPcancelled00001": recorded_url(OTHER_URL),
    }
    assert world.xoxzo.subscribed[OSAKA.din_uid].action_url == ACTION_URL  # XOXZO's is untouched
    assert not [a for a in world.provisioner.sync().actions if a.action == "action_url_secret_removed"]
