import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from xoxzo_din.routing import rules
from xoxzo_din.routing.actions import Playback, Say, Transfer, Voicemail
from xoxzo_din.routing.holiday_dates import HolidayTables
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.routing.rules import (
    EVERY_DAY,
    Call,
    DateSpan,
    Decision,
    NumberRoutes,
    Rule,
    TimeRange,
    choose_action,
)

JST = timezone(timedelta(hours=9))
NUMBER = "+81312345678"
FALLBACK = Say("ja", "fallback")
OPEN = Transfer("+81312340000")


def item(rule_id, **attributes):
    return {"number": NUMBER, "rule_id": rule_id, **attributes}


def transfer_rule(rule_id="r", **conditions):
    return item(rule_id, action="transfer", to="+81312340000", **conditions)


def decide(items, at, caller="+81335550123", global_items=()):
    routes = parse_number_routes(items)
    assert routes.problems == (), routes.problems
    global_routes = parse_number_routes(global_items, global_partition=True)
    return choose_action(Call(caller=caller, at=at), routes, global_routes, FALLBACK)


def jst(*args):
    return datetime(*args).replace(tzinfo=JST)


# --- order and fallbacks ------------------------------------------------------------------------


def test_lowest_priority_first_then_rule_id_and_unprioritised_last():
    items = [
        item("b-unprioritised", action="say", text="none"),
        item("z", priority=20, action="say", text="twenty"),
        item("a", priority=Decimal(20), action="say", text="twenty-a"),  # DynamoDB numbers are Decimal
        item("c", priority="5", action="say", text="five"),
    ]
    routes = parse_number_routes(items)
    assert [rule.rule_id for rule in routes.rules] == ["c", "a", "z", "b-unprioritised"]
    assert decide(items, jst(2026, 12, 2, 10, 0)).source == "rule:c"


def test_number_default_then_global_default_then_fallback():
    number_default = [item("default", action="voicemail")]
    global_default = [{"number": "*", "rule_id": "default", "action": "say", "text": "global"}]
    at = jst(2026, 12, 2, 10, 0)
    assert decide(number_default, at, global_items=global_default).action == Voicemail()
    assert decide([], at, global_items=global_default).source == "global-default"
    assert decide([], at).action == FALLBACK
    assert decide([], at).source == "fallback"


def test_disabled_rules_and_disabled_default_are_skipped():
    items = [
        transfer_rule("off", enabled=False),
        transfer_rule("off-text", enabled="no"),
        transfer_rule("off-number", enabled=Decimal(0)),
        item("default", action="voicemail", enabled="false"),
    ]
    decision = decide(items, jst(2026, 12, 2, 10, 0))
    assert decision.source == "fallback"


# --- callers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "matches"),
    [
        ("+819012345678", True),  # exact
        ("+818011112222", True),  # national prefix 080-1111-*
        ("+818011120000", False),
        ("+8150999000", True),  # E.164 prefix
        ("+81335550123", False),
        (None, False),  # anonymous does not match a number list
    ],
)
def test_caller_lists_with_exact_numbers_and_prefixes(caller, matches):
    items = [transfer_rule(callers="090-1234-5678, 080-1111-*, +8150999*")]
    decision = decide(items, jst(2026, 12, 2, 10, 0), caller=caller)
    assert (decision.source == "rule:r") is matches


def test_caller_list_as_a_string_set():
    items = [transfer_rule(callers={"+819012345678", "+8180*"})]
    assert decide(items, jst(2026, 12, 2, 10, 0), caller="+818099998888").source == "rule:r"


@pytest.mark.parametrize("token", ["anonymous", "Hidden", "非通知"])
def test_anonymous_callers(token):
    items = [transfer_rule(callers=token)]
    assert decide(items, jst(2026, 12, 2, 10, 0), caller=None).source == "rule:r"
    assert decide(items, jst(2026, 12, 2, 10, 0), caller="+81335550123").source == "fallback"


# --- weekdays and hours ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        (jst(2026, 12, 2, 8, 59), False),  # Wednesday
        (jst(2026, 12, 2, 9, 0), True),
        (jst(2026, 12, 2, 11, 59), True),
        (jst(2026, 12, 2, 12, 0), False),  # lunch break
        (jst(2026, 12, 2, 13, 0), True),
        (jst(2026, 12, 2, 17, 0), False),
        (jst(2026, 12, 5, 10, 0), False),  # Saturday
        (jst(2026, 12, 4, 10, 0), True),  # Friday
        (datetime(2026, 12, 2, 1, 0, tzinfo=UTC), True),  # 10:00 in Tokyo
    ],
)
def test_weekdays_with_several_time_ranges_in_tokyo(at, open_):
    items = [transfer_rule(days="mon-fri", hours="09:00-12:00,13:00-17:00")]
    assert (decide(items, at).action == OPEN) is open_


