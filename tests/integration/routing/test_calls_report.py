"""`xoxzo-din calls` against log lines the action handler really wrote: the template's query,
narrowed to the number and asked per hour, counted per day of the number (Tokyo) and deciding rule;
rules that decided nothing are listed."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from tools.local_env import LOCAL_ACTION_SECRET, sample_routes
from tools.local_server import http_api_event
from tools.template_tables import load_template
from xoxzo_din_cli import common
from xoxzo_din_cli.main import app
from xoxzo_din_cli.stack import Stack

NUMBER = "+81312345678"
CALLS = [  # (caller, moment): VIP twice, anonymous once, a lunch-break call, two the next day
    ("09012345678", datetime(2026, 12, 1, 1, 0, tzinfo=UTC)),
    ("09012345678", datetime(2026, 12, 1, 2, 0, tzinfo=UTC)),
    ("", datetime(2026, 12, 1, 2, 30, tzinfo=UTC)),
    ("0312340099", datetime(2026, 12, 1, 3, 15, tzinfo=UTC)),
    ("0312340099", datetime(2026, 12, 1, 15, 30, tzinfo=UTC)),  # 00:30 on 2 Dec in Tokyo
    ("0312340099", datetime(2026, 12, 2, 1, 0, tzinfo=UTC)),
]


class RecordedLogs:
    """CloudWatch Logs over recorded lines: the calls query's stats, as Insights computes them."""

    def __init__(self, lines: list[dict[str, Any]], query: str) -> None:
        self.lines, self.definition, self.asked = lines, query, ""

    def describe_query_definitions(self, queryDefinitionNamePrefix: str) -> dict[str, Any]:  # noqa: N803
        return {"queryDefinitions": [{"name": queryDefinitionNamePrefix, "queryString": self.definition}]}

    def start_query(self, **arguments: Any) -> dict[str, str]:
        self.asked = arguments["queryString"]
        return {"queryId": "q"}

    def get_query_results(self, queryId: str) -> dict[str, Any]:  # noqa: N803
        """The asked query's own filters and local day, computed on the recorded lines."""
        number = self.asked.split('"')[1]
        start, end = (int(n) for n in re.findall(r"toMillis\(@timestamp\) [<>]=? (\d+)", self.asked))
        (offset,) = (int(n) for n in re.findall(r"toMillis\(@timestamp\) \+ (-?\d+)", self.asked))
        counted: Counter[tuple[str, str, str]] = Counter()
        for line in self.lines:
            millis = int(datetime.fromisoformat(line["timestamp"]).timestamp() * 1000)
            if (
                line.get("message") == "call answered"
                and line.get("recipient") == number
                and start <= millis < end
            ):
                day = datetime.fromtimestamp((millis + offset) / 1000, UTC).date()
                counted[line["recipient"], f"{day} 00:00:00.000", line["decided_by"]] += 1
        rows = [
            [
                {"field": "recipient", "value": r},
                {"field": "day", "value": d},
                {"field": "decided_by", "value": rule},
                {"field": "calls", "value": str(n)},
            ]
            for (r, d, rule), n in counted.items()
        ]
        return {"status": "Complete", "results": rows}


@pytest.fixture
def recorded(seeded_routes, load_action_handler, lambda_context, capsys) -> list[dict[str, Any]]:
    handler = load_action_handler()
    for caller, moment in CALLS:
        event = http_api_event(
            "GET", f"/action/{LOCAL_ACTION_SECRET}?caller={caller}&recipient=0312345678", {}, "1.2.3.4"
        )
        event["requestContext"]["timeEpoch"] = int(moment.timestamp() * 1000)
        handler.lambda_handler(event, lambda_context)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    answered = [line for line in lines if line.get("message") == "call answered"]
    for line, (_, moment) in zip(answered, CALLS, strict=True):
        line["timestamp"] = moment.isoformat()  # the log time is the call's, as in production
    assert all("09012345678" not in json.dumps(line) for line in lines)  # callers stay masked
    return answered


def test_the_report_counts_calls_per_day_and_rule_and_names_the_silent_rules(recorded, tables, monkeypatch):
    query = load_template()["Resources"]["CallsByRuleQuery"]["Properties"]["QueryString"]
    logs = RecordedLogs(recorded, query)
    stack = Stack(
        name="test",
        region="ap-northeast-1",
        outputs={"RoutesTableName": tables["ROUTES_TABLE_NAME"], "ActionLogGroupName": "/aws/lambda/test"},
    )
    monkeypatch.setattr(common, "local_stack", lambda url: stack)
    monkeypatch.setattr(Stack, "client", lambda self, service, config=None: logs)
    monkeypatch.setattr(Stack, "is_local", property(lambda self: False))
    result = CliRunner().invoke(
        app, ["calls", "03-1234-5678", "--since", "2026-12-01", "--until", "2026-12-02", "--json"]
    )
    assert result.exit_code == 0, result.output
    # One segment (Tokyo keeps +09:00): its bounds are the local midnights, its days Tokyo's.
    start = int(datetime(2026, 11, 30, 15, tzinfo=UTC).timestamp() * 1000)
    end = int(datetime(2026, 12, 2, 15, tzinfo=UTC).timestamp() * 1000)
    local_days = query.replace(
        "datefloor(@timestamp, 1d)", "datefloor(fromMillis(toMillis(@timestamp) + 32400000), 1d)"
    )
    assert local_days != query
    assert logs.asked == (
        f'filter recipient = "{NUMBER}" and toMillis(@timestamp) >= {start} and toMillis(@timestamp) < {end}'
        f"\n| {local_days}"
    )
    report = json.loads(result.output)
    assert report["timezone"] == "Asia/Tokyo"
    # The 15:30 UTC call of 1 Dec is a call of 2 Dec in Tokyo (after hours: the number's default).
    assert report["counts"] == {
        "rule:020-vip": {"2026-12-01": 2},
        "rule:030-anonymous": {"2026-12-01": 1},
        "number-default": {"2026-12-01": 1, "2026-12-02": 1},
        "rule:060-business-hours": {"2026-12-02": 1},
    }
    assert "rule:010-blocked" in report["silent"] and "rule:050-holidays" in report["silent"]
    people = CliRunner().invoke(
        app, ["calls", "03-1234-5678", "--since", "2026-12-01", "--until", "2026-12-02"]
    )
    assert (
        "calls to +81312345678: 6 (days in Asia/Tokyo)" in people.output
        and "decided no call in the period: rule:010-blocked" in people.output
    )
    assert len(sample_routes()) > 5
