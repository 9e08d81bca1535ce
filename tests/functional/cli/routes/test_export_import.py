"""routes import against the table (moto): the command reads and writes the stack it is given, and
writes nothing more once it has nothing to change."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.helpers.aws import REGION
from xoxzo_din.tables.routes import read_routes
from xoxzo_din_cli import common
from xoxzo_din_cli.main import app
from xoxzo_din_cli.stack import Stack


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