def test_weekday_lists_names_and_wrapping_ranges():
    items = [transfer_rule(days="fri-mon")]
    assert decide(items, jst(2026, 12, 6, 10, 0)).action == OPEN  # Sunday
    assert decide(items, jst(2026, 12, 2, 10, 0)).source == "fallback"  # Wednesday
    items = [transfer_rule(days=["Tuesday", "thu"])]
    assert decide(items, jst(2026, 12, 3, 10, 0)).action == OPEN


def test_overnight_range_belongs_to_the_day_it_starts():
    items = [transfer_rule(days="fri", hours="22:00-06:00")]
    assert decide(items, jst(2026, 12, 4, 23, 0)).action == OPEN  # Friday night
    assert decide(items, jst(2026, 12, 5, 5, 59)).action == OPEN  # early Saturday
    assert decide(items, jst(2026, 12, 5, 6, 0)).source == "fallback"
    assert decide(items, jst(2026, 12, 5, 23, 0)).source == "fallback"  # Saturday night
    assert decide(items, jst(2026, 12, 4, 5, 0)).source == "fallback"  # early Friday: Thursday's night


def test_hours_in_the_numbers_time_zone_across_daylight_saving():
    items = [
        item("default", timezone="America/New_York"),
        transfer_rule(days="mon-fri", hours="09:00-17:00"),
    ]
    # 13:30 UTC is 08:30 EST on Friday 6 March 2026 but 09:30 EDT on Monday 9 March (DST began 8 March).
    assert decide(items, datetime(2026, 3, 6, 13, 30, tzinfo=UTC)).source == "fallback"
    assert decide(items, datetime(2026, 3, 9, 13, 30, tzinfo=UTC)).action == OPEN


def test_a_rule_may_have_its_own_time_zone():
    items = [transfer_rule(hours="09:00-17:00", timezone="Europe/London")]
    assert decide(items, datetime(2026, 7, 1, 8, 30, tzinfo=UTC)).action == OPEN  # 09:30 BST
    assert decide(items, datetime(2026, 12, 1, 8, 30, tzinfo=UTC)).source == "fallback"  # 08:30 GMT


def test_end_of_day_24_00():
    items = [transfer_rule(hours="18:00-24:00")]
    assert decide(items, jst(2026, 12, 2, 23, 59)).action == OPEN
    assert decide(items, jst(2026, 12, 3, 0, 0)).source == "fallback"


# --- dates, holidays, active period ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        ((2026, 12, 28), False),
        ((2026, 12, 29), True),
        ((2026, 12, 31), True),
        ((2027, 1, 1), True),
        ((2027, 1, 3), True),
        ((2027, 1, 4), False),
        ((2026, 8, 13), True),  # one-off range
        ((2026, 5, 1), True),  # one-off date
        ((2027, 5, 1), False),
        ((2027, 2, 14), True),  # yearly date
    ],
)
def test_yearly_one_off_and_ranged_dates(day, closed):
    items = [transfer_rule(dates="12-29..01-03, 2026-08-10..2026-08-16, 2026-05-01, 02-14")]
    assert (decide(items, jst(*day, 10, 0)).action == OPEN) is closed


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        ((2026, 11, 23), True),  # Labour Thanksgiving Day
        ((2026, 11, 24), False),
        ((2026, 5, 6), True),  # substitute holiday for Constitution Day on a Sunday
        ((2027, 1, 11), True),  # Coming of Age Day: second Monday of January, computed by the library
        ((2027, 1, 12), False),
    ],
)
def test_japanese_national_holidays_come_from_the_calendar_library(day, holiday):
    items = [transfer_rule(holidays="JP")]
    assert (decide(items, jst(*day, 10, 0)).action == OPEN) is holiday


def test_holidays_of_another_country_and_subdivision():
    california = [transfer_rule(holidays="US-CA", timezone="America/Los_Angeles")]
    nationwide = [transfer_rule(holidays="US", timezone="America/Los_Angeles")]
    independence_day = datetime(2026, 7, 4, 18, 0, tzinfo=UTC)
    assert decide(california, independence_day).action == OPEN
    assert decide(nationwide, independence_day).action == OPEN
    cesar_chavez_day = datetime(2026, 3, 31, 18, 0, tzinfo=UTC)  # a California holiday only
    assert decide(california, cesar_chavez_day).action == OPEN
    assert decide(nationwide, cesar_chavez_day).source == "fallback"


