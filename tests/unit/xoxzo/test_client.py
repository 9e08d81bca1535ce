"""Unit tests of the XOXZO DIN API client, on a scripted requests.Session (no network)."""

from __future__ import annotations

import json
import logging
import random
from collections import deque
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from xoxzo_din.xoxzo.client import XoxzoClient
from xoxzo_din.xoxzo.endpoints import DEFAULT_BASE_URL
from xoxzo_din.xoxzo.errors import (
    XoxzoApiError,
    XoxzoAuthError,
    XoxzoCredentialsError,
    XoxzoNotFoundError,
    XoxzoOutcomeUnknownError,
    XoxzoProtocolError,
    XoxzoUnavailableError,
    XoxzoValidationError,
)
from xoxzo_din.xoxzo.models import (
    AvailableDin,
    ClientSettings,
    Subscription,
    XoxzoCredentials,
    validate_din_uid,
)

SID = "AC-unit-sid-0001"
TOKEN = "tok-unit-SECRET-9f8e7d6c5b4a"
CREDENTIALS = XoxzoCredentials(SID, TOKEN)
BASE = "https://api.example.test"
UID = "JPafr34rafic76tf"
AVAILABLE_ITEM = {
    "country_code": "81",
    "din": "815012345678",
    "din_uid": UID,
    "minute_cost": 1,
    "monthly_cost": 650.0,
    "prefix": "50",
}


@dataclass
class Call:
    method: str
    url: str
    kwargs: dict[str, Any]


class ScriptedSession(requests.Session):
    """Answers each request with the next scripted outcome (a Response, or an exception to raise)."""

    def __init__(self, *outcomes: requests.Response | BaseException) -> None:
        super().__init__()
        self.outcomes: deque[requests.Response | BaseException] = deque(outcomes)
        self.calls: list[Call] = []

    def request(self, method, url, **kwargs):  # type: ignore[override]
        self.calls.append(Call(method, url, kwargs))
        if not self.outcomes:
            raise AssertionError(f"unexpected request {method} {url}")
        outcome = self.outcomes.popleft()
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def methods(self) -> list[str]:
        return [f"{c.method} {c.url.removeprefix(BASE)}" for c in self.calls]


def reply(status: int, body: Any = None, *, headers: dict[str, str] | None = None, text: str | None = None):
    response = requests.Response()
    response.status_code = status
    response._content = (text if text is not None else json.dumps(body)).encode()
    response.headers["Content-Type"] = "application/json"
    response.headers.update(headers or {})
    return response


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


SETTINGS_FIELDS = {field.name for field in fields(ClientSettings)}


def make_client(session: ScriptedSession, **kwargs: Any) -> tuple[XoxzoClient, Sleeps]:
    sleeps = Sleeps()
    kwargs.setdefault("rng", random.Random(1234))  # noqa: S311 - jitter in a test
    timing = {key: kwargs.pop(key) for key in SETTINGS_FIELDS if key in kwargs}
    client = XoxzoClient(CREDENTIALS, BASE, ClientSettings(**timing), session=session, sleep=sleeps, **kwargs)
    return client, sleeps


def subscription_item(din_uid: str = UID, url: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"din_uid": din_uid, "action": {"url": url}, **extra}


# ---- credentials -------------------------------------------------------------------------------


def test_credentials_from_mapping_reads_sid_and_token() -> None:
    credentials = XoxzoCredentials.from_mapping({"sid": SID, "auth_token": TOKEN, "other": 1})
    assert credentials == XoxzoCredentials(SID, TOKEN)


@pytest.mark.parametrize(
    ("data", "bad_keys"),
    [
        ({}, ["sid", "auth_token"]),
        ({"sid": SID}, ["auth_token"]),
        ({"sid": "", "auth_token": TOKEN}, ["sid"]),
        ({"sid": "   ", "auth_token": TOKEN}, ["sid"]),
        ({"sid": SID, "auth_token": None}, ["auth_token"]),
        ({"sid": SID, "auth_token": 12345}, ["auth_token"]),
        ({"sid": "REPLACE_ME", "auth_token": "REPLACE_ME"}, ["sid", "auth_token"]),
        ({"sid": SID, "auth_token": "REPLACE_ME"}, ["auth_token"]),
    ],
)
def test_credentials_from_mapping_refuses_missing_empty_and_placeholder(data, bad_keys) -> None:
    with pytest.raises(XoxzoCredentialsError) as caught:
        XoxzoCredentials.from_mapping(data)
    message = str(caught.value)
    for key in bad_keys:
        assert key in message
    assert TOKEN not in message
    assert SID not in message


