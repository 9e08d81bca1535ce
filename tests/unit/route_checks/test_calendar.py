"""The calendar of `routes calendar` (route_checks/calendar.py): the stretches computed from change
points are the decisions the action function makes at every minute of them."""

import itertools
import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers.route_items import FALLBACK, items
from tools.local_env import sample_routes
from xoxzo_din.route_checks.calendar import caller_classes, segments
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.routing.rules import Call, choose_action

NUMBER = "+81312345678"
TOKYO = ZoneInfo("Asia/Tokyo")


def sample():
    all_items = sample_routes()
    routes = parse_number_routes([item for item in all_items if item["number"] == NUMBER])
    global_routes = parse_number_routes(
        [item for item in all_items if item["number"] == "*"], global_partition=True
    )
    return routes, global_routes


def test_the_caller_classes_are_each_list_anonymous_and_anyone_else():
    routes, _ = sample()
    labels = [caller_class.label for caller_class in caller_classes(routes)]
    assert labels[0].startswith("callers of 010-blocked") and labels[1].startswith("callers of 020-vip")
    assert labels[-2:] == ["anonymous", "anyone else (+81300000000)"]


def test_a_weekday_shows_the_lunch_break():
    routes, global_routes = sample()
    start = datetime(2026, 12, 2, tzinfo=TOKYO)  # a Wednesday
    day = segments(
        routes, global_routes, FALLBACK, caller="+81300000000", start=start, end=start + timedelta(days=1)
    )
    shown = [(f"{s.start:%H:%M}", f"{s.end:%H:%M}", s.decided_by) for s in day]
    assert shown == [
        ("00:00", "09:00", "number-default"),
        ("09:00", "12:00", "rule:060-business-hours"),
        ("12:00", "13:00", "number-default"),
        ("13:00", "17:00", "rule:060-business-hours"),
        ("17:00", "00:00", "number-default"),
    ]


def test_the_holiday_and_the_new_year_closure_decide_whole_days():
    routes, global_routes = sample()
    start = datetime(2026, 11, 23, tzinfo=TOKYO)
    holiday = segments(
        routes, global_routes, FALLBACK, caller="+81300000000", start=start, end=start + timedelta(days=1)
    )
    assert [s.decided_by for s in holiday] == ["rule:050-holidays"]
    start = datetime(2026, 12, 29, tzinfo=TOKYO)
    closure = segments(
        routes, global_routes, FALLBACK, caller="+81300000000", start=start, end=start + timedelta(days=6)
    )
    first = closure[0]
    assert (f"{first.start:%m-%d}", f"{first.end:%m-%d}", first.decided_by) == (
        "12-29",
        "01-04",
        "rule:040-new-year",
    )


def test_a_year_of_the_sample_is_a_few_hundred_stretches():
    routes, global_routes = sample()
    start = datetime(2026, 1, 1, tzinfo=TOKYO)
    year = segments(
        routes, global_routes, FALLBACK, caller="+81300000000", start=start, end=start.replace(year=2027)
    )
    assert year[0].start == start and year[-1].end == start.replace(year=2027)
    assert all(a.end == b.start for a, b in itertools.pairwise(year))
    assert 500 < len(year) < 2000


def test_dst_transitions_keep_local_wall_clock_hours():
    routes = parse_number_routes(
        [
            {"number": "+1", "rule_id": "default", "timezone": "America/New_York", "action": "voicemail"},
            {
                "number": "+1",
                "rule_id": "open",
                "hours": "09:00-17:00",
                "action": "transfer",
                "to": "+12125550100",
            },
        ]
    )
    zone = ZoneInfo("America/New_York")
    start = datetime(2026, 3, 7, tzinfo=zone)  # DST starts on Sunday 8 March 2026
    stretch = segments(
        routes, parse_number_routes([]), FALLBACK, caller=None, start=start, end=start + timedelta(days=3)
    )
    opens = [f"{s.start:%m-%d %H:%M %Z}" for s in stretch if s.decided_by == "rule:open"]
    assert opens == ["03-07 09:00 EST", "03-08 09:00 EDT", "03-09 09:00 EDT"]


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "200")), deadline=None)
@given(
    number_items=items,
    offset=st.integers(0, 14 * 24 * 60 - 1),
    caller=st.sampled_from([None, "", "+819012345678", "+81312345678", "+15551234567"]),
)
def test_every_minute_of_a_stretch_is_decided_as_the_stretch_says(number_items, offset, caller):
    routes = parse_number_routes(number_items)
    start = datetime(2026, 10, 20, tzinfo=UTC)
    moment = start + timedelta(minutes=offset)
    stretches = segments(
        routes, parse_number_routes([]), FALLBACK, caller=caller, start=start, end=start + timedelta(days=14)
    )
    covering = next(s for s in stretches if s.start <= moment < s.end)
    assert (
        choose_action(Call.of(caller, moment), routes, parse_number_routes([]), FALLBACK).source
        == covering.decided_by
    )


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "100")), deadline=None)
@given(
    zone=st.sampled_from(["America/New_York", "Europe/London", "Australia/Sydney"]),
    hours=st.sampled_from(
        ["01:30-03:00", "02:30-03:30", "00:30-01:30", "22:00-02:30", "01:00-02:00,03:00-04:00"]
    ),
    day=st.sampled_from(
        [(2026, 3, 7), (2026, 3, 28), (2026, 4, 4), (2026, 10, 3), (2026, 10, 24), (2026, 10, 31)]
    ),
)
def test_clock_changes_are_stretch_edges(zone, hours, day):
    """Around each DST change of these zones, every minute is decided as its stretch says."""
    routes = parse_number_routes(
        [
            {"number": "+1", "rule_id": "default", "timezone": zone, "action": "voicemail"},
            {"number": "+1", "rule_id": "x", "hours": hours, "action": "say", "text": "x"},
        ]
    )
    year, month, date_ = day
    start = datetime(year, month, date_, tzinfo=ZoneInfo(zone))
    end = start + timedelta(days=3)
    stretches = segments(routes, parse_number_routes([]), FALLBACK, caller=None, start=start, end=end)
    moment = start.astimezone(UTC)
    while moment < end:
        covering = next(s for s in stretches if s.start <= moment < s.end)
        assert (
            choose_action(Call.of(None, moment), routes, parse_number_routes([]), FALLBACK).source
            == covering.decided_by
        )
        moment += timedelta(minutes=5)