def test_the_builds_holiday_tables_answer_before_the_library(tmp_path, monkeypatch):
    """What the layer's build wrote (routing/holiday_dates.py) decides, and the library is not asked;
    a year the tables do not cover goes to the library."""
    table = {"format": 1, "first_year": 2026, "last_year": 2026, "calendars": {"": "2026-11-24"}}
    (tmp_path / "JP.json").write_text(json.dumps(table), encoding="utf-8")
    asked: list[tuple[str, str | None]] = []
    library = rules.holiday_calendar_for

    def asking(country, subdivision):
        asked.append((country, subdivision))
        return library(country, subdivision)

    monkeypatch.setattr(rules, "TABLES", HolidayTables(tmp_path))
    monkeypatch.setattr(rules, "holiday_calendar_for", asking)
    items = [transfer_rule(holidays="JP")]
    assert decide(items, jst(2026, 11, 24, 10, 0)).action == OPEN  # the table's (made-up) holiday
    assert decide(items, jst(2026, 11, 23, 10, 0)).source == "fallback"  # not in the table
    assert asked == []
    assert decide(items, jst(2027, 1, 11, 10, 0)).action == OPEN  # 2027: the library's answer
    assert asked == [("JP", None)]


def test_active_period_dates_are_inclusive_local_days():
    items = [transfer_rule(active_from="2026-12-10", active_until="2026-12-11")]
    assert decide(items, jst(2026, 12, 9, 23, 59)).source == "fallback"
    assert decide(items, jst(2026, 12, 10, 0, 0)).action == OPEN
    assert decide(items, jst(2026, 12, 11, 23, 59)).action == OPEN
    assert decide(items, jst(2026, 12, 12, 0, 0)).source == "fallback"


def test_active_period_with_times_and_offsets():
    items = [transfer_rule(active_from="2026-12-10T18:00", active_until="2026-12-10T22:00+09:00")]
    assert decide(items, jst(2026, 12, 10, 17, 59)).source == "fallback"
    assert decide(items, jst(2026, 12, 10, 21, 59)).action == OPEN
    assert decide(items, jst(2026, 12, 10, 22, 0)).source == "fallback"


def test_a_local_active_until_in_the_repeated_hour_of_a_clock_change_is_one_instant():
    # New York, 1 Nov 2026: 01:00-02:00 happens twice; a naive time means its first occurrence.
    items = [transfer_rule(timezone="America/New_York", active_until="2026-11-01T01:30")]
    assert decide(items, datetime(2026, 11, 1, 5, 15, tzinfo=UTC)).action == OPEN  # 01:15 EDT
    assert decide(items, datetime(2026, 11, 1, 6, 15, tzinfo=UTC)).source == "fallback"  # 01:15 EST


def test_an_active_period_that_ends_before_it_starts_is_reported():
    routes = parse_number_routes(
        [transfer_rule(active_from="2026-12-31", active_until="2026-12-01"), transfer_rule("ok")]
    )
    assert [rule.rule_id for rule in routes.rules] == ["ok"]
    assert len(routes.problems) == 1 and "active_until is not after active_from" in routes.problems[0]


def test_every_condition_must_hold():
    items = [transfer_rule(callers="+8190*", days="mon-fri", hours="09:00-17:00")]
    assert decide(items, jst(2026, 12, 2, 10, 0), caller="+819000000000").action == OPEN
    assert decide(items, jst(2026, 12, 2, 10, 0), caller="+81335550123").source == "fallback"
    assert decide(items, jst(2026, 12, 2, 18, 0), caller="+819000000000").source == "fallback"


# --- actions from items ---------------------------------------------------------------------------


def test_action_attributes_for_every_action():
    routes = parse_number_routes(
        [
            item("1", priority=1, action="playback", url="http://example.com/a.mp3"),
            item("2", priority=2, action="Transfer", to="03-1234-0000"),
            item("3", priority=3, action="say", text="hello", language="en"),
            item("4", priority=4, action="say", text="こんにちは"),  # language defaults to ja
            item("5", priority=5, action="voicemail", text="どうぞ"),
            item("6", priority=6, action="voicemail", url="http://example.com/vm.mp3"),
            item("7", priority=7, action="voicemail"),
            item("8", priority=8, action='say en "a whole action line"'),
        ]
    )
    assert routes.problems == ()
    assert [rule.action for rule in routes.rules] == [
        Playback("http://example.com/a.mp3"),
        Transfer("+81312340000"),
        Say("en", "hello"),
        Say("ja", "こんにちは"),
        Voicemail(Say("ja", "どうぞ")),
        Voicemail(Playback("http://example.com/vm.mp3")),
        Voicemail(),
        Say("en", "a whole action line"),
    ]


