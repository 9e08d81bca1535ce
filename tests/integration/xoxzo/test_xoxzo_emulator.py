"""The local XOXZO DIN API emulator, driven by the official client (xoxzo.cloudpy) and by ours.

The official client is a real client nobody here wrote: it must work against the emulator, and ours
must send exactly the requests it sends.
"""

from __future__ import annotations

import base64
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from xoxzo.cloudpy import XoxzoClient as OfficialClient

from tools.xoxzo_emulator import DEFAULT_POOL, Fault, XoxzoEmulator
from xoxzo_din.xoxzo.client import XoxzoClient
from xoxzo_din.xoxzo.errors import XoxzoApiError, XoxzoNotFoundError, XoxzoValidationError
from xoxzo_din.xoxzo.models import AvailableDin, ClientSettings, Subscription, XoxzoCredentials

OSAKA_UID = "JPj8mc3gt6pyw5rk"
UID = "JPafr34rafic76tf"  # 815012345678, the documented example
ACTION_URL = "https://abc123.execute-api.ap-northeast-1.amazonaws.com/action/s3cr3t-path-segment"
REPO_ROOT = Path(__file__).resolve().parents[3]


def official(emulator: XoxzoEmulator, *, token: str | None = None) -> Any:
    return OfficialClient(emulator.sid, token or emulator.auth_token, api_host=emulator.base_url)


def ours(emulator: XoxzoEmulator) -> XoxzoClient:
    return XoxzoClient(
        XoxzoCredentials(emulator.sid, emulator.auth_token),
        emulator.base_url,
        ClientSettings(read_timeout=2.0),
        sleep=lambda _seconds: None,
    )


def raw(
    emulator: XoxzoEmulator, method: str, path: str, *, auth: bool = True, **kwargs: Any
) -> requests.Response:
    credentials = (emulator.sid, emulator.auth_token) if auth else None
    return requests.request(method, emulator.base_url + path, auth=credentials, timeout=5, **kwargs)


# ---- the official client against the emulator --------------------------------------------------


def test_official_get_din_list_without_and_with_search_strings(xoxzo_emulator: XoxzoEmulator) -> None:
    client = official(xoxzo_emulator)

    everything = client.get_din_list()
    assert everything.errors is None
    assert len(everything.messages) == len(DEFAULT_POOL) == 12
    assert everything.messages[0] == {
        "country_code": "81",
        "din": "815012345678",
        "din_uid": UID,
        "minute_cost": 1,
        "monthly_cost": 650.0,
        "prefix": "50",
    }

    japan = client.get_din_list("country=JP")
    assert japan.errors is None
    assert len(japan.messages) == 12

    tokyo = client.get_din_list("prefix=813")
    assert tokyo.errors is None
    assert sorted(item["din"] for item in tokyo.messages) == ["81345678901", "81355501234", "81362709999"]
    assert {item["prefix"] for item in tokyo.messages} == {"3"}

    bad = client.get_din_list("foo=bar")
    assert bad.errors == 400
    assert bad.message == {"foo": ["unknown filter"]}


def test_official_subscribe_list_set_action_url_and_unsubscribe(xoxzo_emulator: XoxzoEmulator) -> None:
    client = official(xoxzo_emulator)

    subscribed = client.subscribe_din(UID)
    assert subscribed.errors is None
    assert subscribed.message["din_uid"] == UID
    assert subscribed.message["din"] == "815012345678"

    unknown = client.subscribe_din("JPdoesnotexist00")
    assert unknown.errors == 400
    assert "din_uid" in unknown.message

    again = client.subscribe_din(UID)
    assert again.errors == 400
    assert "din_uid" in again.message

    listed = client.get_subscription_list()
    assert listed.errors is None
    assert [item["din_uid"] for item in listed.messages] == [UID]
    assert listed.messages[0]["action"]["url"] is None

    pointed = client.set_action_url(UID, ACTION_URL)
    assert pointed.errors is None
    assert pointed.message["action"]["url"] == ACTION_URL
    assert client.get_subscription_list().messages[0]["action"]["url"] == ACTION_URL

    not_ours = client.set_action_url(OSAKA_UID, ACTION_URL)
    assert not_ours.errors == 404

    cancelled = client.unsubscribe_din(UID)
    assert cancelled.errors is None
    assert client.get_subscription_list().messages == []
    assert UID in {item["din_uid"] for item in client.get_din_list().messages}

    unknown_cancel = client.unsubscribe_din(UID)
    assert unknown_cancel.errors == 404
    assert unknown_cancel.message == {"detail": "Not found."}