def test_credentials_repr_hides_the_token() -> None:
    assert TOKEN not in repr(CREDENTIALS)
    assert TOKEN not in str(CREDENTIALS)
    assert SID in repr(CREDENTIALS)


def test_client_repr_shows_neither_sid_nor_token() -> None:
    client, _ = make_client(ScriptedSession())
    assert BASE in repr(client)
    assert TOKEN not in repr(client)
    assert SID not in repr(client)


def test_default_base_url_is_xoxzo() -> None:
    session = ScriptedSession(reply(200, []))
    client = XoxzoClient(CREDENTIALS, session=session)
    client.list_subscriptions()
    assert DEFAULT_BASE_URL == "https://api.xoxzo.com"
    assert session.calls[0].url == "https://api.xoxzo.com/voice/dins/subscriptions/"


@pytest.mark.parametrize(
    "base_url",
    ["ftp://api.example.test", "api.example.test", "https://user:pw@api.example.test", "https://h/?q=1"],
)
def test_client_refuses_unusable_base_urls(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url") as caught:
        XoxzoClient(CREDENTIALS, base_url)
    assert "pw" not in str(caught.value)


def test_client_refuses_bad_settings() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        XoxzoClient(CREDENTIALS, settings=ClientSettings(max_attempts=0))
    with pytest.raises(ValueError, match="timeouts"):
        XoxzoClient(CREDENTIALS, settings=ClientSettings(read_timeout=0))
    with pytest.raises(XoxzoCredentialsError):
        XoxzoClient(XoxzoCredentials(SID, ""))


# ---- request shape -----------------------------------------------------------------------------


def test_search_sends_filters_auth_and_timeouts_and_returns_e164_numbers() -> None:
    session = ScriptedSession(reply(200, [AVAILABLE_ITEM]))
    client, _ = make_client(session, connect_timeout=1.5, read_timeout=7.0)
    result = client.search(country="JP", prefix="8150")
    assert result == [AvailableDin(UID, "+815012345678", "81", "50", 650.0, 1.0)]
    (call,) = session.calls
    assert call.method == "GET"
    assert call.url == f"{BASE}/voice/dins/"
    assert call.kwargs["params"] == {"country": "JP", "prefix": "8150"}
    assert call.kwargs["data"] is None
    assert call.kwargs["auth"] == (SID, TOKEN)
    assert call.kwargs["timeout"] == (1.5, 7.0)
    assert call.kwargs["allow_redirects"] is False


def test_search_without_filters_sends_no_query() -> None:
    session = ScriptedSession(reply(200, []))
    client, _ = make_client(session)
    assert client.search() == []
    assert session.calls[0].kwargs["params"] is None


def test_trailing_slash_of_base_url_is_tolerated() -> None:
    session = ScriptedSession(reply(200, []))
    client = XoxzoClient(CREDENTIALS, BASE + "/", session=session)
    client.search()
    assert session.calls[0].url == f"{BASE}/voice/dins/"


def test_search_skips_unusable_items_and_reads_string_costs(caplog: pytest.LogCaptureFixture) -> None:
    items = [
        AVAILABLE_ITEM,
        {**AVAILABLE_ITEM, "din_uid": "JPbad1", "din": "not-a-number"},
        {**AVAILABLE_ITEM, "din_uid": "JPbad2", "monthly_cost": "n/a"},
        {**AVAILABLE_ITEM, "din_uid": "../etc"},
        "garbage",
        {
            **AVAILABLE_ITEM,
            "din_uid": "JPtokyo1",
            "din": "81312345678",
            "prefix": "3",
            "monthly_cost": "1300",
        },
    ]
    client, _ = make_client(ScriptedSession(reply(200, items)))
    with caplog.at_level(logging.WARNING, logger="xoxzo_din.xoxzo"):
        result = client.search()
    assert [(d.din_uid, d.number, d.monthly_cost) for d in result] == [
        (UID, "+815012345678", 650.0),
        ("JPtokyo1", "+81312345678", 1300.0),
    ]
    assert len([r for r in caplog.records if "unusable" in r.getMessage()]) == 4


@pytest.mark.parametrize("body", [{"detail": "x"}, None, "text"])
def test_search_refuses_a_non_list_body(body: Any) -> None:
    client, _ = make_client(ScriptedSession(reply(200, body)))
    with pytest.raises(XoxzoProtocolError):
        client.search()


def test_non_json_success_body_is_a_protocol_error() -> None:
    client, _ = make_client(ScriptedSession(reply(200, text="<html>maintenance</html>")))
    with pytest.raises(XoxzoProtocolError, match="200"):
        client.list_subscriptions()


def test_list_subscriptions_reads_din_uid_action_url_and_optional_number() -> None:
    body = [
        subscription_item(UID, "https://a.example/action/x", din="815012345678"),
        subscription_item("JPnodin", None),
        {"din_uid": "JPnoaction"},
    ]
    client, _ = make_client(ScriptedSession(reply(200, body)))
    assert client.list_subscriptions() == [
        Subscription(UID, "+815012345678", "https://a.example/action/x"),
        Subscription("JPnodin", None, None),
        Subscription("JPnoaction", None, None),
    ]


def test_list_subscriptions_reads_costs_country_and_prefix_when_given_and_usable() -> None:
    # Not confirmed fields of a subscription item: read when usable, None otherwise, never an error.
    body = [
        {**AVAILABLE_ITEM, "action": {"url": None}},
        subscription_item(
            "JPstrings", None, monthly_cost="1300.0", minute_cost="2", country_code=81, prefix=3
        ),
        subscription_item(
            "JPjunk", None, monthly_cost="free", minute_cost=-1, country_code="+81", prefix=["3"]
        ),
        subscription_item(
            "JPodd", None, monthly_cost=True, minute_cost=float("nan"), country_code="", prefix=None
        ),
    ]
    client, _ = make_client(ScriptedSession(reply(200, body)))
    listed = client.list_subscriptions()
    assert listed[0] == Subscription(UID, "+815012345678", None, 650.0, 1.0, "81", "50")
    assert listed[1] == Subscription("JPstrings", None, None, 1300.0, 2.0, "81", "3")
    assert listed[2] == Subscription("JPjunk", None, None)
    assert listed[3] == Subscription("JPodd", None, None)


def test_list_subscriptions_refuses_an_item_without_din_uid() -> None:
    client, _ = make_client(ScriptedSession(reply(200, [{"action": {"url": None}}])))
    with pytest.raises(XoxzoProtocolError, match="din_uid"):
        client.list_subscriptions()


def test_set_action_url_posts_the_form_field_to_the_subscription_path() -> None:
    session = ScriptedSession(reply(200, subscription_item(UID, "https://a.example/x")))
    client, _ = make_client(session)
    client.set_action_url(UID, "https://a.example/x")
    (call,) = session.calls
    assert (call.method, call.url) == ("POST", f"{BASE}/voice/dins/subscriptions/{UID}/")
    assert call.kwargs["data"] == {"action_url": "https://a.example/x"}


def test_cancel_deletes_the_subscription_path() -> None:
    session = ScriptedSession(reply(200, {}))
    client, _ = make_client(session)
    client.cancel(UID)
    assert session.methods() == [f"DELETE /voice/dins/subscriptions/{UID}/"]


# ---- din_uid validation ------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["", ".", "..", "../x", "a/b", "a b", "a?b", "a#b", "a%2Fb", "é", "x" * 129])
def test_unsafe_din_uids_are_refused_before_any_request(bad: str) -> None:
    session = ScriptedSession()
    client, _ = make_client(session)
    for operation in (
        lambda: client.subscribe(bad),
        lambda: client.cancel(bad),
        lambda: client.set_action_url(bad, "https://a.example/x"),
    ):
        with pytest.raises(ValueError, match="din_uid"):
            operation()
    assert session.calls == []


@given(st.text(max_size=40))
def test_validate_din_uid_accepts_only_unreserved_path_segments(text: str) -> None:
    try:
        validate_din_uid(text)
    except ValueError:
        accepted = False
    else:
        accepted = True
    safe = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~-")
    expected = bool(text) and set(text) <= safe and text[0].isascii() and text[0].isalnum()
    assert accepted == expected


# ---- retries -----------------------------------------------------------------------------------


def test_get_retries_timeouts_connection_errors_and_5xx_then_succeeds() -> None:
    session = ScriptedSession(
        requests.ReadTimeout("read timed out"),
        requests.ConnectionError("connection reset"),
        reply(502, {"detail": "Bad gateway"}),
        reply(200, [subscription_item()]),
    )
    client, sleeps = make_client(session, max_attempts=4, backoff_base=0.5, backoff_max=8.0)
    assert client.list_subscriptions() == [Subscription(UID, None, None)]
    assert len(session.calls) == 4
    assert len(sleeps) == 3
    # Full jitter: each delay is in [0, min(backoff_max, base * 2**(n-1))].
    for attempt, delay in enumerate(sleeps, start=1):
        assert 0.0 <= delay <= min(8.0, 0.5 * 2 ** (attempt - 1))


def test_backoff_is_capped_by_backoff_max() -> None:
    session = ScriptedSession(*[reply(503, {})] * 9, reply(200, []))
    client, sleeps = make_client(session, max_attempts=10, backoff_base=1.0, backoff_max=3.0)
    client.search()
    assert len(sleeps) == 9
    assert all(0.0 <= delay <= 3.0 for delay in sleeps)
    assert max(sleeps) > 1.0  # the ceiling grew past the base before the cap


def test_full_jitter_spreads_the_delays() -> None:
    session = ScriptedSession(*[reply(500, {})] * 20, reply(200, []))
    client, sleeps = make_client(session, max_attempts=21, backoff_base=1.0, backoff_max=1.0)
    client.search()
    assert len(set(sleeps)) == 20  # random, not a fixed schedule
    assert all(0.0 <= delay <= 1.0 for delay in sleeps)


@pytest.mark.parametrize(("retry_after", "expected"), [("2", 2.0), ("0", 0.0), ("120", 8.0), ("1.5", 1.5)])
def test_429_honours_retry_after_seconds_capped_by_backoff_max(retry_after: str, expected: float) -> None:
    session = ScriptedSession(
        reply(429, {"detail": "throttled"}, headers={"Retry-After": retry_after}), reply(200, [])
    )
    client, sleeps = make_client(session, backoff_max=8.0)
    assert client.search() == []
    assert sleeps == [expected]


def test_429_honours_an_http_date_retry_after() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    session = ScriptedSession(reply(429, {}, headers={"Retry-After": when}), reply(200, []))
    client, sleeps = make_client(session, backoff_max=60.0)
    client.search()
    assert 25.0 <= sleeps[0] <= 30.0


def test_429_with_unusable_retry_after_falls_back_to_backoff() -> None:
    session = ScriptedSession(reply(429, {}, headers={"Retry-After": "soon"}), reply(200, []))
    client, sleeps = make_client(session, backoff_base=0.5)
    client.search()
    assert len(sleeps) == 1
    assert 0.0 <= sleeps[0] <= 0.5


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, XoxzoValidationError),
        (401, XoxzoAuthError),
        (403, XoxzoAuthError),
        (404, XoxzoNotFoundError),
        (405, XoxzoApiError),
        (409, XoxzoApiError),
        (302, XoxzoApiError),
    ],
)
def test_other_statuses_are_never_retried(status: int, error_class: type[XoxzoApiError]) -> None:
    body = {"detail": f"problem {status}"}
    session = ScriptedSession(reply(status, body))
    client, sleeps = make_client(session)
    with pytest.raises(error_class) as caught:
        client.search(country="JP")
    error = caught.value
    assert type(error) is error_class
    assert (error.status, error.body, error.method, error.path) == (status, body, "GET", "/voice/dins/")
    assert str(status) in str(error)
    assert f"problem {status}" in str(error)
    assert len(session.calls) == 1
    assert sleeps == []


