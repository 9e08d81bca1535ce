"""`routes check` finds each class of problem, and nothing on the sample routes."""

from datetime import UTC, datetime

from tests.helpers.route_items import FALLBACK
from tools.local_env import sample_routes
from xoxzo_din.route_checks.check import ERROR, WARNING, check_routes
from xoxzo_din.tables.snapshot import group

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


def test_items_under_a_key_the_function_never_reads_are_an_error():
    odd = {"number": "81312345679", "rule_id": "default", "action": "voicemail"}
    found = check_routes(group([GLOBAL, DEFAULT, odd]), now=NOW, fallback=FALLBACK)
    assert [(f.severity, f.number, f.attribute, f.fix) for f in found] == [
        (ERROR, "81312345679", "number", "write the number as +81312345679")
    ]


def test_a_list_partly_caught_by_an_earlier_rule_is_not_called_shadowed():
    prefix = {
        "number": NUMBER,
        "rule_id": "010-blocked",
        "priority": 10,
        "callers": "+8150999*",
        "action": "voicemail",
    }
    vip = {
        "number": NUMBER,
        "rule_id": "020-vip",
        "priority": 20,
        "callers": "+815099912345, +819011112222",
        "action": "transfer",
        "to": "+81312340001",
    }
    assert findings(GLOBAL, DEFAULT, prefix, vip) == []


def test_a_misspelt_condition_is_an_error_and_notes_are_left_alone():
    rule = {
        "number": NUMBER,
        "rule_id": "010-blocked",
        "caller": "+81120000000",
        "Hours": "09:00-17:00",
        "disabled": True,
        "lang": "ja",
        "description": "the block list",
        "foo": 1,
        "action": "voicemail",
    }
    found = check_routes(group([GLOBAL, DEFAULT, rule]), now=NOW, fallback=FALLBACK)
    assert [(f.severity, f.attribute, f.fix) for f in found] == [
        (ERROR, "Hours", "rename Hours to hours"),
        (ERROR, "caller", "rename caller to callers"),
        (ERROR, "disabled", "rename disabled to enabled (true/false)"),
        (WARNING, "foo", "remove or rename it"),
        (WARNING, "lang", "rename lang to language"),
    ]


def test_past_one_off_dates_and_an_active_until_in_the_numbers_zone_are_ended():
    past = {"number": NUMBER, "rule_id": "a", "priority": 1, "dates": "2026-08-13", "action": "voicemail"}
    # 2026-12-02 09:30 in Tokyo is 00:30 UTC: ended in Tokyo, not yet in UTC.
    until = {
        "number": NUMBER,
        "rule_id": "b",
        "priority": 2,
        "active_until": "2026-12-02T09:00",
        "action": "voicemail",
    }
    found = check_routes(
        group([GLOBAL, DEFAULT, past, until]), now=datetime(2026, 12, 2, 0, 30, tzinfo=UTC), fallback=FALLBACK
    )
    assert [(f.rule_id, f.attribute) for f in found] == [("a", "dates"), ("b", "active_until")]