def test_official_client_with_wrong_credentials_gets_401_everywhere(xoxzo_emulator: XoxzoEmulator) -> None:
    xoxzo_emulator.presubscribe(UID)
    client = official(xoxzo_emulator, token="wrong-token")
    results = [
        client.get_din_list(),
        client.get_din_list("country=JP"),
        client.subscribe_din(OSAKA_UID),
        client.get_subscription_list(),
        client.set_action_url(UID, ACTION_URL),
        client.unsubscribe_din(UID),
    ]
    for result in results:
        assert result.errors == 401
        assert result.message == {"detail": "Invalid username/password."}
    assert [r.authorized for r in xoxzo_emulator.requests] == [False] * 6
    # Nothing changed.
    assert [s["din_uid"] for s in xoxzo_emulator.subscriptions()] == [UID]
    assert xoxzo_emulator.subscriptions()[0]["action"]["url"] is None


# ---- request equivalence: ours sends what the official client sends ----------------------------

Setup = Callable[[XoxzoEmulator], None]


def _nothing(_emulator: XoxzoEmulator) -> None:
    return None


def _presubscribe(emulator: XoxzoEmulator) -> None:
    emulator.presubscribe(UID)


EQUIVALENT_OPERATIONS: list[tuple[str, Setup, Callable[[Any], Any], Callable[[XoxzoClient], Any]]] = [
    ("search", _nothing, lambda c: c.get_din_list(), lambda c: c.search()),
    ("search country", _nothing, lambda c: c.get_din_list("country=JP"), lambda c: c.search(country="JP")),
    ("search prefix", _nothing, lambda c: c.get_din_list("prefix=813"), lambda c: c.search(prefix="813")),
    (
        "search both",
        _nothing,
        lambda c: c.get_din_list("country=JP&prefix=8150"),
        lambda c: c.search(country="JP", prefix="8150"),
    ),
    ("subscribe", _nothing, lambda c: c.subscribe_din(UID), lambda c: c.subscribe(UID)),
    (
        "list subscriptions",
        _presubscribe,
        lambda c: c.get_subscription_list(),
        lambda c: c.list_subscriptions(),
    ),
    (
        "set action url",
        _presubscribe,
        lambda c: c.set_action_url(UID, ACTION_URL),
        lambda c: c.set_action_url(UID, ACTION_URL),
    ),
    ("cancel", _presubscribe, lambda c: c.unsubscribe_din(UID), lambda c: c.cancel(UID)),
]


def _wire(emulator: XoxzoEmulator) -> list[tuple[Any, ...]]:
    return [
        (r.method, r.path, r.query, r.form, r.authorization, r.content_type, r.status)
        for r in emulator.requests
    ]


def _state(emulator: XoxzoEmulator) -> tuple[list[Any], list[str]]:
    subscriptions = [{k: v for k, v in s.items() if k != "subscribed_at"} for s in emulator.subscriptions()]
    return subscriptions, [d["din_uid"] for d in emulator.available()]


@pytest.mark.parametrize(
    ("setup", "call_official", "call_ours"),
    [pytest.param(*operation[1:], id=operation[0]) for operation in EQUIVALENT_OPERATIONS],
)
def test_our_client_sends_the_same_requests_as_the_official_one(setup, call_official, call_ours) -> None:
    with XoxzoEmulator() as theirs_emulator, XoxzoEmulator() as our_emulator:
        setup(theirs_emulator)
        setup(our_emulator)
        result = call_official(official(theirs_emulator))
        assert result.errors is None
        call_ours(ours(our_emulator))

        theirs, mine = _wire(theirs_emulator), _wire(our_emulator)
        assert len(theirs) == 1
        assert mine == theirs
        expected_auth = "Basic " + base64.b64encode(b"local-sid:local-token").decode()
        assert mine[0][4] == expected_auth
        assert _state(our_emulator) == _state(theirs_emulator)


