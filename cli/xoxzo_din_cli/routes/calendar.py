"""`xoxzo-din routes calendar`: which rule decides, hour by hour, for each class of caller, in the
terminal (its grid drawn here), as JSON, or as a printable page (the week, then the coming twelve
months: calendar_html.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from xoxzo_din.route_checks import calendar
from xoxzo_din.route_checks.calendar import CallerClass, Segment
from xoxzo_din.routing.actions import Action
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.routing.rules import NumberRoutes
from xoxzo_din_cli import helptext
from xoxzo_din_cli.common import console, fail, print_json
from xoxzo_din_cli.routes import calendar_html
from xoxzo_din_cli.routes.calendar_drawing import Legend, by_day, holidays_of, labels_of
from xoxzo_din_cli.routes.group import (
    LOOK_PANEL,
    JsonOption,
    NumberArgument,
    app,
    parse_number,
    stack_fallback,
    stack_routes,
)

# A character of the terminal grid: the rule deciding at the start of each half hour.
SLOT_MINUTES = 30


@helptext.command(
    app,
    "calendar",
    panel=LOOK_PANEL,
    examples_of=(
        ("xoxzo-din routes calendar 03-1234-5678", "this week, in the terminal"),
        ("xoxzo-din routes calendar 03-1234-5678 --period month", "a month from today"),
        (
            "xoxzo-din routes calendar 03-1234-5678 --html calendar.html",
            "a page: the week and the coming year",
        ),
    ),
)
def calendar_command(
    context: typer.Context,
    *,
    number: NumberArgument,
    period: Annotated[
        str, typer.Option("--period", metavar="PERIOD", help="week, month or year (from the start day).")
    ] = "week",
    start: Annotated[
        str | None, typer.Option("--start", metavar="DATE", help="The first day (YYYY-MM-DD); default today.")
    ] = None,
    html_file: Annotated[
        Path | None,
        typer.Option(
            "--html",
            metavar="FILE",
            help="Write a printable page instead: the week from the start day, then the twelve months"
            " from it.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Draw which rule decides, hour by hour, for each class of caller.

    One grid per class of caller the rules name (each callers list, anonymous callers, anyone
    else): a row per day, a letter per half hour for the rule that decides, and a legend.
    """
    called = parse_number(number, global_allowed=False)
    routes = stack_routes(context)
    parsed = parse_number_routes(routes.items_of(called))
    global_parsed = parse_number_routes(routes.global_items, global_partition=True)
    zone = calendar.number_zone(parsed)
    try:
        first = date.fromisoformat(start) if start else datetime.now(zone).date()
    except ValueError:
        fail(f"--start {start!r} is not a date such as 2026-12-01", 2)
    if period not in ("week", "month", "year"):
        fail("--period must be week, month or year", 2)
    fallback = stack_fallback(context)
    if html_file is not None:
        _write_html(
            html_file, called, parsed=parsed, global_parsed=global_parsed, fallback=fallback, first=first
        )
        console.print(
            f"wrote {html_file}: the week from {first} and the twelve months from it", highlight=False
        )
        return
    begin = datetime.combine(first, time(), zone)
    last = period_end(first, period)
    end = datetime.combine(last, time(), zone)
    by_class = [
        (
            caller_class,
            calendar.segments(
                parsed, global_parsed, fallback, caller=caller_class.caller, start=begin, end=end
            ),
        )
        for caller_class in calendar.caller_classes(parsed)
    ]
    if as_json:
        print_json(
            {
                "number": called,
                "timezone": zone.key,
                "classes": [
                    {
                        "class": caller_class.label,
                        "caller": caller_class.caller,
                        "segments": [
                            {
                                "start": s.start.isoformat(),
                                "end": s.end.isoformat(),
                                "decided_by": s.decided_by,
                                "line": s.line,
                            }
                            for s in segments
                        ],
                    }
                    for caller_class, segments in by_class
                ],
            }
        )
        return
    legend = Legend.of(segments for _, segments in by_class)
    holidays = holidays_of(parsed, calendar.days(first, last))
    console.print(legend_table(legend))
    for caller_class, segments in by_class:
        console.print(terminal_grid(caller_class, segments, legend, holidays))


def period_end(first: date, period: str) -> date:
    """The day after a week, a calendar month or a year that begins on `first`."""
    if period == "week":
        return first + timedelta(days=7)
    years, month = (first.year + 1, first.month) if period == "year" else divmod(first.month, 12)
    if period == "month":
        years, month = first.year + years, month + 1
    for day in range(first.day, 27, -1):  # 31 January + 1 month: 28 (or 29) February
        try:
            return date(years, month, day)
        except ValueError:
            continue
    return date(years, month, min(first.day, 28))


def _write_html(
    path: Path,
    number: str,
    *,
    parsed: NumberRoutes,
    global_parsed: NumberRoutes,
    fallback: Action,
    first: date,
) -> None:
    """The page: the week from `first`, then the twelve months from it (what is coming, never a
    calendar year already mostly past)."""
    zone: Any = calendar.number_zone(parsed)
    week_begin = datetime.combine(first, time(), zone)
    week_end = week_begin + timedelta(days=7)
    year_end = datetime.combine(period_end(first, "year"), time(), zone)
    sections = [
        (
            caller_class,
            calendar.segments(
                parsed, global_parsed, fallback, caller=caller_class.caller, start=week_begin, end=week_end
            ),
            calendar.segments(
                parsed, global_parsed, fallback, caller=caller_class.caller, start=week_begin, end=year_end
            ),
        )
        for caller_class in calendar.caller_classes(parsed)
    ]
    legend = Legend.of(segments for _, week, year in sections for segments in (week, year))
    holidays = holidays_of(parsed, calendar.days(first, year_end.date()))
    page = calendar_html.html_page(
        f"What callers of {number} hear ({zone.key})",
        sections,
        legend,
        holidays,
        labels_of(parsed),
    )
    path.write_text(page, encoding="utf-8")


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