# --- malformed items ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "problem"),
    [
        ({"action": "dance"}, "not an action line"),
        ({}, "action is missing"),
        ({"action": "playback"}, "url must be a string"),
        ({"action": "transfer", "to": "front desk"}, "phone number"),
        ({"action": "say", "text": 42}, "text must be a string"),
        ({"action": "voicemail", "hours": "9-17"}, "hours"),
        ({"action": "voicemail", "hours": "18:00-18:00"}, "hours"),
        ({"action": "voicemail", "hours": "09:00-25:00"}, "hours"),
        ({"action": "voicemail", "days": "monday-fry"}, "days"),
        ({"action": "voicemail", "dates": "2026-02-30"}, "not a real date"),
        ({"action": "voicemail", "dates": "12-29..2027-01-03"}, "mixes"),
        ({"action": "voicemail", "dates": "2027-01-03..2026-12-29"}, "ends before"),
        ({"action": "voicemail", "holidays": "XX"}, "no holiday calendar"),
        ({"action": "voicemail", "holidays": "Japan"}, "country code"),
        ({"action": "voicemail", "timezone": "Tokyo"}, "IANA"),
        ({"action": "voicemail", "callers": "reception"}, "callers"),
        ({"action": "voicemail", "callers": "00*"}, "ambiguous"),
        ({"action": "voicemail", "callers": ""}, "empty"),
        ({"action": "voicemail", "priority": "high"}, "priority"),
        ({"action": "voicemail", "priority": Decimal("1.5")}, "priority"),
        ({"action": "voicemail", "enabled": "maybe"}, "enabled"),
        ({"action": "voicemail", "active_from": "next week"}, "active_from"),
    ],
)
def test_malformed_items_are_reported_and_skipped_while_others_still_work(attributes, problem):
    items = [item("broken", **{"priority": 1, **attributes}), transfer_rule("good", priority=2)]
    routes = parse_number_routes(items)
    assert [rule.rule_id for rule in routes.rules] == ["good"]
    assert len(routes.problems) == 1
    assert routes.problems[0].startswith(f"{NUMBER}/broken: ")
    assert problem in routes.problems[0]


def test_a_malformed_default_falls_through_to_the_global_default():
    routes = parse_number_routes([item("default", action="transfer", to="nobody")])
    assert routes.default is None and len(routes.problems) == 1
    global_routes = parse_number_routes([{"number": "*", "rule_id": "default", "action": "voicemail"}])
    decision = choose_action(Call(None, jst(2026, 12, 2, 10, 0)), routes, global_routes, FALLBACK)
    assert decision.source == "global-default"


def test_only_the_default_item_counts_in_the_global_partition():
    routes = parse_number_routes(
        [
            {"number": "*", "rule_id": "default", "action": "voicemail"},
            {"number": "*", "rule_id": "x", "action": "voicemail"},
        ],
        global_partition=True,
    )
    assert routes.default == Voicemail()
    assert routes.rules == ()
    assert "only the item with rule_id 'default'" in routes.problems[0]


def test_empty_routes_answer_the_fallback():
    assert (
        choose_action(Call(None, jst(2026, 1, 1, 0, 0)), NumberRoutes(), NumberRoutes(), FALLBACK).action
        == FALLBACK
    )


# --- found in review -------------------------------------------------------------------------------


def test_caller_numbers_may_contain_spaces_and_full_width_digits():
    items = [transfer_rule(callers="090 1234 5678, ０８０-１１１１*")]
    assert decide(items, jst(2026, 12, 2, 10, 0), caller="+819012345678").action == OPEN
    assert decide(items, jst(2026, 12, 2, 10, 0), caller="+818011110000").action == OPEN


def test_an_unreadable_caller_number_is_not_anonymous():
    items = [transfer_rule(callers="anonymous")]
    routes = parse_number_routes(items)
    unreadable = Call(caller=None, at=jst(2026, 12, 2, 10, 0), anonymous=False)
    assert choose_action(unreadable, routes, NumberRoutes(), FALLBACK).source == "fallback"


def test_absurd_priorities_are_refused_quickly():
    routes = parse_number_routes([transfer_rule(priority="1e1000000"), transfer_rule("ok", priority="3")])
    assert [rule.rule_id for rule in routes.rules] == ["ok"]
    assert "priority" in routes.problems[0]


