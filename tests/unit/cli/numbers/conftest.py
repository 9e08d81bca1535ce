"""Fixtures of the numbers commands' tests: the provisioning function's answers, given."""

import pytest

from xoxzo_din_cli import provisioning_client


@pytest.fixture
def answers(monkeypatch, local_stack):
    """The provisioning function's answers, by operation: fill it before running a command."""
    local_stack()
    given: dict[str, dict[str, object]] = {}
    monkeypatch.setattr(provisioning_client, "invoke", lambda stack, event: given[event["operation"]])
    return given