def test_error_messages_never_show_credentials_even_if_xoxzo_echoes_them() -> None:
    body = {"detail": f"Invalid token {TOKEN} for {SID}"}
    client, _ = make_client(ScriptedSession(reply(401, body)))
    with pytest.raises(XoxzoAuthError) as caught:
        client.list_subscriptions()
    text = f"{caught.value} {caught.value!r} {caught.value.args}"
    assert TOKEN not in text
    assert SID not in text
    assert "401" in text
    assert "Invalid token" in text


def test_non_json_error_body_is_kept_as_text() -> None:
    client, _ = make_client(ScriptedSession(reply(400, text="Bad request, plain")))
    with pytest.raises(XoxzoValidationError) as caught:
        client.search()
    assert caught.value.body == "Bad request, plain"
    assert "Bad request, plain" in str(caught.value)


def test_exhausted_retries_raise_unavailable_with_attempts_and_last_status() -> None:
    session = ScriptedSession(
        requests.ConnectTimeout("connect"), reply(500, {}), reply(503, {"detail": "down"})
    )
    client, sleeps = make_client(session, max_attempts=3)
    with pytest.raises(XoxzoUnavailableError) as caught:
        client.list_subscriptions()
    assert caught.value.attempts == 3
    assert caught.value.last_status == 503
    assert (caught.value.method, caught.value.path) == ("GET", "/voice/dins/subscriptions/")
    assert len(session.calls) == 3
    assert len(sleeps) == 2  # no sleep after the last attempt


