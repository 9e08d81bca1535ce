"""The provisioning function: manages the numbers at XOXZO (search, subscribe, list, set-action-url,
cancel, sync) on direct invocation, and serves the Custom::ActionUrlSync custom resource.

Thin on purpose: it parses the event, builds the XOXZO client (credentials from Secrets Manager,
cached), dispatches to xoxzo_din.provisioning and shapes the answer:

    {"ok": true, "operation": "...", "result": {...}}
    {"ok": false, "operation": "...", "error": {"type": "...", "message": "...", "problems": [...]}}

Credentials never appear in answers or logs; action URLs are shown with their secret redacted.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import requests
from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities import parameters
from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError, TransformParameterError
from aws_lambda_powertools.utilities.typing import LambdaContext

from xoxzo_din.numbers_store import NumbersStore, RecordChangedError
from xoxzo_din.provisioning import (
    CancelRequest,
    InvalidRequestError,
    ListRequest,
    Provisioner,
    ProvisioningError,
    Request,
    SearchRequest,
    SetActionUrlRequest,
    SubscribeRequest,
    SyncRequest,
    check_action_url,
    parse_request,
)
from xoxzo_din.provisioning import DynamoDbRoutesWriter as RoutesWriter
from xoxzo_din.xoxzo_api import (
    DEFAULT_BASE_URL,
    XoxzoApiError,
    XoxzoAuthError,
    XoxzoClient,
    XoxzoCredentials,
    XoxzoCredentialsError,
    XoxzoError,
    XoxzoNotFoundError,
    XoxzoProtocolError,
    XoxzoUnavailableError,
    XoxzoValidationError,
)

logger = Logger()
metrics = Metrics()

# Credentials are read at most every 5 minutes per container: a rotated secret is picked up soon,
# and Secrets Manager is not called on every invocation.
SECRET_MAX_AGE_SECONDS = 300

# Custom resource: stop starting XOXZO calls when less than this is left, so that CloudFormation
# always gets its answer before the function times out. One call with CUSTOM_RESOURCE_CLIENT takes
# at most about 2 x (3.05 + 5) s plus a backoff of up to 2 s; the answer itself up to 3 x 5 s.
CUSTOM_RESOURCE_MARGIN_MS = 40_000
CFN_RESPONSE_TIMEOUT_SECONDS = 5.0
CFN_RESPONSE_ATTEMPTS = 3
# CloudFormation refuses responses over 4096 bytes: the list of failures is cut short.
CFN_FAILED_LIST_MAX_CHARS = 1500
PHYSICAL_RESOURCE_ID = "xoxzo-din-action-url-sync"


@dataclass(frozen=True)
class ClientSettings:
    connect_timeout: float = 3.05
    read_timeout: float = 15.0
    max_attempts: int = 4
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    sleep: Callable[[float], None] | None = None  # None: time.sleep


# Operations run by a person can wait; a deployment must not.
OPERATION_CLIENT = ClientSettings()
CUSTOM_RESOURCE_CLIENT = ClientSettings(read_timeout=5.0, max_attempts=2, backoff_max=2.0)


def xoxzo_client_factory(settings: ClientSettings) -> Callable[[], XoxzoClient]:
    """Build the client only when XOXZO is really called (see Provisioner)."""

    def build() -> XoxzoClient:
        secret_id = os.environ["XOXZO_CREDENTIALS_SECRET_ID"]
        secret: Mapping[str, Any] = parameters.get_secret(
            secret_id, transform="json", max_age=SECRET_MAX_AGE_SECONDS
        )
        if not isinstance(secret, Mapping):
            raise XoxzoCredentialsError("XOXZO credentials unusable: the secret is not a JSON object")
        options: dict[str, Any] = {
            "connect_timeout": settings.connect_timeout,
            "read_timeout": settings.read_timeout,
            "max_attempts": settings.max_attempts,
            "backoff_base": settings.backoff_base,
            "backoff_max": settings.backoff_max,
        }
        if settings.sleep is not None:
            options["sleep"] = settings.sleep
        base_url = os.environ.get("XOXZO_API_BASE_URL") or DEFAULT_BASE_URL
        return XoxzoClient(XoxzoCredentials.from_mapping(secret), base_url, **options)

    return build


def build_provisioner(settings: ClientSettings) -> Provisioner:
    # Built per invocation: provisioning runs rarely, and this keeps no state between operators.
    return Provisioner(
        client_factory=xoxzo_client_factory(settings),
        numbers=NumbersStore.from_environment(),
        routes=RoutesWriter.from_environment(),
        action_url=os.environ.get("ACTION_URL") or None,
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "RequestType" in event and "ResponseURL" in event:
        return handle_custom_resource(event, context)
    return handle_operation(event)


# --- Direct invocation ---------------------------------------------------------------------------


def handle_operation(event: Mapping[str, Any]) -> dict[str, Any]:
    operation = event.get("operation") if isinstance(event, Mapping) else None
    logger.append_keys(
        operation=operation, din_uid=event.get("din_uid") if isinstance(event, Mapping) else None
    )
    metrics.add_metric(name="Operations", unit=MetricUnit.Count, value=1)
    try:
        if not isinstance(event, Mapping):
            raise InvalidRequestError(["the event must be a JSON object with an 'operation'"])
        request = parse_request(event)
        result = dispatch(build_provisioner(OPERATION_CLIENT), request)
    except Exception as error:  # every failure becomes an answer; the logs keep the details
        answer = error_answer(error)
        log = logger.warning if answer["type"] in _EXPECTED_ERRORS else logger.exception
        log("operation failed", extra={"error_type": answer["type"], "error": answer["message"]})
        metrics.add_metric(name="OperationErrors", unit=MetricUnit.Count, value=1)
        return {"ok": False, "operation": operation, "error": answer}
    logger.info("operation done")
    return {"ok": True, "operation": operation, "result": result}


def dispatch(provisioner: Provisioner, request: Request) -> dict[str, Any]:
    match request:
        case SearchRequest(country=country, prefix=prefix):
            return asdict(provisioner.search(country, prefix))
        case SubscribeRequest(din_uid=din_uid):
            subscribed = provisioner.subscribe(din_uid)
            if subscribed.outcome == "subscribed":
                metrics.add_metric(name="NumbersSubscribed", unit=MetricUnit.Count, value=1)
            return asdict(subscribed)
        case ListRequest():
            return asdict(provisioner.list_numbers())
        case SetActionUrlRequest(din_uid=din_uid, all_numbers=all_numbers, action_url=action_url):
            return asdict(provisioner.set_action_url(din_uid, all_numbers=all_numbers, action_url=action_url))
        case CancelRequest(din_uid=din_uid, confirm=confirm, delete_routes=delete_routes):
            cancelled = provisioner.cancel(din_uid, confirm=confirm, delete_routes=delete_routes)
            metrics.add_metric(name="NumbersCancelled", unit=MetricUnit.Count, value=1)
            return asdict(cancelled)
        case SyncRequest():
            report = provisioner.sync()
            metrics.add_metric(name="SyncRepairs", unit=MetricUnit.Count, value=len(report.actions))
            metrics.add_metric(name="SyncErrors", unit=MetricUnit.Count, value=len(report.errors))
            return asdict(report)
    raise AssertionError(f"unhandled request {request!r}")  # pragma: no cover - parse_request is exhaustive


# Errors that are answers, not bugs: logged as warnings, without a stack trace.
_EXPECTED_ERRORS = frozenset(
    {
        "InvalidRequest",
        "NotHeld",
        "NotAvailable",
        "Conflict",
        "OutcomeUnknown",
        "CredentialsError",
        "ConfigurationError",
        "XoxzoAuthError",
        "XoxzoValidationError",
        "XoxzoNotFound",
        "XoxzoApiError",
        "XoxzoUnavailable",
        "XoxzoProtocolError",
    }
)


def error_answer(error: Exception) -> dict[str, Any]:
    """{"type", "message", "problems"} for an answer. Messages are ours or the XOXZO client's, which
    never carry credentials; unexpected errors say only their type."""
    match error:
        case ProvisioningError():
            return _error(error.kind, error.message, error.problems)
        case RecordChangedError():
            return _error("Conflict", str(error))
        case XoxzoCredentialsError():
            return _error(
                "CredentialsError",
                f'{error}: put {{"sid": ..., "auth_token": ...}} in the secret {_secret_id()}',
            )
        case GetParameterError() | TransformParameterError():
            return _error(
                "ConfigurationError",
                f"cannot read the XOXZO credentials secret {_secret_id()} as JSON ({type(error).__name__})",
            )
        case KeyError():
            return _error("ConfigurationError", f"missing environment variable {error}")
        case XoxzoAuthError():
            return _error(
                "XoxzoAuthError",
                f"XOXZO refused the credentials (HTTP {error.status}): check the SID and auth token in "
                f"{_secret_id()}, and the account's IP allow-list",
            )
        case XoxzoValidationError():
            return _error("XoxzoValidationError", str(error))
        case XoxzoNotFoundError():
            return _error("XoxzoNotFound", str(error))
        case XoxzoApiError():
            return _error("XoxzoApiError", str(error))
        case XoxzoUnavailableError():
            return _error("XoxzoUnavailable", f"{error}; nothing was changed here, try again later")
        case XoxzoProtocolError():
            return _error("XoxzoProtocolError", str(error))
        case XoxzoError():
            return _error("XoxzoError", type(error).__name__)
    return _error("InternalError", f"unexpected {type(error).__name__}; see the function's logs")


def _error(kind: str, message: str, problems: list[str] | None = None) -> dict[str, Any]:
    return {"type": kind, "message": message, "problems": problems or []}


def _secret_id() -> str:
    return os.environ.get("XOXZO_CREDENTIALS_SECRET_ID", "(XOXZO_CREDENTIALS_SECRET_ID unset)")


# --- Custom::ActionUrlSync -------------------------------------------------------------------------


def handle_custom_resource(event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Create/Update: re-point every number we hold to ActionUrl. Delete: nothing (cancel nothing).

    Answers SUCCESS even when XOXZO fails (a deploy must not roll back because XOXZO is down or the
    secret still holds the placeholder): Data lists what failed, the logs and a metric tell.
    Answers FAILED only for a template error (no valid ActionUrl). Always answers.
    """
    request_type = event.get("RequestType")
    logger.append_keys(custom_resource=request_type, stack_id=event.get("StackId"))
    metrics.add_metric(name="CustomResourceRequests", unit=MetricUnit.Count, value=1)
    status, reason = "SUCCESS", ""
    data: dict[str, str] = {}
    try:
        if request_type in ("Create", "Update"):
            status, reason, data = _sync_action_urls(event, context)
        elif request_type == "Delete":
            data = {"Outcome": "nothing to do: deleting the stack cancels no number"}
        else:
            status, reason = "FAILED", f"unknown RequestType {request_type!r}"
    except Exception as error:
        logger.exception("action URL sync failed")
        metrics.add_metric(name="ActionUrlSyncFailures", unit=MetricUnit.Count, value=1)
        data = {"Outcome": "error", "Error": error_answer(error)["message"][:CFN_FAILED_LIST_MAX_CHARS]}
    body = {
        "Status": status,
        "Reason": reason or f"See CloudWatch log stream {getattr(context, 'log_stream_name', '?')}",
        "PhysicalResourceId": event.get("PhysicalResourceId") or PHYSICAL_RESOURCE_ID,
        "StackId": event.get("StackId"),
        "RequestId": event.get("RequestId"),
        "LogicalResourceId": event.get("LogicalResourceId"),
        "NoEcho": False,
        "Data": data,
    }
    send_cfn_response(str(event.get("ResponseURL")), body)
    return body


