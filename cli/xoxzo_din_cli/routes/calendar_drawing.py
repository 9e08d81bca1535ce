"""What both drawings of `routes calendar` are made of (the terminal grid of calendar.py and the
page of calendar_html.py): each day's pieces, a symbol and a colour per deciding rule (the legend),
the holidays and the notes of dated rules and active periods."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from xoxzo_din.route_checks.calendar import Segment
from xoxzo_din.routing.rules import NumberRoutes, holiday_name

# Distinct, printable colours; a rule keeps its colour on every grid of one page.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#1f77b4",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#17becf",
)
SYMBOLS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Piece:
    """The part of a segment that falls on one day: minutes since that day's midnight."""

    start: int
    end: int
    decided_by: str
    line: str


@dataclass(frozen=True)
class Legend:
    entries: dict[str, tuple[str, str, str]]  # decided_by -> (symbol, colour, action line)

    @classmethod
    def of(cls, segment_lists: Iterable[Sequence[Segment]]) -> Legend:
        entries: dict[str, tuple[str, str, str]] = {}
        for segments in segment_lists:
            for segment in segments:
                if segment.decided_by not in entries:
                    index = len(entries)
                    entries[segment.decided_by] = (
                        SYMBOLS[index % len(SYMBOLS)],
                        PALETTE[index % len(PALETTE)],
                        segment.line,
                    )
        return cls(entries)


def by_day(segments: Sequence[Segment]) -> dict[date, list[Piece]]:
    """Each day's pieces, in the number's zone (the segments' own zone)."""
    days: dict[date, list[Piece]] = defaultdict(list)
    for segment in segments:
        start = segment.start
        while start < segment.end:
            midnight = datetime.combine(start.date(), time(), tzinfo=start.tzinfo)
            next_midnight = datetime.combine(start.date() + timedelta(days=1), time(), tzinfo=start.tzinfo)
            stop = min(segment.end, next_midnight)
            first = int((start - midnight).total_seconds() // 60)
            last = int((stop - midnight).total_seconds() // 60)
            days[start.date()].append(Piece(first, max(last, first), segment.decided_by, segment.line))
            start = stop
    return days


def holidays_of(routes: NumberRoutes, days: Iterable[date]) -> dict[date, str]:
    calendars = sorted({rule.holiday_calendar for rule in routes.rules if rule.holiday_calendar}, key=str)
    found: dict[date, str] = {}
    for day in days:
        names = [name for calendar in calendars if (name := holiday_name(calendar, day))]
        if names:
            found[day] = " / ".join(names)
    return found


def labels_of(routes: NumberRoutes) -> dict[str, str]:
    """What a day's note says when a dated rule (a closure, a special day) or a rule with an active
    period (a maintenance window) decides some of it: by its `decided_by`."""
    labels: dict[str, str] = {}
    for rule in routes.rules:
        if rule.dates is not None:
            labels[f"rule:{rule.rule_id}"] = f"by date: {rule.rule_id}"
        elif rule.active_from is not None or rule.active_until is not None:
            labels[f"rule:{rule.rule_id}"] = f"period: {rule.rule_id}"
    return labels
