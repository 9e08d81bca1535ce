"""`xoxzo-din calls`: how a number's calls were decided, per day and rule, from the action
function's logs (the CloudWatch Logs Insights query the template defines; callers stay masked)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xoxzo_din.routes_table.schema import RULE_ID
from xoxzo_din.routing.rule_parsing import parse_number_routes

QUERY_NAME = "calls-per-number-and-day-by-rule"  # template.yaml: CallsByRuleQuery
POLL_SECONDS = 1.0
MAX_WAIT_SECONDS = 60.0


class CallsError(Exception):
    """The report cannot be made; the message says why."""


@dataclass(frozen=True)
class Report:
    number: str
    days: list[str]  # YYYY-MM-DD, oldest first
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
    return f'filter recipient = "{number}"\n| ' + str(definition["queryString"])


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


def report(number: str, rows: list[dict[str, str]], items: list[dict[str, Any]]) -> Report:
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        day = row.get("day", "")[:10]
        counts[row.get("decided_by", "?")][day] = counts[row.get("decided_by", "?")].get(day, 0) + int(
            float(row.get("calls", "0"))
        )
    parsed = parse_number_routes(items)
    possible = [f"rule:{rule.rule_id}" for rule in parsed.rules]
    if any(item.get(RULE_ID) == "default" for item in items):
        possible.append("number-default")
    days = sorted({day for by_day in counts.values() for day in by_day})
    return Report(number, days, dict(counts), [name for name in possible if name not in counts])
