"""`routes history` and `routes restore` say in words what they cannot show or undo."""

import pytest

from xoxzo_din.tables import history as route_history
from xoxzo_din_cli import common


@pytest.mark.parametrize(
    "command", [["history", "03-1234-5678"], ["restore", "03-1234-5678", "--at", "12:00"]]
)
def test_history_and_restore_say_plainly_that_a_stack_records_nothing(local_stack, tool, command):
    local_stack(records_history=False)
    result = tool("routes", *command, columns=200)
    assert result.exit_code == common.EXIT_STACK
    assert "records no history of its routes" in result.output


def test_history_without_a_change_says_so_in_words(local_stack, tool, monkeypatch):
    local_stack().parameters["HistoryRetentionDays"] = "365"
    monkeypatch.setattr(route_history, "changes_of", lambda table, number: [])
    result = tool("routes", "history", "03-1234-5678")
    assert result.exit_code == 0
    assert result.output == "no change of +81312345678 is recorded (the history keeps 365 days)\n"
