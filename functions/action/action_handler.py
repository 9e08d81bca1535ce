"""XOXZO's incoming-call call-back: GET /action/{secret}?caller=...&recipient=... -> one action line.

Thin on purpose: it checks the secret, reads the query and shapes the HTTP answer; the routing
lives in the shared layer (xoxzo_din.routing). A call is always answered with something playable.

The API Gateway HTTP API sends only this function's route, GET /action/<secret> (the path is the
secret: any other is answered 404 by API Gateway), so the event is read directly: Powertools'
event handler would add imports to every cold start for a single route
(docs/decisions.md#no-powertools-event-handler-on-the-call-path).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from xoxzo_din.access import secret_matches
from xoxzo_din.routing.actions import render
from xoxzo_din.routing.settings import ActionSettings, build_router
from xoxzo_din.telemetry import Logger, Metrics, MetricUnit

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

TEXT_PLAIN = "text/plain; charset=utf-8"
ACTION_PATH = "/action/"
# A timeEpoch outside these years is unusable: the rules look a day around the call.
_FIRST_YEAR, _LAST_YEAR = 1971, 9998

# Built once per container: configuration, the DynamoDB client, the route cache and the global
# default (read now, so that no call needs two reads).
settings = ActionSettings.from_environment()
logger = Logger(settings.service_name, settings.log_level)
metrics = Metrics(settings.metrics_namespace, settings.service_name)
for problem in settings.problems:
    logger.error("configuration problem", extra={"problem": problem})
router, routes_reader = build_router(settings)
_global_problems, _global_error = router.load_global()
for problem in _global_problems:
    logger.warning("malformed route item skipped", extra={"problem": problem})
if _global_error:
    logger.warning("global default not read at start-up", extra={"error": _global_error})
# Metrics are published per invocation: the first one also counts what start-up found.
_startup_metrics: dict[str, int] = {
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


@dataclass(frozen=True, slots=True)
class CallEvent:
    """What the handler reads of an API Gateway event, whatever the event holds: a field of the
    wrong type counts as absent, so no event can make the handler raise."""

    secret: str
    recipient: str | None
    caller: str | None
    at: datetime
    canary: bool = False  # a probe of the canary (its query has canary=1)

    @classmethod
    def of(cls, event: object) -> CallEvent:
        fields = _mapping(event)
        query = _mapping(fields.get("queryStringParameters"))
        path = _text(fields.get("rawPath")) or ""
        return cls(
            # The route is the secret itself (template.yaml): GET /action/<secret>.
            secret=path.removeprefix(ACTION_PATH) if path.startswith(ACTION_PATH) else "",
            recipient=_text(query.get("recipient")),
            caller=_text(query.get("caller")),
            # API Gateway's receive time: the moment of the call, also in `sam local invoke` events.
            at=_moment(_mapping(fields.get("requestContext")).get("timeEpoch")),
            canary=query.get("canary") == "1",
        )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _moment(epoch_ms: object) -> datetime:
    """The call's moment from milliseconds since 1970; now when that is unusable (not a finite
    number, or outside the years the rules can reason about)."""
    if isinstance(epoch_ms, int | float) and not isinstance(epoch_ms, bool) and math.isfinite(epoch_ms):
        try:
            moment = datetime.fromtimestamp(epoch_ms / 1000, UTC)
        except (OverflowError, OSError, ValueError):
            return datetime.now(UTC)
        if _FIRST_YEAR <= moment.year <= _LAST_YEAR:
            return moment
    return datetime.now(UTC)


def answer_call(event: object) -> dict[str, Any]:
    report_startup_metrics()
    call = CallEvent.of(event)
    if not secret_matches(call.secret, settings.secrets):
        metrics.add_metric(name="ForbiddenRequests", unit=MetricUnit.Count, value=1)
        return respond(403, "Forbidden")
    try:
        answer = router.answer(call.recipient, call.caller, call.at)
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
    # The canary's probes (canary=1) are counted and logged apart: reports count real calls only.
    metrics.add_metric(
        name="CanaryCalls" if call.canary else _METRIC_BY_SOURCE.get(answer.source, "AnsweredByRule"),
        unit=MetricUnit.Count,
        value=1,
    )
    metrics.add_metric(
        name="RouteCacheHits" if answer.routes == "cache" else "RouteCacheMisses",
        unit=MetricUnit.Count,
        value=1,
    )
    metrics.add_metric(name="DynamoDBRequests", unit=MetricUnit.Count, value=answer.requests)
    logger.info(
        "canary call answered" if call.canary else "call answered",
        extra={
            "recipient": answer.recipient or mask(call.recipient),
            "caller": mask(call.caller),
            "anonymous_caller": answer.anonymous_caller,
            "decided_by": answer.source,
            "routes": answer.routes,
            "action": answer.line,
        },
    )
    return respond(200, answer.line)


def mask(value: str | None) -> str | None:
    """Callers are personal data: logs keep the last four characters, enough to recognise a
    number, and never the length of what was sent (at most 7 characters logged)."""
    if not value:
        return value
    return "***" + value[-4:] if len(value) > 4 else "***"


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    return answer_call(event)