def test_a_malformed_default_action_keeps_the_numbers_time_zone_for_its_rules():
    items = [
        item("default", timezone="America/New_York", action="playback", url="http://example.com/a b.mp3"),
        transfer_rule(days="mon-fri", hours="09:00-17:00"),
    ]
    routes = parse_number_routes(items)
    assert routes.default is None and len(routes.problems) == 1
    assert str(routes.timezone) == "America/New_York"
    wednesday_3pm_in_new_york = datetime(2026, 12, 2, 20, 0, tzinfo=UTC)
    call = Call(caller="+81335550123", at=wednesday_3pm_in_new_york)
    assert choose_action(call, routes, NumberRoutes(), FALLBACK).action == OPEN


def test_a_malformed_default_time_zone_skips_the_default_item():
    routes = parse_number_routes([item("default", timezone="Mars/Olympus", action="voicemail")])
    assert routes.timezone is None and routes.default is None
    assert len(routes.problems) == 1 and "timezone" in routes.problems[0]


@pytest.mark.parametrize(
    ("at", "matches"),
    [
        (jst(2026, 12, 31, 23, 0), True),
        (jst(2027, 1, 1, 2, 0), True),  # the night that began on 31 December
        (jst(2026, 12, 31, 2, 0), False),  # the night that began on 30 December
    ],
)
def test_overnight_ranges_take_dates_from_the_day_they_start(at, matches):
    items = [transfer_rule(dates="12-31", hours="22:00-06:00")]
    assert (decide(items, at).action == OPEN) is matches


def test_overnight_ranges_take_holidays_from_the_day_they_start():
    items = [transfer_rule(holidays="JP", hours="22:00-06:00")]
    assert decide(items, jst(2026, 11, 24, 2, 0)).action == OPEN  # night of 23 Nov, a holiday
    assert decide(items, jst(2026, 11, 23, 2, 0)).source == "fallback"  # night of 22 Nov


def test_full_width_prefix_with_a_full_width_star():
    items = [transfer_rule(callers="０９０＊, +81 080-2222*")]
    assert decide(items, jst(2026, 12, 2, 10, 0), caller="+819000000000").action == OPEN
    assert decide(items, jst(2026, 12, 2, 10, 0), caller="+818022220000").action == OPEN


def test_language_codes_are_case_insensitive():
    routes = parse_number_routes([item("r", action="say", language="JA", text="はい")])
    assert routes.rules[0].action == Say("ja", "はい")


# --- which condition fails, each boundary (make mutation: every comparison is pinned) ----------


def only_rule(**conditions):
    (rule,) = parse_number_routes([transfer_rule(**conditions)]).rules
    return rule


TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("conditions", "at", "unmet"),
    [
        ({}, jst(2026, 1, 5, 12, 0), None),
        ({"callers": "+81335550999"}, jst(2026, 1, 5, 12, 0), "callers"),
        ({"active_from": "2026-01-06"}, jst(2026, 1, 5, 12, 0), "active_from"),
        ({"active_until": "2026-01-04"}, jst(2026, 1, 5, 12, 0), "active_until"),
        ({"days": "tue"}, jst(2026, 1, 5, 12, 0), "days"),  # a Monday
        ({"days": "mon", "hours": "09:00-10:00"}, jst(2026, 1, 5, 12, 0), "hours"),
        ({"days": "tue", "hours": "09:00-13:00"}, jst(2026, 1, 5, 12, 0), "days"),  # in hours, wrong day
        ({"dates": "01-06"}, jst(2026, 1, 5, 12, 0), "dates"),
        ({"holidays": "JP"}, jst(2026, 1, 5, 12, 0), "holidays"),
        ({"holidays": "JP"}, jst(2026, 1, 1, 12, 0), None),
    ],
)
def test_unmet_condition_names_the_first_condition_that_fails(conditions, at, unmet):
    rule = only_rule(**conditions)
    call = Call(caller="+81335550123", at=at, anonymous=False)
    assert rule.unmet_condition(call, TOKYO) == unmet
    assert rule.matches(call, TOKYO) is (unmet is None)


@pytest.mark.parametrize(
    ("hours", "hour", "minute", "inside"),
    [
        ("09:30-17:15", 9, 29, False),
        ("09:30-17:15", 9, 30, True),
        ("09:30-17:15", 17, 14, True),
        ("09:30-17:15", 17, 15, False),
        ("09:30-17:15", 10, 0, True),  # another hour, same minute count check
        ("09:30-17:15", 2, 30, False),
        ("22:30-06:15", 22, 29, False),
        ("22:30-06:15", 22, 30, True),
        ("22:30-06:15", 23, 0, True),
        ("22:30-06:15", 6, 14, True),
        ("22:30-06:15", 6, 15, False),
        ("22:30-06:15", 12, 0, False),
        ("00:00-00:01", 0, 0, True),
        ("23:59-24:00", 23, 59, True),
    ],
)
def test_the_edges_of_a_time_range(hours, hour, minute, inside):
    rule = only_rule(days="sat", hours=hours)  # on a Monday: only the hours decide the name
    call = Call(caller=None, at=jst(2026, 1, 5, hour, minute))
    assert rule._in_hours(call.at) is inside
    assert rule.unmet_condition(call, TOKYO) == ("days" if inside else "hours")


