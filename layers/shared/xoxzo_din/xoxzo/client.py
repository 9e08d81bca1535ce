"""XOXZO DIN API client: the operations on the endpoints (`endpoints.py`), over `Transport`.

What each endpoint takes and answers, what XOXZO confirms, and this client's retry policy (the
subscribe is never repeated blindly): docs/reference/xoxzo-din-api.md. Unconfirmed fields are read
in `parsing.py` only. The client is a `Transport` (inheritance, not a field: its tests drive the
transport's session, clock and jitter through the client), plus the endpoints.
"""

from __future__ import annotations

from collections.abc import Mapping

import requests

from xoxzo_din.access import MIN_SECRET_LENGTH
from xoxzo_din.xoxzo.endpoints import DINS_PATH, SUBSCRIPTIONS_PATH, subscription_path
from xoxzo_din.xoxzo.errors import (
    XoxzoError,
    XoxzoOutcomeUnknownError,
    XoxzoProtocolError,
    XoxzoUnavailableError,
    short,
)
from xoxzo_din.xoxzo.models import AvailableDin, Subscription, validate_din_uid
from xoxzo_din.xoxzo.parsing import parse_available, parse_subscription, subscription_from
from xoxzo_din.xoxzo.transport import (
    HTTP_SERVER_ERROR,
    HTTP_TOO_MANY_REQUESTS,
    HttpCall,
    Transport,
    logger,
    unavailable,
)


class XoxzoClient(Transport):
    """XOXZO DIN API client on a requests.Session, with timeouts and safe retries."""

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
            raise XoxzoProtocolError(f"GET {DINS_PATH}: expected a JSON list, got {short(body)}")
        result: list[AvailableDin] = []
        for item in body:
            din = parse_available(item)
            if din is None:
                logger.warning("Skipping an unusable available-DIN item", extra={"item": short(item)})
            else:
                result.append(din)
        return result

    def list_subscriptions(self) -> list[Subscription]:
        """Every number this account subscribes to."""
        response = self._request("GET", SUBSCRIPTIONS_PATH)
        body = self._json(response, "GET", SUBSCRIPTIONS_PATH)
        if not isinstance(body, list):
            raise XoxzoProtocolError(f"GET {SUBSCRIPTIONS_PATH}: expected a JSON list, got {short(body)}")
        return [parse_subscription(item) for item in body]

    def set_action_url(self, din_uid: str, action_url: str) -> None:
        """Point a subscribed number at an action server (idempotent, so retried)."""
        path = self._subscription_path(din_uid)
        if not isinstance(action_url, str) or not action_url:
            raise ValueError("action_url must be a non-empty string")
        # An error body that echoes the URL must not carry its secret into a message or a log.
        secret = action_url.rstrip("/").rpartition("/")[2]
        if len(secret) >= MIN_SECRET_LENGTH:
            self._redacted.append(secret)
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
            outcome = self._send(HttpCall(method, path, data={"din_uid": din_uid}))
            status = outcome.status_code if isinstance(outcome, requests.Response) else None
            last_status = status if status is not None else last_status
            if isinstance(outcome, requests.Response) and 200 <= outcome.status_code < 300:
                body = self._json_or_none(outcome)
                return subscription_from(body if isinstance(body, Mapping) else {}, din_uid)
            ambiguous = status is None or status >= HTTP_SERVER_ERROR
            if isinstance(outcome, requests.Response) and not ambiguous and status != HTTP_TOO_MANY_REQUESTS:
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
        return unavailable(
            f"XOXZO {method} {path} (subscribe {din_uid}) {why} (last status: {last_status}); {outcome}",
            HttpCall(method, path),
            attempts,
            last_status,
            out_of_time=out_of_time,
            kind=error_class,
        )

    # ---- the subscription list as the judge of a subscribe ---------------------------------------

    def _subscription_path(self, din_uid: str) -> str:
        return subscription_path(validate_din_uid(din_uid))

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
            raise unavailable(
                f"XOXZO subscribe {din_uid}: {why}, and the subscription list could not be read "
                f"({type(exc).__name__}: {exc}); {outcome}",
                HttpCall("POST", SUBSCRIPTIONS_PATH),
                attempts,
                last_status,
                out_of_time=isinstance(exc, XoxzoUnavailableError) and exc.out_of_time,
                kind=error_class,
            ) from exc
        return next((s for s in subscriptions if s.din_uid == din_uid), None)
