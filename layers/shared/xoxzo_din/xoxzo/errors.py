"""Every error the XOXZO client raises (a `XoxzoError`), and how a body shows in a message."""

from __future__ import annotations

from typing import Any, Final

# Error bodies are cut to this many characters in exception messages.
MAX_BODY_IN_MESSAGE: Final = 500


class XoxzoError(Exception):
    """Base class of every error this module raises."""


class XoxzoCredentialsError(XoxzoError):
    """The credentials are missing or still the placeholder."""


class XoxzoProtocolError(XoxzoError):
    """XOXZO answered 2xx with a body this client cannot use (not JSON, unexpected shape)."""


class XoxzoApiError(XoxzoError):
    """XOXZO answered with a non-retryable error status."""

    def __init__(self, status: int, body: Any, method: str, path: str, message: str | None = None) -> None:
        self.status = status
        self.body = body
        self.method = method
        self.path = path
        super().__init__(message or f"XOXZO {method} {path} failed: HTTP {status}: {short(body)}")


class XoxzoAuthError(XoxzoApiError):
    """401/403: wrong SID/token, or the account's IP allow-list refused us."""


class XoxzoValidationError(XoxzoApiError):
    """400: XOXZO refused the input; body is DRF-style {"field": ["msg"]} or {"detail": ...}."""


class XoxzoNotFoundError(XoxzoApiError):
    """404: no such subscription (or path)."""


class XoxzoUnavailableError(XoxzoError):
    """Retries exhausted on timeouts, connection errors, 429 or 5xx; or no time was left in the
    caller's budget for another attempt (`out_of_time`; `attempts` 0: nothing was sent)."""

    def __init__(
        self,
        message: str,
        *,
        attempts: int,
        last_status: int | None,
        method: str = "",
        path: str = "",
        out_of_time: bool = False,
    ) -> None:
        self.attempts = attempts
        self.last_status = last_status
        self.method = method
        self.path = path
        self.out_of_time = out_of_time
        super().__init__(message)


class XoxzoOutcomeUnknownError(XoxzoUnavailableError):
    """A subscribe that XOXZO may or may not have applied: an attempt's answer was lost, and the
    subscription list could not settle it (unreadable for any reason, or out of time/attempts)."""


def short(body: Any) -> str:
    text = body if isinstance(body, str) else repr(body)
    if len(text) > MAX_BODY_IN_MESSAGE:
        return text[:MAX_BODY_IN_MESSAGE] + "..."
    return text
