"""The ProvisioningFunction, invoked the way an operator should: through the Lambda API (the local
invoke endpoint of `make local`, or the deployed function), waiting longer than the function can run
and never sending an operation twice. Credentials stay in Secrets Manager; every operation keeps
its write order and record, because the function does the work."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from botocore.config import Config

from xoxzo_din.provisioning.errors import ERROR_KINDS, INTERNAL_ERROR
from xoxzo_din_cli.common import EXIT_STACK
from xoxzo_din_cli.stack import Stack

# Longer than the function's Timeout (120 s in template.yaml; a test keeps this above it): botocore's
# default 60 s read timeout would give up on a long sync and, with retries, invoke it again.
READ_TIMEOUT_SECONDS: Final = 150
_INVOKE_CONFIG = Config(
    connect_timeout=10, read_timeout=READ_TIMEOUT_SECONDS, retries={"total_max_attempts": 1}
)

# Exit statuses of the numbers and doctor commands, by what the operator must do next
# (docs/reference/operator-tool.md#exit-statuses).
EXIT_INVALID = 2
EXIT_REFUSED = 5
EXIT_RUN_SYNC = 6
EXIT_CREDENTIALS = 7
EXIT_XOXZO = 8
EXIT_BUG = 9

# Every error kind the function answers: its exit status and the operator's next step.
NEXT_STEPS: Final[Mapping[str, tuple[int, str]]] = {
    "InvalidRequest": (EXIT_INVALID, "correct the problems listed and run it again"),
    "NotHeld": (
        EXIT_REFUSED,
        "check the din_uid with `xoxzo-din numbers list`; run `numbers sync` if XOXZO has it",
    ),
    "NotAvailable": (EXIT_REFUSED, "search again (`xoxzo-din numbers search`) and pick a listed din_uid"),
    "Conflict": (
        EXIT_REFUSED,
        "wait for the other operation, or run `xoxzo-din numbers sync`, then try again",
    ),
    "ForeignNumber": (EXIT_REFUSED, "if it is yours to take, run `xoxzo-din numbers sync --adopt DIN_UID`"),
    "OutcomeUnknown": (EXIT_RUN_SYNC, "run `xoxzo-din numbers sync` to settle it; never repeat it blindly"),
    "SubscribedIncompletely": (EXIT_RUN_SYNC, "the number IS billed: run `xoxzo-din numbers sync` to finish"),
    "CancelledIncompletely": (
        EXIT_RUN_SYNC,
        "run `xoxzo-din numbers sync` (or cancel again, as the message says)",
    ),
    "CredentialsError": (EXIT_CREDENTIALS, "put the XOXZO sid and auth_token in the credentials secret"),
    "ConfigurationError": (EXIT_CREDENTIALS, "check the function's environment and its access to the secret"),
    "XoxzoAuthError": (EXIT_CREDENTIALS, "check the credentials in the secret, and XOXZO's IP allow-list"),
    "XoxzoValidationError": (EXIT_REFUSED, "XOXZO refused the input: check the din_uid or URL"),
    "XoxzoNotFound": (EXIT_REFUSED, "XOXZO does not know it: check with `xoxzo-din numbers list`"),
    "XoxzoApiError": (EXIT_XOXZO, "try again later; if it persists, ask XOXZO"),
    "XoxzoUnavailable": (EXIT_XOXZO, "XOXZO did not answer in time: try again later"),
    "XoxzoProtocolError": (
        EXIT_XOXZO,
        "XOXZO answered something unexpected: try again later, then ask XOXZO",
    ),
    "XoxzoError": (EXIT_XOXZO, "try again later"),
    INTERNAL_ERROR: (EXIT_BUG, "a bug: the function's logs have the stack trace"),
    # Not the function's: the invocation itself failed.
    "Invoke": (EXIT_STACK, "check `make local` runs, or your AWS credentials and lambda:InvokeFunction"),
}


class OperationError(Exception):
    """The function answered ok=false (or could not be invoked)."""

    def __init__(self, kind: str, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(kind, message)
        self.kind, self.message, self.problems = kind, message, problems

    @property
    def exit_status(self) -> int:
        return NEXT_STEPS.get(self.kind, (EXIT_BUG, ""))[0]

    @property
    def next_step(self) -> str:
        return NEXT_STEPS.get(self.kind, (EXIT_BUG, "see the function's logs"))[1]

    def sentence(self) -> str:
        meaning = ERROR_KINDS.get(self.kind, "")
        lead = f"{self.kind}: {self.message}" if self.message else f"{self.kind}: {meaning}"
        return f"{lead}. Next: {self.next_step}."


def invoke(stack: Stack, event: Mapping[str, Any]) -> dict[str, Any]:
    """Run one operation; its result, or OperationError."""
    client = stack.client("lambda", config=_INVOKE_CONFIG)
    try:
        response = client.invoke(
            FunctionName=stack.output("ProvisioningFunctionName"), Payload=json.dumps(dict(event)).encode()
        )
        answer = json.loads(response["Payload"].read() or b"null")
    except Exception as error:  # botocore: access, network, throttling
        raise OperationError("Invoke", f"the provisioning function could not be invoked ({error})") from error
    if response.get("FunctionError") or not isinstance(answer, dict):
        raise OperationError(INTERNAL_ERROR, f"the function failed: {str(answer)[:300]}")
    if not answer.get("ok"):
        refusal = answer.get("error") or {}
        raise OperationError(
            str(refusal.get("type", INTERNAL_ERROR)),
            str(refusal.get("message", "")),
            tuple(refusal.get("problems") or ()),
        )
    result: dict[str, Any] = answer.get("result") or {}
    return result
