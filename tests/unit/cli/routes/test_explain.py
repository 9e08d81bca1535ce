"""`routes explain` answers what the action function answers: on every sample event, and for any
items, caller and moment (the router itself is the oracle)."""

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import given, settings

from tests.helpers.route_items import FALLBACK, callers, items, moments
from tests.helpers.routes_source import ItemsSource
from tools.local_env import sample_answers, sample_routes
from xoxzo_din.phone import to_e164
from xoxzo_din.routing.router import Router
from xoxzo_din_cli.routes.explain import explain

EVENTS = Path(__file__).resolve().parents[4] / "events" / "action"
NUMBER = "+81312345678"


def _router(number_items, global_items) -> Router:
    router = Router(
        ItemsSource(lambda number: list(number_items), lambda: list(global_items)),
        fallback=FALLBACK,
        ttl_seconds=60,
    )
    router.load_global()
    return router


def _split(all_items):
    by_number: dict[str, list[dict[str, Any]]] = {}
    for item in all_items:
        by_number.setdefault(item["number"], []).append(item)
    return by_number


def test_every_sample_event_is_explained_as_the_function_answers_it():
    by_number = _split(sample_routes())
    answers = sample_answers()
    explained = 0
    for path in sorted(EVENTS.glob("*.json")):
        event = json.loads(path.read_text(encoding="utf-8"))
        if answers[path.name]["status"] != 200:
            continue  # the wrong-secret event never reaches the routes
        query = event["queryStringParameters"]
        at = datetime.fromtimestamp(event["requestContext"]["timeEpoch"] / 1000, UTC)
        number = to_e164(query["recipient"])
        assert number is not None
        result = explain(
            number,
            query.get("caller"),
            at,
            items=by_number.get(number, []),
            global_items=by_number["*"],
            fallback=FALLBACK,
        )
        assert result.line == answers[path.name]["body"], path.name
        explained += 1
    assert explained == 9


def explain_sample(caller, at):
    by_number = _split(sample_routes())
    return explain(
        NUMBER, caller, at, items=by_number[NUMBER], global_items=by_number["*"], fallback=FALLBACK
    )


def test_each_earlier_rule_says_the_first_condition_that_did_not_hold():
    # Wednesday 2 Dec 2026, 12:15 in Tokyo: the lunch break.
    result = explain_sample("08022223333", datetime(2026, 12, 2, 3, 15, tzinfo=UTC))
    reasons = {check.rule_id: check.reason for check in result.checks}
    assert result.decided_by == "number-default"
    assert reasons["060-business-hours"] == "hours 09:00-12:00,13:00-17:00: 12:15 is outside (end exclusive)"
    assert reasons["040-new-year"] == "dates 12-29..01-03: 2026-12-02 is not one of them"
    assert reasons["020-vip"].endswith("+818022223333 is not one of them")
    assert f"{result.at:%H:%M}" == "12:15" and result.timezone == "Asia/Tokyo"
    assert all(not check.matched for check in result.checks)


def test_a_holiday_is_named_and_the_deciding_rule_is_given():
    result = explain_sample("0312340099", datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
    assert result.decided_by == "rule:050-holidays"
    assert result.holidays == ["勤労感謝の日"]
    assert result.item is not None and result.item["holidays"] == "JP"
    assert result.checks[-1].matched


def test_malformed_items_are_listed():
    result = explain(
        NUMBER,
        "",
        datetime(2026, 12, 2, 1, 0, tzinfo=UTC),
        items=[{"number": NUMBER, "rule_id": "010-x", "action": "sya", "callers": "anonymous"}],
        global_items=[],
        fallback=FALLBACK,
    )
    assert result.decided_by == "fallback" and result.item is None
    assert result.skipped and "010-x" in result.skipped[0]


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "400")), deadline=None)
@given(number_items=items, global_items=items, caller=callers, at=moments)
def test_explain_agrees_with_the_action_functions_router(number_items, global_items, caller, at):
    global_partition = [{**item, "number": "*"} for item in global_items]
    answer = _router(number_items, global_partition).answer(NUMBER, caller, at)
    result = explain(NUMBER, caller, at, items=number_items, global_items=global_partition, fallback=FALLBACK)
    assert (result.line, result.decided_by) == (answer.line, answer.source)
    # Every rule before the deciding one says why it did not match; the deciding one matched.
    assert all(check.reason and not check.matched for check in result.checks[:-1])
    if answer.source.startswith("rule:"):
        assert result.checks[-1].matched and f"rule:{result.checks[-1].rule_id}" == answer.source


def test_an_overnight_range_is_explained_with_the_day_it_began():
    items = [
        {"number": NUMBER, "rule_id": "default", "action": "voicemail"},
        {
            "number": NUMBER,
            "rule_id": "night",
            "holidays": "JP",
            "hours": "22:00-06:00",
            "action": "say",
            "text": "x",
        },
    ]
    # 02:00 on Monday 23 Nov 2026 (a holiday) belongs to the range that began on Sunday the 22nd.
    result = explain(
        NUMBER, "", datetime(2026, 11, 22, 17, 0, tzinfo=UTC), items=items, global_items=[], fallback=FALLBACK
    )
    assert result.decided_by == "number-default"
    assert (
        result.checks[0].reason
        == "holidays JP: 2026-11-22 (the day its hours 22:00-06:00 began) is not a holiday there"
    )


def test_skipped_items_are_said_in_routes_checks_words_with_no_python_type_names():
    from decimal import Decimal  # noqa: PLC0415

    broken: list[dict[str, Any]] = [
        {"number": NUMBER, "rule_id": "a", "action": "transfer"},  # no `to`
        {"number": NUMBER, "rule_id": "b", "hours": Decimal(9), "action": "voicemail"},
        {"number": NUMBER, "rule_id": "c", "priority": Decimal("1.5"), "action": "voicemail"},
    ]
    result = explain(
        NUMBER,
        "0311112222",
        datetime(2026, 12, 7, 1, tzinfo=UTC),
        items=broken,
        global_items=[],
        fallback=FALLBACK,
    )
    assert [line.split(":", 2)[:2] for line in result.skipped] == [
        [f"{NUMBER}/a", " to"],
        [f"{NUMBER}/b", " hours"],
        [f"{NUMBER}/c", " priority"],
    ]
    python_types = re.compile(r"\b(NoneType|Decimal|int|float|str|bool|dict|bytes)\b")
    assert all("(fix: " in line and not python_types.search(line) for line in result.skipped)