def _sync_action_urls(event: Mapping[str, Any], context: LambdaContext) -> tuple[str, str, dict[str, str]]:
    properties = event.get("ResourceProperties") or {}
    problems: list[str] = []
    action_url = check_action_url(properties.get("ActionUrl"), problems, "ActionUrl")
    if action_url is None:
        return "FAILED", "; ".join(problems) or "the ActionUrl property is required", {}

    def has_time() -> bool:
        return context.get_remaining_time_in_millis() > CUSTOM_RESOURCE_MARGIN_MS

    result = build_provisioner(CUSTOM_RESOURCE_CLIENT).set_action_url(
        all_numbers=True, action_url=action_url, has_time=has_time
    )
    not_done = [outcome for outcome in result.numbers if outcome.outcome != "set"]
    data = {
        "Outcome": "partial" if not_done else "ok",
        "Repointed": str(result.set_count),
        "Failed": str(result.failed_count),
        "Skipped": str(result.skipped_count),
    }
    if not_done:
        listed = ", ".join(f"{outcome.din_uid}: {outcome.error}" for outcome in not_done)
        data["NotRepointed"] = listed[:CFN_FAILED_LIST_MAX_CHARS]
        logger.error(
            "some numbers were not re-pointed to this stack's action URL; run set-action-url all=true",
            extra={"not_repointed": [asdict(outcome) for outcome in not_done]},
        )
        metrics.add_metric(name="ActionUrlSyncFailures", unit=MetricUnit.Count, value=len(not_done))
    logger.info("action URL sync done", extra={"data": data})
    return "SUCCESS", "", data


def send_cfn_response(response_url: str, body: Mapping[str, Any]) -> bool:
    """PUT the answer to CloudFormation's pre-signed S3 URL (empty content type, as it expects)."""
    payload = json.dumps(body).encode("utf-8")
    for attempt in range(1, CFN_RESPONSE_ATTEMPTS + 1):
        try:
            response = requests.put(
                response_url,
                data=payload,
                headers={"Content-Type": "", "Content-Length": str(len(payload))},
                timeout=CFN_RESPONSE_TIMEOUT_SECONDS,
            )
        except requests.RequestException as error:
            # The type only: the message would contain the pre-signed URL and its signature.
            logger.warning(
                "CloudFormation response not delivered",
                extra={"attempt": attempt, "error": type(error).__name__},
            )
            continue
        if response.ok:
            return True
        logger.warning(
            "CloudFormation response refused", extra={"attempt": attempt, "status": response.status_code}
        )
    logger.error("CloudFormation response could not be delivered: the stack will wait for a timeout")
    metrics.add_metric(name="CustomResourceResponseFailures", unit=MetricUnit.Count, value=1)
    return False
