"""XOXZO's incoming-call call-back: GET /action/{secret}?caller=...&recipient=... -> one action line.

Thin on purpose: it checks the secret, reads the query and shapes the HTTP answer; the routing
lives in the shared layer (xoxzo_din.routing). A call is always answered with something playable.

The API Gateway HTTP API sends only this function's two routes (GET /action/{secret} and
GET /action), so the event is read directly: Powertools' event handler would add imports to
every cold start for a single route (docs/decisions.md#no-powertools-event-handler-on-the-call-path).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from xoxzo_din.access import secret_matches
from xoxzo_din.routing.actions import render
from xoxzo_din.routing.settings import ActionSettings, build_router

TEXT_PLAIN = "text/plain; charset=utf-8"

logger = Logger()
metrics = Metrics()

# Built once per container: configuration, the DynamoDB client, the route cache and the global
# default (read now, so that no call needs two reads).
settings = ActionSettings.from_environment()
router, routes_reader = build_router(settings)
for problem in settings.problems:
    logger.error("configuration problem", extra={"problem": problem})
_global_problems, _global_error = router.load_global()
for problem in _global_problems:
    logger.warning("malformed route item skipped", extra={"problem": problem})
if _global_error:
    logger.warning("global default not read at start-up", extra={"error": _global_error})
# Metrics are published per invocation: the first one also counts what start-up found.
_startup_metrics = {
    "ConfigurationProblems": len(settings.problems),
    "MalformedRouteItems": len(_global_problems),
    "RouteLookupErrors": int(_global_error is not None),
}

_METRIC_BY_SOURCE = {
    "number-default": "AnsweredByNumberDefault",
    "global-default": "AnsweredByGlobalDefault",
    "fallback": "AnsweredByFallback",
}


def respond(status: int, body: str) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": TEXT_PLAIN},
        "body": body,
        "isBase64Encoded": False,
    }


def report_startup_metrics() -> None:
    for name, value in _startup_metrics.items():
        if value:
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    _startup_metrics.clear()


def answer_call(event: dict[str, Any]) -> dict[str, Any]:
    report_startup_metrics()
    secret = (event.get("pathParameters") or {}).get("secret") or ""
    if not secret_matches(secret, settings.secrets):
        metrics.add_metric(name="ForbiddenRequests", unit=MetricUnit.Count, value=1)
        return respond(403, "Forbidden")
    query: dict[str, str] = event.get("queryStringParameters") or {}
    # API Gateway's receive time: the moment of the call, also in `sam local invoke` events.
    epoch_ms = (event.get("requestContext") or {}).get("timeEpoch")
    at = datetime.fromtimestamp(epoch_ms / 1000, UTC) if epoch_ms else datetime.now(UTC)
    try:
        answer = router.answer(query.get("recipient"), query.get("caller"), at)
    except Exception:  # the router is built not to raise; never let a caller hear an error
        logger.exception("routing failed, answering the fallback action")
        metrics.add_metric(name="AnsweredByFallback", unit=MetricUnit.Count, value=1)
        return respond(200, render(settings.fallback))

    for problem in answer.problems:
        logger.warning("malformed route item skipped", extra={"problem": problem})
    if answer.problems:
        metrics.add_metric(name="MalformedRouteItems", unit=MetricUnit.Count, value=len(answer.problems))
    if answer.lookup_error:
        logger.warning("route lookup failed", extra={"error": answer.lookup_error, "routes": answer.routes})
        metrics.add_metric(name="RouteLookupErrors", unit=MetricUnit.Count, value=1)
    metrics.add_metric(
        name=_METRIC_BY_SOURCE.get(answer.source, "AnsweredByRule"), unit=MetricUnit.Count, value=1
    )
    metrics.add_metric(
        name="RouteCacheHits" if answer.routes == "cache" else "RouteCacheMisses",
        unit=MetricUnit.Count,
        value=1,
    )
    metrics.add_metric(name="DynamoDBRequests", unit=MetricUnit.Count, value=answer.requests)
    logger.info(
        "call answered",
        extra={
            "recipient": answer.recipient or query.get("recipient"),
            "caller": mask(query.get("caller")),
            "anonymous_caller": answer.anonymous_caller,
            "decided_by": answer.source,
            "routes": answer.routes,
            "action": answer.line,
        },
    )
    return respond(200, answer.line)


def mask(caller: str | None) -> str | None:
    """Callers are personal data: logs keep enough to recognise a number, not the number."""
    if not caller:
        return caller
    return "*" * max(len(caller) - 4, 0) + caller[-4:]


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return answer_call(event)
