"""`sam deploy --guided` with the runbook's answers (docs/how-to/deploy-runbook.md), through the SAM
CLI's own prompting code, offline: no question aborts it, and every answer is a valid value."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from samcli.commands.deploy import guided_context
from samcli.commands.deploy.auth_utils import auth_per_resource
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

from tools.template_tables import load_template

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Zq3" * 11  # what `secrets.token_urlsafe(32)` gives: 43 URL-safe characters
# The answers the runbook gives for the NoEcho parameters (the others: Enter, the default).
TYPED = {"ActionSecretA": SECRET, "ActionSecretB": "none"}


def test_guided_asks_no_authentication_question():
    """Each route is the secret itself (ApiGatewayV2 routes, not SAM events): SAM finds no
    function event to ask "has no authentication. Is this okay?" about, whose default aborts."""
    stacks, _ = SamLocalStackProvider.get_stacks(str(ROOT / "template.yaml"))
    assert auth_per_resource(stacks) == []


def test_the_runbooks_answers_are_valid_parameter_values(monkeypatch: pytest.MonkeyPatch):
    parameters = load_template()["Parameters"]
    asked: list[str] = []

    def prompt(text: str, default: Any = None, hide_input: bool = False, **_: Any) -> Any:
        name = text.split("Parameter ", 1)[1].split("\x1b", 1)[0].strip()
        asked.append(name)
        if hide_input:
            return TYPED[name]  # NoEcho: no default is shown, an empty answer is asked again
        return default

    monkeypatch.setattr(guided_context, "prompt", prompt)
    context = guided_context.GuidedContext.__new__(guided_context.GuidedContext)
    context.parameter_overrides_from_cmdline = {}
    answers = context.prompt_parameters(parameters, {}, "", "")
    assert asked == list(parameters)
    for name, answer in answers.items():
        value, spec = answer["Value"], parameters[name]
        if "AllowedPattern" in spec:
            assert re.fullmatch(spec["AllowedPattern"], str(value)), (name, value)
        if "AllowedValues" in spec:
            assert str(value) in [str(v) for v in spec["AllowedValues"]], (name, value)
        if "MinLength" in spec:
            assert len(str(value)) >= spec["MinLength"], name
    runbook = (ROOT / "docs" / "how-to" / "deploy-runbook.md").read_text(encoding="utf-8")
    assert "| Parameter ActionSecretB | `none`" in runbook
    # Every parameter guided asks about has its answer in the runbook (several may share a row).
    rows = [line for line in runbook.splitlines() if line.startswith("| Parameter ")]
    assert all(any(name in row for row in rows) for name in parameters), "a parameter without its answer"
