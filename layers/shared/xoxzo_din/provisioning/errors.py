"""What provisioning answers when it refuses or fails: its errors, and every error kind an answer
can carry (`ERROR_KINDS`, the one list; docs/reference/provisioning-operations.md shows the same
table, and a test keeps the two equal).

`error_answer` turns any exception into {"type", "message", "problems"}. Messages are ours or the
XOXZO client's, which never carry credentials; an unexpected error says only its type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final, TypedDict

from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError, TransformParameterError

from xoxzo_din.tables.numbers import RecordChangedError
from xoxzo_din.xoxzo.errors import (
    XoxzoApiError,
    XoxzoAuthError,
    XoxzoCredentialsError,
    XoxzoError,
    XoxzoNotFoundError,
    XoxzoOutcomeUnknownError,
    XoxzoProtocolError,
    XoxzoUnavailableError,
    XoxzoValidationError,
)

# Every kind an answer's error can have, and what it means for the person who invoked. Each is an
# answer, not a bug: logged as a warning, without a stack trace, except the INCOMPLETE_KINDS.
# INTERNAL_ERROR (a bug) is not here.
ERROR_KINDS: Final[Mapping[str, str]] = {
    "InvalidRequest": "the event is wrong: `problems` lists every problem; nothing was sent to XOXZO",
    "NotHeld": "not one of our active numbers",
    "NotAvailable": "XOXZO does not offer that din_uid: nothing was subscribed",
    "Conflict": "another operation on the number is running or unfinished, or changed it meanwhile",
    "ForeignNumber": (
        "XOXZO has the number, not recorded as ours, pointing at another server (another stack?): "
        "nothing was changed; take it over with `sync` and `adopt` first"
    ),
    "OutcomeUnknown": "XOXZO did not answer a subscribe or cancel, which may have been applied: run `sync`",
    "SubscribedIncompletely": (
        "XOXZO subscribed the number (it IS billed), but a step after that failed here: "
        "run `sync` to finish it"
    ),
    "CancelledIncompletely": (
        "XOXZO cancelled the number (no longer billed), but a step after that failed here: run `sync` "
        "(or `cancel` again if the message says so)"
    ),
    "CredentialsError": "the credentials secret is missing a key or still holds the placeholder",
    "ConfigurationError": "the function's environment or the credentials secret cannot be read",
    "XoxzoAuthError": "XOXZO refused the credentials (HTTP 401/403; check the IP allow-list too)",
    "XoxzoValidationError": "XOXZO refused the input (HTTP 400)",
    "XoxzoNotFound": "XOXZO does not know the number (HTTP 404)",
    "XoxzoApiError": "XOXZO answered another error status",
    "XoxzoUnavailable": "XOXZO did not answer (retries exhausted), or no time was left in the invocation",
    "XoxzoProtocolError": "XOXZO answered something the client cannot read",
    "XoxzoError": "another failure of the XOXZO client",
}
# XOXZO applied the subscribe or cancel, and an unexpected failure of ours followed (the record or the
# routes lag behind XOXZO): documented answers, but logged as errors with the stack trace of what
# failed, since a person must finish them.
INCOMPLETE_KINDS: Final = frozenset({"SubscribedIncompletely", "CancelledIncompletely"})
INTERNAL_ERROR: Final = "InternalError"


class ErrorAnswer(TypedDict):
    type: str
    message: str
    problems: list[str]


class ProvisioningError(Exception):
    """A request provisioning refuses or cannot finish; `kind` names it in answers."""

    kind = "ProvisioningError"

    def __init__(self, message: str, problems: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


class InvalidRequestError(ProvisioningError):
    kind = "InvalidRequest"

    def __init__(self, problems: Iterable[str]) -> None:
        problems = list(problems)
        super().__init__(f"invalid request: {'; '.join(problems)}", problems)


class NotHeldError(ProvisioningError):
    """The number is not one we hold (per our records), so the operation does not apply."""

    kind = "NotHeld"


class NotAvailableError(ProvisioningError):
    """XOXZO does not offer the din_uid (its search does not list it): nothing was subscribed."""

    kind = "NotAvailable"


class ConflictError(ProvisioningError):
    """Another operation on the same number is running or unfinished."""

    kind = "Conflict"


class ForeignNumberError(ProvisioningError):
    """XOXZO lists the number on this account, we hold no record of it, and its action URL points at
    another server (most likely another stack sharing the XOXZO account): not ours to change."""

    kind = "ForeignNumber"


class OutcomeUnknownError(ProvisioningError):
    """XOXZO did not answer a request that may have been applied; the record says so, sync decides."""

    kind = "OutcomeUnknown"


class SubscribedIncompletelyError(ProvisioningError):
    """XOXZO has the subscription (the number is billed), but one of our steps after it failed
    unexpectedly (e.g. a DynamoDB error): our record, action URL or default route lag behind, and
    sync finishes them. `outcome` is what the subscribe would have answered ("subscribed"...)."""

    kind = "SubscribedIncompletely"

    def __init__(self, message: str, *, outcome: str) -> None:
        super().__init__(message)
        self.outcome = outcome


class CancelledIncompletelyError(ProvisioningError):
    """XOXZO no longer has the subscription (cancelled now, or already gone), but one of our steps
    after the DELETE failed unexpectedly: our record or the number's routes lag behind. `outcome` is
    what the cancel would have answered ("cancelled" or "already_gone")."""

    kind = "CancelledIncompletely"

    def __init__(self, message: str, *, outcome: str) -> None:
        super().__init__(message)
        self.outcome = outcome


class ConfigurationError(ProvisioningError):
    """The function's environment lacks a setting (e.g. a table name)."""

    kind = "ConfigurationError"


