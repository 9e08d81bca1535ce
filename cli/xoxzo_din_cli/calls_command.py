"""`xoxzo-din calls NUMBER`: the call report of calls.py, for a deployed stack."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table

from xoxzo_din.phone import to_e164
from xoxzo_din.route_checks import calendar
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din_cli import calls
from xoxzo_din_cli.common import EXIT_STACK, Target, console, fail, print_json
from xoxzo_din_cli.routes_table import read_routes


def calls_command(
    context: typer.Context,
    number: Annotated[str, typer.Argument(metavar="NUMBER", help="The called number (the DIN).")],
    *,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DATE", help="First day (YYYY-MM-DD); default 7 days ago."),
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", metavar="DATE", help="Last day (YYYY-MM-DD); default today.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output, for scripts.")] = False,
) -> None:
    """Count a deployed number's calls per day and deciding rule, from its logs.

    The days are the number's own (its routes' time zone). The rules that decided no call in the
    period are listed; callers stay masked.
    """
    target: Target = context.find_object(Target)  # type: ignore[assignment]
    stack = target.stack()
    called = to_e164(number) or fail(f"{number!r} is not a phone number", 2)
    if stack.is_local:
        fail(
            "call reports read CloudWatch Logs: choose a deployed stack (--config-env or --stack-name)",
            EXIT_STACK,
        )
    try:
        last_given = date.fromisoformat(until) if until else None
        first_given = date.fromisoformat(since) if since else None
    except ValueError:
        fail("--since and --until are dates such as 2026-12-01", 2)
    items = read_routes(stack.table("RoutesTableName")).items_of(called)
    zone = calendar.number_zone(parse_number_routes(items))  # the days are the number's
    last = last_given or datetime.now(zone).date()
    first = first_given or last - timedelta(days=6)
    if first > last:
        fail(f"--since {first} is after --until {last}", 2)
    logs = stack.client("logs")
    rows: list[dict[str, str]] = []
    try:
        for segment in calls.segments(zone, first, last):
            query = calls.query_for(logs, stack.name, called, segment)
            rows += calls.run_query(
                logs, stack.output("ActionLogGroupName"), query, start=segment.start, end=segment.end
            )
    except calls.CallsError as error:
        fail(str(error), EXIT_STACK)
    show(calls.report(called, rows, items, zone), as_json=as_json)


def show(result: calls.Report, *, as_json: bool) -> None:
    if as_json:
        print_json(result)
        return
    table = Table(title=f"calls to {result.number}: {result.total} (days in {result.timezone})")
    table.add_column("decided by")
    for day in result.days:
        table.add_column(day[5:], justify="right")
    table.add_column("total", justify="right")
    for decided_by, by_day in sorted(result.counts.items(), key=lambda entry: -sum(entry[1].values())):
        table.add_row(
            decided_by, *(str(by_day.get(day, "")) for day in result.days), str(sum(by_day.values()))
        )
    console.print(table)
    if result.silent:
        console.print(f"decided no call in the period: {', '.join(result.silent)}", highlight=False)
