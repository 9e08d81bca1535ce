"""Fixtures of the tool's unit tests: the tool run in-process at a chosen width, and a local stack
that is never reached (its tables are None; what it would answer is given by each test)."""

import pytest
from typer.testing import CliRunner

from xoxzo_din_cli import common
from xoxzo_din_cli.main import app
from xoxzo_din_cli.stack import Stack


@pytest.fixture
def tool():
    """xoxzo-din run in-process, its output as wide as `columns`."""

    def run(*arguments, columns=100):
        return CliRunner().invoke(app, list(arguments), env={"COLUMNS": str(columns)})

    return run


@pytest.fixture
def local_stack(monkeypatch):
    """Call it for the stack the tool then works on (records_history: whether it keeps a history)."""

    def stack(records_history=True):
        made = Stack(name="local", region="ap-northeast-1", outputs={}, records_history=records_history)
        monkeypatch.setattr(common, "local_stack", lambda url: made)
        return made

    monkeypatch.setattr(Stack, "table", lambda self, key: None)
    return stack
