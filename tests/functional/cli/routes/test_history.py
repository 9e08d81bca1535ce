"""The local stack keeps the history of its routes as a deployed one does: `make local`'s relay
(tools/local_streams.py) reads the routes table's stream and runs the route-changes function on
it, so an edit shows in `routes history`, `routes restore --dry-run` shows the way back, and the
edit-time alert is printed (moto: DynamoDB and its streams, SNS, SQS)."""

from __future__ import annotations

import importlib
import io
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from tests.helpers.aws import REGION
from tools.local_env import sample_routes
from tools.local_streams import AlertPrinter, StreamRelay, lambda_event
from xoxzo_din_cli import common
from xoxzo_din_cli.main import app
from xoxzo_din_cli.stack import Stack

NUMBER = "+81312345678"


@pytest.fixture
def local(tables, monkeypatch) -> dict[str, Any]:
    """The tables as make local seeds them, then the relay and the alert printer started."""
    routes = boto3.resource("dynamodb", region_name=REGION).Table(tables["ROUTES_TABLE_NAME"])
    for item in sample_routes():
        routes.put_item(Item=item)  # before the relay: the seed is not history
    topic = boto3.client("sns", region_name=REGION).create_topic(Name="local-alarms")["TopicArn"]
    monkeypatch.setenv("ALARM_TOPIC_ARN", topic)
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "din-local-test")
    sys.modules.pop("route_changes_handler", None)
    handler = importlib.import_module("route_changes_handler")
    from tools.local_server import LocalLambdaContext  # noqa: PLC0415 - imports the template

    printed = io.StringIO()
    relay = StreamRelay(
        None,
        tables["ROUTES_TABLE_NAME"],
        lambda event: handler.lambda_handler(event, LocalLambdaContext("RouteChangesFunction")),
    )
    stack = Stack(
        name="local",
        region=REGION,
        outputs={
            "RoutesTableName": tables["ROUTES_TABLE_NAME"],
            "HistoryTableName": tables["HISTORY_TABLE_NAME"],
            "NumbersTableName": tables["NUMBERS_TABLE_NAME"],
        },
        parameters={"HistoryRetentionDays": "365"},
        records_history=True,
    )
    monkeypatch.setattr(common, "local_stack", lambda url: stack)
    return {
        "routes": routes,
        "relay": relay,
        "alerts": AlertPrinter(None, topic, out=printed),
        "out": printed,
    }


def test_an_edit_shows_in_history_and_restore_dry_run_shows_the_way_back(local):
    routes = local["routes"]
    assert local["relay"].poll() == 0  # the seed is not a change
    before = (datetime.now(UTC) - timedelta(seconds=2)).isoformat(timespec="seconds")
    good = routes.get_item(Key={"number": NUMBER, "rule_id": "010-blocked"})["Item"]
    routes.put_item(Item={**good, "action": "sya"})  # a console typo on the block list
    routes.put_item(Item={"number": NUMBER, "rule_id": "001-test", "action": "voicemail"})
    assert local["relay"].poll() == 2

    history = CliRunner().invoke(app, ["routes", "history", "03-1234-5678"], env={"COLUMNS": "200"})
    assert history.exit_code == 0, history.output
    assert "2 change(s) of +81312345678" in history.output
    assert "010-blocked" in history.output and "action: 'say' -> 'sya'" in history.output
    assert history.output.index("001-test") < history.output.index("010-blocked")  # newest first

    dry = CliRunner().invoke(app, ["routes", "restore", "03-1234-5678", "--at", before, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "~ +81312345678/010-blocked" in dry.output and "action: 'sya' -> 'say'" in dry.output
    assert "- +81312345678/001-test" in dry.output and "dry run: nothing was written" in dry.output
    assert routes.get_item(Key={"number": NUMBER, "rule_id": "010-blocked"})["Item"]["action"] == "sya"

    assert local["alerts"].poll() == 1
    alert = local["out"].getvalue()
    assert "[edit alert] XOXZO DIN: a route edit of +81312345678 needs fixing" in alert
    assert "010-blocked / action" in alert and "fix: e.g. action: say" in alert


def test_records_are_delivered_as_lambda_delivers_them():
    created = datetime(2026, 12, 2, 1, 0, 0, 600000, tzinfo=UTC)
    record = {"eventID": "e", "eventName": "INSERT", "dynamodb": {"ApproximateCreationDateTime": created}}
    (delivered,) = lambda_event([record], "arn:stream")["Records"]
    assert delivered["dynamodb"]["ApproximateCreationDateTime"] == int(created.timestamp())  # whole seconds
    assert delivered["eventSourceARN"] == "arn:stream" and delivered["awsRegion"] == REGION
