"""Property-based tests: whatever a person types into an item, whoever calls and whenever,
the answer is one valid action line."""

import os
import re
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers.route_items import FALLBACK, callers, items, moments
from xoxzo_din.phone import is_e164, to_e164
from xoxzo_din.routing import actions
from xoxzo_din.routing.actions import ActionError, parse_action_line, render
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.routing.rules import Call, choose_action

VALID_LINE = re.compile(
    r'(voicemail( |$))?(playback \S+|transfer \+\d+|say [a-zA-Z-]+ "[^"\n\r]*"|voicemail)?'
)


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "400")), deadline=None)
@given(number_items=items, global_items=items, caller=callers, at=moments)
def test_any_items_caller_and_time_yield_one_valid_action_line(number_items, global_items, caller, at):
    routes = parse_number_routes(number_items)
    global_routes = parse_number_routes(
        [{**item, "number": "*"} for item in global_items], global_partition=True
    )
    decision = choose_action(Call(to_e164(caller), at), routes, global_routes, FALLBACK)
    line = render(decision.action)
    assert "\n" not in line and "\r" not in line
    assert VALID_LINE.fullmatch(line), line
    assert parse_action_line(line) == decision.action  # it reads back as the same action


@given(text=st.text())
def test_any_say_text_renders_as_one_safe_line(text):
    try:
        spoken = actions.say("ja", text)
    except ActionError:
        assert not text.strip() or not actions.safe_say_text(text)
        return
    line = render(spoken)
    assert "\\" not in line
    assert line.count('"') == 2 and line.startswith('say ja "') and line.endswith('"')
    assert not any(character in line for character in "\n\r\x85\u2028\u2029\x00")
    assert len(spoken.text) <= actions.MAX_SAY_LENGTH


@given(raw=st.one_of(st.none(), st.text()))
def test_phone_normalisation_never_raises_and_yields_e164(raw):
    number = to_e164(raw)
    assert number is None or is_e164(number)


@given(local=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31)))
def test_business_hours_follow_local_wall_clock_time_in_any_season(local):
    """09:00-17:00 in New York means New York's wall clock, DST or not."""
    zone = ZoneInfo("America/New_York")
    at = local.replace(tzinfo=zone).astimezone(UTC)
    routes = parse_number_routes(
        [
            {"number": "+1", "rule_id": "default", "timezone": "America/New_York"},
            {"number": "+1", "rule_id": "open", "hours": "09:00-17:00", "action": "voicemail"},
        ]
    )
    decision = choose_action(Call(None, at), routes, parse_number_routes([]), FALLBACK)
    wall = at.astimezone(zone)
    assert (decision.source == "rule:open") is (9 <= wall.hour < 17)


def test_decimal_priorities_from_dynamodb_sort_numerically():
    routes = parse_number_routes(
        [
            {"number": "+1", "rule_id": name, "priority": Decimal(p), "action": "voicemail"}
            for name, p in [("ten", 10), ("two", 2), ("hundred", 100)]
        ]
    )
    assert [rule.rule_id for rule in routes.rules] == ["two", "ten", "hundred"]
