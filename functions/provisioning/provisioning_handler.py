"""The provisioning function: manages the numbers at XOXZO (search, subscribe, list, set-action-url,
cancel, sync) on direct invocation, and serves the Custom::ActionUrlSync custom resource.

Thin on purpose: it parses the event, dispatches to the shared layer and shapes the answer (plus
the logs and metrics of what happened):

    {"ok": true, "operation": "...", "result": {...}}
    {"ok": false, "operation": "...", "error": {"type": "...", "message": "...", "problems": [...]}}

The layer's xoxzo_din.provisioning package holds the rest: `requests` (the one validator),
`provisioner` (one module per operation behind it), `runtime` (settings, credentials, time budgets),
and `errors` (error kinds and answers); the deploy-time custom resource is
xoxzo_din.deploy.action_url_sync. The operations and their answers:
docs/reference/provisioning-operations.md.

Credentials never appear in answers or logs; action URLs are shown with their secret redacted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, Final

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from xoxzo_din.deploy import action_url_sync
from xoxzo_din.provisioning import runtime
from xoxzo_din.provisioning.errors import (
    CancelledIncompletelyError,
    InvalidRequestError,
    SubscribedIncompletelyError,
    error_answer,
    is_expected,
    is_incomplete,
)
from xoxzo_din.provisioning.provisioner import Provisioner
from xoxzo_din.provisioning.requests import Request, SetActionUrlRequest, parse_request
from xoxzo_din.provisioning.results import CancelResult, SubscribeResult, SyncReport, redact_url

logger = Logger()
metrics = Metrics()

# The subscribe and cancel outcomes that count: XOXZO subscribed or cancelled the number just now,
# or answered a cancel with 404 (the number was already gone there, cancelled by someone else).
# `already_held`, `adopted` and `already_cancelled` changed nothing at XOXZO: they count nothing.
OUTCOME_METRICS: Final = {
    "subscribed": "NumbersSubscribed",
    "cancelled": "NumbersCancelled",
    "already_gone": "NumbersAlreadyGone",
}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if action_url_sync.is_custom_resource_event(event):
        return handle_custom_resource(event, context)
    return handle_operation(event, context)


# --- Direct invocation ---------------------------------------------------------------------------


def handle_operation(event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
    operation = event.get("operation") if isinstance(event, Mapping) else None
    logger.append_keys(
        operation=operation, din_uid=event.get("din_uid") if isinstance(event, Mapping) else None
    )
    metrics.add_metric(name="Operations", unit=MetricUnit.Count, value=1)
    try:
        if not isinstance(event, Mapping):
            raise InvalidRequestError(["the event must be a JSON object with an 'operation'"])
        request = parse_request(event)
        settings = runtime.OPERATION_CLIENT
        budget = runtime.time_budget(
            context.get_remaining_time_in_millis, settings, runtime.OPERATION_RESERVE_SECONDS
        )
        result = dispatch(runtime.build_provisioner(settings, budget), request)
    except Exception as error:  # every failure becomes an answer; the logs keep the details
        answer = error_answer(error, secret_id=runtime.secret_id())
        extra = {"error_type": answer["type"], "error": answer["message"]}
        if is_expected(answer):
            logger.warning("operation failed", extra=extra)
        elif is_incomplete(answer):
            # XOXZO applied it, our records lag behind: a person must run sync. An error, with the
            # stack trace of the step that failed.
            logger.exception("operation applied at XOXZO but unfinished here: run sync", extra=extra)
        else:
            logger.exception("operation failed", extra=extra)
        if isinstance(error, SubscribedIncompletelyError | CancelledIncompletelyError):
            count_outcome(error.outcome)  # XOXZO did subscribe or cancel it
        metrics.add_metric(name="OperationErrors", unit=MetricUnit.Count, value=1)
        return {"ok": False, "operation": operation, "error": answer}
    logger.info("operation done")
    return {"ok": True, "operation": operation, "result": result}


def dispatch(provisioner: Provisioner, request: Request) -> dict[str, Any]:
    """Run the request; count what it did; the result as JSON-able data."""
    if isinstance(request, SetActionUrlRequest) and request.force:
        logger.warning(
            "set-action-url forced to a URL that is not this stack's API",
            extra={"action_url": redact_url(request.action_url), "all": request.all_numbers},
        )
    result = provisioner.execute(request)
    match result:
        case SubscribeResult() | CancelResult():
            count_outcome(result.outcome)
        case SyncReport():
            metrics.add_metric(name="SyncRepairs", unit=MetricUnit.Count, value=len(result.repairs()))
            metrics.add_metric(name="SyncErrors", unit=MetricUnit.Count, value=len(result.errors))
            # Numbers on the XOXZO account that point at another server: worth a look, not an error.
            metrics.add_metric(name="ForeignNumbers", unit=MetricUnit.Count, value=len(result.foreign))
    return asdict(result)


def count_outcome(outcome: str) -> None:
    """The metric of a subscribe or cancel outcome (OUTCOME_METRICS), if it has one."""
    name = OUTCOME_METRICS.get(outcome)
    if name is not None:
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


# --- Custom::ActionUrlSync -------------------------------------------------------------------------


def handle_custom_resource(event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
    """See xoxzo_din.deploy.action_url_sync: SUCCESS even when XOXZO fails, FAILED for a
    template error or another stack's request, and always an answer to CloudFormation."""
    logger.append_keys(custom_resource=event.get("RequestType"), stack_id=event.get("StackId"))
    metrics.add_metric(name="CustomResourceRequests", unit=MetricUnit.Count, value=1)
    settings = runtime.CUSTOM_RESOURCE_CLIENT
    budget = runtime.time_budget(
        context.get_remaining_time_in_millis, settings, action_url_sync.RESPONSE_RESERVE_SECONDS
    )
    result = action_url_sync.serve(
        event,
        build_provisioner=lambda: runtime.build_provisioner(settings, budget),
        own_stack_id=runtime.own_stack_id(),
        secret_id=runtime.secret_id(),
        log_stream_name=getattr(context, "log_stream_name", "?"),
    )
    if result.exception is not None:
        logger.error("action URL sync failed", exc_info=result.exception)
        metrics.add_metric(name="ActionUrlSyncFailures", unit=MetricUnit.Count, value=1)
    if result.not_repointed:
        logger.error(
            "some numbers were not re-pointed to this stack's action URL; run set-action-url all=true",
            extra={"not_repointed": [asdict(outcome) for outcome in result.not_repointed]},
        )
        metrics.add_metric(
            name="ActionUrlSyncFailures", unit=MetricUnit.Count, value=len(result.not_repointed)
        )
    if result.refused is not None:
        logger.error("custom resource request refused", extra={"reason": result.refused})
    if not result.delivered:
        logger.error("CloudFormation response could not be delivered: the stack will wait for a timeout")
        metrics.add_metric(name="CustomResourceResponseFailures", unit=MetricUnit.Count, value=1)
    logger.info(
        "custom resource answered", extra={"status": result.body["Status"], "data": result.body["Data"]}
    )
    return result.body