@pytest.mark.parametrize(
    ("dates", "day", "inside"),
    [
        ("2026-03-10..2026-03-12", (2026, 3, 10), True),
        ("2026-03-10..2026-03-12", (2026, 3, 12), True),
        ("2026-03-10..2026-03-12", (2026, 3, 13), False),
        ("2026-03-10..2026-03-12", (2026, 3, 9), False),
        ("2026-03-10", (2026, 3, 10), True),
        ("03-10..03-12", (2026, 3, 11), True),
        ("03-10..03-12", (2026, 3, 10), True),
        ("03-10..03-12", (2026, 3, 12), True),
        ("03-10..03-12", (2026, 3, 13), False),
        ("03-10..03-12", (2026, 3, 9), False),
        ("03-10", (2027, 3, 10), True),
        ("12-30..01-02", (2026, 12, 31), True),
        ("12-30..01-02", (2026, 1, 3), False),
    ],
)
def test_the_edges_of_a_date_span(dates, day, inside):
    (span,) = only_rule(dates=dates).dates
    assert span.contains(date(*day)) is inside


def test_a_range_ending_where_it_starts_is_not_overnight_but_one_ending_earlier_is():
    assert TimeRange(540, 1020).overnight is False
    assert TimeRange(1320, 360).overnight is True
    assert TimeRange(600, 600).overnight is True


def test_overnight_range_starts_at_its_first_minute():
    rule = only_rule(days="mon", hours="22:00-06:00")
    assert rule.service_days(jst(2026, 1, 5, 22, 0)) == [date(2026, 1, 5)]
    assert rule.service_days(jst(2026, 1, 5, 21, 59)) == []


def test_service_days_count_the_minutes_of_the_day():
    rule = only_rule(hours="01:00-01:04")
    assert rule.service_days(jst(2026, 1, 5, 1, 3)) == [date(2026, 1, 5)]
    assert rule.service_days(jst(2026, 1, 5, 1, 4)) == []


def test_every_day_is_the_seven_weekdays():
    assert frozenset(range(7)) == EVERY_DAY


def test_a_rule_has_no_caller_condition_unless_it_says_so():
    rule = Rule(rule_id="r", priority=1, action=OPEN)
    assert rule.anonymous_callers is False
    assert rule.has_caller_condition is False
    assert rule.matches(Call(caller=None, at=jst(2026, 1, 5, 12, 0)), TOKYO)


def test_the_number_default_names_its_source():
    routes = parse_number_routes([item("default", action="say", text="closed")])
    decision = choose_action(Call(caller=None, at=jst(2026, 1, 5, 12, 0)), routes, NumberRoutes(), FALLBACK)
    assert decision.source == "number-default"


@pytest.mark.parametrize(
    "value",
    [
        Call(None, jst(2026, 1, 5)),
        TimeRange(1, 2),
        DateSpan((1, 1), (1, 2)),
        Rule(rule_id="r", priority=1, action=OPEN),
        NumberRoutes(),
        Decision(OPEN, "fallback"),
    ],
)
def test_rule_values_are_immutable_and_hashable(value):
    hash(value)
    assert not hasattr(value, "__dict__")
    with pytest.raises(AttributeError):
        value.__setattr__(value.__slots__[0], None)


# --- the keyword lists and bounds of route items (make mutation) --------------------------------


@pytest.mark.parametrize(
    ("word", "enabled"),
    [
        ("true", True),
        ("yes", True),
        ("on", True),
        ("1", True),
        ("false", False),
        ("no", False),
        ("off", False),
        ("0", False),
        (1, True),
        (0, False),
        (Decimal(1), True),
    ],
)
def test_every_enabled_word(word, enabled):
    routes = parse_number_routes([transfer_rule(enabled=word)])
    assert routes.problems == ()
    assert bool(routes.rules) is enabled


@pytest.mark.parametrize("word", ["2", 2, "maybe"])
def test_other_enabled_values_are_problems(word):
    assert parse_number_routes([transfer_rule(enabled=word)]).problems


