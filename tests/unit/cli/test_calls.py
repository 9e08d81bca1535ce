"""`xoxzo-din calls` counts the number's own days: the period in parts of one UTC offset each, and
the query of each part moving the timestamps by that offset (cli/xoxzo_din_cli/calls.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from xoxzo_din_cli.calls import CallsError, Segment, query_for, report, segments

TEMPLATE_QUERY = (
    'filter message = "call answered"\n'
    "| stats count(*) as calls by recipient, datefloor(@timestamp, 1d) as day, decided_by"
)


class Definitions:
    def __init__(self, query: str) -> None:
        self.query = query

    def describe_query_definitions(self, queryDefinitionNamePrefix: str) -> dict[str, Any]:  # noqa: N803
        return {"queryDefinitions": [{"name": queryDefinitionNamePrefix, "queryString": self.query}]}


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_a_zone_without_daylight_saving_is_one_part_from_local_midnight_to_local_midnight():
    assert segments(ZoneInfo("Asia/Kolkata"), date(2026, 12, 1), date(2026, 12, 2)) == [
        Segment(utc(2026, 11, 30, 18, 30), utc(2026, 12, 2, 18, 30), timedelta(hours=5, minutes=30))
    ]


def test_the_period_is_cut_where_the_offset_changes():
    assert segments(ZoneInfo("Europe/Berlin"), date(2026, 3, 28), date(2026, 3, 29)) == [
        Segment(utc(2026, 3, 27, 23), utc(2026, 3, 29, 1), timedelta(hours=1)),
        Segment(utc(2026, 3, 29, 1), utc(2026, 3, 29, 22), timedelta(hours=2)),
    ]
    # A half-hour change (Lord Howe Island) is found to the minute.
    (_, later) = segments(ZoneInfo("Australia/Lord_Howe"), date(2026, 4, 5), date(2026, 4, 5))
    assert (later.start, later.offset) == (utc(2026, 4, 4, 15), timedelta(hours=10, minutes=30))


def test_each_part_is_asked_for_its_own_times_and_local_days():
    part = Segment(utc(2026, 11, 30, 18, 30), utc(2026, 12, 1, 18, 30), timedelta(hours=5, minutes=30))
    asked = query_for(Definitions(TEMPLATE_QUERY), "prod", "+81312345678", part)
    first, rest = asked.split("\n", 1)
    assert first == (
        'filter recipient = "+81312345678" and toMillis(@timestamp) >= 1796063400000'
        " and toMillis(@timestamp) < 1796149800000"
    )
    assert rest == "| " + TEMPLATE_QUERY.replace(
        "datefloor(@timestamp, 1d)", "datefloor(fromMillis(toMillis(@timestamp) + 19800000), 1d)"
    )
    with pytest.raises(CallsError, match="counts no days"):
        query_for(Definitions("stats count(*) by bin(1h)"), "prod", "+81312345678", part)


def test_the_report_takes_the_days_as_answered_and_refuses_what_is_not_a_date():
    rows = [
        {"day": "2026-12-02 00:00:00.000", "decided_by": "number-default", "calls": "2"},
        {"day": "2026-12-01 00:00:00.000", "decided_by": "number-default", "calls": "1"},
    ]
    made = report(
        "+81312345678", rows, [{"number": "+81312345678", "rule_id": "default"}], ZoneInfo("Asia/Kolkata")
    )
    assert (made.timezone, made.days, made.counts) == (
        "Asia/Kolkata",
        ["2026-12-01", "2026-12-02"],
        {"number-default": {"2026-12-01": 1, "2026-12-02": 2}},
    )
    with pytest.raises(CallsError, match="not a date"):
        report("+81312345678", [{"day": "soon", "decided_by": "x", "calls": "1"}], [], ZoneInfo("UTC"))
