"""A console edit, as the RoutesTable's stream delivers it: kept in the history, checked, and
alerted when it breaks something; `routes restore` undoes it (moto: DynamoDB, SNS, SQS)."""

from __future__ import annotations

import importlib
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from typer.testing import CliRunner

from tests.helpers.aws import REGION
from tools.local_env import sample_routes
from xoxzo_din.tables.history import changes_of
from xoxzo_din_cli import common
from xoxzo_din_cli.main import app
from xoxzo_din_cli.stack import Stack

NUMBER = "+81312345678"
CONSOLE_TYPO = Path(__file__).resolve().parents[3] / "events" / "route-changes" / "console-typo.json"
_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def image(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _SERIALIZER.serialize(value) for name, value in item.items()}


def stream_record(
    old: dict[str, Any] | None, new: dict[str, Any] | None, at: datetime, event_id: str
) -> dict[str, Any]:
    """What DynamoDB Streams delivers for one change (NEW_AND_OLD_IMAGES)."""
    item = new or old
    assert item is not None
    data: dict[str, Any] = {
        "Keys": image({"number": item["number"], "rule_id": item["rule_id"]}),
        "ApproximateCreationDateTime": at.timestamp(),
        "SequenceNumber": event_id,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        data["OldImage"] = image(old)
    if new is not None:
        data["NewImage"] = image(new)
    kind = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    return {"eventID": event_id, "eventName": kind, "eventSource": "aws:dynamodb", "dynamodb": data}


@pytest.fixture
def world(tables, monkeypatch) -> dict[str, Any]:
    routes = boto3.resource("dynamodb", region_name=REGION).Table(tables["ROUTES_TABLE_NAME"])
    for item in sample_routes():
        routes.put_item(Item=item)
    sns, sqs = boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION)
    topic = sns.create_topic(Name="alarms")["TopicArn"]
    queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    monkeypatch.setenv("ALARM_TOPIC_ARN", topic)
    monkeypatch.setenv("HISTORY_RETENTION_DAYS", "30")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "din-route-changes-test")
    sys.modules.pop("route_changes_handler", None)
    handler: ModuleType = importlib.import_module("route_changes_handler")
    stack = Stack(
        name="test",
        region=REGION,
        outputs={
            "RoutesTableName": tables["ROUTES_TABLE_NAME"],
            "HistoryTableName": tables["HISTORY_TABLE_NAME"],
        },
    )
    monkeypatch.setattr(common, "local_stack", lambda url: stack)
    return {
        "routes": routes,
        "handler": handler,
        "sqs": sqs,
        "queue": queue,
        "tables": tables,
        "stack": stack,
    }


def alerts(world: dict[str, Any]) -> list[dict[str, str]]:
    messages = (
        world["sqs"].receive_message(QueueUrl=world["queue"], MaxNumberOfMessages=10).get("Messages", [])
    )
    return [json.loads(message["Body"]) for message in messages]


def test_a_broken_block_list_edit_is_alerted_and_kept_in_the_history(world, lambda_context):
    # The sample event `sam local invoke` uses: the console typo action=sya on the block list.
    event = json.loads(CONSOLE_TYPO.read_text(encoding="utf-8"))
    (record,) = event["Records"]
    routes = world["routes"]
    good = routes.get_item(Key={"number": NUMBER, "rule_id": "010-blocked"})["Item"]
    assert {k: _DESERIALIZER.deserialize(v) for k, v in record["dynamodb"]["OldImage"].items()} == good
    broken = {k: _DESERIALIZER.deserialize(v) for k, v in record["dynamodb"]["NewImage"].items()}
    routes.put_item(Item=broken)
    answer = world["handler"].lambda_handler(event, lambda_context)
    assert answer == {"batchItemFailures": []}
    (alert,) = alerts(world)
    assert NUMBER in alert["Subject"]
    body = alert["Message"]
    assert f"{NUMBER} / 010-blocked / action" in body and "sya" in body and "fix: e.g. action: say" in body
    assert "broken rule has callers" in body  # the block list lets those callers through
    (change,) = changes_of(
        boto3.resource("dynamodb", region_name=REGION).Table(world["tables"]["HISTORY_TABLE_NAME"]), NUMBER
    )
    assert change.old is not None and change.new is not None
    assert (change.rule_id, change.kind, change.old["action"], change.new["action"]) == (
        "010-blocked",
        "changed",
        "say",
        "sya",
    )


def test_a_good_edit_is_recorded_without_an_alert(world, lambda_context):
    routes = world["routes"]
    old = routes.get_item(Key={"number": NUMBER, "rule_id": "020-vip"})["Item"]
    new = {**old, "to": "+81312340002"}
    routes.put_item(Item=new)
    world["handler"].lambda_handler(
        {"Records": [stream_record(old, new, datetime(2026, 12, 2, 1, 0, tzinfo=UTC), "e2")]}, lambda_context
    )
    assert alerts(world) == []


