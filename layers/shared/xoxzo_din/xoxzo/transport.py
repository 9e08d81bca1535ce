"""The XOXZO client's transport: one HTTP exchange, timeouts, safe retries, the caller's deadline.

The policy (which failures are retried, how the deadline bounds attempts and backoffs, the 401
re-read of the credentials): docs/reference/xoxzo-din-api.md#status-codes-and-retries.
Credentials travel only in the Authorization header (HTTP Basic); they are never logged, never put
in exception messages and never shown in reprs.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final, Self
from urllib.parse import urlsplit

import requests

from xoxzo_din.xoxzo.endpoints import DEFAULT_BASE_URL
from xoxzo_din.xoxzo.errors import (
    MAX_BODY_IN_MESSAGE,
    XoxzoApiError,
    XoxzoAuthError,
    XoxzoCredentialsError,
    XoxzoNotFoundError,
    XoxzoProtocolError,
    XoxzoUnavailableError,
    XoxzoValidationError,
    short,
)
from xoxzo_din.xoxzo.models import (
    DEFAULT_SETTINGS,
    ClientSettings,
    XoxzoCredentials,
)
from xoxzo_din.xoxzo.parsing import as_float

# One logger for the whole client (transport and endpoints).
logger = logging.getLogger(__package__)

_REDACTED: Final = "[redacted]"

HTTP_BAD_REQUEST: Final = 400
HTTP_UNAUTHORIZED: Final = 401
HTTP_FORBIDDEN: Final = 403
HTTP_NOT_FOUND: Final = 404
HTTP_TOO_MANY_REQUESTS: Final = 429
HTTP_SERVER_ERROR: Final = 500

# What requests raises when the exchange itself failed: no answer, or an answer cut or garbled
# mid-body (a 201 whose body never fully arrived is still a lost answer). Each means "the request may
# or may not have been applied". Other RequestExceptions (an invalid URL...) are bugs of ours.
TRANSPORT_ERRORS: Final = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


@dataclass(frozen=True, slots=True)
class HttpCall:
    """One request to XOXZO, as sent (again) on each attempt."""

    method: str
    path: str
    params: Mapping[str, str] | None = None
    data: Mapping[str, str] | None = None


def unavailable(
    message: str,
    call: HttpCall,
    attempts: int,
    last_status: int | None,
    *,
    out_of_time: bool = False,
    kind: type[XoxzoUnavailableError] = XoxzoUnavailableError,
) -> XoxzoUnavailableError:
    """The error that ends a call without a usable answer (`kind`: or its OutcomeUnknown subclass)."""
    return kind(
        message,
        attempts=attempts,
        last_status=last_status,
        method=call.method,
        path=call.path,
        out_of_time=out_of_time,
    )


class Transport:
    """A requests.Session to XOXZO with timeouts, safe retries and the caller's deadline.
    XoxzoClient (client.py) adds the endpoints."""

    def __init__(
        self,
        credentials: XoxzoCredentials,
        base_url: str = DEFAULT_BASE_URL,
        settings: ClientSettings = DEFAULT_SETTINGS,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        deadline: Callable[[], float] | None = None,
        refresh_credentials: Callable[[], XoxzoCredentials] | None = None,
    ) -> None:
        """`settings`: the timeouts and retries. `deadline` returns the seconds left for XOXZO
        calls (None: no limit). `refresh_credentials` reads the credentials afresh: called at most
        once, after a 401. `session`, `sleep` and `rng` are the tests' to replace."""
        if not credentials.sid or not credentials.auth_token:
            raise XoxzoCredentialsError("XOXZO credentials unusable: sid or auth_token is empty")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        if parts.username is not None or parts.password is not None:
            raise ValueError("base_url must not carry credentials")
        if parts.query or parts.fragment:
            raise ValueError("base_url must not have a query or fragment")
        if settings.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if settings.connect_timeout <= 0 or settings.read_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if settings.backoff_base < 0 or settings.backoff_max < 0:
            raise ValueError("backoff values must not be negative")
        self._credentials = credentials
        self._refresh_credentials = refresh_credentials
        self._redacted: list[str] = [credentials.auth_token, credentials.sid]
        self.base_url = base_url.rstrip("/")
        self.timeout = (settings.connect_timeout, settings.read_timeout)
        self.max_attempts = settings.max_attempts
        self.backoff_base = settings.backoff_base
        self.backoff_max = settings.backoff_max
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()  # noqa: S311 - jitter, not crypto
        self._deadline = deadline

    @property
    def attempt_seconds(self) -> float:
        """The longest one attempt can take: no attempt starts with less than this left."""
        return self.timeout[0] + self.timeout[1]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def close(self) -> None:
        """Close the session if this client created it."""
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _send(self, call: HttpCall) -> requests.Response | requests.RequestException:
        """One HTTP exchange: the response, or the transport error (`TRANSPORT_ERRORS`). A first
        401 is answered by reading the credentials afresh and, if they changed, sending it again."""
        outcome = self._exchange(call)
        if (
            isinstance(outcome, requests.Response)
            and outcome.status_code == HTTP_UNAUTHORIZED
            and self._credentials_refreshed()
            and self._fits(0.0)
        ):
            outcome = self._exchange(call)
        return outcome

    def _credentials_refreshed(self) -> bool:
        """Read the credentials afresh (once per client); True if they changed."""
        refresh, self._refresh_credentials = self._refresh_credentials, None
        if refresh is None:
            return False
        try:
            fresh = refresh()
        except Exception as exc:  # the 401 stands; the reason is logged by type only
            logger.warning(
                "XOXZO answered 401; reading the credentials afresh failed",
                extra={"error": type(exc).__name__},
            )
            return False
        if fresh == self._credentials:
            return False
        logger.info("XOXZO answered 401; the credentials changed since they were read: sending again")
        self._credentials = fresh
        self._redacted += [fresh.auth_token, fresh.sid]
        return True

    def _exchange(self, call: HttpCall) -> requests.Response | requests.RequestException:
        try:
            return self._session.request(
                call.method,
                self.base_url + call.path,
                params=call.params,
                data=call.data,
                auth=(self._credentials.sid, self._credentials.auth_token),
                headers={"Accept": "application/json"},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except TRANSPORT_ERRORS as exc:
            return exc

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        not_found_ok_after_ambiguous: bool = False,
    ) -> requests.Response | None:
        """A request that is safe to repeat, retried on transport failures, 429 and 5xx.

        Returns the 2xx response, or None for a 404 accepted because an earlier attempt's outcome
        was lost (`not_found_ok_after_ambiguous`).
        """
        call = HttpCall(method, path, params, data)
        last_status: int | None = None
        last_error: str = ""
        ambiguous_before = False
        for attempt in range(1, self.max_attempts + 1):
            if not self._fits(0.0):
                raise self._out_of_time(method, path, attempt - 1, last_status, last_error)
            delay: float | None = None
            outcome = self._send(call)
            if isinstance(outcome, requests.Response):
                status = outcome.status_code
                last_status = status
                if 200 <= status < 300:
                    return outcome
                if status == HTTP_NOT_FOUND and not_found_ok_after_ambiguous and ambiguous_before:
                    logger.info(
                        "XOXZO answered 404 after an attempt whose answer was lost: taken as done",
                        extra={"method": method, "path": path, "attempt": attempt},
                    )
                    return None
                if status >= HTTP_SERVER_ERROR:
                    ambiguous_before = True
                elif status != HTTP_TOO_MANY_REQUESTS:
                    raise self._api_error(outcome, method, path)
                delay = self._retry_after(outcome)
                last_error = f"HTTP {status}"
            else:
                ambiguous_before = True
                last_error = type(outcome).__name__
            self._log_retry(method, path, attempt, outcome)
            if attempt < self.max_attempts:
                delay = delay if delay is not None else self._backoff(attempt)
                if not self._fits(delay):
                    raise self._out_of_time(method, path, attempt, last_status, last_error)
                self._sleep(delay)
        raise unavailable(
            f"XOXZO {method} {path} failed after {self.max_attempts} attempts (last: {last_error})",
            call,
            self.max_attempts,
            last_status,
        )

    def _fits(self, pause: float) -> bool:
        """Whether a pause of `pause` s and then one whole attempt fit in the time left."""
        return self._deadline is None or self._deadline() - pause >= self.attempt_seconds

    def _out_of_time(
        self, method: str, path: str, attempts: int, last_status: int | None, last_error: str
    ) -> XoxzoUnavailableError:
        return unavailable(
            f"XOXZO {method} {path} stopped after {attempts} attempt(s): no time left for another "
            f"within this invocation (last: {last_error or 'none'})",
            HttpCall(method, path),
            attempts,
            last_status,
            out_of_time=True,
        )

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(backoff_max, backoff_base * 2**(attempt-1))]."""
        ceiling = min(self.backoff_max, self.backoff_base * (2 ** min(attempt - 1, 32)))
        return self._rng.uniform(0.0, ceiling)

    def _retry_after(self, response: requests.Response) -> float | None:
        """Retry-After (seconds or HTTP date) capped by backoff_max; None when absent or unusable."""
        value = response.headers.get("Retry-After")
        if not value:
            return None
        seconds = as_float(value.strip())
        if seconds is None:
            try:
                when = email.utils.parsedate_to_datetime(value.strip())
            except (TypeError, ValueError):
                return None
            if when.tzinfo is None:
                return None
            seconds = (when - datetime.now(UTC)).total_seconds()
        return min(max(seconds, 0.0), self.backoff_max)

    def _log_retry(
        self, method: str, path: str, attempt: int, outcome: requests.Response | requests.RequestException
    ) -> None:
        reason = (
            f"HTTP {outcome.status_code}"
            if isinstance(outcome, requests.Response)
            else type(outcome).__name__
        )
        logger.warning(
            "XOXZO request did not succeed",
            extra={
                "method": method,
                "path": path,
                "attempt": attempt,
                "max_attempts": self.max_attempts,
                "reason": reason,
            },
        )

    def _redact(self, text: str) -> str:
        for secret in self._redacted:
            if secret:
                text = text.replace(secret, _REDACTED)
        return text

    def _json_or_none(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            return None

    def _json(self, response: requests.Response | None, method: str, path: str) -> Any:
        if response is None:  # only DELETE may get here, and it does not read bodies
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise XoxzoProtocolError(
                f"XOXZO {method} {path}: HTTP {response.status_code} without a JSON body"
            ) from exc

    def _api_error(self, response: requests.Response, method: str, path: str) -> XoxzoApiError:
        status = response.status_code
        body = self._json_or_none(response)
        if body is None:
            body = response.text[:MAX_BODY_IN_MESSAGE]
        shown = self._redact(short(body))
        message = f"XOXZO {method} {path} failed: HTTP {status}: {shown}"
        error_class: type[XoxzoApiError]
        if status in (HTTP_UNAUTHORIZED, HTTP_FORBIDDEN):
            error_class = XoxzoAuthError
        elif status == HTTP_BAD_REQUEST:
            error_class = XoxzoValidationError
        elif status == HTTP_NOT_FOUND:
            error_class = XoxzoNotFoundError
        else:
            error_class = XoxzoApiError
        return error_class(status, body, method, path, message)
