"""The canary, run locally against `make local`: it passes on the routes as they are, and fails
when an item is changed behind the action function's back (its route cache still answers the old
routes: what a caller hears is not what the routes say)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.local_stack import routes_table, tool

pytestmark = pytest.mark.e2e
DIN_UID = "JPi4vb9xs2hdt7ne"  # an emulator number: 03-6270-9999
NUMBER = "+81362709999"
SCHEDULED_EVENT = Path(__file__).resolve().parents[2] / "events" / "canary" / "scheduled.json"


def run_canary(local_server: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{local_server['lambda_url']}/2015-03-31/functions/CanaryFunction/invocations",
        data=SCHEDULED_EVENT.read_bytes(),  # the sample event `sam local invoke` uses
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        answer: dict[str, Any] = json.load(response)
    return answer


def test_the_canary_passes_then_catches_an_item_changed_behind_its_back(local_server):
    assert tool(local_server, "numbers", "subscribe", DIN_UID, "--yes").returncode == 0
    healthy = run_canary(local_server)
    assert healthy == {"checked": 1, "failed": []}

    table = routes_table(local_server)
    default = table.get_item(Key={"number": NUMBER, "rule_id": "default"})["Item"]
    table.put_item(Item={**default, "text": "changed behind its back"})
    broken = run_canary(local_server)
    assert broken["checked"] == 1
    (failure,) = broken["failed"]
    assert failure["number"] == NUMBER and "the routes say" in failure["reason"]
    assert "changed behind its back" in failure["expected"] and failure["line"] != failure["expected"]