@pytest.mark.parametrize("token", ["anonymous", "hidden", "private", "unknown", "非通知"])
def test_every_anonymous_word(token):
    assert only_rule(callers=token).anonymous_callers is True


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        ("wednesday", {2}),
        ("saturday", {5}),
        ("sunday", {6}),
        ("wed", {2}),
        ("*", set(range(7))),
        ("daily", set(range(7))),
        ("all", set(range(7))),
        ("everyday", set(range(7))),
        ("fri-mon", {4, 5, 6, 0}),
        ("sat-sun", {5, 6}),
        ("tue-tue", {1}),
        ("sun-sat", set(range(7))),
        ("mon;tue、wed thu", {0, 1, 2, 3}),
    ],
)
def test_every_weekday_word_and_range(days, expected):
    assert only_rule(days=days).weekdays == frozenset(expected)


def test_caller_lists_split_on_every_separator():
    rule = only_rule(callers="+81335550001;+81335550002、+81335550003\n+81335550004")
    assert rule.callers == frozenset({"+81335550001", "+81335550002", "+81335550003", "+81335550004"})


NOT_A_RANGE = "is not a range like 09:00-17:00"
NOT_VALID = "is not a valid time range"


@pytest.mark.parametrize(
    ("hours", "problem"),
    [
        ("9:05-17:30", None),
        ("23:00-24:00", None),
        ("00:59-01:00", None),
        ("10:00-10:59", None),
        ("22:00-2:00", None),
        ("24:00-01:00", NOT_VALID),
        ("22:60-23:00", NOT_VALID),
        ("22:60-23:30", NOT_VALID),
        ("22:00-23:60", NOT_VALID),
        ("22:00-24:01", NOT_VALID),
        ("10:00-10:00", NOT_VALID),
        ("123:00-13:00", NOT_A_RANGE),
        (":00-13:00", NOT_A_RANGE),
        ("10:00-100:00", NOT_A_RANGE),
        ("10:00-:00", NOT_A_RANGE),
    ],
)
def test_hour_ranges_at_their_bounds(hours, problem):
    routes = parse_number_routes([transfer_rule(hours=hours)])
    assert bool(routes.rules) is (problem is None)
    assert routes.problems == ((f"{NUMBER}/r: hours: {hours!r} {problem}",) if problem else ())


def test_hour_ranges_are_read_as_minutes():
    assert only_rule(hours="09:05-17:30").hours == (TimeRange(545, 1050),)


NOT_A_DATE = "is not YYYY-MM-DD, MM-DD or a range FIRST..LAST"


@pytest.mark.parametrize(
    ("dates", "problem"),
    [
        ("2026-1-5", None),
        ("2026-123-5", NOT_A_DATE),
        ("2026-01-123", NOT_A_DATE),
        ("2026--05", NOT_A_DATE),
        ("2026-01-", NOT_A_DATE),
        ("1-5", None),
        ("123-5", NOT_A_DATE),
        ("12-123", NOT_A_DATE),
        ("-5", NOT_A_DATE),
        ("12-", NOT_A_DATE),
        ("02-29", None),
        ("02-30", "is not a real date"),
        ("2026-03-01..03-02", "mixes a yearly date with a full date"),
    ],
)
def test_dates_at_their_bounds(dates, problem):
    routes = parse_number_routes([transfer_rule(dates=dates)])
    assert bool(routes.rules) is (problem is None)
    assert routes.problems == ((f"{NUMBER}/r: dates: {dates!r} {problem}",) if problem else ())


@pytest.mark.parametrize(
    ("holidays", "calendar"),
    [
        ("JP", ("JP", None)),
        ("jpn", ("JPN", None)),
        ("AU", ("AU", None)),
        ("ZA", ("ZA", None)),
        ("US-CA", ("US", "CA")),
        ("US-AZ", ("US", "AZ")),
        ("AT-1", ("AT", "1")),
        ("AT-9", ("AT", "9")),
        ("AD-02", ("AD", "02")),
        ("GB-ENG", ("GB", "ENG")),
    ],
)
def test_holiday_codes_of_every_shape(holidays, calendar):
    assert only_rule(holidays=holidays).holiday_calendar == calendar


@pytest.mark.parametrize("holidays", ["J", "JPNX", "US-", "US-ABCD", "U5"])
def test_holiday_codes_past_their_bounds_are_problems(holidays):
    routes = parse_number_routes([transfer_rule(holidays=holidays)])
    assert routes.problems == (
        f"{NUMBER}/r: holidays must be a country code such as JP (or US-CA), got {holidays!r}",
    )


@pytest.mark.parametrize(
    ("priority", "expected"),
    [("999999999", 999999999), ("-999999999", -999999999), ("0", 0), ("90", 90), (999999999, 999999999)],
)
def test_priorities_at_their_bounds(priority, expected):
    assert only_rule(priority=priority).priority == expected