def test_deleting_the_global_default_is_alerted(world, lambda_context):
    routes = world["routes"]
    old = routes.get_item(Key={"number": "*", "rule_id": "default"})["Item"]
    routes.delete_item(Key={"number": "*", "rule_id": "default"})
    world["handler"].lambda_handler(
        {"Records": [stream_record(old, None, datetime(2026, 12, 2, 1, 0, tzinfo=UTC), "e3")]}, lambda_context
    )
    (alert,) = alerts(world)
    assert "* / default / action" in alert["Message"] and "no global default" in alert["Message"]
    assert "add the item number=*, rule_id=default" in alert["Message"]


def test_restore_shows_the_inverse_of_the_last_edit_then_applies_it(world, lambda_context):
    routes = world["routes"]
    good = routes.get_item(Key={"number": NUMBER, "rule_id": "010-blocked"})["Item"]
    broken = {**good, "action": "sya"}
    routes.put_item(Item=broken)
    extra = {"number": NUMBER, "rule_id": "070-extra", "action": "voicemail"}
    routes.put_item(Item=extra)
    records = [
        stream_record(good, broken, datetime(2026, 12, 2, 1, 0, tzinfo=UTC), "e1"),
        stream_record(None, extra, datetime(2026, 12, 2, 1, 5, tzinfo=UTC), "e2"),
    ]
    world["handler"].lambda_handler({"Records": records}, lambda_context)
    runner = CliRunner()
    history = runner.invoke(app, ["routes", "history", NUMBER])
    assert history.exit_code == 0 and "010-blocked" in history.output and "070-extra" in history.output
    # Shown in the number's time with its offset, ready for restore --at.
    assert "2026-12-02T10:05:00+09:00" in history.output and "2026-12-02T10:00:00+09:00" in history.output

    # 09:30 in Tokyo, before both edits (10:00 and 10:05).
    dry = runner.invoke(app, ["routes", "restore", NUMBER, "--at", "2026-12-02T09:30", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "~ +81312345678/010-blocked" in dry.output and "action: 'sya' -> 'say'" in dry.output
    assert "- +81312345678/070-extra" in dry.output and "dry run: nothing was written" in dry.output
    assert routes.get_item(Key={"number": NUMBER, "rule_id": "010-blocked"})["Item"]["action"] == "sya"

    done = runner.invoke(app, ["routes", "restore", NUMBER, "--at", "2026-12-02T09:30"])
    assert done.exit_code == 0, done.output
    assert routes.get_item(Key={"number": NUMBER, "rule_id": "010-blocked"})["Item"] == good
    assert "Item" not in routes.get_item(Key={"number": NUMBER, "rule_id": "070-extra"})


def test_restore_refuses_a_moment_older_than_the_history_keeps(world, lambda_context):
    routes = world["routes"]
    good = routes.get_item(Key={"number": NUMBER, "rule_id": "010-blocked"})["Item"]
    routes.put_item(Item={**good, "action": "sya"})
    now = datetime.now(UTC)
    world["handler"].lambda_handler(
        {"Records": [stream_record(good, {**good, "action": "sya"}, now, "e1")]}, lambda_context
    )
    world["stack"].parameters["HistoryRetentionDays"] = "30"
    too_old = (now - timedelta(days=31)).astimezone(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%dT%H:%M")
    refused = CliRunner().invoke(app, ["routes", "restore", NUMBER, "--at", too_old])
    assert refused.exit_code == 2
    assert "HistoryRetentionDays" in refused.output and "nothing was written" in refused.output
    assert routes.get_item(Key={"number": NUMBER, "rule_id": "010-blocked"})["Item"]["action"] == "sya"
    recent = (now - timedelta(days=29)).astimezone(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%dT%H:%M")
    done = CliRunner().invoke(app, ["routes", "restore", NUMBER, "--at", recent])
    assert done.exit_code == 0, done.output
    assert routes.get_item(Key={"number": NUMBER, "rule_id": "010-blocked"})["Item"] == good


@pytest.fixture
def lambda_context() -> Any:
    from tools.local_server import LocalLambdaContext  # noqa: PLC0415

    return LocalLambdaContext("RouteChangesFunction")


def test_two_edits_in_the_same_second_are_undone_in_the_order_they_were_made():
    from xoxzo_din.tables.history import Change, items_at  # noqa: PLC0415

    at = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)  # stream records carry whole seconds
    a, b, c = ({"number": NUMBER, "rule_id": "r", "text": text} for text in "ABC")
    # Random event ids ("f0..." before "0a..."), growing sequence numbers: the sequence decides.
    first = Change.of_stream_record(stream_record(a, b, at, "f0") | {"eventID": "f0"})
    second = Change.of_stream_record({**stream_record(b, c, at, "0a"), "eventID": "0a"})
    first = Change(**{**first.__dict__, "sequence": "1".rjust(40, "0")})
    second = Change(**{**second.__dict__, "sequence": "2".rjust(40, "0")})
    assert items_at([c], [second, first], datetime(2026, 12, 2, 0, 59, tzinfo=UTC)) == [a]