@pytest.mark.parametrize(
    ("call_official", "call_ours", "error_class", "status"),
    [
        pytest.param(
            lambda c: c.subscribe_din("JPdoesnotexist00"),
            lambda c: c.subscribe("JPdoesnotexist00"),
            XoxzoValidationError,
            400,
            id="subscribe unknown",
        ),
        pytest.param(
            lambda c: c.unsubscribe_din(UID),
            lambda c: c.cancel(UID),
            XoxzoNotFoundError,
            404,
            id="cancel unknown",
        ),
        pytest.param(
            lambda c: c.set_action_url(UID, ACTION_URL),
            lambda c: c.set_action_url(UID, ACTION_URL),
            XoxzoNotFoundError,
            404,
            id="set action url unknown",
        ),
        pytest.param(
            lambda c: c.get_din_list("country=jp"),
            lambda c: c.search(country="jp"),
            None,
            200,
            id="lower-case country",
        ),
    ],
)
def test_equivalent_requests_on_errors_too(call_official, call_ours, error_class, status) -> None:
    with XoxzoEmulator() as theirs_emulator, XoxzoEmulator() as our_emulator:
        result = call_official(official(theirs_emulator))
        assert result.errors == (None if error_class is None else status)
        if error_class is None:
            call_ours(ours(our_emulator))
        else:
            with pytest.raises(error_class) as caught:
                call_ours(ours(our_emulator))
            assert caught.value.status == status
            assert caught.value.body == result.message
        assert _wire(our_emulator) == _wire(theirs_emulator)
        assert len(_wire(our_emulator)) == 1


# ---- our client end to end ---------------------------------------------------------------------


def test_our_client_full_lifecycle(xoxzo_emulator: XoxzoEmulator) -> None:
    client = ours(xoxzo_emulator)
    osaka = client.search(prefix="816")
    assert [d.number for d in osaka] == ["+81612345678", "+81655550000", "+81664321098"]
    assert osaka[0] == AvailableDin(OSAKA_UID, "+81612345678", "81", "6", 1100.0, 2.0)

    details: dict[str, Any] = {
        "monthly_cost": 1100.0,
        "minute_cost": 2.0,
        "country_code": "81",
        "prefix": "6",
    }
    assert client.subscribe(OSAKA_UID) == Subscription(OSAKA_UID, "+81612345678", None, **details)
    assert OSAKA_UID not in {d.din_uid for d in client.search()}
    client.set_action_url(OSAKA_UID, ACTION_URL)
    assert client.list_subscriptions() == [Subscription(OSAKA_UID, "+81612345678", ACTION_URL, **details)]
    client.cancel(OSAKA_UID)
    assert client.list_subscriptions() == []
    assert OSAKA_UID in {d.din_uid for d in client.search()}
    with pytest.raises(XoxzoNotFoundError):
        client.cancel(OSAKA_UID)


def test_our_client_surfaces_the_emulator_validation_errors(xoxzo_emulator: XoxzoEmulator) -> None:
    xoxzo_emulator.presubscribe(UID)
    client = ours(xoxzo_emulator)
    with pytest.raises(XoxzoValidationError) as caught:
        client.set_action_url(UID, "ftp://example.com/x")
    assert caught.value.body == {"action_url": ["Enter a valid URL."]}
    with pytest.raises(XoxzoValidationError) as prefix_error:
        client.search(prefix="+813")
    assert "prefix" in prefix_error.value.body
    assert len(xoxzo_emulator.requests) == 2  # 400s are never retried


