"""Hostile events: whatever an event holds (every field of every type, values API Gateway could
never send), the handler answers one valid action line or 403, never raises, and its logs hold no
secret and no unmasked caller. The generator is deterministic; HOSTILE_EVENTS sets how many
(CI: 1,000; `HOSTILE_EVENTS=10000 make test PYTEST_ARGS=tests/integration/routing/test_hostile_events.py`)."""

from __future__ import annotations

import json
import math
import os
import random
import re
from typing import Any

from tools.local_env import LOCAL_ACTION_SECRET

VALID_LINE = re.compile(
    r'(voicemail( |$))?(playback \S+|transfer \+\d+|say [a-zA-Z-]+ "[^"\n\r]*"|voicemail)?'
)
CALLER = "09087654321"
WEIRD: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    math.nan,
    math.inf,
    -math.inf,
    10**30,
    -(10**30),
    "",
    " ",
    "x" * 5000,
    "\u202e\u200b",
    "0312345678",
    "+81312345678",
    "非通知",
    "anonymous",
    "1e308",
    "NaN",
    "2026-12-02",
    [],
    [1, 2],
    {},
    {"a": 1},
    {"secret": LOCAL_ACTION_SECRET},
    253402300799999,
    -62135596800000,
    1764637200000,
    "1764637200000",
    b"bytes".decode(),
    LOCAL_ACTION_SECRET,
    LOCAL_ACTION_SECRET + "x",
]


def hostile_event(rng: random.Random) -> Any:
    """An event with each field absent, of the wrong type, or of a wild value."""
    if rng.random() < 0.02:
        return rng.choice(WEIRD)
    event: dict[str, Any] = {"version": "2.0", "routeKey": "GET /action/x"}
    for field, values in (
        (
            "rawPath",
            [f"/action/{rng.choice(WEIRD)}", f"/action/{LOCAL_ACTION_SECRET}", rng.choice(WEIRD), "/action/"],
        ),
        ("pathParameters", [{"secret": LOCAL_ACTION_SECRET}, rng.choice(WEIRD)]),
        (
            "queryStringParameters",
            [
                {"caller": rng.choice(WEIRD), "recipient": rng.choice(WEIRD)},
                {"caller": CALLER, "recipient": "0312345678"},
                rng.choice(WEIRD),
            ],
        ),
        (
            "requestContext",
            [
                {"timeEpoch": rng.choice(WEIRD)},
                {"timeEpoch": rng.choice(WEIRD), "http": rng.choice(WEIRD)},
                rng.choice(WEIRD),
            ],
        ),
    ):
        if rng.random() < 0.9:
            event[field] = rng.choice(values)
    return event


def test_no_event_makes_the_handler_raise_or_leak(seeded_routes, load_action_handler, lambda_context, capsys):
    handler = load_action_handler()
    rng = random.Random(20261202)  # noqa: S311 - reproducible test data
    count = int(os.environ.get("HOSTILE_EVENTS", "1000"))
    answered = {200: 0, 403: 0}
    for _ in range(count):
        result = handler.lambda_handler(hostile_event(rng), lambda_context)
        assert result["statusCode"] in answered, result
        answered[result["statusCode"]] += 1
        body = result["body"]
        assert body == "Forbidden" if result["statusCode"] == 403 else VALID_LINE.fullmatch(body), body
    assert answered[200] > count // 10 and answered[403] > count // 10  # both kinds were exercised
    logs = capsys.readouterr().out
    assert LOCAL_ACTION_SECRET not in logs
    assert CALLER not in logs and "+819087654321" not in logs
    for line in logs.splitlines():
        if line.startswith("{") and "call answered" in line:
            entry = json.loads(line)
            assert len(str(entry.get("caller") or "")) <= 7 and len(str(entry.get("recipient") or "")) <= 16
