"""XOXZO DIN API client: the ONE place the XOXZO endpoints, their inputs and their outputs live.

Paths, methods, form fields and status codes follow /work/shared/xoxzo-din-api.md (XOXZO's docs and
the official clients). Points the docs do not confirm (the subscribe response body, the fields of a
subscription item other than `din_uid` and `action.url`: `din`, the costs, `country_code`,
`prefix`) are read defensively, here only (`_subscription_from`).

Transport rules:
- every request has a (connect, read) timeout; the defaults live here, and only here
  (`ClientSettings`, whose defaults are XoxzoClient's);
- a client given a `deadline` (seconds left in the caller's time budget) never starts an attempt
  that could outlast it (connect + read timeout) and never backs off past it: it stops with
  XoxzoUnavailableError(out_of_time=True) instead, so that one call cannot use up a Lambda
  invocation;
- a transport failure (timeout, connection error, or a reply cut or garbled mid-body:
  `_TRANSPORT_ERRORS`) is a lost answer: the request may or may not have been applied;
- GET, the action-URL POST and DELETE are safe to repeat: retried with exponential backoff and full
  jitter on transport failures, 429 (Retry-After honoured, capped) and 5xx;
- other 4xx are never retried;
- subscribe costs money and is never repeated blindly: after an ambiguous outcome (transport
  failure, 5xx) the subscription list decides whether XOXZO applied it, and a 429 is POSTed again
  only after the list shows that it was not.

Credentials travel only in the Authorization header (HTTP Basic); they are never logged, never put
in exception messages and never shown in reprs. A client given `refresh_credentials` (a fresh read of
the credentials secret) calls it once, on the first 401, and repeats that request once if the
credentials changed: a warm Lambda's cached secret must not outlive its fix. A 401 applied nothing,
so repeating even a subscribe is not a blind retry.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

import requests

from xoxzo_din.phone import to_e164

__all__ = [
    "DEFAULT_BASE_URL",
    "AvailableDin",
    "ClientSettings",
    "Subscription",
    "XoxzoApiError",
    "XoxzoAuthError",
    "XoxzoClient",
    "XoxzoCredentials",
    "XoxzoCredentialsError",
    "XoxzoError",
    "XoxzoNotFoundError",
    "XoxzoOutcomeUnknownError",
    "XoxzoProtocolError",
    "XoxzoUnavailableError",
    "XoxzoValidationError",
    "validate_din_uid",
]

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL: Final = "https://api.xoxzo.com"

# The endpoints (trailing slashes are part of every path).
DINS_PATH: Final = "/voice/dins/"
SUBSCRIPTIONS_PATH: Final = "/voice/dins/subscriptions/"

# Timeouts and retries: these defaults are the ONE place they are written (ClientSettings and
# XoxzoClient both use them). Worst case of one call: 4 x (3.05 + 15) s plus backoffs of at most
# 0.5 + 1 + 2 s, about 76 s; a deadline cuts that short.
DEFAULT_CONNECT_TIMEOUT: Final = 3.05
DEFAULT_READ_TIMEOUT: Final = 15.0
DEFAULT_MAX_ATTEMPTS: Final = 4
DEFAULT_BACKOFF_BASE: Final = 0.5
DEFAULT_BACKOFF_MAX: Final = 8.0

# The placeholder that template.yaml puts in the credentials secret.
PLACEHOLDER: Final = "REPLACE_ME"

# din_uids look like "JPafr34rafic76tf". Accept URL-unreserved characters only, starting with a
# letter or digit (so "." and ".." can never become a path segment).
_DIN_UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")

# Error bodies are cut to this many characters in exception messages.
_MAX_BODY_IN_MESSAGE: Final = 500
_REDACTED: Final = "[redacted]"

_HTTP_BAD_REQUEST: Final = 400
_HTTP_UNAUTHORIZED: Final = 401
_HTTP_FORBIDDEN: Final = 403
_HTTP_NOT_FOUND: Final = 404
_HTTP_TOO_MANY_REQUESTS: Final = 429
_HTTP_SERVER_ERROR: Final = 500

# What requests raises when the exchange itself failed: no answer, or an answer cut or garbled
# mid-body (a 201 whose body never fully arrived is still a lost answer). Each means "the request may
# or may not have been applied". Other RequestExceptions (an invalid URL...) are bugs of ours.
_TRANSPORT_ERRORS: Final = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


# --------------------------------------------------------------------------------------------------
# Values


@dataclass(frozen=True)
class ClientSettings:
    """Timeouts and retries of a XoxzoClient (the defaults are XoxzoClient's own)."""

    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    backoff_base: float = DEFAULT_BACKOFF_BASE
    backoff_max: float = DEFAULT_BACKOFF_MAX

    @property
    def attempt_seconds(self) -> float:
        """The longest one attempt can take (connect, then read)."""
        return self.connect_timeout + self.read_timeout


@dataclass(frozen=True)
class XoxzoCredentials:
    """An API user's SID and auth token (HTTP Basic user and password)."""

    sid: str
    auth_token: str = field(repr=False)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> XoxzoCredentials:
        """Read {"sid": ..., "auth_token": ...} (the Secrets Manager secret's JSON).

        Raises XoxzoCredentialsError naming the bad keys (never their values) when a key is missing,
        not a string, empty, or still the "REPLACE_ME" placeholder.
        """
        problems: list[str] = []
        values: dict[str, str] = {}
        for key in ("sid", "auth_token"):
            value = data.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.append(f"{key} is missing or empty")
            elif value.strip() == PLACEHOLDER:
                problems.append(f"{key} is still the {PLACEHOLDER} placeholder")
            else:
                values[key] = value.strip()
        if problems:
            raise XoxzoCredentialsError("XOXZO credentials unusable: " + "; ".join(problems))
        return cls(sid=values["sid"], auth_token=values["auth_token"])


@dataclass(frozen=True)
class AvailableDin:
    """A number in XOXZO's pool that can be subscribed."""

    din_uid: str
    number: str  # E.164 with "+", e.g. "+815012345678"
    country_code: str  # "81"
    prefix: str  # local area prefix without the trunk 0, e.g. "50", "3"
    monthly_cost: float  # credits
    minute_cost: float  # credits


@dataclass(frozen=True)
class Subscription:
    """A number this account subscribes to."""

    din_uid: str
    number: str | None  # E.164 when XOXZO gave "din" (field not confirmed), else None
    action_url: str | None  # item["action"]["url"] when present
    # The available-DIN item's fields, when a subscription item carries them too (not confirmed):
    # None when absent or unusable.
    monthly_cost: float | None = None  # credits
    minute_cost: float | None = None
    country_code: str | None = None  # "81"
    prefix: str | None = None  # local area prefix without the trunk 0, e.g. "3"


# --------------------------------------------------------------------------------------------------
# Errors


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
        super().__init__(message or f"XOXZO {method} {path} failed: HTTP {status}: {_short(body)}")


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


def _short(body: Any) -> str:
    text = body if isinstance(body, str) else repr(body)
    if len(text) > _MAX_BODY_IN_MESSAGE:
        return text[:_MAX_BODY_IN_MESSAGE] + "..."
    return text


def validate_din_uid(din_uid: str) -> str:
    """Return `din_uid` if it is safe as one URL path segment; raise ValueError otherwise."""
    if not isinstance(din_uid, str) or not _DIN_UID.fullmatch(din_uid):
        raise ValueError(f"not a valid din_uid: {din_uid!r}")
    return din_uid


# --------------------------------------------------------------------------------------------------
# Response parsing (unconfirmed fields are read here, and only here)


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _parse_available(item: Any) -> AvailableDin | None:
    """One item of GET /voice/dins/, or None when it is unusable."""
    if not isinstance(item, Mapping):
        return None
    din_uid, din = item.get("din_uid"), item.get("din")
    if not isinstance(din_uid, str) or not _DIN_UID.fullmatch(din_uid) or not isinstance(din, str | int):
        return None
    number = to_e164(str(din) if str(din).startswith("+") else f"+{din}")
    monthly, minute = _as_float(item.get("monthly_cost")), _as_float(item.get("minute_cost"))
    if number is None or monthly is None or minute is None:
        return None
    return AvailableDin(
        din_uid=din_uid,
        number=number,
        country_code=str(item.get("country_code", "")),
        prefix=str(item.get("prefix", "")),
        monthly_cost=monthly,
        minute_cost=minute,
    )


def _as_digits(value: Any) -> str | None:
    """A code such as "81" or "3" (a JSON string or number of ASCII digits), else None."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text if text.isascii() and text.isdigit() and len(text) <= 10 else None


def _cost(value: Any) -> float | None:
    number = _as_float(value)
    return number if number is not None and number >= 0 else None


def _subscription_from(item: Mapping[str, Any], din_uid: str) -> Subscription:
    """Every field but din_uid and action.url is unconfirmed: read if usable, None otherwise."""
    din = item.get("din")
    number = None
    if isinstance(din, str | int) and not isinstance(din, bool) and str(din):
        number = to_e164(str(din) if str(din).startswith("+") else f"+{din}")
    action = item.get("action")
    action_url = action.get("url") if isinstance(action, Mapping) else None
    return Subscription(
        din_uid=din_uid,
        number=number,
        action_url=action_url if isinstance(action_url, str) and action_url else None,
        monthly_cost=_cost(item.get("monthly_cost")),
        minute_cost=_cost(item.get("minute_cost")),
        country_code=_as_digits(item.get("country_code")),
        prefix=_as_digits(item.get("prefix")),
    )


def _parse_subscription(item: Any) -> Subscription:
    """One item of GET /voice/dins/subscriptions/ (carries at least din_uid and action.url)."""
    if not isinstance(item, Mapping) or not isinstance(item.get("din_uid"), str) or not item["din_uid"]:
        raise XoxzoProtocolError(f"subscription item without a din_uid: {_short(item)}")
    return _subscription_from(item, item["din_uid"])


# --------------------------------------------------------------------------------------------------
# The client


class XoxzoClient:
    """XOXZO DIN API client on a requests.Session, with timeouts and safe retries."""

    def __init__(
        self,
        credentials: XoxzoCredentials,
        base_url: str = DEFAULT_BASE_URL,
        *,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        backoff_base: float = DEFAULT_BACKOFF_BASE,
        backoff_max: float = DEFAULT_BACKOFF_MAX,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        deadline: Callable[[], float] | None = None,
        refresh_credentials: Callable[[], XoxzoCredentials] | None = None,
    ) -> None:
        """`deadline` returns the seconds left for XOXZO calls (None: no limit).
        `refresh_credentials` reads the credentials afresh: called at most once, after a 401."""
        if not credentials.sid or not credentials.auth_token:
            raise XoxzoCredentialsError("XOXZO credentials unusable: sid or auth_token is empty")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        if parts.username is not None or parts.password is not None:
            raise ValueError("base_url must not carry credentials")
        if parts.query or parts.fragment:
            raise ValueError("base_url must not have a query or fragment")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if connect_timeout <= 0 or read_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if backoff_base < 0 or backoff_max < 0:
            raise ValueError("backoff values must not be negative")
        self._credentials = credentials
        self._refresh_credentials = refresh_credentials
        self._redacted: list[str] = [credentials.auth_token, credentials.sid]
        self.base_url = base_url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()  # noqa: S311 - jitter, not crypto
        self._deadline = deadline

    @classmethod
    def with_settings(
        cls,
        credentials: XoxzoCredentials,
        base_url: str = DEFAULT_BASE_URL,
        settings: ClientSettings = ClientSettings(),  # frozen: a shared default is safe
        *,
        deadline: Callable[[], float] | None = None,
        refresh_credentials: Callable[[], XoxzoCredentials] | None = None,
    ) -> XoxzoClient:
        return cls(
            credentials,
            base_url,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            max_attempts=settings.max_attempts,
            backoff_base=settings.backoff_base,
            backoff_max=settings.backoff_max,
            deadline=deadline,
            refresh_credentials=refresh_credentials,
        )

    @property
    def attempt_seconds(self) -> float:
        """The longest one attempt can take: no attempt starts with less than this left."""
        return self.timeout[0] + self.timeout[1]

    def __repr__(self) -> str:
        return f"XoxzoClient(base_url={self.base_url!r})"

    def close(self) -> None:
        """Close the session if this client created it."""
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> XoxzoClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ---- the operations ---------------------------------------------------------------------------

    def search(self, *, country: str | None = None, prefix: str | None = None) -> list[AvailableDin]:
        """Available DINs, optionally filtered by ISO country ("JP") and/or number prefix ("813")."""
        params: dict[str, str] = {}
        if country is not None:
            params["country"] = country
        if prefix is not None:
            params["prefix"] = prefix
        body = self._json(self._request("GET", DINS_PATH, params=params or None), "GET", DINS_PATH)
        if not isinstance(body, list):
            raise XoxzoProtocolError(f"GET {DINS_PATH}: expected a JSON list, got {_short(body)}")
        result: list[AvailableDin] = []
        for item in body:
            din = _parse_available(item)
            if din is None:
                logger.warning("Skipping an unusable available-DIN item", extra={"item": _short(item)})
            else:
                result.append(din)
        return result

    def list_subscriptions(self) -> list[Subscription]:
        """Every number this account subscribes to."""
        response = self._request("GET", SUBSCRIPTIONS_PATH)
        body = self._json(response, "GET", SUBSCRIPTIONS_PATH)
        if not isinstance(body, list):
            raise XoxzoProtocolError(f"GET {SUBSCRIPTIONS_PATH}: expected a JSON list, got {_short(body)}")
        return [_parse_subscription(item) for item in body]

    def set_action_url(self, din_uid: str, action_url: str) -> None:
        """Point a subscribed number at an action server (idempotent, so retried)."""
        path = self._subscription_path(din_uid)
        if not isinstance(action_url, str) or not action_url:
            raise ValueError("action_url must be a non-empty string")
        self._request("POST", path, data={"action_url": action_url})

    def cancel(self, din_uid: str) -> None:
        """Cancel a subscription. A 404 after an attempt whose outcome was lost counts as done."""
        path = self._subscription_path(din_uid)
        self._request("DELETE", path, not_found_ok_after_ambiguous=True)

    def subscribe(self, din_uid: str) -> Subscription:
        """Subscribe a number (charged at once). Never repeated blindly.

        One POST. After an ambiguous outcome (a transport failure, 5xx), the subscription list
        decides: if the number is there, that is success; if not, POST again (within max_attempts,
        after a backoff). After a 429: back off, then look at the list (there: success), and only
        then POST again. Other 4xx raise at once,
        unless an earlier attempt was lost: then the list decides first. Whenever an attempt's
        outcome was lost and the list cannot settle it (any failure to read it), the error is
        XoxzoOutcomeUnknownError: never a refusal, so that the caller never records as failed a
        subscription XOXZO may have made.
        """
        validate_din_uid(din_uid)
        method, path = "POST", SUBSCRIPTIONS_PATH
        last_status: int | None = None
        ambiguous_before = False
        for attempt in range(1, self.max_attempts + 1):
            if not self._fits(0.0):
                raise self._subscribe_unavailable(din_uid, attempt - 1, last_status, ambiguous_before, True)
            outcome = self._send(method, path, data={"din_uid": din_uid})
            status = outcome.status_code if isinstance(outcome, requests.Response) else None
            last_status = status if status is not None else last_status
            if isinstance(outcome, requests.Response) and 200 <= outcome.status_code < 300:
                body = self._json_or_none(outcome)
                return _subscription_from(body if isinstance(body, Mapping) else {}, din_uid)
            ambiguous = status is None or status >= _HTTP_SERVER_ERROR
            if isinstance(outcome, requests.Response) and not ambiguous and status != _HTTP_TOO_MANY_REQUESTS:
                # A definite refusal of this attempt. After a lost attempt, that one may have
                # subscribed it (a 400 "not available" may even mean so): the list decides.
                found = None
                if ambiguous_before:
                    found = self._find_subscription(din_uid, attempt, last_status)
                if found is None:
                    raise self._api_error(outcome, method, path)
                return found
            self._log_retry(method, path, attempt, outcome)
            if ambiguous:
                ambiguous_before = True
                found = self._find_subscription(din_uid, attempt, last_status)
                if found is not None:
                    logger.info(
                        "XOXZO subscribe outcome was lost; the subscription list shows it applied",
                        extra={"din_uid": din_uid, "attempt": attempt},
                    )
                    return found
            if attempt < self.max_attempts:
                delay = self._retry_after(outcome) if isinstance(outcome, requests.Response) else None
                delay = delay if delay is not None else self._backoff(attempt)
                if not self._fits(delay):
                    raise self._subscribe_unavailable(din_uid, attempt, last_status, ambiguous_before, True)
                self._sleep(delay)
                if not ambiguous:
                    # A 429: never POST again without looking at the list (after the pause, so
                    # that a throttled list is not asked at once). Listed: it happened.
                    found = self._find_subscription(
                        din_uid,
                        attempt,
                        last_status,
                        "XOXZO answered 429 Too Many Requests",
                        answer_lost=ambiguous_before,
                    )
                    if found is not None:
                        logger.info(
                            "XOXZO answered a subscribe 429, yet the subscription list shows it applied",
                            extra={"din_uid": din_uid, "attempt": attempt},
                        )
                        return found
        raise self._subscribe_unavailable(din_uid, self.max_attempts, last_status, ambiguous_before, False)

    def _subscribe_unavailable(
        self, din_uid: str, attempts: int, last_status: int | None, ambiguous_before: bool, out_of_time: bool
    ) -> XoxzoUnavailableError:
        method, path = "POST", SUBSCRIPTIONS_PATH
        if out_of_time:
            why = f"stopped after {attempts} attempt(s): no time left for another"
        else:
            why = f"did not succeed after {attempts} attempts"
        if ambiguous_before:
            outcome = "the outcome is unknown (an answer was lost; the subscription list does not show it)"
        elif attempts == 0:
            outcome = "nothing was sent"
        else:
            outcome = "it was not applied"
        error_class = XoxzoOutcomeUnknownError if ambiguous_before else XoxzoUnavailableError
        return error_class(
            f"XOXZO {method} {path} (subscribe {din_uid}) {why} (last status: {last_status}); {outcome}",
            attempts=attempts,
            last_status=last_status,
            method=method,
            path=path,
            out_of_time=out_of_time,
        )

    # ---- plumbing ---------------------------------------------------------------------------------

    def _subscription_path(self, din_uid: str) -> str:
        return f"{SUBSCRIPTIONS_PATH}{validate_din_uid(din_uid)}/"

    def _find_subscription(
        self,
        din_uid: str,
        attempts: int,
        last_status: int | None,
        why: str = "the request was sent but its answer was lost",
        *,
        answer_lost: bool = True,
    ) -> Subscription | None:
        """The subscription list's answer about an attempt whose outcome is unknown (or before a
        subscribe is POSTed again). If an attempt's answer was lost (`answer_lost`), ANY failure
        to read it (an outage, but also 401/403/400 or an unreadable body) leaves the outcome
        unknown: XoxzoOutcomeUnknownError, never a refusal, since XOXZO may have subscribed (and
        billed) it. Otherwise every answer was a refusal (429s): nothing was applied, and without
        the list no other POST is sent (XoxzoUnavailableError)."""
        try:
            subscriptions = self.list_subscriptions()
        except XoxzoError as exc:
            error_class, outcome = (
                (XoxzoOutcomeUnknownError, "the outcome is unknown")
                if answer_lost
                else (XoxzoUnavailableError, "it was not applied")
            )
            raise error_class(
                f"XOXZO subscribe {din_uid}: {why}, and the subscription list could not be read "
                f"({type(exc).__name__}: {exc}); {outcome}",
                attempts=attempts,
                last_status=last_status,
                method="POST",
                path=SUBSCRIPTIONS_PATH,
                out_of_time=isinstance(exc, XoxzoUnavailableError) and exc.out_of_time,
            ) from exc
        return next((s for s in subscriptions if s.din_uid == din_uid), None)

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> requests.Response | requests.RequestException:
        """One HTTP exchange: the response, or the transport error (`_TRANSPORT_ERRORS`). A first
        401 is answered by reading the credentials afresh and, if they changed, sending it again."""
        outcome = self._exchange(method, path, params=params, data=data)
        if (
            isinstance(outcome, requests.Response)
            and outcome.status_code == _HTTP_UNAUTHORIZED
            and self._credentials_refreshed()
            and self._fits(0.0)
        ):
            outcome = self._exchange(method, path, params=params, data=data)
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

    def _exchange(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> requests.Response | requests.RequestException:
        try:
            return self._session.request(
                method,
                self.base_url + path,
                params=params,
                data=data,
                auth=(self._credentials.sid, self._credentials.auth_token),
                headers={"Accept": "application/json"},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except _TRANSPORT_ERRORS as exc:
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
        last_status: int | None = None
        last_error: str = ""
        ambiguous_before = False
        for attempt in range(1, self.max_attempts + 1):
            if not self._fits(0.0):
                raise self._out_of_time(method, path, attempt - 1, last_status, last_error)
            delay: float | None = None
            outcome = self._send(method, path, params=params, data=data)
            if isinstance(outcome, requests.Response):
                status = outcome.status_code
                last_status = status
                if 200 <= status < 300:
                    return outcome
                if status == _HTTP_NOT_FOUND and not_found_ok_after_ambiguous and ambiguous_before:
                    logger.info(
                        "XOXZO answered 404 after an attempt whose answer was lost: taken as done",
                        extra={"method": method, "path": path, "attempt": attempt},
                    )
                    return None
                if status >= _HTTP_SERVER_ERROR:
                    ambiguous_before = True
                elif status != _HTTP_TOO_MANY_REQUESTS:
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
        raise XoxzoUnavailableError(
            f"XOXZO {method} {path} failed after {self.max_attempts} attempts (last: {last_error})",
            attempts=self.max_attempts,
            last_status=last_status,
            method=method,
            path=path,
        )

    def _fits(self, pause: float) -> bool:
        """Whether a pause of `pause` s and then one whole attempt fit in the time left."""
        return self._deadline is None or self._deadline() - pause >= self.attempt_seconds

    def _out_of_time(
        self, method: str, path: str, attempts: int, last_status: int | None, last_error: str
    ) -> XoxzoUnavailableError:
        return XoxzoUnavailableError(
            f"XOXZO {method} {path} stopped after {attempts} attempt(s): no time left for another "
            f"within this invocation (last: {last_error or 'none'})",
            attempts=attempts,
            last_status=last_status,
            method=method,
            path=path,
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
        seconds = _as_float(value.strip())
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
            body = response.text[:_MAX_BODY_IN_MESSAGE]
        shown = self._redact(_short(body))
        message = f"XOXZO {method} {path} failed: HTTP {status}: {shown}"
        error_class: type[XoxzoApiError]
        if status in (_HTTP_UNAUTHORIZED, _HTTP_FORBIDDEN):
            error_class = XoxzoAuthError
        elif status == _HTTP_BAD_REQUEST:
            error_class = XoxzoValidationError
        elif status == _HTTP_NOT_FOUND:
            error_class = XoxzoNotFoundError
        else:
            error_class = XoxzoApiError
        return error_class(status, body, method, path, message)