# ---- the emulator's own behaviour --------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected_count", "expected_prefixes"),
    [
        ({"prefix": "81"}, 12, {"50", "3", "6"}),
        ({"prefix": "813"}, 3, {"3"}),
        ({"prefix": "816"}, 3, {"6"}),
        ({"prefix": "8150"}, 6, {"50"}),
        ({"prefix": "815012345"}, 2, {"50"}),
        ({"prefix": "1"}, 0, set()),
        ({"country": "JP"}, 12, {"50", "3", "6"}),
        ({"country": "jp"}, 12, {"50", "3", "6"}),
        ({"country": "US"}, 0, set()),
        ({"country": "JP", "prefix": "813"}, 3, {"3"}),
    ],
)
def test_search_filters(xoxzo_emulator: XoxzoEmulator, query, expected_count, expected_prefixes) -> None:
    response = raw(xoxzo_emulator, "GET", "/voice/dins/", params=query)
    assert response.status_code == 200
    items = response.json()
    assert len(items) == expected_count
    assert {item["prefix"] for item in items} == expected_prefixes
    if "prefix" in query:
        assert all(item["din"].startswith(query["prefix"]) for item in items)


def test_unknown_filters_and_bad_prefixes_are_400(xoxzo_emulator: XoxzoEmulator) -> None:
    response = raw(xoxzo_emulator, "GET", "/voice/dins/", params={"country": "JP", "area": "3", "foo": "x"})
    assert response.status_code == 400
    assert response.json() == {"area": ["unknown filter"], "foo": ["unknown filter"]}
    response = raw(xoxzo_emulator, "GET", "/voice/dins/", params={"prefix": "03"})
    assert response.status_code == 200  # digits: just no match
    assert response.json() == []
    assert raw(xoxzo_emulator, "GET", "/voice/dins/", params={"prefix": "abc"}).status_code == 400


def test_subscribed_numbers_leave_the_pool_and_cancelled_ones_return(xoxzo_emulator: XoxzoEmulator) -> None:
    created = raw(xoxzo_emulator, "POST", "/voice/dins/subscriptions/", data={"din_uid": UID})
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {
        "din_uid",
        "din",
        "country_code",
        "prefix",
        "monthly_cost",
        "minute_cost",
        "action",
        "subscribed_at",
    }
    assert body["action"] == {"url": None}
    assert UID not in {d["din_uid"] for d in xoxzo_emulator.available()}
    assert len(xoxzo_emulator.available()) == 11
    assert raw(xoxzo_emulator, "GET", "/voice/dins/subscriptions/").json() == [body]

    deleted = raw(xoxzo_emulator, "DELETE", f"/voice/dins/subscriptions/{UID}/")
    assert deleted.status_code == 200
    assert deleted.json()["din_uid"] == UID
    assert len(xoxzo_emulator.available()) == 12
    assert xoxzo_emulator.subscriptions() == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, {"din_uid": ["This field is required."]}),
        ({"din_uid": ""}, {"din_uid": ["This field is required."]}),
        ({"din_uid": "JPnope"}, {"din_uid": ["No available DIN has this din_uid."]}),
    ],
)
def test_subscribe_validation(xoxzo_emulator: XoxzoEmulator, data, expected) -> None:
    response = raw(xoxzo_emulator, "POST", "/voice/dins/subscriptions/", data=data)
    assert response.status_code == 400
    assert response.json() == expected
    assert xoxzo_emulator.subscriptions() == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, {"action_url": ["This field is required."]}),
        ({"action_url": "ftp://example.com/a"}, {"action_url": ["Enter a valid URL."]}),
        ({"action_url": "example.com/a"}, {"action_url": ["Enter a valid URL."]}),
    ],
)
def test_set_action_url_validation(xoxzo_emulator: XoxzoEmulator, data, expected) -> None:
    xoxzo_emulator.presubscribe(UID, "http://old.example/a")
    response = raw(xoxzo_emulator, "POST", f"/voice/dins/subscriptions/{UID}/", data=data)
    assert response.status_code == 400
    assert response.json() == expected
    assert xoxzo_emulator.subscriptions()[0]["action"]["url"] == "http://old.example/a"


