"""`routes check` at 80 columns never splits a phone number."""

import pytest

from tools.local_env import sample_routes
from xoxzo_din.tables.snapshot import group
from xoxzo_din_cli.routes import check


@pytest.fixture
def routes(monkeypatch):
    """The stack's routes: the sample ones, and one typo; its numbers table empty."""
    items = [*sample_routes(), {"number": "+81312345678", "rule_id": "001-vip", "callers": "090-1234-567"}]
    monkeypatch.setattr(
        check,
        "stack_routes",
        lambda context: group(
            [{**i, "action": "voicemail"} if i["rule_id"] == "001-vip" else i for i in items]
        ),
    )
    monkeypatch.setattr(check, "NumbersStore", lambda table: type("Empty", (), {"active": lambda self: []})())


def test_check_at_80_columns_never_splits_a_phone_number(local_stack, routes, tool):
    local_stack()
    result = tool("routes", "check", columns=80)
    assert result.exit_code == 0, result.output
    assert "+81312345678" in result.output and "090-1234-567" in result.output
    assert "090-1234-5678" in result.output  # the fix's example, whole
    assert max(len(line) for line in result.output.splitlines()) <= 80