def test_exhausted_on_timeouts_only_has_no_last_status() -> None:
    session = ScriptedSession(requests.ReadTimeout(), requests.ReadTimeout())
    client, _ = make_client(session, max_attempts=2)
    with pytest.raises(XoxzoUnavailableError) as caught:
        client.search()
    assert caught.value.last_status is None
    assert "ReadTimeout" in str(caught.value)


def test_set_action_url_is_retried_because_it_is_idempotent() -> None:
    session = ScriptedSession(requests.ReadTimeout(), reply(200, {}))
    client, _ = make_client(session)
    client.set_action_url(UID, "https://a.example/x")
    assert session.methods() == [f"POST /voice/dins/subscriptions/{UID}/"] * 2


# ---- cancel ------------------------------------------------------------------------------------


def test_cancel_of_an_unknown_subscription_is_not_found() -> None:
    session = ScriptedSession(reply(404, {"detail": "Not found."}))
    client, _ = make_client(session)
    with pytest.raises(XoxzoNotFoundError) as caught:
        client.cancel(UID)
    assert caught.value.status == 404
    assert len(session.calls) == 1


@pytest.mark.parametrize(
    "first", [requests.ReadTimeout(), requests.ConnectionError(), reply(500, {}), reply(504, {})], ids=repr
)
def test_cancel_404_after_a_lost_attempt_is_success(first: Any) -> None:
    session = ScriptedSession(first, reply(404, {"detail": "Not found."}))
    client, _ = make_client(session)
    client.cancel(UID)
    assert len(session.calls) == 2