def test_set_action_url_on_a_number_not_subscribed_is_404(xoxzo_emulator: XoxzoEmulator) -> None:
    response = raw(
        xoxzo_emulator, "POST", f"/voice/dins/subscriptions/{UID}/", data={"action_url": ACTION_URL}
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    "path", ["/voice/dins", "/voice/dins/subscriptions", f"/voice/dins/subscriptions/{UID}", "/voice/", "/"]
)
def test_paths_without_trailing_slash_or_unknown_are_404(xoxzo_emulator: XoxzoEmulator, path: str) -> None:
    xoxzo_emulator.presubscribe(UID)
    response = raw(xoxzo_emulator, "GET", path)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert raw(xoxzo_emulator, "DELETE", path).status_code == 404
    assert len(xoxzo_emulator.subscriptions()) == 1


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/voice/dins/", "GET, OPTIONS"),
        ("DELETE", "/voice/dins/", "GET, OPTIONS"),
        ("PUT", "/voice/dins/subscriptions/", "GET, POST, OPTIONS"),
        ("DELETE", "/voice/dins/subscriptions/", "GET, POST, OPTIONS"),
        ("GET", f"/voice/dins/subscriptions/{UID}/", "POST, DELETE, OPTIONS"),
        ("PATCH", f"/voice/dins/subscriptions/{UID}/", "POST, DELETE, OPTIONS"),
    ],
)
def test_other_methods_are_405(xoxzo_emulator: XoxzoEmulator, method: str, path: str, allow: str) -> None:
    response = raw(xoxzo_emulator, method, path)
    assert response.status_code == 405
    assert response.headers["Allow"] == allow
    assert response.json() == {"detail": f'Method "{method}" not allowed.'}


@pytest.mark.parametrize(
    "auth",
    [None, ("local-sid", "wrong"), ("other-sid", "local-token"), ("local-sid", "")],
)
def test_basic_auth_is_required(xoxzo_emulator: XoxzoEmulator, auth) -> None:
    response = requests.get(xoxzo_emulator.base_url + "/voice/dins/", auth=auth, timeout=5)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid username/password."}
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    (record,) = xoxzo_emulator.requests
    assert record.authorized is False


