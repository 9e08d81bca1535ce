"""A number's whole life, through both functions' handlers, against the XOXZO emulator and the
template's tables in moto: search, subscribe, answer calls, re-point, list, survive a crash, cancel.
The numbers table is checked at each step."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any
from urllib.parse import urlencode, urlsplit

import boto3
import pytest
from aws_lambda_powertools.utilities import parameters

from tools.local_server import LocalLambdaContext, http_api_event
from tools.xoxzo_emulator import XoxzoEmulator
from xoxzo_din.provisioning import runtime as provisioning_runtime
from xoxzo_din.tables.numbers import NumberRecord, NumbersStore, NumberStatus
from xoxzo_din.tables.recorded_url import recorded_url
from xoxzo_din.tables.routes_writer import NEW_NUMBER_GREETING
from xoxzo_din.xoxzo.models import ClientSettings

pytestmark = pytest.mark.e2e

SECRET = "e2e-secret-0123456789abcdefghijklmnopqrstuvwxyz"
ACTION_URL = f"https://e2e.execute-api.ap-northeast-1.amazonaws.com/action/{SECRET}"
ROTATED_SECRET = "e2e-rotated-secret-0123456789abcdefghijklmnop"
ROTATED_URL = f"https://e2e.execute-api.ap-northeast-1.amazonaws.com/action/{ROTATED_SECRET}"
GREETING = f'say ja "{NEW_NUMBER_GREETING}"'


@pytest.fixture
def handlers(
    tables: dict[str, str],
    xoxzo_emulator: XoxzoEmulator,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[ModuleType, ModuleType]]:
    """Both handlers imported afresh (cold starts) once the environment and the mocks are ready."""
    parameters.clear_caches()
    secret_arn = boto3.client("secretsmanager").create_secret(
        Name="xoxzo-din-credentials",
        SecretString=json.dumps({"sid": xoxzo_emulator.sid, "auth_token": xoxzo_emulator.auth_token}),
    )["ARN"]
    monkeypatch.setenv("XOXZO_CREDENTIALS_SECRET_ID", secret_arn)
    monkeypatch.setenv("XOXZO_API_BASE_URL", xoxzo_emulator.base_url)
    monkeypatch.setenv("ACTION_URL", ACTION_URL)
    monkeypatch.setenv("ACTION_SECRET", SECRET)
    monkeypatch.setenv("ACTION_SECRET_PREVIOUS", ROTATED_SECRET)
    monkeypatch.setenv("ROUTE_CACHE_TTL_SECONDS", "0")  # every call reads the table as it is now
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "din-e2e-lifecycle")
    for module in ("action_handler", "provisioning_handler"):
        sys.modules.pop(module, None)
    action = importlib.import_module("action_handler")
    provisioning = importlib.import_module("provisioning_handler")
    fast = ClientSettings(
        connect_timeout=0.5, read_timeout=0.5, max_attempts=2, backoff_base=0, backoff_max=0
    )
    monkeypatch.setattr(provisioning_runtime, "OPERATION_CLIENT", fast)
    yield action, provisioning
    for module in ("action_handler", "provisioning_handler"):
        sys.modules.pop(module, None)
    parameters.clear_caches()


def record_of(din_uid: str) -> NumberRecord:
    found = provisioning_runtime.numbers_store().get(din_uid)
    assert found is not None, f"no record of {din_uid}"
    return found


def test_a_number_from_search_to_cancel(
    handlers: tuple[ModuleType, ModuleType],
    xoxzo_emulator: XoxzoEmulator,
    tables: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    action, provisioning = handlers
    emulator = xoxzo_emulator

    def provision(**event: Any) -> dict[str, Any]:
        answer: dict[str, Any] = provisioning.lambda_handler(
            event, LocalLambdaContext("ProvisioningFunction")
        )
        return answer

    def call(number: str, caller: str = "09012345678") -> dict[str, Any]:
        """XOXZO's call-back: GET on the action URL it holds for the number, plus its parameters."""
        [held] = [s for s in emulator.subscriptions() if f"+{s['din']}" == number]
        path = urlsplit(held["action"]["url"]).path
        query = urlencode({"caller": caller, "recipient": number})
        event = http_api_event(
            "GET", f"{path}?{query}", {"Host": "e2e", "User-Agent": "XOXZO"}, "203.0.113.9"
        )
        response: dict[str, Any] = action.lambda_handler(event, LocalLambdaContext("ActionFunction"))
        return response

    # Search: Japanese 050 numbers.
    found = provision(operation="search", country="JP", prefix="8150")
    assert found["ok"] is True, found
    first, second = found["result"]["numbers"][:2]
    assert first["number"].startswith("+8150") and first["monthly_cost"] == 650.0

    # Subscribe: recorded, pointed at this stack, given a default route; it answers calls.
    subscribed = provision(operation="subscribe", din_uid=first["din_uid"])
    assert subscribed["ok"] is True, subscribed
    record = record_of(first["din_uid"])
    assert (record.status, record.number, record.action_url) == (
        NumberStatus.ACTIVE,
        first["number"],
        recorded_url(ACTION_URL),
    )
    answered = call(first["number"])
    assert (answered["statusCode"], answered["body"]) == (200, GREETING)

    # Re-point it (a secret rotation), then every number back to this stack.
    rotated = provision(operation="set-action-url", din_uid=first["din_uid"], action_url=ROTATED_URL)
    assert rotated["ok"] is True and rotated["result"]["set_count"] == 1
    assert record_of(first["din_uid"]).action_url == recorded_url(ROTATED_URL)
    assert call(first["number"])["body"] == GREETING  # the previous secret is still accepted
    back = provision(operation="set-action-url", all=True)
    assert back["ok"] is True and back["result"]["set_count"] == 1
    assert record_of(first["din_uid"]).action_url == recorded_url(ACTION_URL)

    # List: XOXZO and our records agree.
    listed = provision(operation="list")
    assert [(n["din_uid"], n["status"], n["drift"]) for n in listed["result"]["numbers"]] == [
        (first["din_uid"], "active", [])
    ]

    # DynamoDB fails right after XOXZO subscribed the second number: paid for, but recorded as an
    # intent. The answer says it is billed, and that sync finishes it.
    original_mark_active = NumbersStore.mark_active

    def crash(self: NumbersStore, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the function died here")

    monkeypatch.setattr(NumbersStore, "mark_active", crash)
    crashed = provision(operation="subscribe", din_uid=second["din_uid"])
    monkeypatch.setattr(NumbersStore, "mark_active", original_mark_active)
    assert (crashed["ok"], crashed["error"]["type"]) == (False, "SubscribedIncompletely")
    message = crashed["error"]["message"]
    assert f"{second['din_uid']} IS subscribed at XOXZO and billed" in message
    assert "marking it active" in message and "run sync" in message
    assert "the function died here" not in message  # the error's type only; the logs have the rest
    assert record_of(second["din_uid"]).status is NumberStatus.SUBSCRIBING
    drift = {n["din_uid"]: n["drift"] for n in provision(operation="list")["result"]["numbers"]}
    assert drift[second["din_uid"]] == ["status_mismatch", "action_url_not_this_stack"]

    # Sync repairs it: active, pointed here, default route; subscribed exactly once.
    synced = provision(operation="sync")
    assert synced["ok"] is True, synced
    assert {(a["din_uid"], a["action"]) for a in synced["result"]["actions"]} == {
        (second["din_uid"], "subscribe_completed"),
        (second["din_uid"], "action_url_set"),
        (second["din_uid"], "default_route_created"),
    }
    repaired = record_of(second["din_uid"])
    assert (repaired.status, repaired.action_url) == (NumberStatus.ACTIVE, recorded_url(ACTION_URL))
    assert call(second["number"])["body"] == GREETING
    subscribe_posts = [
        r for r in emulator.requests if (r.method, r.path) == ("POST", "/voice/dins/subscriptions/")
    ]
    assert [r.form["din_uid"] for r in subscribe_posts] == [[first["din_uid"]], [second["din_uid"]]]

    # Cancel the first, with its routes: XOXZO drops it, our record keeps its history.
    refused = provision(operation="cancel", din_uid=first["din_uid"], confirm="the other one")
    assert (refused["ok"], refused["error"]["type"]) == (False, "InvalidRequest")
    assert len(emulator.subscriptions()) == 2
    cancelled = provision(
        operation="cancel", din_uid=first["din_uid"], confirm=first["number"], delete_routes=True
    )
    assert cancelled["ok"] is True, cancelled
    assert cancelled["result"]["routes_deleted"] == 1
    gone = record_of(first["din_uid"])
    assert (gone.status, gone.subscribed_at is not None, gone.cancelled_at is not None) == (
        NumberStatus.CANCELLED,
        True,
        True,
    )
    assert [s["din_uid"] for s in emulator.subscriptions()] == [second["din_uid"]]
    routes = boto3.resource("dynamodb").Table(tables["ROUTES_TABLE_NAME"])
    assert routes.get_item(Key={"number": first["number"], "rule_id": "default"}).get("Item") is None

    final = {
        n["din_uid"]: (n["status"], n["drift"]) for n in provision(operation="list")["result"]["numbers"]
    }
    assert final == {first["din_uid"]: ("cancelled", []), second["din_uid"]: ("active", [])}
