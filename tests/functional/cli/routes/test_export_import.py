"""routes import against the table (moto): conditional writes never overwrite a concurrent edit,
and the whole command reads and writes the stack it is given."""

from __future__ import annotations

from decimal import Decimal

import boto3
import pytest
from typer.testing import CliRunner

from tests.conftest import REGION
from xoxzo_din_cli import common
from xoxzo_din_cli.main import app
from xoxzo_din_cli.routes_commands import _apply
from xoxzo_din_cli.routes_file import load, plan
from xoxzo_din_cli.routes_table import ConcurrentEditError, delete_item, read_routes, write_item
from xoxzo_din_cli.stack import Stack

NUMBER = "+81312345678"


@pytest.fixture
def table(tables):
    return boto3.resource("dynamodb", region_name=REGION).Table(tables["ROUTES_TABLE_NAME"])


@pytest.fixture
def stack(tables, monkeypatch):
    made = Stack(
        name="test",
        region=REGION,
        outputs={
            "RoutesTableName": tables["ROUTES_TABLE_NAME"],
            "NumbersTableName": tables["NUMBERS_TABLE_NAME"],
        },
    )
    monkeypatch.setattr(common, "local_stack", lambda url: made)
    return made


def test_a_write_is_refused_when_the_item_changed_since_it_was_read(table):
    seen = {"number": NUMBER, "rule_id": "r", "action": "voicemail", "priority": Decimal(5)}
    table.put_item(Item=seen)
    table.put_item(Item={**seen, "priority": Decimal(6)})  # someone edits it in the console
    with pytest.raises(ConcurrentEditError):
        write_item(table, {**seen, "priority": Decimal(7)}, seen)
    with pytest.raises(ConcurrentEditError):
        delete_item(table, seen)
    with pytest.raises(ConcurrentEditError):
        write_item(table, {"number": NUMBER, "rule_id": "r", "action": "voicemail"}, None)  # it exists now
    assert table.get_item(Key={"number": NUMBER, "rule_id": "r"})["Item"]["priority"] == 6


def test_an_import_stops_at_a_concurrent_edit_and_says_how_far_it_got(table):
    table.put_item(Item={"number": NUMBER, "rule_id": "a", "action": "voicemail"})
    wanted = load(
        'version: 1\nnumbers:\n  "+81312345678":\n'
        "    a: {action: voicemail, priority: 5}\n    b: {action: voicemail}\n"
    )
    changes = plan(read_routes(table), wanted, prune=False)
    table.put_item(Item={"number": NUMBER, "rule_id": "a", "action": "say", "text": "edited meanwhile"})
    written, conflict = _apply(table, changes)
    assert written == 1 and conflict is not None and "a changed since it was read" in conflict
    assert table.get_item(Key={"number": NUMBER, "rule_id": "a"})["Item"]["action"] == "say"


def test_the_commands_work_on_the_stack_they_are_given(table, stack, tmp_path):
    runner = CliRunner()
    source = tmp_path / "routes.yaml"
    source.write_text(
        'version: 1\nnumbers:\n  "*": {default: {action: voicemail}}\n  "+81312345678":\n'
        "    default: {action: voicemail}\n"
        "    010-vip: {priority: 10, callers: '+819012345678', action: transfer, to: '+81312340001'}\n",
        encoding="utf-8",
    )
    dry = runner.invoke(app, ["routes", "import", str(source), "--dry-run"])
    assert dry.exit_code == 0 and "dry run: nothing was written" in dry.output
    assert read_routes(table).by_number == {}
    done = runner.invoke(app, ["routes", "import", str(source)])
    assert done.exit_code == 0, done.output
    assert "3 write(s) done" in done.output
    explained = runner.invoke(
        app, ["routes", "explain", "03-1234-5678", "--caller", "090-1234-5678", "--at", "2026-12-02T10:00"]
    )
    assert explained.exit_code == 0 and explained.output.startswith("transfer +81312340001")
    assert runner.invoke(app, ["routes", "check"]).exit_code == 0
    again = runner.invoke(app, ["routes", "import", str(source), "--json"])
    assert again.exit_code == 0 and '"written": 0' in again.output


def test_an_unreachable_local_stack_is_a_clear_error_with_its_own_exit_status():
    result = CliRunner().invoke(app, ["--local", "http://127.0.0.1:9", "routes", "check"])
    assert result.exit_code == common.EXIT_STACK
    assert "make local" in result.output


def test_an_attribute_added_in_the_console_meanwhile_is_a_conflict_too(table):
    seen = {"number": NUMBER, "rule_id": "010-x", "priority": Decimal(10), "action": "say", "text": "old"}
    table.put_item(Item=seen)
    table.put_item(Item={**seen, "callers": "+81120000000"})  # someone makes it a block list
    with pytest.raises(ConcurrentEditError):
        write_item(table, {**seen, "text": "new"}, seen)
    assert table.get_item(Key={"number": NUMBER, "rule_id": "010-x"})["Item"]["callers"] == "+81120000000"
