"""The provisioning handler with every event of events/provisioning, against the XOXZO emulator, the
template's tables in moto and the credentials in a moto Secrets Manager secret."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import boto3
import pytest
import requests
from aws_lambda_powertools.utilities import parameters
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, example, given, settings

from tests.helpers.provisioning_events import events as any_events
from tests.integration.provisioning.handler_world import (
    ACTION_URL,
    CUSTOM_RESOURCE_EVENTS,
    EVENTS,
    SUBSCRIBED,
    SUBSCRIBED_NUMBER,
    CloudFormation,
    Context,
    CountdownContext,
    at_xoxzo,
    event,
    numbers,
    put_secret,
    record_of,
    routes_of,
)
from tools.xoxzo_emulator import XoxzoEmulator
from xoxzo_din.provisioning import runtime as provisioning_runtime
from xoxzo_din.provisioning.errors import ERROR_KINDS
from xoxzo_din.tables.numbers import NumbersStore, NumberStatus
from xoxzo_din.tables.recorded_url import recorded_url
from xoxzo_din.tables.schema import DEFAULT_RULE_ID


@dataclass
class Printed:
    """What the handler printed: its log lines and the metrics of its EMF lines, summed by name."""

    logs: list[dict[str, Any]]
    metrics: dict[str, float]


def printed(capsys: pytest.CaptureFixture[str]) -> Printed:
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    metrics: dict[str, float] = {}
    for line in lines:
        for declared in line.get("_aws", {}).get("CloudWatchMetrics", []):
            for metric in declared["Metrics"]:
                value = line[metric["Name"]]
                metrics[metric["Name"]] = metrics.get(metric["Name"], 0) + sum(
                    value if isinstance(value, list) else [value]
                )
    return Printed([line for line in lines if "_aws" not in line], metrics)


def dynamodb_fails(*args: Any, **kwargs: Any) -> Any:
    """A DynamoDB write failing for a reason of its own (not a condition: nobody changed the record)."""
    raise ClientError(
        {"Error": {"Code": "InternalServerError", "Message": "Internal server error"}}, "UpdateItem"
    )


def test_every_event_through_the_handler_in_life_cycle_order(
    load_handler: Callable[[], ModuleType], provisioning_env: XoxzoEmulator, cloudformation: CloudFormation
) -> None:
    handler = load_handler()
    emulator = provisioning_env
    used: list[str] = []

    def invoke(name: str, **overrides: Any) -> dict[str, Any]:
        used.append(name)
        answer: dict[str, Any] = handler.lambda_handler(event(name, **overrides), Context())
        json.dumps(answer)  # JSON-able, as Lambda needs
        return answer

    found = invoke("search.json")
    assert found["ok"] is True, found
    assert {n["din_uid"] for n in found["result"]["numbers"]} == {
        "JPg3nw7pd5xjl8va",
        "JPh6ky2rf8zwm1qc",
        "JPi4vb9xs2hdt7ne",
    }
    assert all(n["number"].startswith("+813") for n in found["result"]["numbers"])

    subscribed = invoke("subscribe.json")
    assert subscribed["ok"] is True, subscribed
    assert subscribed["result"]["outcome"] == "subscribed"
    record = numbers().get(SUBSCRIBED)
    assert record is not None
    assert (record.status, record.number, record.action_url) == (
        NumberStatus.ACTIVE,
        SUBSCRIBED_NUMBER,
        recorded_url(ACTION_URL),
    )
    assert record.monthly_cost == 1300.0
    assert at_xoxzo(emulator) == {SUBSCRIBED: ACTION_URL}
    assert [route["rule_id"] for route in routes_of(SUBSCRIBED_NUMBER)] == [DEFAULT_RULE_ID]

    one = invoke("set-action-url-one.json")
    assert one["ok"] is True and one["result"]["set_count"] == 1
    every = invoke("set-action-url-all.json")
    assert every["ok"] is True and every["result"]["set_count"] == 1

    listed = invoke("list.json")
    assert listed["ok"] is True
    [entry] = listed["result"]["numbers"]
    assert (entry["din_uid"], entry["status"], entry["at_xoxzo"], entry["drift"]) == (
        SUBSCRIBED,
        "active",
        True,
        [],
    )

    synced = invoke("sync.json")
    assert synced["ok"] is True
    assert synced["result"]["actions"] == [] and synced["result"]["in_sync"] == 1

    for name in ("custom-resource/create.json", "custom-resource/update.json"):
        answer = invoke(name, ResponseURL=cloudformation.url)
        assert answer["Status"] == "SUCCESS"
        assert cloudformation.answers[-1]["Data"] == {
            "Outcome": "ok",
            "Repointed": "1",
            "Failed": "0",
            "Skipped": "0",
        }
    assert at_xoxzo(emulator) == {
        SUBSCRIBED: event("custom-resource/update.json")["ResourceProperties"]["ActionUrl"]
    }

    emulator.clear_requests()
    deleted = invoke("custom-resource/delete.json", ResponseURL=cloudformation.url)
    assert deleted["Status"] == "SUCCESS"
    assert emulator.requests == []  # deleting the stack cancels nothing, calls nothing
    assert list(at_xoxzo(emulator)) == [SUBSCRIBED]

    cancelled = invoke("cancel.json")
    assert cancelled["ok"] is True, cancelled
    assert cancelled["result"]["outcome"] == "cancelled"
    record = numbers().get(SUBSCRIBED)
    assert record is not None and record.status is NumberStatus.CANCELLED and record.cancelled_at
    assert at_xoxzo(emulator) == {}
    assert len(routes_of(SUBSCRIBED_NUMBER)) == 1  # delete_routes is false in cancel.json

    assert {*used} == {path.name for path in EVENTS.glob("*.json")} | {
        f"custom-resource/{path.name}" for path in CUSTOM_RESOURCE_EVENTS.glob("*.json")
    }
    assert [answer["RequestId"] for answer in cloudformation.answers] == [
        event(name)["RequestId"]
        for name in (
            "custom-resource/create.json",
            "custom-resource/update.json",
            "custom-resource/delete.json",
        )
    ]
    # CloudFormation's pre-signed URL wants no content type.
    assert cloudformation.content_types == ["", "", ""]


def test_custom_resource_with_no_numbers_needs_no_credentials(
    load_handler: Callable[[], ModuleType],
    provisioning_env: XoxzoEmulator,
    cloudformation: CloudFormation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The first deploy: the stack's secret still holds the placeholder.
    boto3.client("secretsmanager").delete_secret(
        SecretId="xoxzo-din-credentials", ForceDeleteWithoutRecovery=True
    )
    monkeypatch.setenv(
        "XOXZO_CREDENTIALS_SECRET_ID", put_secret({"sid": "REPLACE_ME", "auth_token": "REPLACE_ME"})
    )
    handler = load_handler()

    answer = handler.lambda_handler(
        event("custom-resource/create.json", ResponseURL=cloudformation.url), Context()
    )

    assert answer["Status"] == "SUCCESS"
    assert cloudformation.answers == [answer]
    assert answer["Data"]["Repointed"] == "0"
    assert provisioning_env.requests == []


def test_custom_resource_succeeds_with_data_when_xoxzo_fails(
    load_handler: Callable[[], ModuleType], provisioning_env: XoxzoEmulator, cloudformation: CloudFormation
) -> None:
    handler = load_handler()
    handler.lambda_handler(event("subscribe.json"), Context())
    path = f"/voice/dins/subscriptions/{SUBSCRIBED}/"
    provisioning_env.inject_faults("POST", path, [503, 503])
    provisioning_env.clear_requests()

    answer = handler.lambda_handler(
        event("custom-resource/update.json", ResponseURL=cloudformation.url), Context()
    )

    assert answer["Status"] == "SUCCESS"  # a XOXZO outage must not roll the stack back
    data = cloudformation.answers[-1]["Data"]
    assert (data["Outcome"], data["Repointed"], data["Failed"]) == ("partial", "0", "1")
    assert SUBSCRIBED in data["NotRepointed"] and "XoxzoUnavailableError" in data["NotRepointed"]
    assert [(r.method, r.path) for r in provisioning_env.requests] == [("POST", path), ("POST", path)]
    assert record_of(SUBSCRIBED).action_url == recorded_url(ACTION_URL)  # unchanged


def test_custom_resource_with_placeholder_credentials_and_numbers_reports_them(
    load_handler: Callable[[], ModuleType],
    provisioning_env: XoxzoEmulator,
    cloudformation: CloudFormation,
) -> None:
    handler = load_handler()
    handler.lambda_handler(event("subscribe.json"), Context())
    boto3.client("secretsmanager").put_secret_value(
        SecretId="xoxzo-din-credentials", SecretString='{"sid": "REPLACE_ME", "auth_token": "REPLACE_ME"}'
    )
    parameters.clear_caches()
    provisioning_env.clear_requests()

    answer = handler.lambda_handler(
        event("custom-resource/update.json", ResponseURL=cloudformation.url), Context()
    )

    assert answer["Status"] == "SUCCESS"
    data = answer["Data"]
    assert (data["Outcome"], data["Failed"]) == ("partial", "1")
    assert "REPLACE_ME placeholder" in data["NotRepointed"]
    assert provisioning_env.requests == []


@pytest.mark.parametrize("secret", ["placeholder", "unreadable"])
def test_a_cancel_with_unusable_credentials_leaves_the_number_active(
    load_handler: Callable[[], ModuleType],
    provisioning_env: XoxzoEmulator,
    monkeypatch: pytest.MonkeyPatch,
    secret: str,
) -> None:
    handler = load_handler()
    assert handler.lambda_handler(event("subscribe.json"), Context())["ok"] is True
    secret_id = os.environ["XOXZO_CREDENTIALS_SECRET_ID"]
    if secret == "placeholder":
        boto3.client("secretsmanager").put_secret_value(
            SecretId=secret_id, SecretString='{"sid": "REPLACE_ME", "auth_token": "REPLACE_ME"}'
        )
    else:
        monkeypatch.setenv("XOXZO_CREDENTIALS_SECRET_ID", "missing-secret")
    parameters.clear_caches()
    provisioning_env.clear_requests()

    answer = handler.lambda_handler(event("cancel.json"), Context())

    assert answer["error"]["type"] == (
        "CredentialsError" if secret == "placeholder" else "ConfigurationError"
    )
    assert provisioning_env.requests == []
    assert record_of(SUBSCRIBED).status is NumberStatus.ACTIVE  # not `cancelling`: nothing was sent
    # Once the secret is fixed, the number is still one set-action-url (and deploys) point.
    boto3.client("secretsmanager").put_secret_value(
        SecretId=secret_id,
        SecretString=json.dumps({"sid": provisioning_env.sid, "auth_token": provisioning_env.auth_token}),
    )
    monkeypatch.setenv("XOXZO_CREDENTIALS_SECRET_ID", secret_id)
    parameters.clear_caches()
    pointed = handler.lambda_handler(event("set-action-url-one.json"), Context())
    assert pointed["ok"] is True, pointed


def test_custom_resource_with_an_unreadable_secret_answers_success_with_the_error(
    load_handler: Callable[[], ModuleType],
    provisioning_env: XoxzoEmulator,
    cloudformation: CloudFormation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handler = load_handler()
    handler.lambda_handler(event("subscribe.json"), Context())
    parameters.clear_caches()
    monkeypatch.setenv("XOXZO_CREDENTIALS_SECRET_ID", "missing-secret")
    provisioning_env.clear_requests()

    answer = handler.lambda_handler(
        event("custom-resource/update.json", ResponseURL=cloudformation.url), Context()
    )

    assert answer["Status"] == "SUCCESS"
    assert answer["Data"]["Outcome"] == "error"
    assert "missing-secret" in answer["Data"]["Error"]
    assert provisioning_env.requests == []


def test_custom_resource_stops_calling_xoxzo_before_the_function_times_out(
    load_handler: Callable[[], ModuleType], provisioning_env: XoxzoEmulator, cloudformation: CloudFormation
) -> None:
    handler = load_handler()
    handler.lambda_handler(event("subscribe.json"), Context())
    provisioning_env.clear_requests()

    answer = handler.lambda_handler(
        event("custom-resource/update.json", ResponseURL=cloudformation.url), Context(remaining_ms=20_000)
    )

    assert answer["Status"] == "SUCCESS"
    assert (answer["Data"]["Skipped"], answer["Data"]["Repointed"]) == ("1", "0")
    assert provisioning_env.requests == []
    assert cloudformation.answers == [answer]


OWN_STACK = (
    "arn:aws:cloudformation:ap-northeast-1:123456789012:stack/"
    "xoxzo-din-prod/0a1b2c3d-0000-4000-8000-000000000000"
)


@pytest.mark.parametrize("request_type", ["create", "update"])
def test_a_custom_resource_request_of_another_stack_is_refused_without_touching_any_number(
    load_handler: Callable[[], ModuleType],
    provisioning_env: XoxzoEmulator,
    cloudformation: CloudFormation,
    monkeypatch: pytest.MonkeyPatch,
    request_type: str,
) -> None:
    handler = load_handler()
    handler.lambda_handler(event("subscribe.json"), Context())
    before = record_of(SUBSCRIBED)
    monkeypatch.setenv("STACK_ID", OWN_STACK)  # the deployed function's own stack
    provisioning_env.clear_requests()

    # The sample event (another StackId, a sample ActionUrl) sent to the deployed function.
    answer = handler.lambda_handler(
        event(f"custom-resource/{request_type}.json", ResponseURL=cloudformation.url), Context()
    )

    assert answer["Status"] == "FAILED"
    assert "not this function's stack" in answer["Reason"] and OWN_STACK in answer["Reason"]
    assert cloudformation.answers == [answer]  # CloudFormation still gets its answer
    assert provisioning_env.requests == []
    assert at_xoxzo(provisioning_env) == {SUBSCRIBED: ACTION_URL}
    assert record_of(SUBSCRIBED) == before


def test_a_delete_of_another_stack_still_answers_success(
    load_handler: Callable[[], ModuleType],
    provisioning_env: XoxzoEmulator,
    cloudformation: CloudFormation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STACK_ID", OWN_STACK)
    handler = load_handler()

    answer = handler.lambda_handler(
        event("custom-resource/delete.json", ResponseURL=cloudformation.url), Context()
    )

    assert answer["Status"] == "SUCCESS"
    assert cloudformation.answers == [answer]
    assert provisioning_env.requests == []


def test_a_custom_resource_request_of_its_own_stack_is_served(
    load_handler: Callable[[], ModuleType],
    provisioning_env: XoxzoEmulator,
    cloudformation: CloudFormation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handler = load_handler()
    handler.lambda_handler(event("subscribe.json"), Context())
    update = event("custom-resource/update.json", ResponseURL=cloudformation.url, StackId=OWN_STACK)
    monkeypatch.setenv("STACK_ID", OWN_STACK)

    answer = handler.lambda_handler(update, Context())

    assert answer["Status"] == "SUCCESS"
    assert answer["Data"]["Repointed"] == "1"
    assert at_xoxzo(provisioning_env) == {SUBSCRIBED: update["ResourceProperties"]["ActionUrl"]}


def test_custom_resource_without_action_url_fails_and_still_answers(
    load_handler: Callable[[], ModuleType], cloudformation: CloudFormation
) -> None:
    handler = load_handler()
    broken = event("custom-resource/create.json", ResponseURL=cloudformation.url)
    broken["ResourceProperties"] = {"ServiceToken": "arn:aws:lambda:x"}

    answer = handler.lambda_handler(broken, Context())

    assert answer["Status"] == "FAILED"
    assert "ActionUrl" in answer["Reason"]
    assert cloudformation.answers == [answer]
    assert answer["PhysicalResourceId"] == "xoxzo-din-action-url-sync"


def test_custom_resource_answers_even_when_everything_breaks(
    load_handler: Callable[[], ModuleType], cloudformation: CloudFormation, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = load_handler()
    monkeypatch.delenv("NUMBERS_TABLE_NAME")

    answer = handler.lambda_handler(
        event("custom-resource/update.json", ResponseURL=cloudformation.url), Context()
    )

    assert answer["Status"] == "SUCCESS"
    assert answer["Data"]["Outcome"] == "error"
    assert "NUMBERS_TABLE_NAME" in answer["Data"]["Error"]
    assert cloudformation.answers == [answer]
    assert answer["PhysicalResourceId"] == event("custom-resource/update.json")["PhysicalResourceId"]


def test_wrong_credentials_are_reported_without_leaking_them(
    load_handler: Callable[[], ModuleType],
    provisioning_env: XoxzoEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrong_token = "wrong-token-that-must-never-be-printed"
    boto3.client("secretsmanager").put_secret_value(
        SecretId="xoxzo-din-credentials",
        SecretString=json.dumps({"sid": provisioning_env.sid, "auth_token": wrong_token}),
    )
    handler = load_handler()

    answer = handler.lambda_handler(event("subscribe.json"), Context())

    assert answer["ok"] is False
    assert answer["error"]["type"] == "XoxzoAuthError"
    assert "xoxzo-din-credentials" in answer["error"]["message"]
    assert [(r.method, r.status) for r in provisioning_env.requests] == [("GET", 401)]  # no POST
    assert numbers().get(SUBSCRIBED) is None
    printed = capsys.readouterr().out + caplog.text
    assert "operation failed" in printed  # the logs were captured, and they say what happened
    assert wrong_token not in printed and wrong_token not in json.dumps(answer)


def test_a_fixed_placeholder_secret_is_used_at_once_by_a_warm_function(
    load_handler: Callable[[], ModuleType], provisioning_env: XoxzoEmulator
) -> None:
    secret_id = os.environ["XOXZO_CREDENTIALS_SECRET_ID"]
    secrets = boto3.client("secretsmanager")
    secrets.put_secret_value(
        SecretId=secret_id, SecretString='{"sid": "REPLACE_ME", "auth_token": "REPLACE_ME"}'
    )
    handler = load_handler()
    first = handler.lambda_handler(event("list.json"), Context())
    assert first["error"]["type"] == "CredentialsError"

    # As the answer's hint says; the warm container's cache (5 minutes) still holds the placeholder.
    secrets.put_secret_value(
        SecretId=secret_id,
        SecretString=json.dumps({"sid": provisioning_env.sid, "auth_token": provisioning_env.auth_token}),
    )
    second = handler.lambda_handler(event("list.json"), Context())

    assert second["ok"] is True, second
    assert [(r.method, r.status) for r in provisioning_env.requests] == [("GET", 200)]


def test_a_fixed_wrong_token_is_used_at_once_by_a_warm_function(
    load_handler: Callable[[], ModuleType], provisioning_env: XoxzoEmulator
) -> None:
    secret_id = os.environ["XOXZO_CREDENTIALS_SECRET_ID"]
    secrets = boto3.client("secretsmanager")
    secrets.put_secret_value(
        SecretId=secret_id, SecretString=json.dumps({"sid": provisioning_env.sid, "auth_token": "wrong"})
    )
    handler = load_handler()
    first = handler.lambda_handler(event("list.json"), Context())
    assert first["error"]["type"] == "XoxzoAuthError"
    # Read afresh once after the 401: the same wrong token, so the request was not sent again.
    assert [(r.method, r.status) for r in provisioning_env.requests] == [("GET", 401)]

    secrets.put_secret_value(
        SecretId=secret_id,
        SecretString=json.dumps({"sid": provisioning_env.sid, "auth_token": provisioning_env.auth_token}),
    )
    provisioning_env.clear_requests()
    second = handler.lambda_handler(event("list.json"), Context())

    assert second["ok"] is True, second
    # The cached wrong token first, then the fixed one read after the 401.
    assert [(r.method, r.status) for r in provisioning_env.requests] == [("GET", 401), ("GET", 200)]
    third = handler.lambda_handler(event("list.json"), Context())
    assert third["ok"] is True
    assert [r.status for r in provisioning_env.requests] == [401, 200, 200]  # the cache holds the fix


PROD_URL = "https://prod987.execute-api.ap-northeast-1.amazonaws.com/action/prod-secret-0123456789abcdef"
PRODS_NUMBER = "JPj8mc3gt6pyw5rk"  # +81612345678 in the emulator's pool


def test_another_stacks_number_is_reported_by_sync_and_taken_over_only_by_adopt(
    load_handler: Callable[[], ModuleType],
    provisioning_env: XoxzoEmulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    provisioning_env.presubscribe(PRODS_NUMBER, PROD_URL)  # prod's, on the XOXZO user dev shares
    handler = load_handler()

    synced = handler.lambda_handler({"operation": "sync"}, Context())
    assert printed(capsys).metrics["ForeignNumbers"] == 1
    cancelled = handler.lambda_handler(
        {"operation": "cancel", "din_uid": PRODS_NUMBER, "confirm": PRODS_NUMBER}, Context()
    )
    invalid = handler.lambda_handler({"operation": "sync", "adopt": PRODS_NUMBER}, Context())

    assert synced["ok"] is True
    assert synced["result"]["foreign"] == [
        {
            "din_uid": PRODS_NUMBER,
            "number": "+81612345678",
            "status": None,
            "points_to": "prod987.execute-api.ap-northeast-1.amazonaws.com",
            "hint": f'to take it over, run sync with "adopt": ["{PRODS_NUMBER}"]',
        }
    ]
    assert synced["result"]["actions"] == []
    assert cancelled["error"]["type"] == "ForeignNumber"
    assert invalid["error"]["type"] == "InvalidRequest"
    assert at_xoxzo(provisioning_env) == {PRODS_NUMBER: PROD_URL}
    assert numbers().get(PRODS_NUMBER) is None
    assert [r.method for r in provisioning_env.requests] == ["GET", "GET"]  # the two lists, no change

    adopted = handler.lambda_handler({"operation": "sync", "adopt": [PRODS_NUMBER]}, Context())

    assert adopted["ok"] is True, adopted
    assert printed(capsys).metrics["ForeignNumbers"] == 0
    assert {a["action"] for a in adopted["result"]["actions"]} == {
        "adopted",
        "action_url_set",
        "default_route_created",
    }
    assert at_xoxzo(provisioning_env) == {PRODS_NUMBER: ACTION_URL}
    taken = record_of(PRODS_NUMBER)
    assert (taken.status, taken.monthly_cost, taken.prefix) == (NumberStatus.ACTIVE, 1100.0, "6")


def test_an_invalid_event_lists_every_problem_and_calls_nothing(
    load_handler: Callable[[], ModuleType], provisioning_env: XoxzoEmulator
) -> None:
    handler = load_handler()

    answer = handler.lambda_handler(
        {"operation": "cancel", "din_uid": "a/b", "delete_routes": "no"}, Context()
    )

    assert answer["ok"] is False
    assert answer["error"]["type"] == "InvalidRequest"
    assert len(answer["error"]["problems"]) == 3
    assert provisioning_env.requests == []


def test_a_failed_subscribe_is_answered_with_the_xoxzo_error_and_recorded(
    load_handler: Callable[[], ModuleType], provisioning_env: XoxzoEmulator
) -> None:
    handler = load_handler()
    provisioning_env.inject_faults("POST", "/voice/dins/subscriptions/", [400])

    answer = handler.lambda_handler(event("subscribe.json"), Context())

    assert (answer["ok"], answer["error"]["type"]) == (False, "XoxzoValidationError")
    assert record_of(SUBSCRIBED).status is NumberStatus.FAILED
    assert provisioning_env.subscriptions() == []


def test_a_subscribe_xoxzo_took_whose_record_fails_says_it_is_billed_and_logs_an_error(
    load_handler: Callable[[], ModuleType],
    provisioning_env: XoxzoEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = load_handler()
    working = NumbersStore.mark_active
    monkeypatch.setattr(NumbersStore, "mark_active", dynamodb_fails)  # step 3
    capsys.readouterr()

    answer = handler.lambda_handler(event("subscribe.json"), Context())

    assert (answer["ok"], answer["error"]["type"]) == (False, "SubscribedIncompletely")
    assert answer["error"]["type"] in ERROR_KINDS
    message = answer["error"]["message"]
    assert message.startswith(f"{SUBSCRIBED} IS subscribed at XOXZO and billed, but marking it active")
    assert "(ClientError; see the function's logs): run sync" in message
    assert list(at_xoxzo(provisioning_env)) == [SUBSCRIBED]  # billed
    assert record_of(SUBSCRIBED).status is NumberStatus.SUBSCRIBING
    output = printed(capsys)
    [logged] = [line for line in output.logs if line.get("error_type") == "SubscribedIncompletely"]
    assert logged["level"] == "ERROR" and "run sync" in logged["message"]
    assert "InternalServerError" in logged["exception"]  # the stack trace of what failed
    assert output.metrics == {"Operations": 1, "OperationErrors": 1, "NumbersSubscribed": 1}

    monkeypatch.setattr(NumbersStore, "mark_active", working)  # DynamoDB is back: sync finishes it
    synced = handler.lambda_handler(event("sync.json"), Context())
    assert {a["action"] for a in synced["result"]["actions"]} == {
        "subscribe_completed",
        "action_url_set",
        "default_route_created",
    }
    assert record_of(SUBSCRIBED).status is NumberStatus.ACTIVE
    posts = [
        r for r in provisioning_env.requests if (r.method, r.path) == ("POST", "/voice/dins/subscriptions/")
    ]
    assert len(posts) == 1  # subscribed once


def test_a_cancel_xoxzo_applied_whose_record_fails_says_so_and_sync_finishes_it(
    load_handler: Callable[[], ModuleType],
    provisioning_env: XoxzoEmulator,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = load_handler()
    assert handler.lambda_handler(event("subscribe.json"), Context())["ok"] is True
    working = NumbersStore.mark_cancelled
    monkeypatch.setattr(NumbersStore, "mark_cancelled", dynamodb_fails)
    capsys.readouterr()

    answer = handler.lambda_handler(event("cancel.json"), Context())

    assert (answer["ok"], answer["error"]["type"]) == (False, "CancelledIncompletely")
    assert answer["error"]["message"].startswith(
        f"{SUBSCRIBED} IS cancelled at XOXZO and no longer billed, but recording it here failed"
    )
    assert "'cancelling': run sync" in answer["error"]["message"]
    assert at_xoxzo(provisioning_env) == {}
    assert record_of(SUBSCRIBED).status is NumberStatus.CANCELLING
    output = printed(capsys)
    [logged] = [line for line in output.logs if line.get("error_type") == "CancelledIncompletely"]
    assert logged["level"] == "ERROR"
    assert output.metrics == {"Operations": 1, "OperationErrors": 1, "NumbersCancelled": 1}

    monkeypatch.setattr(NumbersStore, "mark_cancelled", working)
    synced = handler.lambda_handler(event("sync.json"), Context())
    assert [a["action"] for a in synced["result"]["actions"]] == ["cancel_completed"]
    assert record_of(SUBSCRIBED).status is NumberStatus.CANCELLED


def test_only_a_cancel_xoxzo_applied_now_counts_as_cancelled(
    load_handler: Callable[[], ModuleType],
    provisioning_env: XoxzoEmulator,
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = load_handler()
    assert handler.lambda_handler(event("subscribe.json"), Context())["ok"] is True
    dashboard = requests.delete(  # someone cancels it in XOXZO's dashboard
        f"{provisioning_env.base_url}/voice/dins/subscriptions/{SUBSCRIBED}/",
        auth=(provisioning_env.sid, provisioning_env.auth_token),
        timeout=5,
    )
    assert dashboard.status_code == 200
    capsys.readouterr()

    gone = handler.lambda_handler(event("cancel.json"), Context())
    assert gone["result"]["outcome"] == "already_gone", gone
    assert printed(capsys).metrics == {"Operations": 1, "NumbersAlreadyGone": 1}

    again = handler.lambda_handler(event("cancel.json"), Context())
    assert again["result"]["outcome"] == "already_cancelled", again
    assert printed(capsys).metrics == {"Operations": 1}


def test_set_action_url_all_with_unreachable_numbers_answers_before_the_function_times_out(
    load_handler: Callable[[], ModuleType], provisioning_env: XoxzoEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = load_handler()
    held = [number["din_uid"] for number in provisioning_env.available()][:6]
    for din_uid in held:
        provisioning_env.presubscribe(din_uid, ACTION_URL)
    assert handler.lambda_handler(event("sync.json"), Context())["ok"] is True  # all six recorded
    for din_uid in held:  # XOXZO stops answering: each attempt waits out the read timeout (0.5 s)
        provisioning_env.inject_faults(
            "POST", f"/voice/dins/subscriptions/{din_uid}/", ["timeout-before-apply"] * 2
        )
    monkeypatch.setattr(provisioning_runtime, "OPERATION_RESERVE_SECONDS", 0.5)
    provisioning_env.clear_requests()
    # Six numbers at two attempts of 0.5 s need 6 s; the function has 4 s (its Timeout, scaled down).
    context = CountdownContext(4.0)

    answer = handler.lambda_handler(
        {
            "operation": "set-action-url",
            "all": True,
            "action_url": "https://other.example/action/x",
            "force": True,
        },
        context,
    )

    assert context.get_remaining_time_in_millis() > 0  # answered in time, instead of being killed
    assert answer["ok"] is True, answer
    result = answer["result"]
    assert result["set_count"] == 0 and result["failed_count"] >= 1 and result["skipped_count"] >= 1
    assert sorted(outcome["din_uid"] for outcome in result["numbers"]) == sorted(held)
    skipped = {outcome["din_uid"] for outcome in result["numbers"] if outcome["outcome"] == "skipped"}
    assert all(
        outcome["error"] == "no time left in this invocation"
        for outcome in result["numbers"]
        if outcome["outcome"] == "skipped"
    )
    assert not {request.path.split("/")[-2] for request in provisioning_env.requests} & skipped


@settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(request=any_events())
@example(request={"operation": ["list"]})
@example(request={"operation": "search", "prefix": {"813": True}, "country": ["JP"]})
@example(request={"operation": "cancel", "din_uid": 7, "confirm": None, "delete_routes": [True]})
def test_any_json_in_any_field_is_answered_and_an_invalid_event_reaches_no_xoxzo(
    load_handler: Callable[[], ModuleType], provisioning_env: XoxzoEmulator, request: dict[str, Any]
) -> None:
    handler = load_handler()
    provisioning_env.clear_requests()

    answer = handler.lambda_handler(request, Context())

    json.dumps(answer)
    if not answer["ok"]:
        assert answer["error"]["type"] in ERROR_KINDS, answer  # never InternalError
        if answer["error"]["type"] == "InvalidRequest":
            assert answer["error"]["problems"]
            assert provisioning_env.requests == []