def test_malformed_authorization_headers_are_401(xoxzo_emulator: XoxzoEmulator) -> None:
    for header in ["Bearer local-token", "Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode()]:
        response = requests.get(
            xoxzo_emulator.base_url + "/voice/dins/", headers={"Authorization": header}, timeout=5
        )
        assert response.status_code == 401
    assert xoxzo_emulator.requests[0].authorization == "Bearer local-token"


def test_configurable_credentials() -> None:
    with XoxzoEmulator(sid="AC123", auth_token="tok456") as emulator:
        assert raw(emulator, "GET", "/voice/dins/").status_code == 200
        assert emulator.requests[0].authorization == "Basic " + base64.b64encode(b"AC123:tok456").decode()
        assert emulator.authorization == emulator.requests[0].authorization
        assert (
            requests.get(
                emulator.base_url + "/voice/dins/", auth=("local-sid", "local-token"), timeout=5
            ).status_code
            == 401
        )


def test_request_log_records_method_path_query_form_and_auth(xoxzo_emulator: XoxzoEmulator) -> None:
    raw(xoxzo_emulator, "GET", "/voice/dins/", params={"prefix": "813"})
    raw(xoxzo_emulator, "POST", "/voice/dins/subscriptions/", data={"din_uid": UID})
    first, second = xoxzo_emulator.requests
    assert (first.method, first.path, first.query, first.form, first.status) == (
        "GET",
        "/voice/dins/",
        "prefix=813",
        {},
        200,
    )
    assert first.query_params == {"prefix": ["813"]}
    assert (second.method, second.form, second.status) == ("POST", {"din_uid": [UID]}, 201)
    assert second.content_type == "application/x-www-form-urlencoded"
    assert second.authorization == xoxzo_emulator.authorization
    assert second.authorized is True
    xoxzo_emulator.clear_requests()
    assert xoxzo_emulator.requests == []


def test_json_bodies_are_accepted_like_drf_does(xoxzo_emulator: XoxzoEmulator) -> None:
    response = raw(xoxzo_emulator, "POST", "/voice/dins/subscriptions/", json={"din_uid": UID})
    assert response.status_code == 201
    assert xoxzo_emulator.requests[0].form == {"din_uid": [UID]}


def test_faults_are_consumed_in_order_then_normal_handling_resumes(xoxzo_emulator: XoxzoEmulator) -> None:
    xoxzo_emulator.inject_faults("GET", "/voice/dins/", [503, Fault("status", status=429, retry_after="7")])
    assert list(xoxzo_emulator.pending_faults()) == [("GET", "/voice/dins/")]
    first = raw(xoxzo_emulator, "GET", "/voice/dins/")
    second = raw(xoxzo_emulator, "GET", "/voice/dins/")
    other_path = raw(xoxzo_emulator, "GET", "/voice/dins/subscriptions/")
    third = raw(xoxzo_emulator, "GET", "/voice/dins/")
    assert (first.status_code, second.status_code, other_path.status_code, third.status_code) == (
        503,
        429,
        200,
        200,
    )
    assert second.headers["Retry-After"] == "7"
    assert "7 seconds" in second.json()["detail"]
    assert [r.fault for r in xoxzo_emulator.requests] == ["status-503", "status-429", None, None]
    assert xoxzo_emulator.pending_faults() == {}


def test_fault_specs_are_explicit() -> None:
    assert Fault.of("timeout") == Fault("timeout-after-apply")
    assert Fault.of(500) == Fault("status", status=500)
    with pytest.raises(ValueError, match="drop-after-apply"):
        Fault.of("drop")
    with pytest.raises(ValueError, match="unknown fault"):
        Fault.of("explode")
    with pytest.raises(ValueError, match="status"):
        Fault("status")


def test_presubscribe_refuses_unknown_or_taken_numbers(xoxzo_emulator: XoxzoEmulator) -> None:
    xoxzo_emulator.presubscribe(UID)
    with pytest.raises(KeyError):
        xoxzo_emulator.presubscribe(UID)
    with pytest.raises(KeyError):
        xoxzo_emulator.presubscribe("JPnope")
    assert xoxzo_emulator.requests == []


def test_concurrent_subscribes_of_one_number_succeed_exactly_once(xoxzo_emulator: XoxzoEmulator) -> None:
    statuses: list[int] = []
    lock = threading.Lock()

    def subscribe() -> None:
        status = raw(xoxzo_emulator, "POST", "/voice/dins/subscriptions/", data={"din_uid": UID}).status_code
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=subscribe) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [201] + [400] * 7
    assert [s["din_uid"] for s in xoxzo_emulator.subscriptions()] == [UID]
    assert len(xoxzo_emulator.requests) == 8


def test_stopped_emulator_has_no_base_url_and_refuses_connections() -> None:
    emulator = XoxzoEmulator().start()
    url = emulator.base_url
    emulator.stop()
    with pytest.raises(RuntimeError):
        _ = emulator.base_url
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/voice/dins/", timeout=2)


def test_cli_serves_and_prints_its_base_url_and_credentials() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tools.xoxzo_emulator",
            "--port",
            "0",
            "--sid",
            "cli-sid",
            "--auth-token",
            "cli-tok",
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert first_line.startswith("XOXZO DIN API emulator on http://127.0.0.1:")
        base_url = first_line.rsplit(" ", 1)[-1].strip()
        assert "sid=cli-sid auth_token=cli-tok" in process.stdout.readline()
        response = requests.get(base_url + "/voice/dins/", auth=("cli-sid", "cli-tok"), timeout=5)
        assert response.status_code == 200
        assert len(response.json()) == 12
        process.terminate()  # SIGTERM stops it cleanly, like Ctrl-C
        remaining, _ = process.communicate(timeout=5)
        assert "stopped" in remaining
        assert process.returncode == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)


def test_error_status_and_body_reach_our_exception(xoxzo_emulator: XoxzoEmulator) -> None:
    client = ours(xoxzo_emulator)
    with pytest.raises(XoxzoApiError) as caught:
        client.subscribe("JPdoesnotexist00")
    assert "400" in str(caught.value)
    assert "No available DIN has this din_uid." in str(caught.value)
