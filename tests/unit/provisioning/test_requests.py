"""Direct-invocation events: every problem is reported at once, valid events become typed requests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given

from tests.helpers.provisioning_events import events
from xoxzo_din.provisioning.errors import InvalidRequestError
from xoxzo_din.provisioning.requests import (
    CancelRequest,
    ListRequest,
    SearchRequest,
    SetActionUrlRequest,
    SubscribeRequest,
    SyncRequest,
    parse_request,
)
from xoxzo_din.provisioning.results import redact_url

EVENTS = Path(__file__).resolve().parents[3] / "events" / "provisioning"


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
        (
            {"operation": "sync", "adopt": ["JPx1", "JPx2", "JPx1"]},
            SyncRequest(frozenset({"JPx1", "JPx2"})),
        ),
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


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("813", "813"), (813, "813"), ("+8150", "8150"), (" 8190 ", "8190"), ("1", "1")],
)
def test_a_search_prefix_is_the_start_of_the_number_with_its_country_code(
    prefix: object, expected: str
) -> None:
    assert parse_request({"operation": "search", "prefix": prefix}) == SearchRequest(None, expected)


@pytest.mark.parametrize(
    ("prefix", "hint"),
    [
        ("03", "write '813' for 03"),
        ("050", "write '8150' for 050"),
        ("0", "e.g. '813' for Tokyo 03"),
        ("0081", "e.g. '813' for Tokyo 03"),
    ],
)
def test_a_prefix_with_the_trunk_zero_is_refused_with_a_hint(prefix: str, hint: str) -> None:
    [problem] = problems_of({"operation": "search", "prefix": prefix})
    assert "starts with 0" in problem and hint in problem


@pytest.mark.parametrize("prefix", ["3-", "８１３", "\u0663", "", "12345678901", True, 8.13, -3, ["813"]])
def test_a_prefix_that_is_not_ascii_digits_is_refused_with_an_example(prefix: object) -> None:
    [problem] = problems_of({"operation": "search", "prefix": prefix})
    assert "with its country code" in problem and "'813'" in problem


def test_an_operation_that_is_not_a_string_is_an_invalid_request() -> None:
    for operation in (["list"], {"list": True}, 1, None, True):
        [problem] = problems_of({"operation": operation})
        assert problem.startswith("operation must be one of search, subscribe")


def test_fields_of_the_wrong_json_type_are_each_named() -> None:
    problems = problems_of(
        {"operation": "cancel", "din_uid": ["JPx1"], "confirm": {"a": 1}, "delete_routes": 0}
    )
    assert problems == [
        "din_uid must be a string such as 'JPafr34rafic76tf', not ['JPx1']",
        "confirm must be a string repeating the din_uid or the number, not {'a': 1}",
        "delete_routes must be true or false (JSON boolean), not 0",
    ]


def test_a_long_wrong_value_is_cut_short_in_the_problem() -> None:
    [problem] = problems_of({"operation": "search", "country": "x" * 10_000})
    assert len(problem) < 200


@given(events())
def test_any_json_in_any_field_is_a_request_or_an_invalid_request(event: dict[str, object]) -> None:
    try:
        parse_request(event)
    except InvalidRequestError as error:
        assert error.problems
        assert all(isinstance(problem, str) and len(problem) < 400 for problem in error.problems)


def test_sync_adopt_must_name_din_uids_in_a_list() -> None:
    assert problems_of({"operation": "sync", "adopt": "JPx1"}) == [
        "adopt must be a non-empty list of the din_uids to take over, e.g. [\"JPafr34rafic76tf\"], not 'JPx1'"
    ]
    assert problems_of({"operation": "sync", "adopt": ["JPx1", "a/b", None]}) == [
        "adopt[1] 'a/b' is not a XOXZO din_uid (letters, digits, '.', '_', '~', '-')",
        "adopt[2] is required (a string such as 'JPafr34rafic76tf')",
    ]
    assert problems_of({"operation": "sync", "adopt": True})


def test_an_unknown_operation_names_the_known_ones() -> None:
    [problem] = problems_of({"operation": "delete-everything"})
    assert "search, subscribe, list, set-action-url, cancel, sync" in problem
    assert len(problems_of({})) == 1


def test_every_sample_event_of_events_provisioning_is_an_operation() -> None:
    # docs/how-to/provision-numbers.md: every file there can be sent to a deployed function (custom
    # resource events live in events/custom-resource, for local runs).
    operations = set()
    for path in sorted(EVENTS.glob("*.json")):
        event = json.loads(path.read_text(encoding="utf-8"))
        assert "RequestType" not in event, path.name
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
