"""`xoxzo-din calls NUMBER`: how a deployed number's calls were decided, per day and rule, from the
action function's logs (the CloudWatch Logs Insights query the template defines; callers stay masked).

The template's query counts per UTC day (Insights' `datefloor`). The tool counts the number's own
days (its routes' time zone): it splits the period where the zone's UTC offset changes (daylight
saving) and asks the query for each part with the timestamps moved by that offset, so that a call
at 08:30 in Tokyo, or 00:15 in Kolkata, counts on its local date."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as clock_time
from typing import Annotated, Any

import typer
from rich.table import Table

from xoxzo_din.phone import to_e164
from xoxzo_din.route_checks import calendar
from xoxzo_din.routing.rule_parsing import parse_number_routes
from xoxzo_din.tables.routes import read_routes
from xoxzo_din.tables.schema import RULE_ID
from xoxzo_din_cli.common import EXIT_STACK, Target, console, fail, print_json

QUERY_NAME = "calls-per-number-and-day-by-rule"  # template.yaml: CallsByRuleQuery
POLL_SECONDS = 1.0
MAX_WAIT_SECONDS = 60.0


class CallsError(Exception):
    """The report cannot be made; the message says why."""


_PER_DAY = "datefloor(@timestamp, 1d)"
# What Insights answers at most per query (its default limit): a full page may be a cut one.
MAX_ROWS = 10_000


@dataclass(frozen=True)
class Segment:
    """A part of the period in which the number's zone keeps one UTC offset."""

    start: datetime
    end: datetime  # excluded
    offset: timedelta


def segments(zone: tzinfo, first: date, last: date) -> list[Segment]:
    """From `first`'s local midnight to the one after `last`, cut where the UTC offset changes
    (looked for hour by hour, then found to the minute)."""
    start = datetime.combine(first, clock_time(), zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), clock_time(), zone).astimezone(UTC)

    def offset(moment: datetime) -> timedelta:
        return moment.astimezone(zone).utcoffset() or timedelta()

    parts: list[Segment] = []
    begin = moment = start
    while moment < end:
        step = min(moment + timedelta(hours=1), end)
        if offset(step - timedelta(microseconds=1)) != offset(begin):
            change = moment
            while offset(change) == offset(begin):
                change += timedelta(minutes=1)
            parts.append(Segment(begin, change, offset(begin)))
            begin = change
        moment = step
    parts.append(Segment(begin, end, offset(begin)))
    return parts


@dataclass(frozen=True)
class Report:
    number: str
    timezone: str  # the days' (the number's routes')
    days: list[str]  # YYYY-MM-DD in `timezone`, oldest first
    counts: dict[str, dict[str, int]]  # decided_by -> day -> calls
    silent: list[str]  # rules (and the default) of the number that decided no call in the period

    @property
    def total(self) -> int:
        return sum(sum(by_day.values()) for by_day in self.counts.values())


def query_for(logs: Any, stack_name: str, number: str, segment: Segment) -> str:
    """The template's query (the one place it is written), narrowed to one number and one segment,
    counting that segment's local days."""
    name = f"{stack_name}/{QUERY_NAME}"
    found = logs.describe_query_definitions(queryDefinitionNamePrefix=name).get("queryDefinitions", [])
    definition = next((d for d in found if d.get("name") == name), None)
    if definition is None:
        raise CallsError(f"no query definition {name}: deploy the current template.yaml")
    query = str(definition["queryString"])
    if _PER_DAY not in query:
        raise CallsError(
            f"the query definition {name} counts no days ({_PER_DAY}): deploy the current template.yaml"
        )
    offset = int(segment.offset.total_seconds() * 1000)
    start, end = (int(moment.timestamp() * 1000) for moment in (segment.start, segment.end))
    local_day = f"datefloor(fromMillis(toMillis(@timestamp) + {offset}), 1d)"
    return (
        f'filter recipient = "{number}" and toMillis(@timestamp) >= {start} and toMillis(@timestamp) < {end}'
        f"\n| {query.replace(_PER_DAY, local_day)}"
    )


def run_query(
    logs: Any,
    log_group: str,
    query: str,
    *,
    start: datetime,
    end: datetime,
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, str]]:
    """The query's rows, each a {field: value} mapping."""
    query_id = logs.start_query(
        logGroupName=log_group,
        startTime=int(start.timestamp()),
        endTime=int(end.timestamp()),
        queryString=query,
    )["queryId"]
    waited = 0.0
    while True:
        answer = logs.get_query_results(queryId=query_id)
        if answer["status"] in ("Complete", "Failed", "Cancelled", "Timeout"):
            break
        if waited >= MAX_WAIT_SECONDS:
            raise CallsError(f"the query did not finish in {MAX_WAIT_SECONDS:g} s")
        sleep(POLL_SECONDS)
        waited += POLL_SECONDS
    if answer["status"] != "Complete":
        raise CallsError(f"the query ended {answer['status']}")
    results = answer.get("results", [])
    if len(results) >= MAX_ROWS:
        raise CallsError(
            f"the query answered {len(results)} rows, as many as it gives: choose a shorter period"
        )
    return [{cell["field"]: cell["value"] for cell in row} for row in results]


def report(number: str, rows: list[dict[str, str]], items: list[dict[str, Any]], zone: tzinfo) -> Report:
    """`rows`: the segments' rows, whose `day` is already the local day ("2026-12-01 00:00:00.000")."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        day, decided_by = row.get("day", "")[:10], row.get("decided_by", "?")
        try:
            date.fromisoformat(day)
        except ValueError:
            raise CallsError(f"the query answered a day {row.get('day')!r}, not a date") from None
        counts[decided_by][day] = counts[decided_by].get(day, 0) + int(float(row.get("calls", "0")))
    parsed = parse_number_routes(items)
    possible = [f"rule:{rule.rule_id}" for rule in parsed.rules]
    if any(item.get(RULE_ID) == "default" for item in items):
        possible.append("number-default")
    days = sorted({day for by_day in counts.values() for day in by_day})
    silent = [name for name in possible if name not in counts]
    return Report(number, str(zone), days, dict(counts), silent)


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
        for segment in segments(zone, first, last):
            query = query_for(logs, stack.name, called, segment)
            rows += run_query(
                logs, stack.output("ActionLogGroupName"), query, start=segment.start, end=segment.end
            )
    except CallsError as error:
        fail(str(error), EXIT_STACK)
    show(report(called, rows, items, zone), as_json=as_json)


def show(result: Report, *, as_json: bool) -> None:
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