def test_cancel_404_after_a_429_is_still_not_found() -> None:
    # A 429 was definitely not applied, so a 404 afterwards means the number was never ours.
    session = ScriptedSession(reply(429, {}), reply(404, {"detail": "Not found."}))
    client, _ = make_client(session)
    with pytest.raises(XoxzoNotFoundError):
        client.cancel(UID)


# ---- subscribe ---------------------------------------------------------------------------------


def test_subscribe_posts_the_din_uid_once_and_reads_the_body() -> None:
    body = subscription_item(UID, None, din="815012345678")
    session = ScriptedSession(reply(201, body))
    client, _ = make_client(session)
    assert client.subscribe(UID) == Subscription(UID, "+815012345678", None)
    (call,) = session.calls
    assert (call.method, call.url) == ("POST", f"{BASE}/voice/dins/subscriptions/")
    assert call.kwargs["data"] == {"din_uid": UID}
    assert call.kwargs["timeout"] == (3.05, 15.0)


@pytest.mark.parametrize("text", ["", "null", "[]", '"ok"', "<html/>"])
def test_subscribe_does_not_depend_on_the_response_body(text: str) -> None:
    client, _ = make_client(ScriptedSession(reply(201, text=text)))
    assert client.subscribe(UID) == Subscription(UID, None, None)


def test_subscribe_whose_answer_was_lost_checks_the_list_and_does_not_post_again() -> None:
    session = ScriptedSession(
        requests.ReadTimeout(),
        reply(200, [subscription_item("JPother"), subscription_item(UID, None, din="815012345678")]),
    )
    client, sleeps = make_client(session)
    assert client.subscribe(UID) == Subscription(UID, "+815012345678", None)
    assert session.methods() == ["POST /voice/dins/subscriptions/", "GET /voice/dins/subscriptions/"]
    assert sleeps == []


