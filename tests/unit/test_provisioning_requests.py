"""Direct-invocation events: every problem is reported at once, valid events become typed requests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from xoxzo_din.provisioning import (
    CancelRequest,
    InvalidRequestError,
    ListRequest,
    SearchRequest,
    SetActionUrlRequest,
    SubscribeRequest,
    SyncRequest,
    parse_request,
    redact_url,
)

EVENTS = Path(__file__).resolve().parents[2] / "events" / "provisioning"


def problems_of(event: dict[str, object]) -> list[str]:
    with pytest.raises(InvalidRequestError) as error:
        parse_request(event)
    return error.value.problems


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"operation": "search", "country": "jp", "prefix": 813}, SearchRequest("JP", "813")),
        ({"operation": "search"}, SearchRequest(None, None)),
        ({"operation": "subscribe", "din_uid": "JPafr34rafic76tf"}, SubscribeRequest("JPafr34rafic76tf")),
        ({"operation": "list"}, ListRequest()),
        ({"operation": "set-action-url", "all": True}, SetActionUrlRequest(None, True, None)),
        (
            {"operation": "set-action-url", "din_uid": "JPx1", "action_url": "https://a.example/action/x"},
            SetActionUrlRequest("JPx1", False, "https://a.example/action/x"),
        ),
        (
            {"operation": "cancel", "din_uid": "JPx1", "confirm": "JPx1", "delete_routes": True},
            CancelRequest("JPx1", "JPx1", True),
        ),
        ({"operation": "sync"}, SyncRequest()),
    ],
)
def test_valid_events_become_requests(event: dict[str, object], expected: object) -> None:
    assert parse_request(event) == expected


def test_every_problem_of_an_event_is_listed() -> None:
    problems = problems_of(
        {"operation": "cancel", "din_uid": "../x", "delete_routes": "yes", "confrim": "JPx1", "force": 1}
    )

    assert len(problems) == 4
    assert problems[0] == "unknown field(s) for cancel: confrim, force"
    assert any("din_uid" in problem for problem in problems)
    assert any("confirm is required" in problem for problem in problems)
    assert any("delete_routes must be true or false" in problem for problem in problems)


def test_set_action_url_needs_exactly_one_target_and_a_real_url() -> None:
    assert problems_of(
        {"operation": "set-action-url", "din_uid": "JPx1", "all": True, "action_url": "x"}
    ) == [
        "give either din_uid or all=true, not both",
        "action_url must be an absolute http(s) URL without spaces",
    ]
    assert len(problems_of({"operation": "set-action-url"})) == 1
    assert len(problems_of({"operation": "set-action-url", "all": "true"})) == 2


def test_search_filters_are_checked_together() -> None:
    assert len(problems_of({"operation": "search", "country": "Japan", "prefix": "03-"})) == 2


def test_an_unknown_operation_names_the_known_ones() -> None:
    [problem] = problems_of({"operation": "delete-everything"})
    assert "search, subscribe, list, set-action-url, cancel, sync" in problem
    assert len(problems_of({})) == 1


def test_every_sample_event_of_an_operation_parses() -> None:
    operations = set()
    for path in sorted(EVENTS.glob("*.json")):
        event = json.loads(path.read_text(encoding="utf-8"))
        if "RequestType" in event:
            continue
        parse_request(event)
        operations.add(event["operation"])
    assert operations == {"search", "subscribe", "list", "set-action-url", "cancel", "sync"}


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://abc.execute-api.ap-northeast-1.amazonaws.com/action/abcdefghijklmnopqrstuvwxyz012345",
            "https://abc.execute-api.ap-northeast-1.amazonaws.com/action/abcd***",
        ),
        ("https://example.com/short", "https://example.com/short"),
        (None, None),
    ],
)
def test_action_url_secrets_are_redacted(url: str | None, shown: str | None) -> None:
    assert redact_url(url) == shown
