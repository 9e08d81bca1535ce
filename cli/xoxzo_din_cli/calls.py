"""`xoxzo-din calls`: how a number's calls were decided, per day and rule, from the action
function's logs (the CloudWatch Logs Insights query the template defines; callers stay masked).

The template's query counts per UTC day (Insights' `datefloor`); the tool asks it per hour instead
and adds the hours up into the number's own days (its routes' time zone), so a call at 08:30 in
Tokyo counts on its Tokyo date."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from xoxzo_din.routes_table.schema import RULE_ID
from xoxzo_din.routing.rule_parsing import parse_number_routes

QUERY_NAME = "calls-per-number-and-day-by-rule"  # template.yaml: CallsByRuleQuery
POLL_SECONDS = 1.0
MAX_WAIT_SECONDS = 60.0


class CallsError(Exception):
    """The report cannot be made; the message says why."""


_PER_DAY, _PER_HOUR = "datefloor(@timestamp, 1d)", "datefloor(@timestamp, 1h)"


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


def query_for(logs: Any, stack_name: str, number: str) -> str:
    """The template's query, narrowed to one number (the one place the query is written)."""
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
    return f'filter recipient = "{number}"\n| ' + query.replace(_PER_DAY, _PER_HOUR)


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
    return [{cell["field"]: cell["value"] for cell in row} for row in answer.get("results", [])]


def local_day(hour: str, zone: tzinfo) -> str:
    """The date in `zone` of an Insights hour such as "2026-12-01 15:00:00.000" (UTC)."""
    try:
        moment = datetime.strptime(hour[:19], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return hour[:10] or "?"
    return moment.astimezone(zone).date().isoformat()


def report(number: str, rows: list[dict[str, str]], items: list[dict[str, Any]], zone: tzinfo) -> Report:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        day, decided_by = local_day(row.get("day", ""), zone), row.get("decided_by", "?")
        counts[decided_by][day] = counts[decided_by].get(day, 0) + int(float(row.get("calls", "0")))
    parsed = parse_number_routes(items)
    possible = [f"rule:{rule.rule_id}" for rule in parsed.rules]
    if any(item.get(RULE_ID) == "default" for item in items):
        possible.append("number-default")
    days = sorted({day for by_day in counts.values() for day in by_day})
    silent = [name for name in possible if name not in counts]
    return Report(number, str(zone), days, dict(counts), silent)