@pytest.mark.parametrize(
    "lost", [requests.ReadTimeout(), requests.ConnectionError(), reply(500, {})], ids=repr
)
def test_subscribe_not_applied_is_posted_again_after_the_list_check(lost: Any) -> None:
    session = ScriptedSession(lost, reply(200, []), reply(201, {}))
    client, sleeps = make_client(session)
    assert client.subscribe(UID) == Subscription(UID, None, None)
    assert session.methods() == [
        "POST /voice/dins/subscriptions/",
        "GET /voice/dins/subscriptions/",
        "POST /voice/dins/subscriptions/",
    ]
    assert len(sleeps) == 1


def test_subscribe_429_backs_off_and_checks_the_list_before_posting_again() -> None:
    session = ScriptedSession(reply(429, {}, headers={"Retry-After": "3"}), reply(200, []), reply(201, {}))
    client, sleeps = make_client(session)
    client.subscribe(UID)
    assert session.methods() == [
        "POST /voice/dins/subscriptions/",
        "GET /voice/dins/subscriptions/",
        "POST /voice/dins/subscriptions/",
    ]
    assert sleeps == [3.0]


def test_subscribe_429_that_the_list_shows_applied_is_not_posted_again() -> None:
    session = ScriptedSession(reply(429, {}), reply(200, [subscription_item(UID, None, din="815012345678")]))
    client, sleeps = make_client(session)
    assert client.subscribe(UID) == Subscription(UID, "+815012345678", None)
    assert session.methods() == ["POST /voice/dins/subscriptions/", "GET /voice/dins/subscriptions/"]
    assert len(sleeps) == 1


def test_subscribe_429_with_an_unreadable_list_is_not_posted_again_and_was_not_applied() -> None:
    session = ScriptedSession(reply(429, {}), reply(401, {"detail": "Invalid username/password."}))
    client, _ = make_client(session)
    with pytest.raises(XoxzoUnavailableError, match=r"429.*it was not applied") as caught:
        client.subscribe(UID)
    # Only 429s were answered: nothing was applied, so the outcome is known (the caller may
    # record a failure and try again), and without the list no second POST is sent.
    assert not isinstance(caught.value, XoxzoOutcomeUnknownError)
    assert session.methods().count("POST /voice/dins/subscriptions/") == 1


def test_subscribe_429_after_a_lost_answer_with_an_unreadable_list_is_outcome_unknown() -> None:
    session = ScriptedSession(
        requests.ReadTimeout(),
        reply(200, []),
        reply(429, {}),
        reply(401, {"detail": "Invalid username/password."}),
    )
    client, _ = make_client(session)
    with pytest.raises(XoxzoOutcomeUnknownError, match="429"):
        client.subscribe(UID)
    assert session.methods().count("POST /voice/dins/subscriptions/") == 2


def test_subscribe_400_is_raised_at_once() -> None:
    body = {"din_uid": ["No available DIN has this din_uid."]}
    session = ScriptedSession(reply(400, body))
    client, sleeps = make_client(session)
    with pytest.raises(XoxzoValidationError) as caught:
        client.subscribe(UID)
    assert caught.value.body == body
    assert len(session.calls) == 1
    assert sleeps == []


def test_subscribe_400_after_a_lost_attempt_checks_the_list_again() -> None:
    # Lost answer, list not yet showing it, second POST refused as "not available": it was ours.
    session = ScriptedSession(
        requests.ReadTimeout(),
        reply(200, []),
        reply(400, {"din_uid": ["No available DIN has this din_uid."]}),
        reply(200, [subscription_item(UID)]),
    )
    client, _ = make_client(session)
    assert client.subscribe(UID) == Subscription(UID, None, None)
    assert len(session.calls) == 4


def test_subscribe_401_is_not_retried() -> None:
    session = ScriptedSession(reply(401, {"detail": "Invalid username/password."}))
    client, _ = make_client(session)
    with pytest.raises(XoxzoAuthError):
        client.subscribe(UID)
    assert len(session.calls) == 1