def error_answer(error: Exception, *, secret_id: str) -> ErrorAnswer:
    """The answer's error for `error`; `secret_id` names the credentials secret in hints."""
    match error:
        case ProvisioningError():
            return _error(error.kind, error.message, error.problems)
        case RecordChangedError():
            return _error("Conflict", str(error))
        case XoxzoCredentialsError():
            hint = f'put {{"sid": ..., "auth_token": ...}} in the secret {secret_id}'
            return _error("CredentialsError", f"{error}: {hint}")
        case GetParameterError() | TransformParameterError():
            return _error(
                "ConfigurationError",
                f"cannot read the XOXZO credentials secret {secret_id} as JSON ({type(error).__name__})",
            )
        case XoxzoAuthError():
            return _error(
                "XoxzoAuthError",
                f"XOXZO refused the credentials (HTTP {error.status}): check the SID and auth token in "
                f"{secret_id}, and the account's IP allow-list",
            )
        case XoxzoValidationError():
            return _error("XoxzoValidationError", str(error))
        case XoxzoNotFoundError():
            return _error("XoxzoNotFound", str(error))
        case XoxzoApiError():
            return _error("XoxzoApiError", str(error))
        case XoxzoOutcomeUnknownError():
            return _error("OutcomeUnknown", f"{error}; run sync to settle it (never subscribe again blindly)")
        case XoxzoUnavailableError():
            return _error("XoxzoUnavailable", f"{error}; nothing was changed here, try again later")
        case XoxzoProtocolError():
            return _error("XoxzoProtocolError", str(error))
        case XoxzoError():
            return _error("XoxzoError", type(error).__name__)
    return _error(INTERNAL_ERROR, f"unexpected {type(error).__name__}; see the function's logs")


def is_expected(answer: ErrorAnswer) -> bool:
    """An answer to log as a warning (a refusal or an outage), not as an error with its stack trace
    (a bug, or an operation XOXZO applied that is unfinished here)."""
    return answer["type"] in ERROR_KINDS and answer["type"] not in INCOMPLETE_KINDS


def is_incomplete(answer: ErrorAnswer) -> bool:
    """XOXZO applied the subscribe or cancel, but it is unfinished here: a person must run sync."""
    return answer["type"] in INCOMPLETE_KINDS


def _error(kind: str, message: str, problems: list[str] | None = None) -> ErrorAnswer:
    # Every kind used here is in ERROR_KINDS (tests/unit/provisioning/test_errors.py checks it).
    return {"type": kind, "message": message, "problems": problems or []}
