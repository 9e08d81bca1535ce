"""The canary function against moto: every run that gets to its end publishes CanaryRuns (the
heartbeat) with its checks and failures, and reports the numbers it had no time for as failures
instead of running past its timeout."""

from __future__ import annotations

import importlib
import json
import sys
import threading
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest

from tools.local_server import LocalLambdaContext
from xoxzo_din.canary.run import NOT_CHECKED
from xoxzo_din.tables.numbers import NumberRecord, NumbersStore, NumberStatus

NUMBERS = ["+81312340000", "+81312340001"]
ACTION_URL = "https://api.example/action/secret"


@pytest.fixture
def load_canary(
    tables: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[], ModuleType]]:
    monkeypatch.setenv("ACTION_URL", ACTION_URL)
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "din-canary-test")
    store = NumbersStore(boto3.resource("dynamodb").Table(tables["NUMBERS_TABLE_NAME"]))
    for index, number in enumerate(NUMBERS):
        store.create(NumberRecord(f"uid{index}", NumberStatus.ACTIVE, "2026-12-01T00:00:00Z", number=number))
    routes = boto3.resource("dynamodb").Table(tables["ROUTES_TABLE_NAME"])
    # More items than one page of a 1 MB query would hold are not needed: Limit below forces pages.
    for rule in range(5):
        routes.put_item(
            Item={"number": NUMBERS[0], "rule_id": f"r{rule}", "action": "voicemail", "priority": rule}
        )
    routes.put_item(Item={"number": NUMBERS[1], "rule_id": "default", "action": "voicemail"})

    def load() -> ModuleType:
        sys.modules.pop("canary_handler", None)
        return importlib.import_module("canary_handler")

    yield load
    sys.modules.pop("canary_handler", None)


class Context(LocalLambdaContext):
    def __init__(self, remaining_ms: int) -> None:
        super().__init__("CanaryFunction")
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def metrics_of(output: str) -> dict[str, Any]:
    (line,) = [json.loads(line) for line in output.splitlines() if '"_aws"' in line]
    # Powertools writes each value as a list of the invocation's data points: one each here.
    return {name: line[name] for name in ("CanaryRuns", "CanaryChecks", "CanaryFailures")}


def test_a_run_checks_every_number_and_beats_the_heartbeat(load_canary, capsys):
    canary = load_canary()
    asked: list[str] = []

    def get(url: str) -> tuple[int | None, str, str]:
        asked.append(url)
        return 200, "text/plain; charset=utf-8", "voicemail"

    canary.get = get
    answer = canary.lambda_handler({}, Context(120_000))
    assert answer == {"checked": 2, "failed": []}
    assert sorted(url.split("recipient=")[1].split("&")[0] for url in asked) == [
        "%2B81312340000",
        "%2B81312340001",
    ]
    assert metrics_of(capsys.readouterr().out) == {
        "CanaryRuns": [1.0],
        "CanaryChecks": [2.0],
        "CanaryFailures": [0.0],
    }


def test_numbers_without_time_are_failures_and_the_run_still_reports(load_canary, capsys):
    canary = load_canary()
    release = threading.Event()

    def hanging_get(url: str) -> tuple[int | None, str, str]:
        release.wait(10)
        return 200, "text/plain", "voicemail"

    canary.get = hanging_get
    answer = canary.lambda_handler({}, Context(10_500))  # half a second past the reserve
    release.set()
    assert [failure["reason"] for failure in answer["failed"]] == [NOT_CHECKED, NOT_CHECKED]
    assert metrics_of(capsys.readouterr().out) == {
        "CanaryRuns": [1.0],
        "CanaryChecks": [2.0],
        "CanaryFailures": [2.0],
    }


def test_a_stack_with_no_numbers_still_beats_the_heartbeat(tables, monkeypatch, capsys):
    monkeypatch.setenv("ACTION_URL", ACTION_URL)
    sys.modules.pop("canary_handler", None)
    canary = importlib.import_module("canary_handler")
    try:
        assert canary.lambda_handler({}, Context(120_000)) == {"checked": 0, "failed": []}
        assert metrics_of(capsys.readouterr().out)["CanaryRuns"] == [1.0]
    finally:
        sys.modules.pop("canary_handler", None)