def test_subscribe_exhausted_reports_attempts_and_posts_at_most_max_attempts() -> None:
    session = ScriptedSession(
        reply(503, {}), reply(200, []), reply(503, {}), reply(200, []), reply(503, {}), reply(200, [])
    )
    client, sleeps = make_client(session, max_attempts=3)
    with pytest.raises(XoxzoUnavailableError) as caught:
        client.subscribe(UID)
    assert caught.value.attempts == 3
    assert caught.value.last_status == 503
    assert session.methods().count("POST /voice/dins/subscriptions/") == 3
    assert len(sleeps) == 2


def test_subscribe_with_an_unknown_outcome_and_an_unreadable_list_says_so() -> None:
    session = ScriptedSession(requests.ReadTimeout(), reply(503, {}), reply(503, {}))
    client, _ = make_client(session, max_attempts=2)
    with pytest.raises(XoxzoUnavailableError, match="outcome is unknown") as caught:
        client.subscribe(UID)
    assert caught.value.attempts == 1
    assert session.methods().count("POST /voice/dins/subscriptions/") == 1


@pytest.mark.parametrize(
    "list_answer",
    [
        reply(401, {"detail": "Invalid username/password."}),
        reply(403, {"detail": "You do not have permission to perform this action."}),
        reply(400, {"detail": "Bad request"}),
        reply(200, {"not": "a list"}),
        reply(200, text="<html>maintenance</html>"),
        reply(200, [{"action": {"url": None}}]),  # an item without din_uid
    ],
    ids=["401", "403", "400", "not-a-list", "not-json", "unusable-item"],
)
@pytest.mark.parametrize("lost", [requests.ReadTimeout(), reply(502, {})], ids=["timeout", "502"])
def test_subscribe_with_a_lost_answer_and_a_list_check_that_fails_is_outcome_unknown_not_a_refusal(
    lost: Any, list_answer: requests.Response
) -> None:
    # XOXZO may have subscribed (and billed) it: never an ordinary refusal, which the provisioner
    # would record as `failed`.
    session = ScriptedSession(lost, list_answer)
    client, _ = make_client(session)
    with pytest.raises(XoxzoOutcomeUnknownError, match="outcome is unknown") as caught:
        client.subscribe(UID)
    assert isinstance(caught.value, XoxzoUnavailableError)
    assert session.methods() == ["POST /voice/dins/subscriptions/", "GET /voice/dins/subscriptions/"]
    assert TOKEN not in str(caught.value)


def test_subscribe_refused_after_a_lost_attempt_asks_the_list_whatever_the_refusal() -> None:
    # Lost, not listed yet, POST again refused with 401: the first attempt may still show up.
    session = ScriptedSession(
        requests.ConnectionError(),
        reply(200, []),
        reply(401, {"detail": "Invalid username/password."}),
        reply(200, [subscription_item(UID)]),
    )
    client, _ = make_client(session)
    assert client.subscribe(UID) == Subscription(UID, None, None)
    assert len(session.calls) == 4


def test_subscribe_refused_after_a_lost_attempt_and_not_listed_is_the_refusal() -> None:
    session = ScriptedSession(
        requests.ConnectionError(),
        reply(200, []),
        reply(403, {"detail": "Forbidden"}),
        reply(200, []),
    )
    client, _ = make_client(session)
    with pytest.raises(XoxzoAuthError):
        client.subscribe(UID)
    assert len(session.calls) == 4


# ---- credentials read afresh after a 401 --------------------------------------------------------


class Refresher:
    """refresh_credentials: returns the next scripted credentials (or raises), counting calls."""

    def __init__(self, *results: XoxzoCredentials | Exception) -> None:
        self.results = deque(results)
        self.calls = 0

    def __call__(self) -> XoxzoCredentials:
        self.calls += 1
        result = self.results.popleft()
        if isinstance(result, Exception):
            raise result
        return result


FIXED = XoxzoCredentials(SID, "tok-FIXED-after-rotation-1234")
UNAUTHORIZED = {"detail": "Invalid username/password."}


def test_a_401_reads_the_credentials_afresh_and_sends_the_request_again_with_them() -> None:
    session = ScriptedSession(reply(401, UNAUTHORIZED), reply(200, []))
    refresher = Refresher(FIXED)
    client, sleeps = make_client(session, refresh_credentials=refresher)
    assert client.list_subscriptions() == []
    assert [call.kwargs["auth"] for call in session.calls] == [(SID, TOKEN), (SID, FIXED.auth_token)]
    assert refresher.calls == 1
    assert sleeps == []


