"""Our XOXZO client against the emulator with injected faults: timeouts, 5xx, 429, lost answers.

Each test checks how many requests reached the emulator and the emulator's final state. A short read
timeout (0.3 s, the emulator holds "timeout" answers for 1 s) and a recording no-op sleep keep the
file fast.
"""

from __future__ import annotations

import json
import logging
import random
import socket
import threading
from collections import deque
from collections.abc import Iterator
from typing import Any

import pytest

from tools.xoxzo_emulator import DEFAULT_POOL, Fault, XoxzoEmulator
from xoxzo_din.xoxzo.client import XoxzoClient
from xoxzo_din.xoxzo.errors import (
    XoxzoAuthError,
    XoxzoNotFoundError,
    XoxzoUnavailableError,
    XoxzoValidationError,
)
from xoxzo_din.xoxzo.models import ClientSettings, Subscription, XoxzoCredentials

UID = "JPafr34rafic76tf"
NUMBER = "+815012345678"
ACTION_URL = "https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/secret-segment"
DINS = "/voice/dins/"
SUBSCRIPTIONS = "/voice/dins/subscriptions/"
ONE = f"/voice/dins/subscriptions/{UID}/"
READ_TIMEOUT = 0.3
# What the emulator's subscription items say about UID besides its number and action URL.
DETAILS: dict[str, Any] = {"monthly_cost": 650.0, "minute_cost": 1.0, "country_code": "81", "prefix": "50"}


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def client_for(
    emulator: XoxzoEmulator, sleeps: Sleeps, *, token: str | None = None, **kwargs: Any
) -> XoxzoClient:
    return XoxzoClient(
        XoxzoCredentials(emulator.sid, token or emulator.auth_token),
        emulator.base_url,
        ClientSettings(connect_timeout=1.0, read_timeout=READ_TIMEOUT, **kwargs),
        sleep=sleeps,
        rng=random.Random(7),  # noqa: S311 - jitter in a test
    )


def calls(emulator: XoxzoEmulator) -> list[str]:
    return [f"{r.method} {r.path}" for r in emulator.requests]


def subscribed(emulator: XoxzoEmulator) -> list[str]:
    return [s["din_uid"] for s in emulator.subscriptions()]


# ---- safe-to-repeat requests -------------------------------------------------------------------


def test_read_timeouts_then_success(xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps) -> None:
    xoxzo_emulator.inject_faults("GET", DINS, ["timeout", "timeout-after-apply"])
    result = client_for(xoxzo_emulator, sleeps).search(prefix="8150")
    assert len(result) == 6
    assert calls(xoxzo_emulator) == [f"GET {DINS}"] * 3
    assert [r.fault for r in xoxzo_emulator.requests] == ["timeout-after-apply", "timeout-after-apply", None]
    assert len(sleeps) == 2
    assert xoxzo_emulator.pending_faults() == {}


def test_set_action_url_answer_lost_then_repeated(xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps) -> None:
    xoxzo_emulator.presubscribe(UID)
    xoxzo_emulator.inject_faults("POST", ONE, ["timeout-after-apply", "drop-after-apply"])
    client_for(xoxzo_emulator, sleeps).set_action_url(UID, ACTION_URL)
    assert calls(xoxzo_emulator) == [f"POST {ONE}"] * 3
    assert all(r.form == {"action_url": [ACTION_URL]} for r in xoxzo_emulator.requests)
    assert xoxzo_emulator.subscriptions()[0]["action"]["url"] == ACTION_URL


def test_5xx_then_success(xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps) -> None:
    xoxzo_emulator.presubscribe(UID, ACTION_URL)
    xoxzo_emulator.inject_faults("GET", SUBSCRIPTIONS, [500, 502, 503])
    result = client_for(xoxzo_emulator, sleeps).list_subscriptions()
    assert result == [Subscription(UID, NUMBER, ACTION_URL, **DETAILS)]
    assert [r.status for r in xoxzo_emulator.requests] == [500, 502, 503, 200]
    assert len(sleeps) == 3
    assert all(0 <= delay <= min(8.0, 0.5 * 2**n) for n, delay in enumerate(sleeps))


def test_connection_dropped_before_apply_then_success(xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps) -> None:
    xoxzo_emulator.inject_faults("GET", DINS, ["drop-before-apply"])
    assert len(client_for(xoxzo_emulator, sleeps).search()) == 12
    assert [r.status for r in xoxzo_emulator.requests] == [None, 200]