@pytest.mark.parametrize(
    "priority",
    [
        "1000000000",
        1000000000,
        10**10,
        Decimal("1e9"),
        Decimal("-1e10"),
        "",
        "-",
        "1.5",
        Decimal("1.5"),
        Decimal("1.25"),
        Decimal("NaN"),
        Decimal("sNaN"),
    ],
)
def test_priorities_past_their_bounds_are_problems(priority):
    assert parse_number_routes([transfer_rule(priority=priority)]).problems == (
        f"{NUMBER}/r: priority must be a whole number (up to 9 digits), got {priority!r}",
    )


def test_a_rule_without_priority_comes_at_1000():
    assert only_rule().priority == 1000


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("+123456789012345*", "+123456789012345"), ("9*", "+9")],
)
def test_caller_prefixes_at_their_bounds(prefix, expected):
    assert only_rule(callers=prefix).caller_prefixes == (expected,)


@pytest.mark.parametrize("prefix", ["+1234567890123456*", "*"])
def test_caller_prefixes_past_their_bounds_are_problems(prefix):
    assert parse_number_routes([transfer_rule(callers=prefix)]).problems == (
        f"{NUMBER}/r: callers: {prefix!r} is not a number prefix",
    )


@pytest.mark.parametrize(
    ("attributes", "problem"),
    [
        ({"action": 5}, "action must be a string, got int"),
        ({"action": "transfer", "to": 5}, "to must be a string, got int"),
        ({"action": "voicemail", "text": 5}, "text must be a string, got int"),
        ({"action": "voicemail", "url": 5}, "url must be a string, got int"),
        ({"action": "say", "text": "hi", "language": 5}, "language must be a string, got int"),
        ({"action": "voicemail", "callers": 5}, "callers must be a string or a list of strings"),
        ({"action": "voicemail", "days": 5}, "days must be a string or a list of strings"),
        ({"action": "voicemail", "hours": 5}, "hours must be a string, got int"),
        ({"action": "voicemail", "dates": 5}, "dates must be a string or a list of strings"),
        ({"action": "voicemail", "holidays": 5}, "holidays must be a string, got int"),
        ({"action": "voicemail", "timezone": 5}, "timezone must be a string, got int"),
        ({"action": "voicemail", "active_from": 5}, "active_from must be a string, got int"),
        ({"action": "voicemail", "active_until": 5}, "active_until must be a string, got int"),
        (
            {"action": "voicemail", "active_from": "2026-12-01T10:00", "active_until": "2026-12-01T10:00"},
            "active_until is not after active_from: the rule could never apply",
        ),
    ],
)
def test_each_problem_names_its_attribute(attributes, problem):
    assert parse_number_routes([item("broken", **attributes)]).problems == (f"{NUMBER}/broken: {problem}",)


def test_items_without_a_number_or_a_rule_id_are_named_with_a_question_mark():
    routes = parse_number_routes(
        [
            {"rule_id": "r", "action": "dance"},  # a problem the parser reports
            {"action": "voicemail"},  # one it does not expect (a rule without its key)
        ]
    )
    assert routes.rules == ()
    assert routes.problems[0].startswith("?/r: ")
    assert routes.problems[1] == "?/?: unexpected KeyError: 'rule_id'"


def test_the_default_item_is_recognised_by_its_value_not_its_identity():
    rule_id = "".join(["de", "fault"])  # as read from DynamoDB: a string built at run time
    routes = parse_number_routes([item(rule_id, action="voicemail")])
    assert (routes.default, routes.rules, routes.problems) == (Voicemail(), (), ())


def test_an_active_period_may_mix_an_absolute_start_with_a_local_end():
    # Comparing them is left to the call (in the rule's time zone): the item is not refused.
    rule = only_rule(active_from="2026-12-01T00:00+09:00", active_until="2026-12-31")
    assert rule.active_from == datetime(2026, 12, 1, tzinfo=JST)
    assert rule.active_until == datetime(2027, 1, 1)


def test_a_date_in_either_iso_form_means_a_whole_day_and_a_time_a_moment():
    # A date alone, "2026-12-05" or the compact "20261205", is a day: from its start, until its end.
    for day in ("2026-12-05", "20261205"):
        assert only_rule(active_until=day).active_until == datetime(2026, 12, 6)
        assert only_rule(active_from=day).active_from == datetime(2026, 12, 5)
    assert only_rule(active_until="2026-12-05T00:00").active_until == datetime(2026, 12, 5)
    assert only_rule(active_until="20261205T1830").active_until == datetime(2026, 12, 5, 18, 30)
