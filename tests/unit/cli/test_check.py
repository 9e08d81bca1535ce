"""`routes check` finds each class of problem, and nothing on the sample routes."""

from datetime import UTC, datetime

from tests.unit.routing.test_properties import FALLBACK
from tools.local_env import sample_routes
from xoxzo_din_cli.check import ERROR, WARNING, check_routes
from xoxzo_din_cli.routes_table import group

NUMBER = "+81312345678"
NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
GLOBAL = {"number": "*", "rule_id": "default", "action": "voicemail"}
DEFAULT = {"number": NUMBER, "rule_id": "default", "action": "voicemail"}


def findings(*items, subscribed=(), numbers=None):
    return [
        (f.severity, f.number, f.rule_id, f.attribute)
        for f in check_routes(
            group(items), numbers=numbers, subscribed=subscribed, now=NOW, fallback=FALLBACK
        )
    ]


def test_the_sample_routes_pass():
    assert check_routes(group(sample_routes()), now=NOW, fallback=FALLBACK) == []


def test_an_item_the_function_skips_is_an_error_with_its_attribute_and_fix():
    found = check_routes(
        group([GLOBAL, DEFAULT, {"number": NUMBER, "rule_id": "r", "hours": "9-17", "action": "voicemail"}]),
        now=NOW,
        fallback=FALLBACK,
    )
    assert [(f.severity, f.rule_id, f.attribute) for f in found] == [(ERROR, "r", "hours")]
    assert "9-17" in found[0].problem and "09:00-12:00" in found[0].fix


def test_a_broken_rule_with_callers_warns_that_they_get_through():
    blocked = {"number": NUMBER, "rule_id": "010-blocked", "callers": "+81120000000", "action": "sya"}
    assert findings(GLOBAL, DEFAULT, blocked) == [
        (ERROR, NUMBER, "010-blocked", "action"),
        (WARNING, NUMBER, "010-blocked", "callers"),
    ]


def test_an_unknown_attribute_close_to_a_known_one_is_named():
    typo = {
        "number": NUMBER,
        "rule_id": "r",
        "hour": "09:00-17:00",
        "note": "free text",
        "action": "voicemail",
    }
    found = check_routes(group([GLOBAL, DEFAULT, typo]), now=NOW, fallback=FALLBACK)
    assert [(f.attribute, f.fix) for f in found] == [("hour", "rename hour to hours")]


def test_a_rule_shadowed_all_year_for_every_caller_is_reported():
    everyone = {"number": NUMBER, "rule_id": "010-all", "priority": 10, "action": "voicemail"}
    weekdays = {
        "number": NUMBER,
        "rule_id": "020-weekdays",
        "priority": 20,
        "days": "mon-fri",
        "action": "say",
        "text": "x",
    }
    assert findings(GLOBAL, DEFAULT, everyone, weekdays) == [(WARNING, NUMBER, "020-weekdays", "priority")]


def test_an_ended_active_period_is_reported_once():
    ended = {"number": NUMBER, "rule_id": "r", "active_until": "2026-11-30", "action": "voicemail"}
    assert findings(GLOBAL, DEFAULT, ended) == [(WARNING, NUMBER, "r", "active_until")]


def test_numbers_without_a_default_without_routes_and_no_global_default():
    rule = {"number": NUMBER, "rule_id": "r", "action": "voicemail"}
    assert findings(rule, subscribed=[NUMBER, "+81399990000"]) == [
        (WARNING, "*", "default", "action"),
        (WARNING, NUMBER, "default", ""),
        (WARNING, "+81399990000", "", ""),
    ]


def test_transfer_targets_and_mp3_urls_are_judged():
    transfer = {
        "number": NUMBER,
        "rule_id": "a",
        "priority": 1,
        "callers": "+819012345678",
        "action": "transfer",
        "to": "+1555012",
    }
    mp3 = {
        "number": NUMBER,
        "rule_id": "b",
        "priority": 2,
        "callers": "anonymous",
        "action": "playback",
        "url": "https://example.com/Audio/hello%20world.mp3?x=1",
    }
    found = check_routes(group([GLOBAL, DEFAULT, transfer, mp3]), now=NOW, fallback=FALLBACK)
    assert [(f.rule_id, f.attribute) for f in found] == [("a", "to"), ("b", "url"), ("b", "url")]
    assert "plain http" in found[1].problem and "letters, digits" in found[2].problem


def test_only_the_numbers_asked_for_are_checked():
    broken = {"number": "+81399990000", "rule_id": "r", "action": "sya"}
    assert findings(GLOBAL, DEFAULT, broken, numbers=[NUMBER]) == []