def test_429_then_success_honours_retry_after(xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps) -> None:
    xoxzo_emulator.inject_faults(
        "GET",
        DINS,
        [Fault("status", status=429, retry_after="2"), Fault("status", status=429, retry_after="600"), 429],
    )
    result = client_for(xoxzo_emulator, sleeps, backoff_max=8.0, backoff_base=0.5).search(country="JP")
    assert len(result) == 12
    assert [r.status for r in xoxzo_emulator.requests] == [429, 429, 429, 200]
    assert sleeps[:2] == [2.0, 8.0]  # honoured, then capped by backoff_max
    assert 0 <= sleeps[2] <= 2.0  # no Retry-After: full-jitter backoff (third attempt: base * 4)


def test_retries_exhausted(xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps) -> None:
    xoxzo_emulator.inject_faults("GET", SUBSCRIPTIONS, [503, "timeout", 503, 502, 500])
    with pytest.raises(XoxzoUnavailableError) as caught:
        client_for(xoxzo_emulator, sleeps, max_attempts=4).list_subscriptions()
    assert caught.value.attempts == 4
    assert caught.value.last_status == 502
    assert len(xoxzo_emulator.requests) == 4
    assert len(sleeps) == 3
    assert len(xoxzo_emulator.pending_faults()[("GET", SUBSCRIPTIONS)]) == 1


def test_retries_exhausted_on_timeouts_only(xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps) -> None:
    xoxzo_emulator.inject_faults("DELETE", ONE, ["timeout-before-apply", "timeout-before-apply"])
    xoxzo_emulator.presubscribe(UID)
    with pytest.raises(XoxzoUnavailableError) as caught:
        client_for(xoxzo_emulator, sleeps, max_attempts=2).cancel(UID)
    assert (caught.value.attempts, caught.value.last_status) == (2, None)
    assert calls(xoxzo_emulator) == [f"DELETE {ONE}"] * 2
    assert subscribed(xoxzo_emulator) == [UID]  # never applied


# ---- never retried -----------------------------------------------------------------------------


