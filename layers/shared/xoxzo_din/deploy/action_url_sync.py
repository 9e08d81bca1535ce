"""Custom::ActionUrlSync: on stack create and update, every `active` number is pointed at the
resource's `ActionUrl`; on delete, nothing, answered before anything is built or read. Why, and its
rules (it never blocks a deploy; only a template error, an unknown RequestType or another stack's
request answers FAILED; it always answers the ResponseURL): docs/explanation/deploy-time-repointing.md.

A request whose StackId is not the function's own (`own_stack_id`) is refused without touching any
number; without `own_stack_id` (local runs, tests) any StackId is accepted. Observability (logs,
metrics) is the handler's: `serve` returns what happened.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import requests

from xoxzo_din.provisioning.errors import error_answer
from xoxzo_din.provisioning.provisioner import Provisioner
from xoxzo_din.provisioning.requests import SetActionUrlRequest, check_action_url
from xoxzo_din.provisioning.results import PointOutcome, SetActionUrlResult

logger = logging.getLogger(__name__)

PHYSICAL_RESOURCE_ID: Final = "xoxzo-din-action-url-sync"
# The answer: up to RESPONSE_ATTEMPTS PUTs of RESPONSE_TIMEOUT_SECONDS each. The invocation's last
# RESPONSE_RESERVE_SECONDS are kept free of XOXZO calls for it.
RESPONSE_TIMEOUT_SECONDS: Final = 5.0
RESPONSE_ATTEMPTS: Final = 3
RESPONSE_RESERVE_SECONDS: Final = RESPONSE_ATTEMPTS * RESPONSE_TIMEOUT_SECONDS + 5.0
# CloudFormation refuses responses over 4096 bytes: lists and echoed values are cut short.
DATA_TEXT_MAX_CHARS: Final = 1500
_SHOWN_CHARS: Final = 200

SUCCESS: Final = "SUCCESS"
FAILED: Final = "FAILED"

Send = Callable[[str, Mapping[str, Any]], bool]


def is_custom_resource_event(event: object) -> bool:
    return isinstance(event, Mapping) and "RequestType" in event and "ResponseURL" in event


@dataclass(frozen=True, slots=True)
class CustomResourceResult:
    body: dict[str, Any]  # the answer sent to CloudFormation
    not_repointed: list[PointOutcome] = field(default_factory=list)
    refused: str | None = None  # why the request was answered FAILED
    exception: Exception | None = None  # an unexpected error (answered SUCCESS, with Data.Error)
    delivered: bool = False  # whether CloudFormation accepted the answer


def serve(
    event: Mapping[str, Any],
    *,
    build_provisioner: Callable[[], Provisioner],
    own_stack_id: str | None,
    secret_id: str,
    log_stream_name: str,
    send: Send | None = None,
) -> CustomResourceResult:
    """Answer one custom-resource request, always sending the answer to its ResponseURL."""
    request_type = event.get("RequestType")
    status, refused = SUCCESS, None
    data: dict[str, str] = {}
    not_repointed: list[PointOutcome] = []
    exception: Exception | None = None
    try:
        if request_type == "Delete":
            data = {"Outcome": "nothing to do: deleting the stack cancels no number"}
        elif request_type not in ("Create", "Update"):
            refused = f"unknown RequestType {_shown(request_type)}"
        elif (foreign := _foreign_stack(event.get("StackId"), own_stack_id)) is not None:
            refused = foreign
        else:
            refused, data, not_repointed = _repoint(event, build_provisioner)
    except Exception as error:  # every failure still gets an answer; the handler logs it
        exception = error
        message = error_answer(error, secret_id=secret_id)["message"]
        data = {"Outcome": "error", "Error": message[:DATA_TEXT_MAX_CHARS]}
    if refused is not None:
        status = FAILED
    body = {
        "Status": status,
        "Reason": refused or f"See CloudWatch log stream {log_stream_name}",
        "PhysicalResourceId": event.get("PhysicalResourceId") or PHYSICAL_RESOURCE_ID,
        "StackId": event.get("StackId"),
        "RequestId": event.get("RequestId"),
        "LogicalResourceId": event.get("LogicalResourceId"),
        "NoEcho": False,
        "Data": data,
    }
    delivered = (send or send_response)(str(event.get("ResponseURL")), body)
    return CustomResourceResult(body, not_repointed, refused, exception, delivered)


def _foreign_stack(stack_id: object, own_stack_id: str | None) -> str | None:
    """Why a request of another stack is refused, or None when it is ours (or ours is unknown)."""
    if own_stack_id is None or stack_id == own_stack_id:
        return None
    return (
        f"refused: the request's StackId {_shown(stack_id)} is not this function's stack "
        f"{own_stack_id}; no number was touched"
    )


def _repoint(
    event: Mapping[str, Any], build_provisioner: Callable[[], Provisioner]
) -> tuple[str | None, dict[str, str], list[PointOutcome]]:
    """Point every active number at ActionUrl: (refusal, Data, numbers not re-pointed)."""
    properties = event.get("ResourceProperties")
    problems: list[str] = []
    action_url = check_action_url(
        properties.get("ActionUrl") if isinstance(properties, Mapping) else None, problems, "ActionUrl"
    )
    if action_url is None:
        return "; ".join(problems) or "the ActionUrl property is required", {}, []
    # The template gives the stack's own action URL: no further check of it (force).
    result = build_provisioner().execute(
        SetActionUrlRequest(din_uid=None, all_numbers=True, action_url=action_url, force=True)
    )
    assert isinstance(result, SetActionUrlResult)  # noqa: S101  (execute runs the request's operation)
    not_done = [outcome for outcome in result.numbers if outcome.outcome != "set"]
    data = {
        "Outcome": "partial" if not_done else "ok",
        "Repointed": str(result.set_count),
        "Failed": str(result.failed_count),
        "Skipped": str(result.skipped_count),
    }
    if not_done:
        listed = ", ".join(f"{outcome.din_uid}: {outcome.error}" for outcome in not_done)
        data["NotRepointed"] = listed[:DATA_TEXT_MAX_CHARS]
    return None, data, not_done


def send_response(response_url: str, body: Mapping[str, Any]) -> bool:
    """PUT the answer to CloudFormation's pre-signed S3 URL (empty content type, as it expects),
    up to RESPONSE_ATTEMPTS times; True once it is accepted."""
    payload = json.dumps(body).encode("utf-8")
    for attempt in range(1, RESPONSE_ATTEMPTS + 1):
        try:
            response = requests.put(
                response_url,
                data=payload,
                headers={"Content-Type": "", "Content-Length": str(len(payload))},
                timeout=RESPONSE_TIMEOUT_SECONDS,
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
    return False


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."
