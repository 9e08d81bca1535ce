"""The calendar of `routes calendar`, drawn: a compact grid for a terminal, and one self-contained
HTML page (a week grid and a year view, a colour per rule, a legend, holidays and closures named)."""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from rich.table import Table
from rich.text import Text

from xoxzo_din.route_checks.calendar import CallerClass, Segment
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
SLOT_MINUTES = 30


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


def terminal_grid(
    caller_class: CallerClass, segments: Sequence[Segment], legend: Legend, holidays: dict[date, str]
) -> Table:
    """One row per day, one character per half hour (the rule deciding at the start of it), and a
    holiday column when a holiday falls in the days shown."""
    days = sorted(by_day(segments).items())
    named = any(day in holidays for day, _ in days)
    table = Table(title=f"calls from {caller_class.label}", show_lines=False, pad_edge=False)
    table.add_column("day", no_wrap=True)
    table.add_column("".join(f"{hour:<2}" if hour % 3 == 0 else "  " for hour in range(24)), no_wrap=True)
    if named:
        table.add_column("holiday", no_wrap=True)
    for day, pieces in days:
        row = Text()
        for slot in range(0, 24 * 60, SLOT_MINUTES):
            piece = next((p for p in pieces if p.start <= slot < p.end), None)
            if piece is None:
                row.append(" ")
                continue
            symbol, colour, _ = legend.entries[piece.decided_by]
            row.append(symbol, style=f"bold white on {colour}")
        table.add_row(f"{day:%a %m-%d}", row, *([holidays.get(day, "")] if named else []))
    return table


def legend_table(legend: Legend) -> Table:
    table = Table(title="legend")
    for column in ("", "decided by", "answer"):
        table.add_column(column)
    for decided_by, (symbol, colour, line) in legend.entries.items():
        table.add_row(Text(symbol, style=f"bold white on {colour}"), decided_by, line)
    return table


_CSS = """
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em}h2{font-size:1.1em;margin-top:1.5em}h3{font-size:1em;margin:1em 0 .3em}
.legend td{padding:2px 8px}.swatch{display:inline-block;width:1.2em;height:1em;border:1px solid #0003}
.row{display:flex;align-items:center;margin:1px 0}.label{width:13em;font-size:.8em;white-space:nowrap}
.bar{display:flex;flex:1;height:1.1em;border:1px solid #ccc}.bar.small{height:.55em}
.bar span{display:block;height:100%}.note{font-size:.75em;margin-left:.5em;white-space:nowrap}
.hours{display:flex;margin-left:13em;font-size:.7em;color:#666}.hours span{flex:1}
@media print{.month{break-inside:avoid}body{margin:0}}
"""


def html_page(
    title: str,
    classes: Sequence[tuple[CallerClass, Sequence[Segment], Sequence[Segment]]],
    legend: Legend,
    holidays: dict[date, str],
    labels: dict[str, str],
) -> str:
    """The page: for each caller class, a week grid then a year view (`classes` carries each
    class's week segments and year segments)."""
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<table class='legend'><tr><th></th><th>decided by</th><th>answer</th></tr>",
    ]
    for decided_by, (_, colour, line) in legend.entries.items():
        parts.append(
            f"<tr><td><span class='swatch' style='background:{colour}'></span></td>"
            f"<td>{html.escape(decided_by)}</td><td><code>{html.escape(line)}</code></td></tr>"
        )
    parts.append("</table>")
    hours = "".join(f"<span>{hour:02d}</span>" for hour in range(0, 24, 3))
    for caller_class, week, year in classes:
        parts.append(f"<h2>Calls from {html.escape(caller_class.label)}</h2><h3>Week</h3>")
        parts.append(f"<div class='hours'>{hours}</div>")
        parts += _rows(by_day(week), legend, holidays, labels, small=False)
        parts.append("<h3>Year</h3>")
        year_days = by_day(year)
        for month_start in sorted({day.replace(day=1) for day in year_days}):
            month_days = {
                day: pieces for day, pieces in year_days.items() if day.replace(day=1) == month_start
            }
            parts.append(f"<div class='month'><h3>{month_start:%B %Y}</h3>")
            parts += _rows(month_days, legend, holidays, labels, small=True)
            parts.append("</div>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _rows(
    days: dict[date, list[Piece]],
    legend: Legend,
    holidays: dict[date, str],
    labels: dict[str, str],
    *,
    small: bool,
) -> list[str]:
    rows = []
    for day, pieces in sorted(days.items()):
        spans = "".join(
            f"<span style='width:{(piece.end - piece.start) / 14.4:.3f}%;"
            f"background:{legend.entries[piece.decided_by][1]}' "
            f"title='{_hhmm(piece.start)}-{_hhmm(piece.end)} {html.escape(piece.decided_by)}: "
            f"{html.escape(piece.line, quote=True)}'></span>"
            for piece in pieces
        )
        decided = dict.fromkeys(labels[piece.decided_by] for piece in pieces if piece.decided_by in labels)
        notes = " · ".join(html.escape(text) for text in (holidays.get(day, ""), *decided) if text)
        size = " small" if small else ""
        rows.append(
            f"<div class='row'><div class='label'>{day:%a %Y-%m-%d}</div>"
            f"<div class='bar{size}'>{spans}</div><div class='note'>{notes}</div></div>"
        )
    return rows


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