def test_a_401_subscribe_is_sent_again_with_fresh_credentials_it_applied_nothing() -> None:
    session = ScriptedSession(reply(401, UNAUTHORIZED), reply(201, {}))
    client, _ = make_client(session, refresh_credentials=Refresher(FIXED))
    assert client.subscribe(UID) == Subscription(UID, None, None)
    assert session.methods() == ["POST /voice/dins/subscriptions/"] * 2


@pytest.mark.parametrize(
    "refreshed", [CREDENTIALS, XoxzoCredentialsError("placeholder"), RuntimeError("no network")], ids=repr
)
def test_a_401_stands_when_the_fresh_credentials_are_the_same_or_unreadable(refreshed: Any) -> None:
    session = ScriptedSession(reply(401, UNAUTHORIZED))
    refresher = Refresher(refreshed)
    client, _ = make_client(session, refresh_credentials=refresher)
    with pytest.raises(XoxzoAuthError):
        client.search()
    assert len(session.calls) == 1
    assert refresher.calls == 1


def test_the_credentials_are_read_afresh_once_per_client_only() -> None:
    other = XoxzoCredentials(SID, "tok-yet-another-5678")
    session = ScriptedSession(reply(401, UNAUTHORIZED), reply(401, UNAUTHORIZED), reply(401, UNAUTHORIZED))
    refresher = Refresher(FIXED, other)
    client, _ = make_client(session, refresh_credentials=refresher)
    with pytest.raises(XoxzoAuthError) as first:
        client.search()
    with pytest.raises(XoxzoAuthError):
        client.search()
    assert refresher.calls == 1
    assert len(session.calls) == 3
    assert FIXED.auth_token not in str(first.value)


def test_a_403_does_not_read_the_credentials_again() -> None:
    session = ScriptedSession(reply(403, {"detail": "IP not allowed"}))
    refresher = Refresher(FIXED)
    client, _ = make_client(session, refresh_credentials=refresher)
    with pytest.raises(XoxzoAuthError):
        client.search()
    assert refresher.calls == 0


# ---- logging -----------------------------------------------------------------------------------


def test_retries_are_logged_without_credentials(caplog: pytest.LogCaptureFixture) -> None:
    session = ScriptedSession(requests.ReadTimeout(), reply(503, {"detail": "down"}), reply(200, []))
    client, _ = make_client(session)
    with caplog.at_level(logging.DEBUG):
        client.search()
    retries = [r for r in caplog.records if r.name == "xoxzo_din.xoxzo"]
    assert [getattr(r, "reason", None) for r in retries] == ["ReadTimeout", "HTTP 503"]
    assert [getattr(r, "attempt", None) for r in retries] == [1, 2]
    for record in caplog.records:
        dumped = f"{record.getMessage()} {record.__dict__}"
        assert TOKEN not in dumped
        assert "Authorization" not in dumped


def test_subscribe_exhausted_on_429_lists_before_each_post_again_and_says_not_applied() -> None:
    session = ScriptedSession(reply(429, {}), reply(200, []), reply(429, {}))
    client, sleeps = make_client(session, max_attempts=2)
    with pytest.raises(XoxzoUnavailableError, match="not applied") as caught:
        client.subscribe(UID)
    assert not isinstance(caught.value, XoxzoOutcomeUnknownError)
    assert (caught.value.attempts, caught.value.last_status) == (2, 429)
    assert session.methods() == [
        "POST /voice/dins/subscriptions/",
        "GET /voice/dins/subscriptions/",
        "POST /voice/dins/subscriptions/",
    ]
    assert len(sleeps) == 1


def test_an_error_body_echoing_the_action_url_never_shows_its_secret() -> None:
    secret = "S" * 40
    url = f"https://api.example/action/{secret}"
    client, _ = make_client(ScriptedSession(reply(400, {"action_url": [f"{url} is not reachable"]})))
    with pytest.raises(XoxzoValidationError) as refused:
        client.set_action_url(UID, url)
    assert secret not in str(refused.value) and "[redacted]" in str(refused.value)
