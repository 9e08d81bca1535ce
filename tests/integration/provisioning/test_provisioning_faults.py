"""Provisioning with the real XOXZO client against the emulator's injected faults, and crashes
injected between the steps of a subscribe: what XOXZO saw, and what the numbers table says."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests

from tools.xoxzo_emulator import Fault, XoxzoEmulator
from xoxzo_din.provisioning import runtime as provisioning_runtime
from xoxzo_din.provisioning.errors import NotAvailableError, OutcomeUnknownError, SubscribedIncompletelyError
from xoxzo_din.provisioning.provisioner import Provisioner
from xoxzo_din.tables.numbers import NumberRecord, NumbersStore, NumberStatus
from xoxzo_din.tables.recorded_url import recorded_url
from xoxzo_din.tables.schema import DEFAULT_RULE_ID
from xoxzo_din.xoxzo.client import XoxzoClient
from xoxzo_din.xoxzo.errors import XoxzoAuthError, XoxzoUnavailableError, XoxzoValidationError
from xoxzo_din.xoxzo.models import ClientSettings, XoxzoCredentials

ACTION_URL = (
    "https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/s3cr3t-0123456789abcdefghijklmnop"
)
DIN_UID = "JPafr34rafic76tf"
NUMBER = "+815012345678"
SUBSCRIPTIONS = "/voice/dins/subscriptions/"
ONE_SUBSCRIPTION = f"{SUBSCRIPTIONS}{DIN_UID}/"
MAX_ATTEMPTS = 3


class CrashError(Exception):
    """Stands for the function dying (timeout, out of memory) at a chosen point."""


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def emulator(xoxzo_emulator: XoxzoEmulator) -> XoxzoEmulator:
    xoxzo_emulator.fault_delay = 0.4  # longer than the client's read timeout below
    return xoxzo_emulator


def client_for(emulator: XoxzoEmulator, auth_token: str | None = None) -> XoxzoClient:
    return XoxzoClient(
        XoxzoCredentials(emulator.sid, auth_token or emulator.auth_token),
        emulator.base_url,
        ClientSettings(connect_timeout=0.3, read_timeout=0.2, max_attempts=MAX_ATTEMPTS, backoff_base=0.0),
        sleep=lambda _seconds: None,
    )


@pytest.fixture
def store(tables: dict[str, str]) -> NumbersStore:
    return provisioning_runtime.numbers_store()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def provisioner(emulator: XoxzoEmulator, store: NumbersStore, clock: Clock) -> Iterator[Provisioner]:
    client = client_for(emulator)
    yield Provisioner(
        client=client,
        numbers=store,
        routes=provisioning_runtime.routes_writer(),
        action_url=ACTION_URL,
        clock=clock,
    )
    client.close()


def seen(emulator: XoxzoEmulator, method: str, path: str) -> int:
    return sum(1 for r in emulator.requests if (r.method, r.path) == (method, path))


def posts_to_subscribe(emulator: XoxzoEmulator) -> int:
    return seen(emulator, "POST", SUBSCRIPTIONS)


def record(store: NumbersStore, din_uid: str = DIN_UID) -> NumberRecord:
    found = store.get(din_uid)
    assert found is not None, f"no record of {din_uid}"
    return found


def at_xoxzo(emulator: XoxzoEmulator) -> dict[str, str | None]:
    return {item["din_uid"]: item["action"]["url"] for item in emulator.subscriptions()}


def default_route(number: str = NUMBER) -> dict[str, Any] | None:
    table = boto3.resource("dynamodb").Table(os.environ["ROUTES_TABLE_NAME"])
    return table.get_item(Key={"number": number, "rule_id": DEFAULT_RULE_ID}).get("Item")


# --- XOXZO faults ------------------------------------------------------------------------------


def test_a_subscribe_whose_answer_is_lost_after_xoxzo_applied_it_is_posted_once(
    provisioner: Provisioner, emulator: XoxzoEmulator, store: NumbersStore
) -> None:
    emulator.inject_faults("POST", SUBSCRIPTIONS, ["timeout-after-apply"])

    result = provisioner.subscribe(DIN_UID)

    assert result.outcome == "subscribed"
    assert posts_to_subscribe(emulator) == 1
    assert at_xoxzo(emulator) == {DIN_UID: ACTION_URL}
    assert record(store).status is NumberStatus.ACTIVE


def test_a_subscribe_that_never_reached_xoxzo_is_posted_again_after_checking(
    provisioner: Provisioner, emulator: XoxzoEmulator, store: NumbersStore
) -> None:
    emulator.inject_faults("POST", SUBSCRIPTIONS, ["timeout-before-apply"])

    provisioner.subscribe(DIN_UID)

    # POST (lost), the list (not there), POST again.
    assert posts_to_subscribe(emulator) == 2
    assert list(at_xoxzo(emulator)) == [DIN_UID]
    assert record(store).status is NumberStatus.ACTIVE


def test_5xx_then_success_is_retried(
    provisioner: Provisioner, emulator: XoxzoEmulator, store: NumbersStore
) -> None:
    emulator.presubscribe(DIN_UID, ACTION_URL)  # ours (this stack's URL), not recorded here
    emulator.inject_faults("GET", SUBSCRIPTIONS, [503, 502])

    report = provisioner.sync()

    assert seen(emulator, "GET", SUBSCRIPTIONS) == 3
    assert {(a.din_uid, a.action) for a in report.actions} >= {(DIN_UID, "imported")}
    imported = record(store)
    assert imported.status is NumberStatus.ACTIVE
    # What the emulator's subscription list says about it besides the number.
    assert (imported.monthly_cost, imported.minute_cost, imported.country_code, imported.prefix) == (
        650.0,
        1.0,
        "81",
        "50",
    )


def test_429_is_retried_and_honoured(
    provisioner: Provisioner, emulator: XoxzoEmulator, store: NumbersStore
) -> None:
    provisioner.subscribe(DIN_UID)
    emulator.inject_faults("POST", ONE_SUBSCRIPTION, [Fault("status", status=429, retry_after="0")])
    emulator.clear_requests()
    other = "https://other.example.com/action/another-secret-0123456789"

    result = provisioner.set_action_url(DIN_UID, action_url=other, force=True)

    assert result.set_count == 1
    assert seen(emulator, "POST", ONE_SUBSCRIPTION) == 2
    assert at_xoxzo(emulator) == {DIN_UID: other}
    assert record(store).action_url == recorded_url(other)


def fault_the_list_check_after_the_post(
    provisioner: Provisioner, emulator: XoxzoEmulator, status: int
) -> None:
    """Provisioner.subscribe lists once before the POST; the next list (the client's check after
    the POST) is answered `status`."""
    original_list = provisioner.client.list_subscriptions
    calls = {"count": 0}

    def list_then_fault() -> Any:
        calls["count"] += 1
        if calls["count"] == 1:
            result = original_list()
            emulator.inject_faults("GET", SUBSCRIPTIONS, [status])
            return result
        return original_list()

    provisioner.client.list_subscriptions = list_then_fault  # type: ignore[method-assign]


@pytest.mark.parametrize("list_fault", [401, 403, 400], ids=["401", "403", "400"])
def test_a_lost_subscribe_whose_list_check_is_refused_stays_subscribing_not_failed(
    provisioner: Provisioner, emulator: XoxzoEmulator, store: NumbersStore, list_fault: int
) -> None:
    # Applied at XOXZO (billed), the answer lost, and the list check refused: the outcome is unknown.
    emulator.inject_faults("POST", SUBSCRIPTIONS, ["timeout-after-apply"])
    fault_the_list_check_after_the_post(provisioner, emulator, list_fault)

    with pytest.raises(OutcomeUnknownError, match="run sync"):
        provisioner.subscribe(DIN_UID)

    assert posts_to_subscribe(emulator) == 1
    assert at_xoxzo(emulator) == {DIN_UID: None}
    intent = record(store)
    assert intent.status is NumberStatus.SUBSCRIBING  # not `failed`: sync settles it
    report = provisioner.sync()
    assert (DIN_UID, "subscribe_completed") in {(a.din_uid, a.action) for a in report.actions}
    assert record(store).status is NumberStatus.ACTIVE
    assert posts_to_subscribe(emulator) == 1


def test_xoxzo_down_during_subscribe_leaves_an_intent_that_sync_settles(
    provisioner: Provisioner, emulator: XoxzoEmulator, store: NumbersStore, clock: Clock
) -> None:
    emulator.inject_faults("POST", SUBSCRIPTIONS, [503] * MAX_ATTEMPTS)

    with pytest.raises(OutcomeUnknownError):
        provisioner.subscribe(DIN_UID)

    assert posts_to_subscribe(emulator) == MAX_ATTEMPTS
    assert emulator.subscriptions() == []
    assert record(store).status is NumberStatus.SUBSCRIBING

    clock.now += timedelta(minutes=10)
    report = provisioner.sync()

    assert [(a.din_uid, a.action) for a in report.actions] == [(DIN_UID, "marked_failed")]
    assert record(store).status is NumberStatus.FAILED
    assert posts_to_subscribe(emulator) == MAX_ATTEMPTS  # sync never subscribes


def test_wrong_credentials_stop_before_anything_is_subscribed_or_written(
    emulator: XoxzoEmulator, store: NumbersStore, clock: Clock
) -> None:
    provisioner = Provisioner(
        client=client_for(emulator, auth_token="not-the-token"),
        numbers=store,
        routes=provisioning_runtime.routes_writer(),
        action_url=ACTION_URL,
        clock=clock,
    )

    with pytest.raises(XoxzoAuthError) as error:
        provisioner.subscribe(DIN_UID)

    assert "not-the-token" not in str(error.value)
    assert [(r.method, r.path, r.status) for r in emulator.requests] == [("GET", SUBSCRIPTIONS, 401)]
    assert store.get(DIN_UID) is None


def test_an_unknown_din_uid_is_refused_without_a_post(
    provisioner: Provisioner, emulator: XoxzoEmulator, store: NumbersStore
) -> None:
    with pytest.raises(NotAvailableError):
        provisioner.subscribe("JPdoesnotexist00")

    assert [(r.method, r.path) for r in emulator.requests] == [
        ("GET", SUBSCRIPTIONS),
        ("GET", "/voice/dins/"),
    ]
    assert store.get("JPdoesnotexist00") is None


def test_a_400_from_xoxzo_on_subscribe_records_the_failure(
    provisioner: Provisioner, emulator: XoxzoEmulator, store: NumbersStore
) -> None:
    # Taken between our search and our POST: XOXZO says no such available number.
    emulator.inject_faults("POST", SUBSCRIPTIONS, [400])

    with pytest.raises(XoxzoValidationError):
        provisioner.subscribe(DIN_UID)

    assert posts_to_subscribe(emulator) == 1  # 4xx is never retried
    assert record(store).status is NumberStatus.FAILED
    assert emulator.subscriptions() == []
    assert default_route() is None


def test_a_404_on_cancel_means_already_gone(
    provisioner: Provisioner, emulator: XoxzoEmulator, store: NumbersStore
) -> None:
    provisioner.subscribe(DIN_UID)
    # Someone cancelled it in XOXZO's dashboard meanwhile.
    gone = requests.delete(
        emulator.base_url + ONE_SUBSCRIPTION, auth=(emulator.sid, emulator.auth_token), timeout=2
    )
    assert gone.status_code == 200
    emulator.clear_requests()

    result = provisioner.cancel(DIN_UID, confirm=NUMBER)

    assert result.outcome == "already_gone"
    assert seen(emulator, "DELETE", ONE_SUBSCRIPTION) == 1
    cancelled = record(store)
    assert cancelled.status is NumberStatus.CANCELLED
    assert cancelled.note is not None and "404" in cancelled.note
    assert default_route() is not None  # routes kept


def test_a_cancel_whose_answer_is_lost_is_settled_by_the_client(
    provisioner: Provisioner, emulator: XoxzoEmulator, store: NumbersStore
) -> None:
    provisioner.subscribe(DIN_UID)
    emulator.inject_faults("DELETE", ONE_SUBSCRIPTION, ["timeout-after-apply"])
    emulator.clear_requests()

    result = provisioner.cancel(DIN_UID, confirm=DIN_UID)

    # DELETE (applied, answer lost), DELETE again: 404 after a lost answer counts as done.
    assert seen(emulator, "DELETE", ONE_SUBSCRIPTION) == 2
    assert result.outcome == "cancelled"
    assert record(store).status is NumberStatus.CANCELLED
    assert emulator.subscriptions() == []


# --- crashes between the steps of a subscribe --------------------------------------------------


def crash_once(monkeypatch: pytest.MonkeyPatch, target: object, method: str) -> None:
    original = getattr(target, method)
    calls = {"count": 0}

    def crashing(*args: Any, **kwargs: Any) -> Any:
        calls["count"] += 1
        if calls["count"] == 1:
            raise CrashError(f"crash in {method}")
        return original(*args, **kwargs)

    monkeypatch.setattr(target, method, crashing)


def test_a_crash_right_after_xoxzo_subscribed_is_repaired_by_sync(
    provisioner: Provisioner, emulator: XoxzoEmulator, store: NumbersStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_once(monkeypatch, store, "mark_active")  # step 3 never happens

    with pytest.raises(SubscribedIncompletelyError, match="IS subscribed at XOXZO and billed") as raised:
        provisioner.subscribe(DIN_UID)
    assert isinstance(raised.value.__cause__, CrashError)
    assert raised.value.outcome == "subscribed"

    assert record(store).status is NumberStatus.SUBSCRIBING
    assert at_xoxzo(emulator) == {DIN_UID: None}  # paid for, pointed nowhere
    assert default_route() is None

    report = provisioner.sync()

    assert {a.action for a in report.actions} == {
        "subscribe_completed",
        "action_url_set",
        "default_route_created",
    }
    repaired = record(store)
    assert (repaired.status, repaired.action_url) == (NumberStatus.ACTIVE, recorded_url(ACTION_URL))
    assert repaired.monthly_cost == 650.0  # what search told us is kept
    assert at_xoxzo(emulator) == {DIN_UID: ACTION_URL}
    assert default_route() is not None
    assert posts_to_subscribe(emulator) == 1


def test_retrying_subscribe_after_that_crash_adopts_instead_of_paying_twice(
    provisioner: Provisioner, emulator: XoxzoEmulator, store: NumbersStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_once(monkeypatch, store, "mark_active")
    with pytest.raises(SubscribedIncompletelyError):
        provisioner.subscribe(DIN_UID)

    result = provisioner.subscribe(DIN_UID)

    assert result.outcome == "adopted"
    assert posts_to_subscribe(emulator) == 1
    assert record(store).status is NumberStatus.ACTIVE
    assert at_xoxzo(emulator) == {DIN_UID: ACTION_URL}


def test_a_crash_before_the_action_url_is_recorded_is_repaired_by_sync(
    provisioner: Provisioner, emulator: XoxzoEmulator, store: NumbersStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_once(monkeypatch, store, "record_action_url")  # step 5

    with pytest.raises(SubscribedIncompletelyError, match="recording its action URL") as raised:
        provisioner.subscribe(DIN_UID)
    assert isinstance(raised.value.__cause__, CrashError)
    assert record(store).action_url is None
    assert default_route() is None

    report = provisioner.sync()

    assert {a.action for a in report.actions} == {"action_url_recorded", "default_route_created"}
    assert record(store).action_url == recorded_url(ACTION_URL)
    assert seen(emulator, "POST", ONE_SUBSCRIPTION) == 1  # XOXZO already had the right URL


def test_a_crash_before_the_post_leaves_an_intent_sync_clears_once_stale(
    provisioner: Provisioner,
    emulator: XoxzoEmulator,
    store: NumbersStore,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crash_once(monkeypatch, provisioner.client, "subscribe")  # dies between steps 1 and 2

    with pytest.raises(CrashError):
        provisioner.subscribe(DIN_UID)
    assert record(store).status is NumberStatus.SUBSCRIBING
    assert posts_to_subscribe(emulator) == 0

    young = provisioner.sync()
    assert [(p.din_uid, p.action) for p in young.pending] == [(DIN_UID, "subscribe_in_progress")]
    clock.now += timedelta(minutes=6)
    stale = provisioner.sync()
    assert [(a.din_uid, a.action) for a in stale.actions] == [(DIN_UID, "marked_failed")]
    failed = record(store)
    assert failed.status is NumberStatus.FAILED
    assert failed.number == NUMBER  # the record is kept: nothing is lost

    assert provisioner.subscribe(DIN_UID).outcome == "subscribed"
    assert posts_to_subscribe(emulator) == 1
    assert record(store).status is NumberStatus.ACTIVE


def test_a_subscribe_throttled_with_an_unreadable_list_is_failed_not_unknown(
    provisioner: Provisioner, emulator: XoxzoEmulator, store: NumbersStore
) -> None:
    # 429 (nothing applied), then the list that must be read before another POST is refused.
    emulator.inject_faults("POST", SUBSCRIPTIONS, [Fault("status", status=429, retry_after="0")])
    fault_the_list_check_after_the_post(provisioner, emulator, 401)

    with pytest.raises(XoxzoUnavailableError, match="it was not applied"):
        provisioner.subscribe(DIN_UID)

    assert posts_to_subscribe(emulator) == 1
    assert at_xoxzo(emulator) == {}
    assert record(store).status is NumberStatus.FAILED  # not `subscribing`: it may be tried again
    assert provisioner.subscribe(DIN_UID).outcome == "subscribed"
    assert posts_to_subscribe(emulator) == 2
