"""Every thing worth waking someone for has an alarm on the alarm topic, on a metric the code (or
AWS) really emits, and the dashboard shows the calls. The alarms live in the nested monitoring
stack (monitoring/template.yaml); the topic in the root stack, which hands it down."""

import json
import re
from pathlib import Path
from typing import Any

from tools.template_tables import load_template

ROOT = Path(__file__).resolve().parents[3]
MONITORING = ROOT / "monitoring" / "template.yaml"
TOPIC = ["CreateAlarmTopic", "AlarmTopic", "ExistingAlarmTopicArn"]  # !If, as the loader reads it
# (namespace, metric, dimension value): what must have an alarm.
WATCHED = {
    ("AWS/Lambda", "Errors", "ActionFunctionName"),
    ("AWS/Lambda", "Throttles", "ActionFunctionName"),
    ("AWS/ApiGateway", "Latency", "ActionApiId"),
    ("AWS/ApiGateway", "5xx", "ActionApiId"),
    ("AWS/ApiGateway", "4xx", "ActionApiId"),
    ("XoxzoDin", "AnsweredByFallback", "din-action"),
    ("XoxzoDin", "RouteLookupErrors", "din-action"),
    ("XoxzoDin", "MalformedRouteItems", "din-action"),
    ("XoxzoDin", "ForbiddenRequests", "din-action"),
    ("XoxzoDin", "OperationErrors", "din-provisioning"),
    ("AWS/Lambda", "Errors", "ProvisioningFunctionName"),
    ("XoxzoDin", "SyncRepairs", "din-provisioning"),
    ("XoxzoDin", "SyncErrors", "din-provisioning"),
    ("XoxzoDin", "ForeignNumbers", "din-provisioning"),
    ("XoxzoDin", "ActionUrlSyncFailures", "din-provisioning"),
    ("AWS/Lambda", "Errors", "RouteChangesFunctionName"),
    ("XoxzoDin", "CanaryFailures", "din-canary"),
    ("AWS/Lambda", "Errors", "CanaryFunctionName"),
    ("XoxzoDin", "CanaryRuns", "din-canary"),
}
# The alarm that watches for a metric that stops: missing data is what it is for.
HEARTBEATS = {"CanaryHeartbeatAlarm"}


def alarms() -> dict[str, dict[str, Any]]:
    return {
        n: r["Properties"]
        for n, r in load_template(MONITORING)["Resources"].items()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    }


def test_each_watched_metric_has_an_alarm_on_the_topic():
    found = set()
    for name, properties in alarms().items():
        assert properties["AlarmActions"] == ["AlarmTopicArn"]
        expected = "breaching" if name in HEARTBEATS else "notBreaching"
        assert properties["TreatMissingData"] == expected and properties["AlarmDescription"]
        (dimension,) = properties["Dimensions"]
        found.add((properties["Namespace"], properties["MetricName"], dimension["Value"]))
    assert found == WATCHED


def test_the_root_stack_hands_down_its_topic_and_holds_no_alarm():
    resources = load_template()["Resources"]
    assert not [n for n, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"]
    monitoring = resources["Monitoring"]["Properties"]
    assert monitoring["Location"] == "monitoring/template.yaml"
    assert monitoring["Parameters"]["AlarmTopicArn"] == TOPIC


def test_the_canary_alarms_follow_its_schedule():
    """One period per canary run, whatever CanaryMinutes is: two failing runs in a row alarm, and
    two periods without a finished run alarm."""
    nested = load_template(MONITORING)
    periods = nested["Mappings"]["CanaryPeriod"]
    for minutes in nested["Parameters"]["CanaryMinutes"]["AllowedValues"]:
        if minutes != "off":
            assert periods[minutes]["Seconds"] == int(minutes) * 60
    for name in ("CanaryFailuresAlarm", "CanaryHeartbeatAlarm"):
        properties = alarms()[name]
        assert properties["Period"] == ["CanaryPeriod", "CanaryMinutes", "Seconds"]
        assert (properties["EvaluationPeriods"], properties["DatapointsToAlarm"]) == (2, 2)
    root = load_template()
    assert (
        root["Parameters"]["CanaryMinutes"]["AllowedValues"]
        == nested["Parameters"]["CanaryMinutes"]["AllowedValues"]
    )
    schedule = root["Resources"]["CanaryFunction"]["Properties"]["Events"]["Schedule"]["Properties"][
        "Schedule"
    ]
    assert schedule == "rate(${CanaryMinutes} minutes)"


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
    body = json.loads(load_template(MONITORING)["Resources"]["Dashboard"]["Properties"]["DashboardBody"])
    titles = [widget["properties"]["title"] for widget in body["widgets"]]
    assert titles == ["Calls by how they were decided", "Route cache hit ratio (%)", "Latency (ms)", "Errors"]
