"""The stack the tool is given: a local one that does not answer is a clear error, with its own
exit status."""

from __future__ import annotations

from typer.testing import CliRunner

from xoxzo_din_cli import common
from xoxzo_din_cli.main import app


def test_an_unreachable_local_stack_is_a_clear_error_with_its_own_exit_status():
    result = CliRunner().invoke(app, ["--local", "http://127.0.0.1:9", "routes", "check"])
    assert result.exit_code == common.EXIT_STACK
    assert "make local" in result.output
