"""The action handler against moto, with the routes table built from template.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError

from tools.local_env import LOCAL_ACTION_SECRET, put_route_items, sample_answers
from tools.local_server import http_api_event

EVENTS = Path(__file__).resolve().parents[3] / "events" / "action"
TEXT_PLAIN = "text/plain; charset=utf-8"

# What each sample event must be answered, with tools/sample_routes.json in the table.
EXPECTED = {name: (answer["status"], answer["body"]) for name, answer in sample_answers().items()}


def call(handler, context, query: str, secret: str = LOCAL_ACTION_SECRET, path: str | None = None):
    event = http_api_event("GET", path or f"/action/{secret}?{query}", {"Host": "test"}, "203.0.113.1")
    return handler.lambda_handler(event, context)


def test_every_sample_event_has_an_expected_answer():
    assert sorted(path.name for path in EVENTS.glob("*.json")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_events_are_answered_as_expected(name, seeded_routes, load_action_handler, lambda_context):
    handler = load_action_handler()
    event = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    response = handler.lambda_handler(event, lambda_context)
    status, body = EXPECTED[name]
    assert response["statusCode"] == status
    assert response["body"] == body
    assert response["headers"]["Content-Type"] == TEXT_PLAIN
    assert "\n" not in response["body"]


def test_missing_secret_is_forbidden_without_route_data(seeded_routes, load_action_handler, lambda_context):
    handler = load_action_handler()
    for path in ("/action?caller=1&recipient=0312345678", "/action/?recipient=0312345678"):
        response = call(handler, lambda_context, "", path=path)
        assert response["statusCode"] in (403, 404)
        assert "transfer" not in response["body"] and "say" not in response["body"]
    assert call(handler, lambda_context, "", path="/action?recipient=0312345678")["statusCode"] == 403


def test_previous_secret_is_accepted_while_rotating(
    seeded_routes, load_action_handler, lambda_context, monkeypatch
):
    new_secret = "n" * 40
    monkeypatch.setenv("ACTION_SECRET", new_secret)
    monkeypatch.setenv("ACTION_SECRET_PREVIOUS", LOCAL_ACTION_SECRET)
    handler = load_action_handler()
    for secret in (new_secret, LOCAL_ACTION_SECRET):
        assert call(handler, lambda_context, "recipient=0312345678", secret)["statusCode"] == 200
    assert call(handler, lambda_context, "recipient=0312345678", "x" * 40)["statusCode"] == 403


def test_short_or_missing_secrets_refuse_everything(
    seeded_routes, load_action_handler, lambda_context, monkeypatch
):
    monkeypatch.setenv("ACTION_SECRET", "short")
    handler = load_action_handler()
    assert call(handler, lambda_context, "recipient=0312345678", "short")["statusCode"] == 403
    assert any("shorter than" in problem for problem in handler.settings.problems)


def test_one_query_per_miss_none_per_hit_and_never_a_scan(seeded_routes, load_action_handler, lambda_context):
    handler = load_action_handler()
    assert handler.routes_reader.requests_made == 1  # the global default, read at start-up
    operations: list[str] = []
    handler.routes_reader._client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: operations.append(model.name)
    )
    call(handler, lambda_context, "caller=09012345678&recipient=0312345678")
    assert operations == ["Query"]
    for _ in range(5):
        call(handler, lambda_context, "caller=0335550123&recipient=+81312345678")
    assert operations == ["Query"]
    # An unknown number: one Query of its (empty) partition, answered with the global default.
    response = call(handler, lambda_context, "caller=0335550123&recipient=0355550000")
    assert response["body"] == 'say ja "おかけになった電話番号は現在使われておりません。"'
    assert operations == ["Query", "Query"]


def test_dynamodb_timeouts_fall_back_to_cached_routes_then_defaults(
    seeded_routes, load_action_handler, lambda_context, monkeypatch
):
    monkeypatch.setenv("ROUTE_CACHE_TTL_SECONDS", "0")  # every call goes to DynamoDB
    handler = load_action_handler()
    vip = "caller=09012345678&recipient=0312345678"
    assert call(handler, lambda_context, vip)["body"] == "transfer +81312340001"

    def time_out(**_):
        raise ReadTimeoutError(endpoint_url="https://dynamodb.ap-northeast-1.amazonaws.com")

    monkeypatch.setattr(handler.routes_reader._client, "query", time_out)
    requests_before = handler.routes_reader.requests_made
    response = call(handler, lambda_context, vip)
    assert (response["statusCode"], response["body"]) == (200, "transfer +81312340001")
    assert handler.routes_reader.requests_made - requests_before == 2  # one bounded retry

    # A number never read before: the global default read at start-up.
    response = call(handler, lambda_context, "recipient=0399999999")
    assert (response["statusCode"], response["body"]) == (
        200,
        'say ja "おかけになった電話番号は現在使われておりません。"',
    )


def test_missing_table_still_answers_the_fallback_action(
    tables, load_action_handler, lambda_context, monkeypatch
):
    monkeypatch.setenv("ROUTES_TABLE_NAME", "no-such-table")
    monkeypatch.setenv("FALLBACK_ACTION", "voicemail")
    handler = load_action_handler()
    response = call(handler, lambda_context, "caller=09012345678&recipient=0312345678")
    assert (response["statusCode"], response["body"]) == (200, "voicemail")


def test_invalid_fallback_parameter_uses_the_built_in_announcement(
    tables, load_action_handler, lambda_context, monkeypatch
):
    monkeypatch.setenv("FALLBACK_ACTION", "transfer nowhere")
    handler = load_action_handler()
    response = call(handler, lambda_context, "recipient=0312345678")
    assert response["body"].startswith('say ja "ただいま電話に出ることができません')
    assert any("FALLBACK_ACTION ignored" in problem for problem in handler.settings.problems)


def test_malformed_items_are_skipped_with_a_warning_and_a_metric(
    seeded_routes, load_action_handler, lambda_context, capsys
):
    put_route_items(
        boto3.client("dynamodb"),
        seeded_routes,
        [{"number": "+81312345678", "rule_id": "001-typo", "priority": 1, "action": "tranfer", "to": "x"}],
    )
    handler = load_action_handler()
    response = call(handler, lambda_context, "caller=09012345678&recipient=0312345678")
    assert response["body"] == "transfer +81312340001"  # the VIP rule still applies
    output = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    warnings = [line for line in output if line.get("message") == "malformed route item skipped"]
    assert warnings and "+81312345678/001-typo" in warnings[0]["problem"]
    metrics = [line for line in output if "_aws" in line]
    assert metrics, "no EMF metrics line printed"
    assert metrics[-1]["MalformedRouteItems"] in (1, [1])


def test_callers_are_masked_in_logs(seeded_routes, load_action_handler, lambda_context, capsys):
    handler = load_action_handler()
    call(handler, lambda_context, "caller=09012345678&recipient=0312345678")
    log = next(
        json.loads(line)
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("{") and "call answered" in line
    )
    assert log["caller"] == "***5678"  # the last four, never the length of the number
    assert log["decided_by"] == "rule:020-vip"
    assert "09012345678" not in json.dumps(log)


def test_what_start_up_found_is_counted_in_the_first_invocations_metrics(
    seeded_routes, load_action_handler, lambda_context, capsys, monkeypatch
):
    put_route_items(
        boto3.client("dynamodb"),
        seeded_routes,
        [{"number": "*", "rule_id": "default", "action": "say", "text": 42}],
    )
    monkeypatch.setenv("ROUTE_CACHE_TTL_SECONDS", "0")
    monkeypatch.setenv("FALLBACK_ACTION", "transfer nowhere")
    handler = load_action_handler()
    capsys.readouterr()  # start-up logs
    first = call(handler, lambda_context, "recipient=0312345678")
    second = call(handler, lambda_context, "recipient=0312345678")
    assert first["statusCode"] == second["statusCode"] == 200

    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert len(emitted) == 2
    assert emitted[0]["ConfigurationProblems"] in (1, [1])
    assert emitted[0]["MalformedRouteItems"] in (1, [1])  # the global default's text is a number
    assert "ConfigurationProblems" not in emitted[1]
    assert "MalformedRouteItems" not in emitted[1]