def test_401_is_not_retried_and_never_shows_the_token(
    xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    token = "wrong-token-7f3a9c1e5b"
    with caplog.at_level(logging.DEBUG), pytest.raises(XoxzoAuthError) as caught:
        client_for(xoxzo_emulator, sleeps, token=token).search()
    error = caught.value
    assert error.status == 401
    assert error.body == {"detail": "Invalid username/password."}
    assert "401" in str(error)
    assert "Invalid username/password." in str(error)
    assert token not in f"{error} {error!r} {error.args} {error.body}"
    (request,) = xoxzo_emulator.requests
    assert request.authorized is False
    assert request.authorization is not None
    assert request.authorization not in caplog.text
    assert token not in caplog.text
    assert sleeps == []


def test_400_for_an_unknown_din_uid_on_subscribe(xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps) -> None:
    with pytest.raises(XoxzoValidationError) as caught:
        client_for(xoxzo_emulator, sleeps).subscribe("JPdoesnotexist00")
    assert caught.value.status == 400
    assert caught.value.body == {"din_uid": ["No available DIN has this din_uid."]}
    assert calls(xoxzo_emulator) == [f"POST {SUBSCRIPTIONS}"]
    assert xoxzo_emulator.subscriptions() == []


def test_404_on_cancel_of_a_number_not_subscribed(xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps) -> None:
    with pytest.raises(XoxzoNotFoundError) as caught:
        client_for(xoxzo_emulator, sleeps).cancel(UID)
    assert caught.value.status == 404
    assert caught.value.body == {"detail": "Not found."}
    assert calls(xoxzo_emulator) == [f"DELETE {ONE}"]
    assert len(xoxzo_emulator.available()) == 12


@pytest.mark.parametrize("lost", ["timeout-after-apply", "drop-after-apply"])
def test_cancel_whose_answer_was_lost_ends_cancelled(
    xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps, lost
) -> None:
    xoxzo_emulator.presubscribe(UID)
    xoxzo_emulator.inject_faults("DELETE", ONE, [lost])
    client_for(xoxzo_emulator, sleeps).cancel(UID)  # the retry's 404 means the first one did it
    assert calls(xoxzo_emulator) == [f"DELETE {ONE}"] * 2
    assert [r.status for r in xoxzo_emulator.requests][1] == 404
    assert xoxzo_emulator.subscriptions() == []
    assert UID in {d["din_uid"] for d in xoxzo_emulator.available()}


# ---- subscribe: never blindly repeated ----------------------------------------------------------


@pytest.mark.parametrize("lost", ["timeout-after-apply", "drop-after-apply"])
def test_subscribe_applied_but_answer_lost_is_found_in_the_list(
    xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps, lost: str
) -> None:
    xoxzo_emulator.inject_faults("POST", SUBSCRIPTIONS, [lost])
    result = client_for(xoxzo_emulator, sleeps).subscribe(UID)
    assert result == Subscription(UID, NUMBER, None, **DETAILS)
    assert calls(xoxzo_emulator) == [f"POST {SUBSCRIPTIONS}", f"GET {SUBSCRIPTIONS}"]  # exactly ONE POST
    assert subscribed(xoxzo_emulator) == [UID]
    assert sleeps == []


@pytest.mark.parametrize("lost", ["timeout-before-apply", "drop-before-apply", 500, 503])
def test_subscribe_not_applied_is_posted_again_after_checking_the_list(
    xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps, lost: str | int
) -> None:
    xoxzo_emulator.inject_faults("POST", SUBSCRIPTIONS, [lost])
    result = client_for(xoxzo_emulator, sleeps).subscribe(UID)
    assert result == Subscription(UID, NUMBER, None, **DETAILS)
    assert calls(xoxzo_emulator) == [f"POST {SUBSCRIPTIONS}", f"GET {SUBSCRIPTIONS}", f"POST {SUBSCRIPTIONS}"]
    assert [r.status for r in xoxzo_emulator.requests][1:] == [200, 201]
    assert subscribed(xoxzo_emulator) == [UID]  # exactly once
    assert len(sleeps) == 1


def test_subscribe_429_backs_off_and_checks_the_list_before_posting_again(
    xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps
) -> None:
    xoxzo_emulator.inject_faults("POST", SUBSCRIPTIONS, [Fault("status", status=429, retry_after="1")])
    client_for(xoxzo_emulator, sleeps).subscribe(UID)
    assert calls(xoxzo_emulator) == [f"POST {SUBSCRIPTIONS}", f"GET {SUBSCRIPTIONS}", f"POST {SUBSCRIPTIONS}"]
    assert sleeps == [1.0]
    assert subscribed(xoxzo_emulator) == [UID]


def test_subscribe_lost_answer_and_flaky_list(xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps) -> None:
    xoxzo_emulator.inject_faults("POST", SUBSCRIPTIONS, ["timeout-after-apply"])
    xoxzo_emulator.inject_faults("GET", SUBSCRIPTIONS, [503, "timeout"])
    assert client_for(xoxzo_emulator, sleeps).subscribe(UID).din_uid == UID
    assert calls(xoxzo_emulator) == [f"POST {SUBSCRIPTIONS}"] + [f"GET {SUBSCRIPTIONS}"] * 3
    assert subscribed(xoxzo_emulator) == [UID]


def test_subscribe_retries_exhausted(xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps) -> None:
    xoxzo_emulator.inject_faults("POST", SUBSCRIPTIONS, ["timeout-before-apply", 503, "drop-before-apply"])
    with pytest.raises(XoxzoUnavailableError) as caught:
        client_for(xoxzo_emulator, sleeps, max_attempts=3).subscribe(UID)
    assert caught.value.attempts == 3
    assert caught.value.last_status == 503
    assert calls(xoxzo_emulator) == [f"POST {SUBSCRIPTIONS}", f"GET {SUBSCRIPTIONS}"] * 3
    assert xoxzo_emulator.subscriptions() == []
    assert len(sleeps) == 2


def test_subscribe_outcome_unknown_when_the_list_is_unreadable(
    xoxzo_emulator: XoxzoEmulator, sleeps: Sleeps
) -> None:
    xoxzo_emulator.inject_faults("POST", SUBSCRIPTIONS, ["timeout-after-apply"])
    xoxzo_emulator.inject_faults("GET", SUBSCRIPTIONS, [503, 503])
    with pytest.raises(XoxzoUnavailableError, match="outcome is unknown"):
        client_for(xoxzo_emulator, sleeps, max_attempts=2).subscribe(UID)
    # One POST only: with the list unreadable, posting again could double-charge.
    assert calls(xoxzo_emulator) == [f"POST {SUBSCRIPTIONS}", f"GET {SUBSCRIPTIONS}", f"GET {SUBSCRIPTIONS}"]
    assert subscribed(xoxzo_emulator) == [UID]


# ---- replies cut or garbled mid-body (a raw socket server: no HTTP server library sends these) ---


class RawHttpServer:
    """Answers each connection with the next scripted raw reply, then closes it."""

    def __init__(self, *replies: bytes) -> None:
        self.replies = deque(replies)
        self.requests: list[str] = []
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def close(self) -> None:
        self._socket.close()
        self._thread.join(timeout=2)

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            with connection:
                self.requests.append(self._read_request(connection))
                if self.replies:
                    connection.sendall(self.replies.popleft())

    @staticmethod
    def _read_request(connection: socket.socket) -> str:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next(
            (int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")), 0
        )
        while len(body) < length:
            chunk = connection.recv(65536)
            if not chunk:
                break
            body += chunk
        method, path, _ = lines[0].split(" ", 2)
        return f"{method} {path}"


def raw_reply(status: str, body: bytes, *, declared: int | None = None, gzip: bool = False) -> bytes:
    """A reply whose Content-Length says `declared` (default: the body's length)."""
    headers = [
        f"HTTP/1.1 {status}",
        "Content-Type: application/json",
        f"Content-Length: {len(body) if declared is None else declared}",
        "Connection: close",
    ]
    if gzip:
        headers.append("Content-Encoding: gzip")
    return ("\r\n".join(headers) + "\r\n\r\n").encode() + body


def json_reply(status: str, body: Any) -> bytes:
    return raw_reply(status, json.dumps(body).encode())


# Headers sent, then the connection closes 15 bytes into a body announced as 200 bytes long.
CUT_MID_BODY = raw_reply("201 Created", b'{"din_uid": "JP', declared=200)
# A body that says it is gzip and is not.
GARBLED_BODY = raw_reply("201 Created", b'{"din_uid": "JPafr34rafic76tf"}', gzip=True)


@pytest.fixture
def raw_server() -> Iterator[list[RawHttpServer]]:
    servers: list[RawHttpServer] = []
    yield servers
    for server in servers:
        server.close()


def raw_client(server: RawHttpServer, sleeps: Sleeps) -> XoxzoClient:
    return XoxzoClient(
        XoxzoCredentials("sid", "token"),
        server.base_url,
        ClientSettings(connect_timeout=1.0, read_timeout=2.0),
        sleep=sleeps,
        rng=random.Random(7),  # noqa: S311 - jitter in a test
    )


@pytest.mark.parametrize("lost", [CUT_MID_BODY, GARBLED_BODY], ids=["cut-mid-body", "garbled-body"])
def test_a_subscribe_reply_cut_mid_body_is_a_lost_answer_settled_by_the_list(
    raw_server: list[RawHttpServer], sleeps: Sleeps, lost: bytes
) -> None:
    server = RawHttpServer(lost, json_reply("200 OK", [{"din_uid": UID, "din": "815012345678"}]))
    raw_server.append(server)

    result = raw_client(server, sleeps).subscribe(UID)

    assert result == Subscription(UID, NUMBER, None)
    # One POST only: the list showed that it was applied.
    assert server.requests == [f"POST {SUBSCRIPTIONS}", f"GET {SUBSCRIPTIONS}"]


def test_a_subscribe_reply_cut_mid_body_and_not_listed_is_posted_again_after_the_check(
    raw_server: list[RawHttpServer], sleeps: Sleeps
) -> None:
    server = RawHttpServer(
        CUT_MID_BODY, json_reply("200 OK", []), json_reply("201 Created", {"din_uid": UID})
    )
    raw_server.append(server)

    assert raw_client(server, sleeps).subscribe(UID).din_uid == UID
    assert server.requests == [f"POST {SUBSCRIPTIONS}", f"GET {SUBSCRIPTIONS}", f"POST {SUBSCRIPTIONS}"]


def test_a_get_reply_cut_mid_body_is_retried(raw_server: list[RawHttpServer], sleeps: Sleeps) -> None:
    available = next(din for din in DEFAULT_POOL if din.din_uid == UID).as_json()
    server = RawHttpServer(
        raw_reply("200 OK", b'[{"din_uid": ', declared=300), GARBLED_BODY, json_reply("200 OK", [available])
    )
    raw_server.append(server)

    assert [din.din_uid for din in raw_client(server, sleeps).search()] == [UID]
    assert server.requests == [f"GET {DINS}"] * 3
    assert len(sleeps) == 2
