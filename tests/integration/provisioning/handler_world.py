"""What the provisioning handler's integration tests share: the sample events, the stack's action
URL, Lambda contexts, CloudFormation's side of a custom resource, and reads of the numbers' state
(our records, the routes, the XOXZO emulator's subscriptions). The fixtures are in conftest.py."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from tools.xoxzo_emulator import XoxzoEmulator
from xoxzo_din.provisioning import runtime as provisioning_runtime
from xoxzo_din.tables.numbers import NumberRecord, NumbersStore
from xoxzo_din.xoxzo.models import ClientSettings

EVENTS = Path(__file__).resolve().parents[3] / "events" / "provisioning"
CUSTOM_RESOURCE_EVENTS = EVENTS.parent / "custom-resource"
# The events' ActionUrl; the stack's ACTION_URL is the same, as in a deployed stack.
ACTION_URL = (
    "https://abcdef1234.execute-api.ap-northeast-1.amazonaws.com/action/local-dev-secret-change-me-0123456789"
)
SUBSCRIBED = "JPg3nw7pd5xjl8va"  # the din_uid of subscribe.json, cancel.json, set-action-url-one.json
SUBSCRIBED_NUMBER = "+81345678901"
# Fast XOXZO clients: short timeouts, no backoff.
FAST_CLIENT = ClientSettings(
    connect_timeout=0.5, read_timeout=0.5, max_attempts=2, backoff_base=0, backoff_max=0
)


class Context:
    """The Lambda context attributes the handler and Powertools read."""

    function_name = "ProvisioningFunction"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:ProvisioningFunction"
    memory_limit_in_mb = 256
    aws_request_id = "test-request"
    log_group_name = "/aws/lambda/ProvisioningFunction"
    log_stream_name = "test-stream"

    def __init__(self, remaining_ms: int = 120_000) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


class CountdownContext(Context):
    """A context whose remaining time runs down, as Lambda's does."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.deadline = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self.deadline - time.monotonic()) * 1000), 0)


@dataclass
class CloudFormation:
    """Receives custom-resource answers on loopback, as CloudFormation's pre-signed S3 URL would."""

    url: str
    answers: list[dict[str, Any]] = field(default_factory=list)
    content_types: list[str | None] = field(default_factory=list)


def event(name: str, **overrides: Any) -> dict[str, Any]:
    """A sample event: an operation of events/provisioning, or "custom-resource/<name>"."""
    path = (
        CUSTOM_RESOURCE_EVENTS / name.removeprefix("custom-resource/")
        if name.startswith("custom-resource/")
        else EVENTS / name
    )
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return loaded | overrides


def numbers() -> NumbersStore:
    return provisioning_runtime.numbers_store()


def record_of(din_uid: str) -> NumberRecord:
    found = numbers().get(din_uid)
    assert found is not None, f"no record of {din_uid}"
    return found


def routes_of(number: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(os.environ["ROUTES_TABLE_NAME"])  # from the tables fixture
    return table.query(
        KeyConditionExpression="#n = :n",
        ExpressionAttributeNames={"#n": "number"},
        ExpressionAttributeValues={":n": number},
    )["Items"]


def at_xoxzo(emulator: XoxzoEmulator) -> dict[str, str | None]:
    return {item["din_uid"]: item["action"]["url"] for item in emulator.subscriptions()}


def put_secret(value: dict[str, str]) -> str:
    client = boto3.client("secretsmanager")
    return client.create_secret(Name="xoxzo-din-credentials", SecretString=json.dumps(value))["ARN"]
