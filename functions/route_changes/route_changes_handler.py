"""The RoutesTable's stream: every edit (a console edit, an import, a provisioning write) is kept in
the history table, and the numbers it touched are checked as `xoxzo-din routes check` does; a
problem callers would hear (an item the action function skips, a broken block list...) is sent to
the alarm topic within a minute, naming the number, the rule, the problem and the fix.

Thin: it parses the records, hands them to the layer (route_changes, route_checks) and reports the
records it could not handle, so that only those are retried (ReportBatchItemFailures).
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from xoxzo_din.route_changes import alerts
from xoxzo_din.route_changes.settings import RouteChangesSettings
from xoxzo_din.route_checks.check import check_routes
from xoxzo_din.routing.settings import BUILTIN_FALLBACK
from xoxzo_din.tables import history
from xoxzo_din.tables.routes import items_of
from xoxzo_din.tables.schema import GLOBAL_NUMBER
from xoxzo_din.tables.snapshot import Routes

logger = Logger()
metrics = Metrics()
settings = RouteChangesSettings.from_environment()
dynamodb = boto3.resource("dynamodb")
sns = boto3.client("sns")


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    changes: list[history.Change] = []
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        try:
            changes.append(history.Change.of_stream_record(record))
        except (KeyError, TypeError, ValueError):
            logger.exception("unreadable stream record", extra={"event_id": record.get("eventID")})
            failures.append({"itemIdentifier": str(record.get("dynamodb", {}).get("SequenceNumber", ""))})
    history.record_changes(dynamodb.Table(settings.history_table), changes, settings.retention_days)
    metrics.add_metric(name="RouteChanges", unit=MetricUnit.Count, value=len(changes))
    for number in sorted({change.number for change in changes}):
        alerted = check_number(number)
        if alerted:
            metrics.add_metric(name="RouteEditAlerts", unit=MetricUnit.Count, value=1)
    return {"batchItemFailures": failures}


def check_number(number: str) -> bool:
    """Check the number as it is now; alert the topic on a problem. True when an alert was sent."""
    table = dynamodb.Table(settings.routes_table)
    numbers = [number] if number == GLOBAL_NUMBER else [number, GLOBAL_NUMBER]
    items = {n: items_of(table, n) for n in numbers}
    routes = Routes({n: found for n, found in items.items() if found})
    findings = check_routes(
        routes, numbers=[] if number == GLOBAL_NUMBER else [number], fallback=BUILTIN_FALLBACK
    )
    worth = [f for f in alerts.alerting(findings) if f.number == number]
    if not worth:
        return False
    subject, body = alerts.message(number, worth, who="see CloudTrail for who made it")
    logger.warning("route edit left problems", extra={"number": number, "problems": len(worth)})
    sns.publish(TopicArn=settings.alarm_topic, Subject=subject, Message=body)
    return True
