"""Every thing worth waking someone for has an alarm on the alarm topic, on a metric the code (or
AWS) really emits, and the dashboard shows the calls."""

import json
import re
from pathlib import Path
from typing import Any

from tools.template_tables import load_template

ROOT = Path(__file__).resolve().parents[2]
TOPIC = ["CreateAlarmTopic", "AlarmTopic", "ExistingAlarmTopicArn"]  # !If, as the loader reads it
# (namespace, metric, dimension value): what must have an alarm.
WATCHED = {
    ("AWS/Lambda", "Errors", "ActionFunction"),
    ("AWS/Lambda", "Throttles", "ActionFunction"),
    ("AWS/Lambda", "Duration", "ActionFunction"),
    ("AWS/ApiGateway", "5xx", "ActionApi"),
    ("AWS/ApiGateway", "4xx", "ActionApi"),
    ("XoxzoDin", "AnsweredByFallback", "din-action"),
    ("XoxzoDin", "RouteLookupErrors", "din-action"),
    ("XoxzoDin", "MalformedRouteItems", "din-action"),
    ("XoxzoDin", "ForbiddenRequests", "din-action"),
    ("XoxzoDin", "OperationErrors", "din-provisioning"),
    ("AWS/Lambda", "Errors", "ProvisioningFunction"),
    ("XoxzoDin", "SyncRepairs", "din-provisioning"),
    ("XoxzoDin", "SyncErrors", "din-provisioning"),
    ("XoxzoDin", "ForeignNumbers", "din-provisioning"),
    ("XoxzoDin", "ActionUrlSyncFailures", "din-provisioning"),
    ("AWS/Lambda", "Errors", "RouteChangesFunction"),
    ("XoxzoDin", "CanaryFailures", "din-canary"),
}


def alarms() -> dict[str, dict[str, Any]]:
    return {
        n: r["Properties"]
        for n, r in load_template()["Resources"].items()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    }


def test_each_watched_metric_has_an_alarm_on_the_topic():
    found = set()
    for properties in alarms().values():
        assert properties["AlarmActions"] == [TOPIC]
        assert properties["TreatMissingData"] == "notBreaching" and properties["AlarmDescription"]
        (dimension,) = properties["Dimensions"]
        found.add((properties["Namespace"], properties["MetricName"], dimension["Value"]))
    assert found == WATCHED


def test_our_alarms_watch_metrics_the_handlers_emit_under_their_service_name():
    emitted = set()
    for handler in (ROOT / "functions").rglob("*_handler.py"):
        emitted |= set(re.findall(r'"([A-Z][A-Za-z]+)"', handler.read_text(encoding="utf-8")))
    ours = {metric for namespace, metric, _ in WATCHED if namespace == "XoxzoDin"}
    assert ours <= emitted
    template = load_template()
    services = {
        name: r["Properties"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]
        for name, r in template["Resources"].items()
        if r["Type"] == "AWS::Serverless::Function"
    }
    assert services == {
        "ActionFunction": "din-action",
        "ProvisioningFunction": "din-provisioning",
        "RouteChangesFunction": "din-route-changes",
        "CanaryFunction": "din-canary",
    }
    assert (
        template["Globals"]["Function"]["Environment"]["Variables"]["POWERTOOLS_METRICS_NAMESPACE"]
        == "XoxzoDin"
    )


def test_the_dashboard_shows_calls_by_decision_cache_ratio_latency_and_errors():
    body = json.loads(load_template()["Resources"]["Dashboard"]["Properties"]["DashboardBody"])
    titles = [widget["properties"]["title"] for widget in body["widgets"]]
    assert titles == ["Calls by how they were decided", "Route cache hit ratio (%)", "Latency (ms)", "Errors"]
